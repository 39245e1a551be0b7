// repl.hpp: the interactive read-eval-print loop.
//
// Owns: the REPL as a whole (see host/app/repl_session.hpp for how it is split):
// line editing and history, telling expressions from statements and complete chunks
// from incomplete ones, printing results, dot commands, Tab completion, the start-up
// file, and keeping the REPL alive across errors and Ctrl-C. Does not own: the
// lua_State (Runtime) or the command line (host/app/cli).
#pragma once

namespace orscript {
class Runtime;

// Runs the start-up file, then reads and runs chunks until end of input or .quit.
// Returns the exit code: 0 on a terminal; when stdin is not a terminal (-i with a
// pipe) the code of the last chunk's error, or 0.
int run_repl(Runtime& runtime);
}  // namespace orscript
