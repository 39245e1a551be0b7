// repl_print.cpp: printing what a chunk returned. The formatting itself is Lua
// (scripts/orscript/pretty.lua: nested tables with sorted keys, cycles and cuts,
// result tables by .mode); this file calls it under the protected path, falls back to
// tostring if it is missing or fails, scrubs the key and writes to the session output.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bindings/host_context.hpp"
#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"

namespace orscript::repl {
namespace {

// Registry slot holding pretty.show (or false once it failed to load).
const char* const kPrinterKey = "orscript.repl.printer";

// Pushes pretty.show, or nil when the printer cannot be had.
void push_printer(Session& s) {
  lua_State* L = s.rt.state();
  lua_getfield(L, LUA_REGISTRYINDEX, kPrinterKey);
  if (!lua_isnil(L, -1)) {
    if (!lua_isfunction(L, -1)) {
      lua_pop(L, 1);
      lua_pushnil(L);
    }
    return;
  }
  lua_pop(L, 1);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "orscript.pretty");
  bool ok = s.rt.protected_call(1, 1) == 0;
  if (ok) {
    lua_getfield(L, -1, "show");
    lua_remove(L, -2);
    ok = lua_isfunction(L, -1);
    if (!ok) lua_pop(L, 1);
  } else {
    std::fprintf(stderr, "orscript: the pretty printer is unavailable; printing with tostring\n");
    lua_pop(L, 1);
  }
  if (!ok) lua_pushboolean(L, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kPrinterKey);
  if (!ok) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
}

// Formats the value at `idx` (absolute) into `out`. Returns false after reporting an
// error (e.g. Ctrl-C while a huge table was being formatted).
bool format_value(Session& s, int idx, std::string& out) {
  lua_State* L = s.rt.state();
  push_printer(s);
  int status;
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_getglobal(L, "tostring");
    lua_pushvalue(L, idx);
    status = s.rt.protected_call(1, 1);
  } else {
    lua_pushvalue(L, idx);
    lua_createtable(L, 0, 4);
    lua_pushlstring(L, mode_name(s.mode).data(), mode_name(s.mode).size());
    lua_setfield(L, -2, "mode");
    lua_pushboolean(L, s.headers);
    lua_setfield(L, -2, "headers");
    // Cut long results on the screen; a file gets everything.
    if (s.out == stdout) {
      lua_pushnumber(L, static_cast<lua_Number>(s.max_rows));
      lua_setfield(L, -2, "max_rows");
    }
    lua_pushnumber(L, terminal_width());
    lua_setfield(L, -2, "width");
    status = s.rt.protected_call(2, 1);
  }
  if (status != 0) {
    s.rt.report_error(status);
    return false;
  }
  std::size_t len = 0;
  const char* text = lua_tolstring(L, -1, &len);
  out.assign(text ? text : "(no text)", text ? len : 9);
  lua_pop(L, 1);
  return true;
}

}  // namespace

int terminal_width() {
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w > 20) return w;
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

void print_values(Session& s, int n) {
  lua_State* L = s.rt.state();
  int first = lua_gettop(L) - n + 1;
  std::string all;
  for (int i = 0; i < n; ++i) {
    std::string piece;
    if (!format_value(s, first + i, piece)) {
      lua_settop(L, first - 1);
      return;
    }
    if (i > 0 && !all.empty() && all.back() != '\n')
      all += (piece.find('\n') != std::string::npos || all.find('\n') != std::string::npos) ? "\n" : "\t";
    all += piece;
  }
  lua_settop(L, first - 1);
  // Never let the key reach the screen or a file, whatever the value held.
  all = s.rt.context().client_options.api_key.scrub(std::move(all));
  if (all.empty() || all.back() != '\n') all += '\n';
  if (s.out == stdout) {
    write_paged(s, all);
  } else {
    std::fwrite(all.data(), 1, all.size(), s.out);
    std::fflush(s.out);
  }
}

}  // namespace orscript::repl
