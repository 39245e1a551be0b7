// core_module.cpp: assembles the `orscript.core` C module from the binding files.
#include <cstring>

#include "bindings/binding.hpp"
#include "bindings/modules.hpp"
#include "host/lua/host_context.hpp"
#include "orscript_build_config.hpp"

namespace orscript::lua {

void register_util(lua_State* L, HostContext* ctx) {
  lua_pushliteral(L, ORSCRIPT_VERSION);
  lua_setfield(L, -2, "version");
  push_null(L);
  lua_setfield(L, -2, "null");
  lua_pushboolean(L, ctx->demo);
  lua_setfield(L, -2, "demo");
  lua_pushboolean(L, ctx->client_options.verbose);
  lua_setfield(L, -2, "verbose");
}

int open_core(lua_State* L, HostContext* ctx) {
  lua_newtable(L);
  register_util(L, ctx);
  register_table(L, ctx);
  register_api(L, ctx);
  return 1;
}

}  // namespace orscript::lua
