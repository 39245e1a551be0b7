// repl.hpp: the interactive read-eval-print loop.
//
// Owns: reading lines (libedit when stdin is a terminal), telling expressions from
// statements and complete chunks from incomplete ones, printing results, and keeping
// the REPL alive across errors and Ctrl-C. Does not own: the lua_State (Runtime).
#pragma once

namespace orscript {
class Runtime;

// Runs until end of input; returns the exit code (0, or the code of the last error
// when stdin is not a terminal).
int run_repl(Runtime& runtime);
}  // namespace orscript
