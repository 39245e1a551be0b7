// modules.hpp: the parts of the `orscript.core` C module, one per binding file.
//
// Each register_* adds its functions to the table on top of the stack, with the host
// context as upvalue 1 (see binding.hpp). bindings/core_module.cpp assembles them.
#pragma once

#include <lua.hpp>

namespace orscript {
struct HostContext;
}

namespace orscript::lua {

void register_api(lua_State* L, HostContext* ctx);    // bindings/api_binding.cpp
void register_table(lua_State* L, HostContext* ctx);  // bindings/table_access.cpp (with operations, constructors)
void register_util(lua_State* L, HostContext* ctx);   // bindings/core_module.cpp
void register_code(lua_State* L, HostContext* ctx);   // bindings/code_binding.cpp

// luaopen-style: pushes the assembled `orscript.core` table.
int open_core(lua_State* L, HostContext* ctx);

}  // namespace orscript::lua
