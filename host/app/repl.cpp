#include "host/app/repl.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <editline/readline.h>

#include "host/core/error.hpp"
#include "host/lua/host_context.hpp"
#include "host/lua/runtime.hpp"

namespace orscript {
namespace {

bool read_line(bool tty, const char* prompt, std::string& out) {
  if (tty) {
    char* line = readline(prompt);
    if (!line) return false;
    out = line;
    std::free(line);
    return true;
  }
  return static_cast<bool>(std::getline(std::cin, out));
}

// True when the syntax error says the chunk ended too early (PUC lua.c's test).
bool incomplete(lua_State* L, int status) {
  if (status != LUA_ERRSYNTAX) return false;
  std::size_t len;
  const char* msg = lua_tolstring(L, -1, &len);
  static const char mark[] = "'<eof>'";
  return msg && len >= sizeof mark - 1 && std::strcmp(msg + len - (sizeof mark - 1), mark) == 0;
}

}  // namespace

int run_repl(Runtime& rt) {
  lua_State* L = rt.state();
  const bool tty = isatty(0);
  const std::string label = rt.context().account_label();
  const std::string prompt1 = "orscript[" + label + "]> ", prompt2 = std::string(prompt1.size() - 2, ' ') + ">> ";
  int last_code = 0;
  if (tty)
    std::fprintf(stderr, "orscript REPL on %s. Expressions print themselves; Ctrl-D exits.\n", label.c_str());
  std::string line;
  while (read_line(tty, prompt1.c_str(), line)) {
    std::string chunk = line;
    if (!chunk.empty() && chunk[0] == '=') chunk = "return " + chunk.substr(1);
    int top = lua_gettop(L);
    // Try it as an expression first, then as a statement; keep reading while incomplete.
    std::string as_expr = "return " + chunk;
    int status = luaL_loadbuffer(L, as_expr.data(), as_expr.size(), "=stdin");
    if (status != 0) {
      lua_pop(L, 1);
      while (true) {
        status = luaL_loadbuffer(L, chunk.data(), chunk.size(), "=stdin");
        if (!incomplete(L, status)) break;
        lua_pop(L, 1);
        std::string more;
        if (!read_line(tty, prompt2.c_str(), more)) break;
        chunk += "\n" + more;
      }
    }
    if (tty && !chunk.empty()) add_history(chunk.c_str());
    if (status != 0) {
      last_code = rt.report_error(status);
      continue;
    }
    status = rt.protected_call(0, LUA_MULTRET);
    if (status != 0) {
      last_code = rt.report_error(status);
      continue;
    }
    last_code = 0;
    int n = lua_gettop(L) - top;
    if (n > 0) {
      lua_getglobal(L, "print");
      lua_insert(L, top + 1);
      if (rt.protected_call(n, 0) != 0) last_code = rt.report_error(LUA_ERRRUN);
    }
    lua_settop(L, top);
  }
  if (tty) std::fputc('\n', stderr);
  return tty ? 0 : last_code;
}

}  // namespace orscript
