// runtime.hpp: the owner of the lua_State, and the bindings library's front door.
//
// Owns: creating and closing the state, the standard libraries, where `require` looks
// (the shipped library, the running script's folder, ORSCRIPT_PATH), loading the
// `orscript` library (all of start-up runs under lua_cpcall, so a failure there is a
// message, and a panic handler ends an unprotected error with one line and exit code
// 70, never an abort), the ONE protected call path with its message handler (file:line
// and a traceback), turning an error that reaches the top into a message on stderr and
// an exit code, and stopping running Lua code on Ctrl-C. Does not own: the command
// line (host/app/cli), the demo server (host/app/main.cpp; see host_context.hpp) or
// the bindings it registers (the other files in bindings/).
#pragma once

struct lua_State;

#include <string>
#include <vector>

namespace orscript {

struct HostContext;

class Runtime {
 public:
  // Opens the state and loads the library; throws orscript::Error(internal) naming the
  // cause if any of it fails (out of memory, a broken or missing library).
  explicit Runtime(HostContext& ctx);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  lua_State* state() const { return L_; }
  HostContext& context() const { return ctx_; }

  // The one protected call path: calls the function below `nargs` arguments with the
  // message handler. Returns a lua status; on error the error value is left on top.
  int protected_call(int nargs, int nresults);

  // Loads and runs a script file ("-" reads stdin) with `args` as `...`. Returns the
  // process exit code (0 on success); errors are reported on stderr.
  int run_file(const std::string& path, const std::vector<std::string>& args);
  // Runs a chunk of text (`-e`); `name` is its chunk name.
  int run_string(const std::string& chunk, const std::string& name);
  // `-l name`: require(name) and store it in the global `name`.
  int require_global(const std::string& name);

  // Fills the global `arg` the way `lua` does: argv[script_index] at 0, interpreter
  // arguments at negative indices, script arguments at 1..n. script_index == argv.size()
  // means there is no script (arg[0] is then the program name).
  void set_arg_table(const std::vector<std::string>& argv, std::size_t script_index);
  // Makes `require` look next to the script first (after the library).
  void add_script_dir(const std::string& script_path);

  // Reports the error value on top of the stack to stderr (one line; a traceback for
  // script errors, or for every error when verbose) and pops it. Returns its exit code.
  int report_error(int status);

  // Clears a pending Ctrl-C (flag and hook) after it was reported.
  void reset_interrupt();

 private:
  struct Startup {
    Runtime* rt;
    bool loading_library = false;  // which message a failure gets
  };
  static int start(lua_State* L);  // run under lua_cpcall by the constructor
  void set_package_path();
  HostContext& ctx_;
  lua_State* L_ = nullptr;
  std::vector<std::string> script_dirs_;
};

// The directory holding the shipped Lua library, found relative to the executable
// (layout::data_dir() + "/scripts"); throws Error(internal) if there is none.
std::string find_library_dir();

}  // namespace orscript
