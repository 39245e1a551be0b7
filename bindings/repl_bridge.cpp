// repl_bridge.cpp: see repl_bridge.hpp. Stack discipline: a held chunk (or its syntax
// error) is the only thing left on the Lua stack between calls; every other call
// restores the stack it found.
#include "bindings/repl_bridge.hpp"

#include <lua.hpp>

#include <cstdio>
#include <cstring>

#include "bindings/runtime.hpp"
#include "host/core/interrupt.hpp"

namespace orscript {
namespace {

// True when the syntax error on top says the chunk ended too early (PUC lua.c's test).
bool incomplete(lua_State* L, int status) {
  if (status != LUA_ERRSYNTAX) return false;
  std::size_t len;
  const char* msg = lua_tolstring(L, -1, &len);
  static const char mark[] = "'<eof>'";
  return msg && len >= sizeof mark - 1 && std::strcmp(msg + len - (sizeof mark - 1), mark) == 0;
}

// The expression `expr` compiled (on top of the stack) as `return <expr>` is a tail
// call when it is a call: the line's own frame is gone by the time an error is
// raised, so `error("boom")` would have no position and a library error none of the
// user's. Replaces it by `return select(1, <expr>)`, which returns the same values
// without the tail call, when that compiles too.
void keep_frame(lua_State* L, const std::string& expr) {
  std::string wrapped = "return select(1, " + expr + "\n)";
  if (luaL_loadbuffer(L, wrapped.data(), wrapped.size(), "=stdin") == 0) {
    lua_remove(L, -2);
  } else {
    lua_pop(L, 1);
  }
}

void push_string(lua_State* L, std::string_view s) { lua_pushlstring(L, s.data(), s.size()); }

}  // namespace

ReplBridge::Compiled ReplBridge::compile(const std::string& code, bool forced) {
  lua_State* L = rt_.state();
  lua_settop(L, 0);
  if (!forced) {
    std::string as_expr = "return " + code;
    if (luaL_loadbuffer(L, as_expr.data(), as_expr.size(), "=stdin") == 0) {
      keep_frame(L, code);
      return Compiled::ok;
    }
    lua_pop(L, 1);
  }
  std::string text = forced ? "return " + code : code;
  int status = luaL_loadbuffer(L, text.data(), text.size(), "=stdin");
  if (status == 0) {
    if (forced) keep_frame(L, code);
    return Compiled::ok;
  }
  return incomplete(L, status) ? Compiled::incomplete : Compiled::error;
}

int ReplBridge::report_compile_error() {
  lua_State* L = rt_.state();
  if (lua_gettop(L) == 0) return 0;
  int code = rt_.report_error(LUA_ERRSYNTAX);
  lua_settop(L, 0);
  return code;
}

bool ReplBridge::push_function(const char* name) {
  lua_State* L = rt_.state();
  if (module_ref_ == -1) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "orscript.repl");
    int status = rt_.protected_call(1, 1);
    if (status != 0 || !lua_istable(L, -1)) {
      if (status != 0) rt_.report_error(status);
      else lua_pop(L, 1);
      module_ref_ = -2;  // reported once; the REPL goes on without it
    } else {
      module_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    }
  }
  if (module_ref_ < 0) return false;
  lua_rawgeti(L, LUA_REGISTRYINDEX, module_ref_);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  if (lua_isfunction(L, -1)) return true;
  lua_pop(L, 1);
  return false;
}

ReplBridge::Outcome ReplBridge::run(const PrintOptions& options) {
  lua_State* L = rt_.state();
  Outcome out;
  if (lua_gettop(L) == 0 || !lua_isfunction(L, -1)) return out;
  int base = lua_gettop(L) - 1;
  // Code typed at the prompt runs in LuaJIT's interpreter: a loop compiled to a trace
  // never reaches the hook that Ctrl-C sets, so it could not be stopped. Library code
  // and scripts keep the JIT.
  luaJIT_setmode(L, -1, LUAJIT_MODE_ALLFUNC | LUAJIT_MODE_OFF);
  int status = rt_.protected_call(0, LUA_MULTRET);
  if (status != 0) {
    out.code = rt_.report_error(status);
  } else if (int n = lua_gettop(L) - base; n > 0) {
    lua_pushvalue(L, base + 1);
    lua_setglobal(L, "_");
    if (push_function("show")) {
      lua_insert(L, base + 1);
      lua_createtable(L, 0, 4);
      push_string(L, options.mode);
      lua_setfield(L, -2, "mode");
      lua_pushboolean(L, options.headers);
      lua_setfield(L, -2, "headers");
      if (options.max_rows > 0) {
        lua_pushnumber(L, static_cast<lua_Number>(options.max_rows));
        lua_setfield(L, -2, "max_rows");
      }
      lua_pushnumber(L, options.width);
      lua_setfield(L, -2, "width");
      lua_insert(L, base + 2);
      status = rt_.protected_call(n + 1, 1);
      if (status != 0) {
        out.code = rt_.report_error(status);
      } else {
        std::size_t len = 0;
        const char* text = lua_tolstring(L, -1, &len);
        out.text = text ? std::string(text, len) : std::string("(no text)");
      }
    }
  }
  lua_settop(L, base < 0 ? 0 : base);
  settle_interrupt();
  return out;
}

bool ReplBridge::run_file(const std::string& path, const std::string& header) {
  lua_State* L = rt_.state();
  int top = lua_gettop(L);
  int status = luaL_loadfile(L, path.c_str());
  if (status == 0) status = rt_.protected_call(0, 0);
  if (status != 0) {
    std::fprintf(stderr, "%s\n", header.c_str());
    rt_.report_error(status);
  }
  lua_settop(L, top);
  settle_interrupt();
  return status == 0;
}

std::vector<std::string> ReplBridge::complete(std::string_view before, std::string_view word, char& quote) {
  lua_State* L = rt_.state();
  std::vector<std::string> out;
  quote = 0;
  int top = lua_gettop(L);
  if (push_function("complete")) {
    push_string(L, before);
    push_string(L, word);
    if (rt_.protected_call(2, 2) == 0) {
      if (lua_type(L, -1) == LUA_TSTRING && lua_objlen(L, -1) == 1) quote = lua_tostring(L, -1)[0];
      if (lua_istable(L, -2)) {
        for (int i = 1;; ++i) {
          lua_rawgeti(L, -2, i);
          if (lua_type(L, -1) != LUA_TSTRING) break;
          std::size_t len;
          const char* s = lua_tolstring(L, -1, &len);
          out.emplace_back(s, len);
          lua_pop(L, 1);
        }
      }
    }
  }
  lua_settop(L, top);
  settle_interrupt();
  return out;
}

std::optional<std::string> ReplBridge::schema_text(std::string_view filter, int width) {
  lua_State* L = rt_.state();
  int top = lua_gettop(L);
  std::optional<std::string> out;
  if (push_function("schema_text")) {
    push_string(L, filter);
    lua_pushnumber(L, width);
    int status = rt_.protected_call(2, 2);
    if (status != 0) {
      rt_.report_error(status);
    } else if (lua_type(L, -2) == LUA_TSTRING) {
      std::size_t len;
      const char* s = lua_tolstring(L, -2, &len);
      out.emplace(s, len);
    } else {
      const char* note = lua_tostring(L, -1);
      std::fprintf(stderr, "%s\n", note ? note : "the catalogue cannot be had: no schema");
    }
  }
  lua_settop(L, top);
  settle_interrupt();
  return out;
}

void ReplBridge::settle_interrupt() {
  if (interrupt_requested()) rt_.reset_interrupt();
}

}  // namespace orscript
