// code_binding.cpp: `core.code_find(spec)`, the Lua door to host/core/code_scan.
//
// Owns: reading the spec table the Lua wrapper (scripts/orscript/code.lua) built and pushing
// the result table. The options, needles and their checks are the wrapper's; the scan is C++.
#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/modules.hpp"
#include "host/core/code_scan.hpp"

namespace orscript::lua {
namespace {

void set_number(lua_State* L, const char* name, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

// core.code_find{dirs = {...}, needles = {{text =, kind =}, ...}, comments =, git =,
// max_bytes =, limit =} -> {matches = {...}, files =, bytes =, skipped_binary =,
// skipped_large =, modes = {...}, truncated =}
int l_code_find(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  code::ScanOptions opts;
  lua_getfield(L, 1, "dirs");
  luaL_checktype(L, -1, LUA_TTABLE);
  for (int i = 1, n = static_cast<int>(lua_objlen(L, -1)); i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    opts.dirs.emplace_back(luaL_checkstring(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "needles");
  luaL_checktype(L, -1, LUA_TTABLE);
  for (int i = 1, n = static_cast<int>(lua_objlen(L, -1)); i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    luaL_checktype(L, -1, LUA_TTABLE);
    opts.needles.push_back({opt_string(L, -1, "text", "code_find: needle"), opt_string(L, -1, "kind", "code_find: needle")});
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  opts.include_comments = opt_bool(L, 1, "comments");
  push_opt(L, 1, "git");
  opts.use_git = lua_isnil(L, -1) || lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (auto n = opt_number(L, 1, "max_bytes")) opts.max_file_bytes = static_cast<std::uintmax_t>(*n);
  if (auto n = opt_number(L, 1, "limit")) opts.limit = static_cast<std::size_t>(*n);

  code::ScanResult r = code::scan(opts);

  lua_createtable(L, 0, 7);
  lua_createtable(L, static_cast<int>(r.matches.size()), 0);
  int i = 0;
  for (const auto& m : r.matches) {
    lua_createtable(L, 0, 9);
    set_string(L, "root", m.root);
    set_string(L, "file", m.file);
    set_number(L, "line", m.line);
    set_number(L, "column", m.column);
    set_string(L, "text", m.text);
    if (!m.name.empty()) set_string(L, "name", m.name);
    set_string(L, "needle", m.needle);
    set_string(L, "kind", m.kind);
    set_string(L, "place", code::place_name(m.place));
    lua_rawseti(L, -2, ++i);
  }
  lua_setfield(L, -2, "matches");
  set_number(L, "files", static_cast<double>(r.files));
  set_number(L, "bytes", static_cast<double>(r.bytes));
  set_number(L, "skipped_binary", static_cast<double>(r.skipped_binary));
  set_number(L, "skipped_large", static_cast<double>(r.skipped_large));
  lua_createtable(L, static_cast<int>(r.modes.size()), 0);
  for (std::size_t k = 0; k < r.modes.size(); ++k) {
    lua_pushlstring(L, r.modes[k].data(), r.modes[k].size());
    lua_rawseti(L, -2, static_cast<int>(k + 1));
  }
  lua_setfield(L, -2, "modes");
  lua_pushboolean(L, r.truncated);
  lua_setfield(L, -2, "truncated");
  return 1;
}

}  // namespace

void register_code(lua_State* L, HostContext* ctx) {
  static const luaL_Reg fns[] = {{"code_find", entry<l_code_find>}, {nullptr, nullptr}};
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, fns, 1);
}

}  // namespace orscript::lua
