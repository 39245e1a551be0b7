// oneliner.hpp: answers from the shell without a script.
//
// Owns: the C++ side of `orscript query ...` and of `orscript --format F -e chunk`:
// handing the words or the chunk to scripts/orscript/oneliner.lua under the protected
// call path and turning its result or error into an exit code. Does not own: parsing
// the query words or formatting (Lua), or the global options (cli.cpp).
#pragma once

#include <string>
#include <vector>

namespace orscript {

class Runtime;

// True when the command line's "script" is the `query` command.
bool is_query_command(const std::string& script);

// Runs `orscript query <args...>`; `format` is the global --format ("" = the
// default). Returns the exit code; errors are reported on stderr.
int run_query_command(Runtime& rt, const std::vector<std::string>& args, const std::string& format);

// Runs a -e chunk and prints every value it returns in `format`. Returns the exit code.
int run_formatted_chunk(Runtime& rt, const std::string& chunk, const std::string& format);

}  // namespace orscript
