// Temporary stand-in while bindings/table_binding.cpp is being written.
#include "bindings/modules.hpp"
namespace orscript::lua { void register_table(lua_State*, HostContext*) {} }
