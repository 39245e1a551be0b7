# check_layers.cmake: the layer rules a compiler does not enforce (issue 16, point 3).
#
#   cmake -DSOURCE_DIR=<repo> -DLINKS_FILE=<build>/layer_links.cmake -P check_layers.cmake
#
# 1. No C/C++ file outside bindings/ includes a Lua header (lua.h, lua.hpp, lauxlib.h,
#    lualib.h, luajit.h) or names the Lua C API (lua_*, luaL_*, luaJIT_*, luaopen_*).
#    The bindings' own unit tests (tests/unit/bindings) drive a lua_State by design.
# 2. Includes point down the layers only: host/core <- host/net <- bindings <- host/app,
#    with sim/ beside them on host/core (so bindings/ never includes sim/).
# 3. Outside bindings/, only its interface headers are included (runtime.hpp,
#    host_context.hpp, oneliner.hpp, repl_bridge.hpp), not binding.hpp, lua_json.hpp
#    and the like.
# 4. orscript_bindings does not link orscript_sim, directly or through another of our
#    libraries (LINKS_FILE lists each orscript_* library's LINK_LIBRARIES).
# Prints every offence with the file and the line, and fails if there is one.
cmake_minimum_required(VERSION 3.25)

# The bindings library's interface: the only bindings/ headers other layers include.
set(INTERFACE "runtime|host_context|oneliner|repl_bridge")

set(LUA_HEADER "#[ \t]*include[ \t]*[<\"](lua\\.h|lua\\.hpp|lauxlib\\.h|lualib\\.h|luajit\\.h)[>\"]")
set(LUA_API "(^|[^A-Za-z0-9_])(lua|luaL|luaJIT|luaopen)_[A-Za-z]")
set(offences "")

file(GLOB_RECURSE sources RELATIVE ${SOURCE_DIR}
     ${SOURCE_DIR}/host/* ${SOURCE_DIR}/bindings/* ${SOURCE_DIR}/sim/* ${SOURCE_DIR}/bench/* ${SOURCE_DIR}/tests/*)
list(FILTER sources INCLUDE REGEX "\\.(c|cc|cpp|h|hpp|in)$")
list(FILTER sources EXCLUDE REGEX "node_modules/")

# What each layer may include, besides the outside world (host/app may include all).
set(MAY_INCLUDE_host/core "host/core")
set(MAY_INCLUDE_host/net "host/core|host/net")
set(MAY_INCLUDE_bindings "host/core|host/net|bindings")
set(MAY_INCLUDE_sim "host/core|sim")
set(OUR_INCLUDE "#[ \t]*include[ \t]*\"(host/[a-z]+|bindings|sim|tests)/")

foreach(rel ${sources})
  string(REGEX MATCH "^(host/[a-z]+|bindings|sim)/[^/]+$" layer_file "${rel}")
  if(layer_file)
    string(REGEX REPLACE "/[^/]+$" "" layer "${rel}")
    if(DEFINED MAY_INCLUDE_${layer})
      file(STRINGS ${SOURCE_DIR}/${rel} hits REGEX "${OUR_INCLUDE}")
      foreach(hit ${hits})
        string(REGEX MATCH "\"(host/[a-z]+|bindings|sim|tests)/" target "${hit}")
        string(REGEX REPLACE "^\"|/$" "" target "${target}")
        if(NOT target MATCHES "^(${MAY_INCLUDE_${layer}})$")
          string(STRIP "${hit}" hit)
          string(APPEND offences "${rel}: ${layer} includes a layer above it or beside it: ${hit}\n")
        endif()
      endforeach()
    endif()
  endif()
  if(rel MATCHES "^(bindings|tests/unit/bindings)/")
    continue()  # the boundary itself, and its own unit tests (which drive a lua_State)
  endif()
  file(STRINGS ${SOURCE_DIR}/${rel} hits REGEX "#[ \t]*include[ \t]*\"bindings/")
  foreach(hit ${hits})
    if(NOT hit MATCHES "\"bindings/(${INTERFACE})\\.hpp\"")
      string(STRIP "${hit}" hit)
      string(APPEND offences "${rel}: includes a header internal to bindings/ (its interface: ${INTERFACE}): ${hit}\n")
    endif()
  endforeach()
  file(STRINGS ${SOURCE_DIR}/${rel} lines REGEX "${LUA_HEADER}|${LUA_API}")
  set(found "")
  foreach(line ${lines})
    string(REGEX REPLACE "//.*$" "" code "${line}")  # a comment may name the API
    if(code MATCHES "${LUA_HEADER}" OR code MATCHES "${LUA_API}")
      string(STRIP "${line}" line)
      string(APPEND found "${rel}: Lua outside bindings/: ${line}\n")
    endif()
  endforeach()
  string(APPEND offences "${found}")
endforeach()

# Walk the link graph of our own libraries from orscript_bindings.
include(${LINKS_FILE})  # sets LINKS_<target> for every orscript_* library
set(queue orscript_bindings)
set(seen "")
while(queue)
  list(POP_FRONT queue target)
  if(target IN_LIST seen)
    continue()
  endif()
  list(APPEND seen ${target})
  if(target STREQUAL "orscript_sim")
    string(APPEND offences "orscript_bindings links orscript_sim (libraries walked: ${seen})\n")
  endif()
  foreach(dep ${LINKS_${target}})
    if(DEFINED LINKS_${dep})
      list(APPEND queue ${dep})
    endif()
  endforeach()
endwhile()
if(NOT "orscript_net" IN_LIST seen)
  string(APPEND offences "${LINKS_FILE}: orscript_bindings' links were not found (seen: ${seen})\n")
endif()

if(offences)
  message(FATAL_ERROR "layer rules broken:\n${offences}")
endif()
list(LENGTH sources n)
message(STATUS "layers: ${n} files checked; orscript_bindings links ${seen}")
