// lua_json.hpp: Boost.JSON values to Lua values and back.
//
// Owns: the mapping (object → string-keyed table, array → 1-based table, null →
// orscript.null, empty object → a table with metatable `orscript.object` so it
// encodes back as {}). Does not own: result tables (bindings/table_binding.hpp).
#pragma once

#include <boost/json/value.hpp>
#include <lua.hpp>

namespace orscript::lua {

inline constexpr const char* kObjectMeta = "orscript.object";

void push_json(lua_State* L, const boost::json::value& v);

// Converts the Lua value at `idx`. A table whose keys are exactly 1..n is an array
// (an empty table is [] unless it carries the orscript.object metatable); integral
// numbers become integers. Throws orscript::Error(usage) for functions, cycles,
// mixed keys or non-finite numbers, naming the offending path ("filters[2].value").
boost::json::value to_json(lua_State* L, int idx);

// Registers the orscript.object metatable. Called once by the runtime.
void open_json(lua_State* L);

}  // namespace orscript::lua
