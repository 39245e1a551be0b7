// repl_history.cpp: the history file. One entry per line, with backslash and newline
// escaped so a multi-line chunk stays one entry. Written whole (to a 0600 temporary
// file, then renamed) after every entry, so a crash loses nothing and the file is
// never readable by others. Entries holding the API key never get in.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <editline/readline.h>

#include "host/app/repl_session.hpp"

#include "host/core/secret.hpp"

namespace orscript::repl {
namespace {

constexpr std::size_t kMaxEntries = 1000;

std::string escape(const std::string& entry) {
  std::string out;
  out.reserve(entry.size());
  for (char c : entry) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      out += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
    } else {
      out += line[i];
    }
  }
  return out;
}

// Makes every missing directory of `dir` with mode 0700.
bool make_dirs(const std::string& dir) {
  struct stat st {};
  if (dir.empty() || stat(dir.c_str(), &st) == 0) return true;
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0 && !make_dirs(dir.substr(0, slash))) return false;
  return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

bool key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

}  // namespace

std::string history_path() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x == '/') return std::string(x) + "/orscript/history";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/orscript/history";
  return "";
}

bool holds_secret(std::string_view text, const Secret& key) {
  if (!key.empty() && text.find(key.reveal()) != std::string_view::npos) return true;
  if (text.find("sk-or-") != std::string_view::npos) return true;
  // Any other "sk-" token long enough to be a key (sk-proj-…, sk-ant-…).
  for (auto pos = text.find("sk-"); pos != std::string_view::npos; pos = text.find("sk-", pos + 1)) {
    if (pos > 0 && key_char(text[pos - 1])) continue;
    std::size_t n = 0;
    while (pos + 3 + n < text.size() && key_char(text[pos + 3 + n])) ++n;
    if (n >= 20) return true;
  }
  return false;
}

History::History(std::string path, const Secret& key) : path_(std::move(path)), key_(key) {}

void History::load() {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  struct stat st {};
  if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) fchmod(fd, 0600);
  std::string text;
  char buf[65536];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(r));
  close(fd);
  bool dropped = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string entry = unescape(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    if (holds_secret(entry, key_)) {
      dropped = true;
      continue;
    }
    entries_.push_back(std::move(entry));
  }
  while (entries_.size() > kMaxEntries) {
    entries_.pop_front();
    dropped = true;
  }
  for (auto& e : entries_) add_history(e.c_str());
  if (dropped) save();  // purge the key from disk, too
}

History::~History() { clear_history(); }

bool History::add(const std::string& chunk) {
  if (chunk.empty()) return true;
  if (holds_secret(chunk, key_)) return false;
  add_history(chunk.c_str());
  if (!entries_.empty() && entries_.back() == chunk) return true;
  entries_.push_back(chunk);
  if (entries_.size() > kMaxEntries) entries_.pop_front();
  save();
  return true;
}

void History::save() const {
  auto slash = path_.find_last_of('/');
  if (slash != std::string::npos && !make_dirs(path_.substr(0, slash))) return;
  std::string tmp = path_ + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  fchmod(fd, 0600);  // also when an old temporary file was wider
  std::string text;
  for (auto& e : entries_) text += escape(e) + "\n";
  std::size_t off = 0;
  bool ok = true;
  while (off < text.size()) {
    ssize_t w = write(fd, text.data() + off, text.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    off += static_cast<std::size_t>(w);
  }
  if (close(fd) != 0) ok = false;
  if (!ok || rename(tmp.c_str(), path_.c_str()) != 0) unlink(tmp.c_str());
}

}  // namespace orscript::repl
