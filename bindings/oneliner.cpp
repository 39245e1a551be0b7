// oneliner.cpp: `orscript query ...` and `--format` for -e, both thin calls into
// scripts/orscript/oneliner.lua (see oneliner.hpp).
#include "bindings/oneliner.hpp"

#include <lua.hpp>

#include "bindings/runtime.hpp"
#include "host/core/error.hpp"

namespace orscript {
namespace {

// Calls oneliner.<fn> with the arguments pushed by `push` (which returns how many);
// the function's number result is the exit code.
template <class Push>
int call_oneliner(Runtime& rt, const char* fn, Push push) {
  lua_State* L = rt.state();
  lua_getglobal(L, "require");
  lua_pushliteral(L, "orscript.oneliner");
  int status = rt.protected_call(1, 1);
  if (status != 0) return rt.report_error(status);
  lua_getfield(L, -1, fn);
  lua_remove(L, -2);
  int nargs = push(L);
  status = rt.protected_call(nargs, 1);
  if (status != 0) return rt.report_error(status);
  int code = lua_isnumber(L, -1) ? static_cast<int>(lua_tointeger(L, -1)) : exit_code::ok;
  lua_pop(L, 1);
  return code;
}

void push_string(lua_State* L, const std::string& s) { lua_pushlstring(L, s.data(), s.size()); }

}  // namespace

bool is_query_command(const std::string& script) { return script == "query"; }

int run_query_command(Runtime& rt, const std::vector<std::string>& args, const std::string& format) {
  return call_oneliner(rt, "query", [&](lua_State* L) {
    lua_createtable(L, static_cast<int>(args.size()), 0);
    for (std::size_t i = 0; i < args.size(); ++i) {
      push_string(L, args[i]);
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
    if (format.empty()) lua_pushnil(L);
    else push_string(L, format);
    return 2;
  });
}

int run_formatted_chunk(Runtime& rt, const std::string& chunk, const std::string& format) {
  return call_oneliner(rt, "eval", [&](lua_State* L) {
    push_string(L, chunk);
    push_string(L, format);
    return 2;
  });
}

}  // namespace orscript
