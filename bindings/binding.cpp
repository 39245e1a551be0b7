#include "bindings/binding.hpp"

#include <exception>
#include <string>

namespace orscript::lua {

void set_string(lua_State* L, const char* key, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

void usage(const std::string& msg) { throw Error(ErrorKind::usage, msg); }

void check_opts(lua_State* L, int idx) {
  if (!lua_isnoneornil(L, idx)) luaL_checktype(L, idx, LUA_TTABLE);
}

void push_opt(lua_State* L, int idx, const char* key) {
  if (lua_istable(L, idx))
    lua_getfield(L, idx, key);
  else
    lua_pushnil(L);
}

bool opt_bool(lua_State* L, int idx, const char* key) {
  push_opt(L, idx, key);
  bool v = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return v;
}

std::string opt_string(lua_State* L, int idx, const char* key, const std::string& where) {
  push_opt(L, idx, key);
  std::string v;
  if (lua_type(L, -1) == LUA_TSTRING)
    v = lua_tostring(L, -1);
  else if (!lua_isnil(L, -1)) {
    lua_pop(L, 1);
    usage(where + ": '" + key + "' must be a string");
  }
  lua_pop(L, 1);
  return v;
}

std::optional<lua_Number> opt_number(lua_State* L, int idx, const char* key) {
  push_opt(L, idx, key);
  std::optional<lua_Number> v;
  if (lua_isnumber(L, -1)) v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

std::optional<lua_Integer> opt_integer(lua_State* L, int idx, const char* key) {
  auto n = opt_number(L, idx, key);
  if (!n) return std::nullopt;
  return static_cast<lua_Integer>(*n);  // what lua_tointeger does on 64-bit targets
}

namespace {

int error_tostring(lua_State* L) {
  lua_getfield(L, 1, "where");
  lua_getfield(L, 1, "message");
  const char* where = lua_tostring(L, -2);
  const char* msg = lua_tostring(L, -1);
  std::string text = where ? where : "";
  text += msg ? msg : "(no message)";
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

int null_tostring(lua_State* L) {
  lua_pushliteral(L, "null");
  return 1;
}

// The single sentinel object lives in the registry under this key.
const char kNullKey = 0;
// The chunk-name prefix of the shipped library ("@<lib_dir>/"), under this key.
const char kLibraryKey = 0;

// Pushes "file:line: " of the innermost Lua frame that is not in the shipped library,
// so an error raised under orscript's own Lua code points at the user's line.
void push_user_where(lua_State* L) {
  lua_pushlightuserdata(L, const_cast<char*>(&kLibraryKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  std::string prefix = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  lua_Debug ar;
  bool library_only = false;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;  // C functions
    if (!prefix.empty() && std::string_view(ar.source).substr(0, prefix.size()) == prefix) {
      library_only = true;
      continue;
    }
    lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
    return;
  }
  // Only library frames: the user's frame was replaced by a tail call (the REPL's
  // `return <line>`). No position beats one inside the library.
  if (library_only) {
    lua_pushliteral(L, "");
    return;
  }
  luaL_where(L, 1);
}

}  // namespace

void push_error(lua_State* L, ErrorKind kind, std::string_view message) {
  Error e(kind, std::string(message));
  push_error(L, e);
}

void push_error(lua_State* L, const Error& e) {
  lua_createtable(L, 0, 8);
  set_string(L, "kind", kind_name(e.kind));
  set_string(L, "message", e.what());
  lua_pushinteger(L, e.status);
  lua_setfield(L, -2, "status");
  if (!e.api_code.empty()) set_string(L, "code", e.api_code);
  if (!e.api_message.empty()) set_string(L, "api_message", e.api_message);
  if (!e.request.empty()) set_string(L, "request", e.request);
  lua_pushinteger(L, exit_code_for(e.kind));
  lua_setfield(L, -2, "exit_code");
  // Position of the user's Lua code that led here (library frames skipped).
  push_user_where(L);
  lua_setfield(L, -2, "where");
  luaL_getmetatable(L, kErrorMeta);
  lua_setmetatable(L, -2);
}

void raise(lua_State* L, const Error& e) {
  push_error(L, e);
  lua_error(L);
  __builtin_unreachable();
}

bool to_error(lua_State* L, int idx, Error& out) {
  if (!lua_istable(L, idx) || !lua_getmetatable(L, idx)) return false;
  luaL_getmetatable(L, kErrorMeta);
  bool same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!same) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  auto field = [&](const char* k) {
    lua_getfield(L, idx, k);
    std::string v = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    return v;
  };
  std::string where = field("where");
  out = Error(kind_from_name(field("kind")), where + field("message"));
  lua_getfield(L, idx, "status");
  out.status = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  out.api_code = field("code");
  out.api_message = field("api_message");
  out.request = field("request");
  return true;
}

void push_null(lua_State* L) {
  lua_pushlightuserdata(L, const_cast<char*>(&kNullKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
}

bool is_null(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TUSERDATA) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  push_null(L);
  bool same = lua_rawequal(L, idx, -1);
  lua_pop(L, 1);
  return same;
}

HostContext& context(lua_State* L) {
  return *static_cast<HostContext*>(lua_touserdata(L, lua_upvalueindex(1)));
}

int detail::translate(lua_State* L, int (*fn)(lua_State*)) {
  // The error value is built inside the catch, raised after it: by the time lua_error
  // unwinds, the exception object and every C++ frame below `fn` are gone.
  bool failed = false;
  try {
    return fn(L);
  } catch (const Error& e) {
    push_error(L, e);
    failed = true;
  } catch (const std::bad_alloc&) {
    push_error(L, ErrorKind::internal, "out of memory");
    failed = true;
  } catch (const std::exception& e) {
    push_error(L, ErrorKind::internal, std::string("internal error: ") + e.what());
    failed = true;
  }
  if (failed) return lua_error(L);
  return 0;
}

[[noreturn]] void unknown_field(lua_State* L, const char* type_name, int key_idx) {
  const char* key = lua_tostring(L, key_idx);
  std::string msg = std::string("unknown field '") + (key ? key : luaL_typename(L, key_idx)) + "' on " + type_name;
  push_error(L, ErrorKind::usage, msg);
  lua_error(L);
  __builtin_unreachable();
}

namespace {
int strict_index(lua_State* L) {
  // upvalue 1: methods table, upvalue 2: type name
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  unknown_field(L, lua_tostring(L, lua_upvalueindex(2)), 2);
}
}  // namespace

void new_class(lua_State* L, const char* name, const luaL_Reg* methods, HostContext* ctx) {
  luaL_newmetatable(L, name);
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, methods, 1);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  // __index: look the key up in the metatable itself, else raise.
  lua_pushvalue(L, -1);
  lua_pushstring(L, name);
  lua_pushcclosure(L, strict_index, 2);
  lua_setfield(L, -2, "__index");
}

void set_library_dir(lua_State* L, const std::string& dir) {
  lua_pushlightuserdata(L, const_cast<char*>(&kLibraryKey));
  std::string prefix = "@" + dir + "/";
  lua_pushlstring(L, prefix.data(), prefix.size());
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void open_base(lua_State* L) {
  luaL_newmetatable(L, kErrorMeta);
  lua_pushcfunction(L, error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushstring(L, kErrorMeta);
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);

  lua_pushlightuserdata(L, const_cast<char*>(&kNullKey));
  lua_newuserdata(L, 0);
  luaL_newmetatable(L, kNullMeta);
  lua_pushcfunction(L, null_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushstring(L, kNullMeta);
  lua_setfield(L, -2, "__name");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace orscript::lua
