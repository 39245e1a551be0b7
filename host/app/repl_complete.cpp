// repl_complete.cpp: Tab completion through libedit's readline interface
// (rl_attempted_completion_function / rl_completion_matches). The candidates come
// from the bridge (scripts/orscript/repl.lua): globals and keywords, fields and
// methods (`a.b.`, `t:`), a module's lazily loaded fields, and inside a string
// literal the catalogue's names or a result table's own columns.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <editline/readline.h>

#include "host/app/repl_session.hpp"

namespace orscript::repl {
namespace {

Session* g_session = nullptr;
std::vector<std::string> g_matches;

char* next_match(const char* /*text*/, int state) {
  static std::size_t i;
  if (state == 0) i = 0;
  if (i >= g_matches.size()) return nullptr;
  return strdup(g_matches[i++].c_str());
}

char** attempted_completion(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  if (!g_session) return nullptr;
  std::string before(rl_line_buffer, static_cast<std::size_t>(std::max(start, 0)));
  char quote = 0;
  g_matches = g_session->bridge.complete(before, text, quote);
  if (g_matches.empty()) return nullptr;
  // Nothing is appended after a name in a string: the user types the closing quote
  // (an added one would double it, and libedit would show it after every candidate).
  rl_completion_append_character = '\0';
  return rl_completion_matches(text, next_match);
}

}  // namespace

void install_completion(Session& s) {
  g_session = &s;
  rl_attempted_completion_function = attempted_completion;
  // Words break at operators and brackets but not at '.' or ':', so that
  // `orscript.time.la` and `t:he` complete as paths.
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{}()[],+-*/%^#~";
  rl_completion_append_character = '\0';
}

}  // namespace orscript::repl
