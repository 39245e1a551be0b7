// core_module.cpp: assembles the `orscript.core` C module from the binding files.
#include <cstring>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/modules.hpp"
#include "orscript_build_config.hpp"

namespace orscript::lua {
namespace {

// core.demo_ground_truth() -> table: what the demo scenario planted (docs/simulator.md),
// for tests that check an analysis against it. Raises a usage error without --demo.
int demo_ground_truth(lua_State* L) {
  auto& ctx = context(L);
  if (!ctx.demo_control) throw Error(ErrorKind::usage, "demo_ground_truth: only available with --demo");
  push_json(L, ctx.demo_control->ground_truth());
  return 1;
}

}  // namespace

void register_util(lua_State* L, HostContext* ctx) {
  lua_pushliteral(L, ORSCRIPT_VERSION);
  lua_setfield(L, -2, "version");
  push_null(L);
  lua_setfield(L, -2, "null");
  lua_pushboolean(L, ctx->demo);
  lua_setfield(L, -2, "demo");
  lua_pushboolean(L, ctx->client_options.verbose);
  lua_setfield(L, -2, "verbose");
  static const luaL_Reg fns[] = {{"demo_ground_truth", entry<demo_ground_truth>}, {nullptr, nullptr}};
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, fns, 1);
}

int open_core(lua_State* L, HostContext* ctx) {
  lua_newtable(L);
  register_util(L, ctx);
  register_table(L, ctx);
  register_api(L, ctx);
  register_code(L, ctx);
  return 1;
}

}  // namespace orscript::lua
