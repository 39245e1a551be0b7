// repl_commands.cpp: the dot commands, after sqlite3's and duckdb's shells.
// A command is a line that starts with '.' and a letter; the rest of the line is its
// argument. Commands never raise: misuse is a one-line message on stderr.
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "host/app/repl_session.hpp"

namespace orscript::repl {
namespace {

const char kHelp[] =
    "Lua:  type an expression to print it (1+1, =expr also works) or a statement\n"
    "      to run it; an unfinished chunk continues on the next line. _ holds the\n"
    "      last result. Tab completes globals, fields and methods, and metric,\n"
    "      dimension and granularity names inside a string (a table's own columns\n"
    "      in t:sort(\"...). Up recalls earlier lines, also from past sessions.\n"
    "      Ctrl-C cancels a running request, Ctrl-D leaves.\n"
    "\n"
    ".help                         this text\n"
    ".mode [table|box|line|csv|json|markdown]\n"
    "                              how result tables print (table: aligned text;\n"
    "                              box: with borders; line: one 'column = value'\n"
    "                              per line; json: indented)\n"
    ".headers on|off               column names in table, box and csv modes\n"
    ".rows [N]                     result-table rows shown on the screen (40)\n"
    ".output [FILE]                send results to FILE; without FILE, back to\n"
    "                              the screen\n"
    ".once FILE                    send the next command's results to FILE\n"
    ".timer on|off                 show how long each command took\n"
    ".schema [WORD]                metrics and dimensions with units, formats and\n"
    "                              limits; WORD finds the names and labels that\n"
    "                              contain it, and everyday words (cost, spend,\n"
    "                              tokens, latency) the metrics they mean\n"
    ".read FILE                    run FILE's lines as if typed (expressions\n"
    "                              print, dot commands work)\n"
    ".shell CMD, .system CMD       run CMD in the shell\n"
    ".pager on|off|CMD             page results taller than the terminal (CMD,\n"
    "                              else $PAGER)\n"
    ".quit, .exit                  leave the REPL\n";

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// A file argument: the rest of the line, unquoted when it is in quotes; "~/" expands.
std::string file_arg(std::string arg) {
  if (arg.size() >= 2 && (arg.front() == '"' || arg.front() == '\'') && arg.back() == arg.front())
    arg = arg.substr(1, arg.size() - 2);
  if (arg.rfind("~/", 0) == 0)
    if (const char* h = std::getenv("HOME")) arg = std::string(h) + arg.substr(1);
  return arg;
}

void cmd_mode(Session& s, const std::string& arg) {
  if (arg.empty()) {
    std::printf("%s\n", std::string(mode_name(s.mode)).c_str());
    return;
  }
  for (Mode m : {Mode::table, Mode::csv, Mode::json, Mode::markdown, Mode::box, Mode::line}) {
    if (arg == mode_name(m) || (m == Mode::markdown && arg == "md")) {
      s.mode = m;
      return;
    }
  }
  std::fprintf(stderr, ".mode: unknown mode '%s'; use table, box, line, csv, json or markdown\n", arg.c_str());
}

void cmd_rows(Session& s, const std::string& arg) {
  if (arg.empty()) {
    std::printf("%zu\n", s.max_rows);
    return;
  }
  char* end = nullptr;
  long n = std::strtol(arg.c_str(), &end, 10);
  if (!end || *end || n < 1) {
    std::fprintf(stderr, ".rows: expected a positive number of rows, got '%s'\n", arg.c_str());
    return;
  }
  s.max_rows = static_cast<std::size_t>(n);
}

// "on"/"off" (also 1/0, yes/no) into `flag`; without an argument shows it.
void cmd_switch(const char* name, bool& flag, const std::string& arg) {
  if (arg == "on" || arg == "1" || arg == "yes") flag = true;
  else if (arg == "off" || arg == "0" || arg == "no") flag = false;
  else if (arg.empty()) std::printf("%s\n", flag ? "on" : "off");
  else std::fprintf(stderr, ".%s: expected on or off, got '%s'\n", name, arg.c_str());
}

// Queues the file's lines before the terminal's; the loop runs them as typed.
void cmd_read(Session& s, const std::string& arg) {
  if (arg.empty()) {
    std::fprintf(stderr, ".read: name the file to run\n");
    return;
  }
  if (s.read_nesting >= 16) {
    std::fprintf(stderr, ".read: files read each other more than 16 deep; not reading '%s'\n", arg.c_str());
    return;
  }
  std::string path = file_arg(arg);
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    std::fprintf(stderr, ".read: cannot open '%s': %s\n", path.c_str(), std::strerror(errno));
    return;
  }
  std::vector<std::string> lines;
  std::string line;
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else if (c != '\r') {
      line += static_cast<char>(c);
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  std::fclose(f);
  ++s.read_nesting;
  s.pending.insert(s.pending.begin(), lines.begin(), lines.end());
}

void cmd_shell(const std::string& arg) {
  if (arg.empty()) {
    std::fprintf(stderr, ".shell: give the command to run, e.g. .shell ls\n");
    return;
  }
  std::fflush(stdout);
  int status = std::system(arg.c_str());
  if (status == -1) std::fprintf(stderr, ".shell: cannot run a shell: %s\n", std::strerror(errno));
  else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    std::fprintf(stderr, ".shell: exit status %d\n", WEXITSTATUS(status));
}

void cmd_pager(Session& s, const std::string& arg) {
  if (arg == "on" || arg == "off" || arg.empty()) return cmd_switch("pager", s.pager, arg);
  s.pager_command = arg;
  s.pager = true;
}

void cmd_schema(Session& s, const std::string& arg) {
  int width = terminal_width();
  auto text = s.bridge.schema_text(arg, width);
  if (!text) return;
  std::string wrapped = wrap_to_width(*text, width);
  std::fwrite(wrapped.data(), 1, wrapped.size(), stdout);
  std::fflush(stdout);
}

std::size_t columns_of(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// One line wrapped to `width` (see wrap_to_width).
void wrap_line(std::string_view line, std::size_t width, std::string& out) {
  if (columns_of(line) <= width) {
    out.append(line);
    out += '\n';
    return;
  }
  std::size_t indent = line.find_first_not_of(' ');
  if (indent == std::string_view::npos) indent = 0;
  // "name   description" (a command, "Lua:  ..."): continue under the description.
  if (auto gap = line.find("  ", indent); gap != std::string_view::npos && gap < width / 2)
    indent = line.find_first_not_of(' ', gap);
  if (indent == std::string_view::npos || indent > width / 2) indent = 2;
  std::string current;
  std::size_t pos = 0;
  while (pos < line.size()) {
    // The next word with the spaces before it.
    std::size_t word_start = line.find_first_not_of(' ', pos);
    if (word_start == std::string_view::npos) break;
    std::size_t word_end = line.find(' ', word_start);
    if (word_end == std::string_view::npos) word_end = line.size();
    std::string_view gap = line.substr(pos, word_start - pos), word = line.substr(word_start, word_end - word_start);
    if (!current.empty() && current.find_first_not_of(' ') != std::string::npos &&
        columns_of(current) + gap.size() + columns_of(word) > width) {
      out += current + "\n";
      current.assign(indent, ' ');
      gap = {};
    }
    current.append(gap);
    current.append(word);
    pos = word_end;
  }
  out += current + "\n";
}

}  // namespace

std::string wrap_to_width(const std::string& text, int width) {
  std::string out;
  std::size_t w = static_cast<std::size_t>(std::max(width, 20)) - 1;  // the last column may wrap early
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    wrap_line(std::string_view(text).substr(start, end - start), w, out);
    start = end + 1;
  }
  return out;
}

bool is_command(std::string_view line) {
  auto i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] == '.' && i + 1 < line.size() &&
         std::isalpha(static_cast<unsigned char>(line[i + 1]));
}

void run_command(Session& s, const std::string& line) {
  std::string text = trim(line).substr(1);
  auto sp = text.find_first_of(" \t");
  std::string name = text.substr(0, sp);
  std::string arg = sp == std::string::npos ? "" : trim(text.substr(sp));

  if (name == "help") {
    std::fputs(wrap_to_width(kHelp, terminal_width()).c_str(), stdout);
  } else if (name == "mode") {
    cmd_mode(s, arg);
  } else if (name == "rows" || name == "maxrows") {
    cmd_rows(s, arg);
  } else if (name == "output") {
    std::string path = file_arg(arg);
    if (path == "stdout" || path == "-") path.clear();
    s.set_output(path, false);
  } else if (name == "once") {
    if (arg.empty()) std::fprintf(stderr, ".once: name the file the next results go to\n");
    else s.set_output(file_arg(arg), true);
  } else if (name == "timer") {
    cmd_switch("timer", s.timer, arg);
  } else if (name == "schema") {
    cmd_schema(s, arg);
  } else if (name == "headers") {
    cmd_switch("headers", s.headers, arg);
  } else if (name == "read") {
    cmd_read(s, arg);
  } else if (name == "shell" || name == "system") {
    cmd_shell(arg);
  } else if (name == "pager") {
    cmd_pager(s, arg);
  } else if (name == "quit" || name == "exit" || name == "q") {
    s.quit = true;
  } else {
    std::fprintf(stderr, "unknown command '.%s'; .help lists the commands\n", name.c_str());
  }
  std::fflush(stdout);
}

}  // namespace orscript::repl
