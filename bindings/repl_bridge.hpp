// repl_bridge.hpp: the REPL's plain C++ door into the Lua state.
//
// Owns: compiling what is typed (expression first, then statement; telling an
// incomplete chunk from a wrong one, as PUC Lua's lua.c does), running it in the
// interpreter so that Ctrl-C can stop it, `_`, the start-up file, and the calls into
// scripts/orscript/repl.lua (internal) for completion candidates, the .schema listing
// and the text of results. Every call goes through Runtime's protected call path and
// never raises; errors are reported on stderr. Does not own: line editing, dot
// commands, paging or where text goes (host/app/repl*.cpp), nor the lua_State
// (bindings' Runtime). No Lua type appears in this interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orscript {

class Runtime;

class ReplBridge {
 public:
  explicit ReplBridge(Runtime& rt) : rt_(rt) {}

  enum class Compiled { ok, incomplete, error };
  // Compiles `code` (`forced`: the user typed "=expr", so it is an expression). On
  // `ok` the chunk is held for run(); on `error` and `incomplete` (the chunk ended
  // too early) the syntax error is held for report_compile_error(). Replaces what
  // was held.
  Compiled compile(const std::string& code, bool forced);
  // Reports the held syntax error on stderr; returns its exit code.
  int report_compile_error();

  // How results print (see orscript.pretty).
  struct PrintOptions {
    std::string mode = "table";  // table box line csv json markdown
    bool headers = true;
    std::size_t max_rows = 0;    // result-table rows shown; 0 = all
    int width = 100;
  };
  struct Outcome {
    int code = 0;                     // exit code of the error reported, else 0
    std::optional<std::string> text;  // the results as text, when the chunk returned any
  };
  // Runs the held chunk with the JIT off (a compiled loop would never reach the
  // Ctrl-C hook), sets `_` to its first result and formats its results.
  Outcome run(const PrintOptions& options);

  // Runs a Lua file under the protected path. On an error prints `header` and then
  // the error on stderr. Returns false after an error.
  bool run_file(const std::string& path, const std::string& header);

  // Completion candidates for `word`; `before` is the line before the word. `quote`
  // is set to the open quote character inside a string literal, else 0.
  // Empty when there are none or completion failed.
  std::vector<std::string> complete(std::string_view before, std::string_view word, char& quote);

  // The .schema listing for `filter` fitted to `width`; nullopt after saying on stderr
  // why the catalogue cannot be had.
  std::optional<std::string> schema_text(std::string_view filter, int width);

  // Clears a Ctrl-C that arrived too late to stop anything.
  void settle_interrupt();

 private:
  // Pushes repl.lua's function `name`, or reports and returns false.
  bool push_function(const char* name);
  Runtime& rt_;
  int module_ref_ = -1;  // registry reference to the orscript.repl module
};

}  // namespace orscript
