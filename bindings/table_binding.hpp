// table_binding.hpp: the `orscript.Table` userdata — result tables as Lua sees them.
//
// Owns: the orscript.Table metatable (row and column access, the immutable operations,
// printing and export, each a thin call into host/core/table.hpp), the constructors
// `core.table` and `core.parse_table`, and the conversions between table cells and Lua
// values (numbers, strings, booleans, time as ISO text, null as orscript.null). Does
// not own: the table engine (host/core/table*) or fetching results (api_binding.cpp).
#pragma once

#include <lua.hpp>

#include "host/core/table.hpp"

namespace orscript::lua {

inline constexpr const char* kTableMeta = "orscript.Table";

// Moves `t` into a new orscript.Table userdata on top of the stack. register_table must
// have run in this state.
void push_table(lua_State* L, Table&& t);

// The table at `idx`, or raises a Lua argument error if it is not an orscript.Table.
// Call it before creating C++ objects in a binding (it may raise).
Table* check_table(lua_State* L, int idx);

// The width print(t) fits to: COLUMNS when set, else the terminal's, else 100.
int terminal_width();

}  // namespace orscript::lua
