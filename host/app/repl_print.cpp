// repl_print.cpp: where the text of a line's results goes. The text itself comes
// from the bridge (scripts/orscript/repl.lua through orscript.pretty, by .mode); this
// file says how the session wants it, scrubs the key and writes it to the screen
// (paged) or to the .output file.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bindings/host_context.hpp"
#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"

namespace orscript::repl {

int terminal_width() {
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w > 20) return w;
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

ReplBridge::PrintOptions print_options(const Session& s) {
  ReplBridge::PrintOptions o;
  o.mode = std::string(mode_name(s.mode));
  o.headers = s.headers;
  o.max_rows = s.out == stdout ? s.max_rows : 0;  // cut long results on the screen; a file gets everything
  o.width = terminal_width();
  return o;
}

void print_text(Session& s, std::string text) {
  // Never let the key reach the screen or a file, whatever the value held.
  text = s.rt.context().client_options.api_key.scrub(std::move(text));
  if (text.empty() || text.back() != '\n') text += '\n';
  if (s.out == stdout) {
    write_paged(s, text);
  } else {
    std::fwrite(text.data(), 1, text.size(), s.out);
    std::fflush(s.out);
  }
}

}  // namespace orscript::repl
