// Temporary stand-in while bindings/api_binding.cpp is being written.
#include "bindings/modules.hpp"
namespace orscript::lua { void register_api(lua_State*, HostContext*) {} }
