// table_binding.hpp: the `orscript.Table` userdata — result tables as Lua sees them.
//
// Owns: the orscript.Table metatable, in three files: access (the userdata, rows,
// fields, printing and export: table_access.cpp), the immutable operations
// (table_operations.cpp) and the constructors `core.table` and `core.parse_table`
// (table_constructors.cpp), each a thin call into host/core/table.hpp; and the
// conversions between table cells and Lua values (numbers, strings, booleans, time as
// ISO text, null as orscript.null). Does not own: the table engine (host/core/table*)
// or fetching results (api_binding.cpp).
#pragma once

#include <lua.hpp>

#include <string>
#include <vector>

#include "host/core/table.hpp"

namespace orscript {
struct HostContext;
}

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

// --- shared by the three table_*.cpp files ------------------------------------------------

// Pushes cell `i` of `c`: a number, string, boolean, ISO time text or orscript.null.
void push_cell(lua_State* L, const Column& c, std::size_t i);
// Pushes row `i` as a table keyed by column name; `nulls_as_nil` leaves null cells out.
void push_row(lua_State* L, const Table& t, std::size_t i, bool nulls_as_nil = false);
// A column list argument: "name" or {"a", "b"}; raises usage naming `where` otherwise.
// An empty list is allowed when `allow_empty`.
std::vector<std::string> names_arg(lua_State* L, int idx, const std::string& where, bool allow_empty);
// A display format by name; raises usage naming `where` and the known names otherwise.
DisplayFormat format_arg(const std::string& name, const std::string& where);

// Add the operations' methods to the metatable on top of the stack (table_operations.cpp),
// and the constructors to the module table on top (table_constructors.cpp).
void add_table_operations(lua_State* L, HostContext* ctx);
void add_table_constructors(lua_State* L, HostContext* ctx);

}  // namespace orscript::lua
