// Black-box tests of the REPL: the real binary on a pseudo-terminal (and on a pipe),
// against the in-process demo. Every wait is an `expect` on the terminal's output;
// HOME and the XDG directories point into a fresh temporary directory per test.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {

const std::string kPrompt = "orscript[demo]> ";
const std::string kNow = "2026-11-18T12:00:00Z";  // the demo's data and clock never follow the wall clock

ot::RunOptions repl_options(const std::string& home) {
  ot::RunOptions o;
  o.env["HOME"] = home;
  o.env["XDG_STATE_HOME"] = home + "/state";
  o.env["XDG_CONFIG_HOME"] = home + "/config";
  o.env["ORSCRIPT_CACHE_DIR"] = home + "/cache";
  o.unset_env = {"ORSCRIPT_INIT", "ORSCRIPT_PATH", "PAGER"};
  o.cwd = home;
  return o;
}

// A REPL on a terminal in its own home directory, past its first prompt.
struct Repl {
  std::string home;
  ot::Pty pty;

  explicit Repl(std::vector<std::string> args = {"--demo"}, const std::string& dir = ot::temp_dir(),
                const std::map<std::string, std::string>& env = {})
      : home(dir), pty(argv(args), options(dir, env)) {
    pty.expect(kPrompt);
  }

  static std::vector<std::string> argv(const std::vector<std::string>& args) {
    std::vector<std::string> out{ot::binary_path()};
    if (std::find(args.begin(), args.end(), "--demo") != args.end()) {
      out.push_back("--now");
      out.push_back(kNow);
    }
    for (auto& a : args) out.push_back(a);
    return out;
  }
  static ot::RunOptions options(const std::string& dir, const std::map<std::string, std::string>& env) {
    auto o = repl_options(dir);
    for (auto& [k, v] : env) o.env[k] = v;
    return o;
  }

  // Types `line` and Enter; returns what the terminal showed up to the next prompt.
  std::string run(const std::string& line) {
    pty.send(line + "\r");
    return pty.expect(kPrompt);
  }
  std::string history() const { return ot::read_file(home + "/state/orscript/history"); }
};

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// A fresh home holding `dir/file` (folders made 0700) with `text`.
std::string home_with(const std::string& dir, const std::string& file, const std::string& text) {
  std::string home = ot::temp_dir(), path = home;
  for (std::size_t pos = 0; pos != std::string::npos;) {
    std::size_t next = dir.find('/', pos);
    path = home + "/" + dir.substr(0, next);
    ::mkdir(path.c_str(), 0700);
    pos = next == std::string::npos ? next : next + 1;
  }
  ot::write_file(path + "/" + file, text);
  return home;
}

}  // namespace

TEST_CASE("repl: an expression prints itself, =expr works and _ holds the last result") {
  Repl r;
  CHECK(has(r.run("1+1"), "\n2\r\n"));
  CHECK(has(r.run("=_ * 21"), "\n42\r\n"));
  CHECK(has(r.run("x = 5"), "x = 5\r\n" + kPrompt));  // a statement prints nothing...
  CHECK(has(r.run("x"), "\n5\r\n"));                 // ...but ran
  CHECK(has(r.run("{b = {1, 2}, a = 'z'}"), "{ a = \"z\", b = { 1, 2 } }"));
}

TEST_CASE("repl: an unfinished chunk continues on a second prompt and is one history entry") {
  Repl r;
  r.pty.send("function f()\r");
  r.pty.expect(">> ");
  r.run("return 3 end");
  CHECK(has(r.run("f()"), "\n3\r\n"));
  r.pty.send("\x04");
  CHECK(r.pty.wait() == 0);
  CHECK(has(r.history(), "function f()\\nreturn 3 end\n"));
}

TEST_CASE("repl: entries from the history file are recalled with Ctrl-P (previous line)") {
  Repl r({"--demo"}, home_with("state/orscript", "history", "older = 1\n6 * 7\n"));
  r.pty.send("\x10\r");  // Ctrl-P: the newest entry from the file, then Enter runs it
  CHECK(has(r.pty.expect(kPrompt), "\n42\r\n"));
  CHECK(has(r.run("older"), "\nnil\r\n"));  // the older entry was recalled by nobody: not run
}

TEST_CASE("repl: a line starting with local gets a note once") {
  Repl r;
  CHECK(has(r.run("local y = 1"), "`local`"));
  CHECK_FALSE(has(r.run("local z = 2"), "`local`"));
}

TEST_CASE("repl: Tab completes a metric name inside a string") {
  Repl r;
  r.pty.send("\"total_us\t");
  // Completing loads the catalogue; the single match is completed and the user closes
  // the string (an added quote would double the one the user types next).
  r.pty.send("\"\r");
  std::string out = r.pty.expect(kPrompt);
  CHECK(has(out, "\ntotal_usage\r\n"));
  CHECK_FALSE(has(out, ">> "));  // not an unfinished string on a second prompt
}

TEST_CASE("repl: Tab completes globals, fields and methods") {
  Repl r;
  // A global, then a field of a lazily loaded module.
  r.pty.send("orscript.tim\t.this_mon\t\r");
  CHECK(has(r.pty.expect(kPrompt), "\nfunction: "));
  // A method through the string metatable.
  r.run("s = 'abc'");
  r.pty.send("s:upp\t()\r");
  CHECK(has(r.pty.expect(kPrompt), "\nABC\r\n"));
  // A method of an orscript object (found in its metatable).
  r.run("q = orscript.query{metrics = {'total_usage'}}");
  r.pty.send("type(q.bod\t)\r");
  CHECK(has(r.pty.expect(kPrompt), "\nfunction\r\n"));
}

TEST_CASE("repl: .mode csv prints a result table as CSV") {
  Repl r;
  r.run(".mode csv");
  std::string out = r.run("orscript.query{metrics = {'request_count'}, by = {'model'}, limit = 2}:run()");
  CHECK(has(out, "model,request_count\r"));
  r.run(".mode table");
  CHECK(has(r.run("_"), "request_count"));
}

TEST_CASE("repl: Ctrl-C cancels a slow request and the REPL goes on") {
  Repl r({"--demo", "--fault", "analytics/query:latency=30s"});
  // submit() sends without waiting, so the request is in flight before wait() blocks
  // on it; Ctrl-C then lands in the client's wait (or just before it, in Lua).
  r.run("p = orscript.query{metrics = {'request_count'}}:submit()");
  r.pty.send("t = p:wait()\r");
  r.pty.expect("p:wait()\r\n");
  r.pty.send("\x03");
  std::string out = r.pty.expect(kPrompt);  // long before the 30 s latency
  INFO("the terminal showed: " << out);
  CHECK(has(out, "interrupted"));
  CHECK_FALSE(has(out, "error in error handling"));
  CHECK(has(r.run("1+1"), "\n2\r\n"));
  CHECK(has(r.run("t == nil"), "\ntrue\r\n"));
}

TEST_CASE("repl: Ctrl-C stops running Lua code") {
  Repl r;
  r.pty.send("n = 0 print('loop' .. 'ing') while true do n = n + 1 end\r");
  r.pty.expect("looping");
  r.pty.send("\x03");
  CHECK(has(r.pty.expect(kPrompt), "interrupted"));
  CHECK(has(r.run("n >= 0"), "\ntrue\r\n"));
}

TEST_CASE("repl: Ctrl-C at the prompt drops the line") {
  Repl r;
  r.pty.send("this is not lua");
  r.pty.send("\x03");
  r.pty.expect(kPrompt);
  std::string out = r.run("1+1");
  CHECK(has(out, "\n2\r\n"));
  CHECK_FALSE(has(out, "not lua"));
  r.pty.send("\x04");
  CHECK(r.pty.wait() == 0);
  CHECK_FALSE(has(r.history(), "not lua"));
}

TEST_CASE("repl: the history file is 0600 and never holds the key") {
  std::string home = ot::temp_dir();
  // An old, world-readable history that holds the key: narrowed and purged.
  std::string dir = home + "/state/orscript";
  ::mkdir((home + "/state").c_str(), 0700);
  ::mkdir(dir.c_str(), 0700);
  ot::write_file(dir + "/history", "old = 1\nk = 'mytestkey1234567'\n");
  ::chmod((dir + "/history").c_str(), 0644);
  {
    // --api-key with --demo only sets what the session would send; nothing is sent here.
    Repl r({"--demo", "--api-key", "mytestkey1234567"}, home);
    r.run("kept = 1");
    CHECK(has(r.run("key = 'mytestkey1234567'"), "kept out of the history"));
    r.run("x = \"sk-or-v1-SECRETSECRET\"");
    r.run("secret = 'sk-proj-abcdefghijklmnopqrstuvwx'");
    r.pty.send("\x04");
    CHECK(r.pty.wait() == 0);
  }
  std::string text = ot::read_file(dir + "/history");
  CHECK(has(text, "old = 1\n"));
  CHECK(has(text, "kept = 1\n"));
  CHECK_FALSE(has(text, "mytestkey"));
  CHECK_FALSE(has(text, "sk-or-"));
  CHECK_FALSE(has(text, "sk-proj-"));
  struct stat st {};
  REQUIRE(::stat((dir + "/history").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("repl: a new history file is created with mode 0600") {
  Repl r;
  r.run("a = 1");
  struct stat st {};
  REQUIRE(::stat((r.home + "/state/orscript/history").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("repl: Ctrl-D exits 0") {
  Repl r;
  r.pty.send("\x04");
  CHECK(r.pty.wait() == 0);
}

TEST_CASE("repl: .quit exits 0") {
  Repl r;
  r.pty.send(".quit\r");
  CHECK(r.pty.wait() == 0);
}

TEST_CASE("repl: .timer on prints the run time of each command") {
  Repl r;
  r.run(".timer on");
  CHECK(has(r.run("1+1"), "Run Time: "));
  r.run(".timer off");
  CHECK_FALSE(has(r.run("1+1"), "Run Time: "));
}

TEST_CASE("repl: .output FILE and .once FILE send results to a file") {
  Repl r;
  std::string out = r.home + "/out.txt", once = r.home + "/once.txt";
  r.run(".output " + out);
  CHECK_FALSE(has(r.run("'to the file'"), "to the file\r\n"));
  r.run("'again'");
  r.run(".output");
  CHECK(has(r.run("'to the screen'"), "\nto the screen\r\n"));
  CHECK(ot::read_file(out) == "to the file\nagain\n");

  r.run(".once " + once);
  r.run("'just once'");
  CHECK(has(r.run("'screen again'"), "\nscreen again\r\n"));
  CHECK(ot::read_file(once) == "just once\n");
}

TEST_CASE("repl: .schema lists metrics and dimensions with units, formats and limits") {
  Repl r;
  std::string out = r.run(".schema p90_lat");
  CHECK(has(out, "p90_latency"));
  CHECK(has(out, "ms"));
  CHECK(has(out, "latency"));
  CHECK(has(out, "31 days"));
  out = r.run(".schema");
  CHECK(has(out, "total_usage"));
  CHECK(has(out, "USD"));
  CHECK(has(out, "Dimensions"));
  CHECK(has(out, "20 filters"));
}

TEST_CASE("repl: .help lists the commands and an unknown command says so") {
  Repl r;
  std::string out = r.run(".help");
  for (const char* c : {".mode", ".output", ".once", ".timer", ".schema", ".quit"}) CHECK(has(out, c));
  CHECK(has(r.run(".nonsense"), "unknown command '.nonsense'"));
}

TEST_CASE("repl: the prompt names a real account") {
  std::string home = ot::temp_dir();
  auto o = repl_options(home);
  o.env["OPENROUTER_API_KEY"] = "sk-or-v1-test";
  ot::Pty pty({ot::binary_path(), "--base-url", "http://127.0.0.1:9/api/v1"}, o);
  pty.expect("orscript[127.0.0.1]> ");
  pty.send("\x04");
  CHECK(pty.wait() == 0);
}

TEST_CASE("repl: the start-up file runs first and its errors are reported, not fatal") {
  std::string home = ot::temp_dir();
  std::string init = home + "/init.lua";
  ot::write_file(init, "greeting = 'hello from init'\nerror('init went wrong')\n");
  Repl r({"--demo"}, home, {{"ORSCRIPT_INIT", init}});
  CHECK(has(r.pty.transcript(), "init went wrong"));
  CHECK(has(r.run("greeting"), "\nhello from init\r\n"));
}

TEST_CASE("repl: ~/.config/orscript/init.lua is the default start-up file") {
  Repl r({"--demo"}, home_with("config/orscript", "init.lua", "from_config = 7\n"));
  CHECK(has(r.run("from_config * 6"), "\n42\r\n"));
}

TEST_CASE("repl: -i on a pipe runs line by line without prompts") {
  std::string home = ot::temp_dir();
  auto o = repl_options(home);
  o.stdin_text = "1+1\nfunction f()\nreturn 3 end\nf()\n.mode\n";
  auto r = ot::orscript({"--demo", "--now", kNow, "-i"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2\n3\ntable\n");
  CHECK_FALSE(has(r.out + r.err, "orscript[demo]>"));
}

// ---- issue 11: what a new user trips on in the first hour -------------------------

namespace {
const std::vector<std::string> kDemoNow = {"--demo", "--now", "2026-11-18T12:00:00Z"};
}  // namespace

TEST_CASE("repl: Up in a new session recalls the last line of the one before") {
  std::string home = ot::temp_dir();
  {
    Repl first(kDemoNow, home);
    first.run("recalled = 41");
    first.pty.send("\x04");
    CHECK(first.pty.wait() == 0);
  }
  Repl second(kDemoNow, home);
  second.pty.send("\x1b[A");  // Up: the line comes back; Enter runs it
  second.pty.expect("recalled = 41");
  second.pty.send("\r");
  second.pty.expect(kPrompt);
  CHECK(has(second.run("recalled + 1"), "\n42\r\n"));
}

TEST_CASE("repl: a candidate list shows names without a trailing quote") {
  Repl r(kDemoNow);
  r.pty.send("\"p9\t\t");
  r.pty.expect("p99_throughput");
  r.pty.expect("\"p9");  // the line drawn again under the whole list
  r.pty.send("\x03");
  r.pty.expect(kPrompt);
  std::string shown = r.pty.transcript();
  CHECK(has(shown, "p90_latency"));
  CHECK_FALSE(has(shown, "p90_latency\""));
}

TEST_CASE("repl: inside a result table's method, a string completes the table's columns") {
  Repl r(kDemoNow);
  r.run("t = orscript.query{metrics = {'request_count'}, by = {'model'}, limit = 3}:run()");
  // "re" is ambiguous in the catalogue (request_count, reasoning_tokens, ...) but
  // names one column of t.
  r.pty.send("t:sort(\"re\t\", \"desc\")\r");
  std::string out = r.pty.expect(kPrompt);
  INFO(out);
  CHECK_FALSE(has(out, "unknown column"));
  CHECK(has(out, "top 3 of more"));  // the sorted table printed
}

TEST_CASE("repl: completion hides private names such as orscript.time._to_ms") {
  Repl r(kDemoNow);
  r.pty.send("orscript.time.\t\t");
  r.pty.expect("this_month");
  // The list is whole once the line is drawn again under it; ^C sooner would race it.
  r.pty.expect("orscript.time.");
  r.pty.send("\x03");
  r.pty.expect(kPrompt);
  std::string shown = r.pty.transcript();
  CHECK(has(shown, "last_month"));
  CHECK_FALSE(has(shown, "_to_ms"));
  CHECK_FALSE(has(shown, "_try_parse"));
}

TEST_CASE("repl: .schema finds metrics by substring, label and everyday words") {
  Repl r(kDemoNow);
  std::string cost = r.run(".schema cost");
  CHECK(has(cost, "total_usage"));
  CHECK(has(r.run(".schema spend"), "total_usage"));
  std::string usage = r.run(".schema usage");
  CHECK(has(usage, "byok_usage"));  // not only names that start with it
  CHECK(has(usage, "total_usage"));
  CHECK(has(r.run(".schema Latency"), "p90_latency"));
  CHECK(has(r.run(".schema zzzz"), "no metric or dimension matches 'zzzz'"));
}

TEST_CASE("repl: error() at the prompt is one line at the user's position") {
  Repl r(kDemoNow);
  std::string out = r.run("error('boom')");
  CHECK(has(out, "stdin:1: boom\r\n"));
  CHECK_FALSE(has(out, "[builtin#"));
  CHECK_FALSE(has(out, "stack traceback"));
}

TEST_CASE("repl: Tab after orscript. lists the lazily loaded submodules before any is loaded") {
  Repl r(kDemoNow);
  r.pty.send("orscript.\t\t");
  r.pty.expect("rankings");
  // The list is whole once the line is drawn again under it; ^C sooner would race it.
  r.pty.expect(kPrompt + "orscript.");
  r.pty.send("\x03");
  r.pty.expect(kPrompt);
  std::string shown = r.pty.transcript();
  CHECK(has(shown, "chart"));
  CHECK(has(shown, "Range"));
  // Listing them loaded none (completion reads the module's declared __lazy table).
  CHECK(has(r.run("package.loaded['orscript.chart'] == nil"), "\ntrue\r\n"));
}
