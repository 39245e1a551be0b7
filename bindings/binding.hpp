// binding.hpp: the conventions every Lua binding in bindings/ follows.
//
// Owns: the one trampoline that turns C++ exceptions into Lua errors (`entry<F>`), the
// structured error object `orscript.Error` as Lua sees it, the `orscript.null` sentinel,
// metatable registration helpers, and access to the HostContext upvalue. Does not own:
// the lua_State or the protected-call path (bindings/runtime.hpp).
//
// A binding is a plain `int f(lua_State*)` that checks its arguments (luaL_check*),
// calls C++ that returns or throws orscript::Error, and pushes results. Register it as
// `entry<f>`: the trampoline catches orscript::Error and std::exception, builds the
// error value inside the catch, and raises it with lua_error only after the C++ frames
// (and their destructors) are gone.
#pragma once

#include <lua.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "host/core/error.hpp"

namespace orscript {
struct HostContext;
}

namespace orscript::lua {

// Metatable names (registry keys); each metatable is also its own __index table.
inline constexpr const char* kErrorMeta = "orscript.Error";
inline constexpr const char* kNullMeta = "orscript.null";

// Pushes a Lua error value for `e`: a table with metatable orscript.Error and fields
// kind, message, status, code, api_message, request, where (the Lua position "file:line:"
// of the innermost user Lua code, library frames skipped). __tostring gives "where message".
void push_error(lua_State* L, const Error& e);
// Same for a plain message and kind.
void push_error(lua_State* L, ErrorKind kind, std::string_view message);

// Raises `e` as a Lua error (never returns). Only call this where no C++ object with
// a destructor is alive in the current frame; inside bindings prefer throwing.
[[noreturn]] void raise(lua_State* L, const Error& e);

// If the value at `idx` is an orscript.Error table, fills `out` and returns true.
bool to_error(lua_State* L, int idx, Error& out);

// The JSON null sentinel, distinct from nil: `orscript.null`.
void push_null(lua_State* L);
bool is_null(lua_State* L, int idx);

// The host context stored as upvalue 1 of every registered function.
HostContext& context(lua_State* L);

namespace detail {
int translate(lua_State* L, int (*fn)(lua_State*));
}

// The trampoline: call `F`; on orscript::Error or std::exception push an error and raise.
// Lua's own errors (which unwind as a foreign exception) pass through untouched.
template <int (*F)(lua_State*)>
int entry(lua_State* L) {
  return detail::translate(L, F);
}

// Creates (or fetches) the metatable `name` with `methods` set in it (with the host
// context as upvalue), `__index` = the metatable itself, and an `__index` fallback
// that raises "unknown field 'x' on <name>" for unknown keys. Leaves it on the stack.
void new_class(lua_State* L, const char* name, const luaL_Reg* methods, HostContext* ctx);

// Raises "unknown field 'x' on <type_name>": use from a custom __index.
[[noreturn]] void unknown_field(lua_State* L, const char* type_name, int key_idx);

// --- reading arguments and options (every binding reads them through these) ------------

// Throws Error(usage) with `msg` ("<function>: what is wrong"); the trampoline raises it.
[[noreturn]] void usage(const std::string& msg);
// An options argument at `idx` may be absent (none or nil); anything but a table raises.
void check_opts(lua_State* L, int idx);
// Pushes opts[key], or nil when the options at `idx` are absent; the caller pops it.
void push_opt(lua_State* L, int idx, const char* key);
// opts[key] as a boolean (Lua truth; false when absent).
bool opt_bool(lua_State* L, int idx, const char* key);
// opts[key] as a string, "" when absent; raises usage "<where>: 'key' must be a string".
std::string opt_string(lua_State* L, int idx, const char* key, const std::string& where);
// opts[key] when it is a number (or a numeric string), else nullopt.
std::optional<lua_Number> opt_number(lua_State* L, int idx, const char* key);
std::optional<lua_Integer> opt_integer(lua_State* L, int idx, const char* key);
// Sets field `key` of the table on top of the stack to the string `value`.
void set_string(lua_State* L, const char* key, std::string_view value);

// Registers the shared metatables (Error, null). Called once by the runtime.
void open_base(lua_State* L);
// Tells push_error where the shipped library lives: error positions skip its frames.
void set_library_dir(lua_State* L, const std::string& dir);

}  // namespace orscript::lua
