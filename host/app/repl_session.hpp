// repl_session.hpp: the REPL's internal parts and the state they share.
//
// Owns: the Session (output mode and destination, timer, row limit) and the
// interfaces between the REPL's files:
//   repl.cpp          the loop: reading chunks, evaluation, the start-up file
//   repl_input.cpp    libedit setup, reading a line, Ctrl-C at the prompt
//   repl_history.cpp  the history file (XDG state dir, mode 0600) and the key filter
//   repl_print.cpp    writing results (the text comes from the bridge)
//   repl_commands.cpp the dot commands
//   repl_pager.cpp    paging results taller than the terminal
//   repl_complete.cpp Tab completion (libedit's hooks; candidates from the bridge)
// Everything that touches Lua (compiling, running, completion candidates, the
// .schema listing, formatting values) goes through bindings/repl_bridge.hpp, which
// calls scripts/orscript/repl.lua. Does not own: the lua_State (Runtime) or the
// SIGINT handler (host/core/interrupt). Only the REPL's own .cpp files include this
// header.
#pragma once

#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/repl_bridge.hpp"

namespace orscript {
class Runtime;
class Secret;
}  // namespace orscript

namespace orscript::repl {

// How orscript.Table results print (.mode).
enum class Mode { table, csv, json, markdown, box, line };
std::string_view mode_name(Mode m);

// ---- history (repl_history.cpp) ---------------------------------------------------

// $XDG_STATE_HOME/orscript/history, else ~/.local/state/orscript/history; "" when
// neither variable gives a place.
std::string history_path();
// True when `text` holds the key or looks like it sets one (sk-or-…, sk-…): such text
// never reaches the history.
bool holds_secret(std::string_view text, const Secret& key);

// The in-memory (libedit) history and its file, kept free of the key.
class History {
 public:
  History(std::string path, const Secret& key);
  ~History();  // frees libedit's copies of the entries (a sanitizer run reports them otherwise)
  History(const History&) = delete;
  History& operator=(const History&) = delete;
  // Reads the file into libedit's history, dropping (and purging from disk) entries
  // that hold a secret; narrows a wider file mode to 0600. Quiet when there is none.
  void load();
  // Adds one chunk (a whole multi-line chunk is one entry) and rewrites the file.
  // Returns false when the chunk was kept out because it holds a secret.
  bool add(const std::string& chunk);
  const std::string& path() const { return path_; }

 private:
  void save() const;
  std::string path_;
  const Secret& key_;
  std::deque<std::string> entries_;
};

// ---- the session ------------------------------------------------------------------

struct Session {
  Session(Runtime& rt, bool tty);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Runtime& rt;
  ReplBridge bridge;              // every call into Lua
  bool tty;                       // stdin is a terminal: prompts, libedit, history
  Mode mode = Mode::table;
  std::size_t max_rows = 40;      // result-table rows shown on the terminal
  bool timer = false;
  bool headers = true;            // .headers: column names in table, box and csv modes
  bool pager = true;              // .pager: long results on a terminal go through $PAGER
  std::string pager_command;      // .pager CMD; "" = $PAGER (unset: no pager)
  std::deque<std::string> pending;  // lines queued by .read, read before the terminal
  bool line_from_file = false;    // the last line read came from .read (kept out of history)
  int read_nesting = 0;           // .read inside .read, to stop a file reading itself
  bool quit = false;
  bool warned_local = false;
  bool warned_secret = false;
  std::unique_ptr<History> history;  // null when not a terminal or no place for it

  // Where results go: stdout, or the file of .output/.once.
  std::FILE* out = stdout;
  std::string out_path;
  bool out_once = false;
  // Opens `path` for results ("" = back to stdout). Returns false (after saying why
  // on stderr) when it cannot be opened.
  bool set_output(const std::string& path, bool once);
  // After a command: ends a .once redirection.
  void end_command();
};

// ---- printing (repl_print.cpp) ---------------------------------------------------

// How results print in this session (.mode, .headers, .rows on the screen, width).
ReplBridge::PrintOptions print_options(const Session& s);
// Writes the text of a line's results to the session's output (the screen through
// the pager, or the .output file), with the key scrubbed and a final newline.
void print_text(Session& s, std::string text);

// ---- pager (repl_pager.cpp) --------------------------------------------------------

// Writes `text` to stdout, through the pager when the session pages, stdin and stdout
// are terminals and the text is taller than the terminal.
void write_paged(Session& s, const std::string& text);

// The terminal's width: $COLUMNS when set, else the width of stdout's terminal, else 100.
int terminal_width();

// ---- commands (repl_commands.cpp) ------------------------------------------------

// Wraps the lines of `text` wider than `width` at spaces; a continuation line is
// indented like the line's description column ("  " after a command) or its own indent.
std::string wrap_to_width(const std::string& text, int width);

// True when `line` is a dot command: '.' then a letter, after optional blanks.
bool is_command(std::string_view line);
void run_command(Session& s, const std::string& line);

// ---- input (repl_input.cpp) ------------------------------------------------------

enum class ReadStatus { line, eof, interrupted };
// Sets up libedit (when s.tty): the interruptible key reader and completion.
void init_input(Session& s);
// Reads one line (without its newline). On a terminal: libedit with `prompt`;
// Ctrl-C returns `interrupted` with the line dropped. Otherwise plain stdin, no prompt.
ReadStatus read_line(Session& s, const std::string& prompt, std::string& out);

// ---- completion (repl_complete.cpp) ----------------------------------------------

// Installs the libedit completion hooks for this session.
void install_completion(Session& s);

}  // namespace orscript::repl
