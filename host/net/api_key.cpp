// Where the API key comes from (declared in api_client.hpp): --api-key-file, then
// --api-key, then $OPENROUTER_API_KEY. The key is never put in a message.
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <string>

#include "host/core/error.hpp"
#include "host/core/file_io.hpp"
#include "host/net/api_client.hpp"

namespace orscript::net {

Secret resolve_api_key(std::string_view key_file, std::string_view key_flag,
                       const std::function<void(std::string_view)>& warn,
                       const std::function<void(std::string_view)>& note) {
  if (!key_file.empty()) {
    // A regular file of at most 64 KB, opened without blocking (a FIFO or /dev/zero is
    // refused, not waited on or read forever).
    std::string why;
    auto text = try_read_file_capped(std::string(key_file), 64 * 1024, &why);
    if (!text)
      throw_usage("cannot read the key file '" + echo_input(key_file) + "': " + why +
                  "; check the path given to --api-key-file and its permissions");
    std::string line = text->substr(0, text->find('\n'));
    std::fill(text->begin(), text->end(), '\0');
    if (line.starts_with("\xEF\xBB\xBF")) {  // a UTF-8 byte-order mark from a Windows editor
      line.erase(0, 3);
      if (note) note("orscript: the key file '" + echo_input(key_file) + "' starts with a UTF-8 byte-order mark; ignored it");
    }
    auto first = line.find_first_not_of(" \t\r\n");
    auto last = line.find_last_not_of(" \t\r\n");
    if (first == std::string::npos)
      throw_usage("the key file '" + echo_input(key_file) + "' is empty; put the key on its first line");
    if (line.find('\0') != std::string::npos)
      throw_usage("the key file '" + echo_input(key_file) + "' holds a NUL byte; put just the key on its first line");
    Secret key(line.substr(first, last - first + 1));
    std::fill(line.begin(), line.end(), '\0');
    struct stat st {};
    if (warn && stat(std::string(key_file).c_str(), &st) == 0 && (st.st_mode & 077))
      warn("orscript: warning: the key file '" + std::string(key_file) +
           "' is readable by other users; run: chmod 600 " + std::string(key_file));
    return key;
  }
  if (!key_flag.empty()) {
    if (warn)
      warn("orscript: warning: --api-key shows the key in the process list; prefer --api-key-file or "
           "OPENROUTER_API_KEY");
    return Secret(std::string(key_flag));
  }
  if (const char* env = std::getenv("OPENROUTER_API_KEY"); env && *env) return Secret(env);
  return Secret();
}

}  // namespace orscript::net
