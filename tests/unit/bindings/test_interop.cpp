// Pins how C++ exceptions and Lua errors cross each other (STYLE.md, "Errors across
// the C++/Lua line"): the trampoline turns orscript::Error and std::exception into
// Lua error values; a Lua error unwinding through C++ frames runs their destructors;
// Lua's own errors pass through the trampoline untouched.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "bindings/binding.hpp"

namespace {

int g_alive = 0;
struct Guard {
  Guard() { ++g_alive; }
  ~Guard() { --g_alive; }
};

int throws_orscript_error(lua_State*) {
  Guard g;
  orscript::Error e(orscript::ErrorKind::api, "the API said no");
  e.status = 400;
  e.request = "POST /api/v1/analytics/query";
  throw e;
}

int throws_std_exception(lua_State*) {
  Guard g;
  throw std::runtime_error("vector too long");
}

int raises_lua_error(lua_State* L) {
  Guard g;  // a C++ object alive while a Lua error unwinds this frame
  return luaL_error(L, "plain lua error");
}

int calls_back_into_lua(lua_State* L) {
  Guard g;
  lua_pushvalue(L, 1);
  lua_call(L, 0, 0);  // the callback raises; the error unwinds through this C++ frame
  return 0;
}

struct State {
  lua_State* L = luaL_newstate();
  State() {
    luaL_openlibs(L);
    orscript::lua::open_base(L);
    lua_pushcfunction(L, orscript::lua::entry<throws_orscript_error>);
    lua_setglobal(L, "throws_orscript_error");
    lua_pushcfunction(L, orscript::lua::entry<throws_std_exception>);
    lua_setglobal(L, "throws_std_exception");
    lua_pushcfunction(L, orscript::lua::entry<raises_lua_error>);
    lua_setglobal(L, "raises_lua_error");
    lua_pushcfunction(L, orscript::lua::entry<calls_back_into_lua>);
    lua_setglobal(L, "calls_back_into_lua");
  }
  ~State() { lua_close(L); }
  std::string run(const char* code) {
    if (luaL_dostring(L, code) != 0) {
      std::string msg = lua_tostring(L, -1);
      lua_pop(L, 1);
      return "ERROR: " + msg;
    }
    std::string out = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    lua_settop(L, 0);
    return out;
  }
};

}  // namespace

TEST_CASE("orscript::Error becomes a structured Lua error value") {
  State s;
  auto out = s.run(R"(
    local ok, e = pcall(throws_orscript_error)
    assert(not ok)
    return table.concat({e.kind, e.message, tostring(e.status), e.request, tostring(e.exit_code),
                         tostring(getmetatable(e).__name)}, "|"))");
  CHECK(out == "api|the API said no|400|POST /api/v1/analytics/query|4|orscript.Error");
  CHECK(g_alive == 0);
}

TEST_CASE("tostring of the error gives the Lua position and the message") {
  State s;
  // The position is the Lua code that called the binding (here line 2 of the chunk).
  auto out = s.run("local ok, e = pcall(function()\n throws_orscript_error()\nend)\nreturn tostring(e)");
  CHECK(out == "[string \"local ok, e = pcall(function()...\"]:2: the API said no");
}

TEST_CASE("std::exception becomes an internal error, never the bare 'C++ exception'") {
  State s;
  auto out = s.run("local ok, e = pcall(throws_std_exception); return e.kind .. '|' .. e.message");
  CHECK(out == "internal|internal error: vector too long");
  CHECK(g_alive == 0);
}

TEST_CASE("a Lua error raised in a binding passes through the trampoline untouched") {
  State s;
  auto out = s.run("local ok, e = pcall(raises_lua_error); return type(e) .. '|' .. e");
  CHECK(out.find("string|") == 0);
  CHECK(out.find("plain lua error") != std::string::npos);
  CHECK(g_alive == 0);  // the Guard's destructor ran while Lua unwound the C++ frame
}

TEST_CASE("a Lua error from a callback unwinds through C++ frames and runs destructors") {
  State s;
  auto out = s.run(R"(
    local ok, e = pcall(calls_back_into_lua, function() error({code = 7}) end)
    return tostring(ok) .. '|' .. tostring(e.code))");
  CHECK(out == "false|7");
  CHECK(g_alive == 0);
}

TEST_CASE("an error escaping every pcall is caught by the host's protected call") {
  State s;
  lua_getglobal(s.L, "throws_orscript_error");
  int status = lua_pcall(s.L, 0, 0, 0);
  CHECK(status == LUA_ERRRUN);
  orscript::Error e(orscript::ErrorKind::internal, "");
  CHECK(orscript::lua::to_error(s.L, -1, e));
  CHECK(e.kind == orscript::ErrorKind::api);
  CHECK(e.status == 400);
  CHECK(g_alive == 0);
}
