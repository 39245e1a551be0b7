// Black-box tests of the orscript binary: the lua-style command line, exit codes,
// error text, `arg`, stdin, -e/-l/-i, shebang scripts, module lookup.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::temp_dir;
using ot::write_file;

namespace {
const std::string kNow = "2026-11-18T12:00:00Z";  // the demo's data never follows the wall clock

std::string script(const std::string& name, const std::string& text) {
  static std::string dir = temp_dir();
  std::string path = dir + "/" + name;
  write_file(path, text);
  return path;
}
}  // namespace

TEST_CASE("-e runs a chunk and prints") {
  auto r = ot::orscript({"-e", "print(1+1)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2\n");
  CHECK(r.err == "");
}

TEST_CASE("several -e run in order and share globals") {
  auto r = ot::orscript({"-e", "x = 40", "-e", "print(x + 2)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "42\n");
}

TEST_CASE("a runtime error prints file:line, message and traceback, exit 1") {
  auto path = script("boom.lua", "local x = 1\nlocal function f()\n  error('boom')\nend\nf()\n");
  auto r = ot::orscript({path});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("boom.lua:3: boom") != std::string::npos);
  CHECK(r.err.find("stack traceback:") != std::string::npos);
  CHECK(r.err.rfind("orscript: ", 0) == 0);
}

TEST_CASE("a syntax error names the line, exit 1") {
  auto path = script("syntax.lua", "print('ok')\nlocal = 3\n");
  auto r = ot::orscript({path});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("syntax.lua:2:") != std::string::npos);
  CHECK(r.out == "");
}

TEST_CASE("a missing script file is reported, exit 1") {
  auto r = ot::orscript({"/nonexistent/dir/x.lua"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot open /nonexistent/dir/x.lua") != std::string::npos);
}

TEST_CASE("a non-string error object is described") {
  auto r = ot::orscript({"-e", "error(setmetatable({}, {}))"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("error object is a table value") != std::string::npos);
}

TEST_CASE("arg holds the script at 0, interpreter args below, script args above, and ... too") {
  auto path = script("args.lua", "print(arg[0], arg[1], arg[2], #arg, select('#', ...), ...)\n"
                                 "print(arg[-1], arg[-2])\n");
  auto r = ot::orscript({"-e", "x=1", path, "a", "b c"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == path + "\ta\tb c\t2\t2\ta\tb c\nx=1\t-e\n");
}

TEST_CASE("arg without a script: program at 0, options after") {
  auto r = ot::orscript({"-e", "print(#arg, arg[1], arg[2])"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2\t-e\tprint(#arg, arg[1], arg[2])\n");
}

TEST_CASE("-- ends options: what follows is the script and its args") {
  auto path = script("dash.lua", "print(...)\n");
  auto r = ot::orscript({"--", path, "-e", "--demo"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "-e\t--demo\n");
}

TEST_CASE("- reads the script from stdin") {
  RunOptions o;
  o.stdin_text = "print('from stdin', ...)\n";
  auto r = ot::orscript({"-", "x"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "from stdin\tx\n");
}

TEST_CASE("no script and a pipe on stdin runs stdin") {
  RunOptions o;
  o.stdin_text = "print(6 * 7)\n";
  auto r = ot::orscript({}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "42\n");
}

TEST_CASE("an error in stdin names stdin") {
  RunOptions o;
  o.stdin_text = "\n\nerror('bad')\n";
  auto r = ot::orscript({"-"}, o);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("stdin:3: bad") != std::string::npos);
}

TEST_CASE("-i after a script reads more from stdin in the same state") {
  auto path = script("setx.lua", "x = 5\n");
  RunOptions o;
  o.stdin_text = "x * 2\nprint(x + 1)\n";
  auto r = ot::orscript({"-i", path}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "10\n6\n");
}

TEST_CASE("a shebang script runs directly") {
  std::string bindir = ot::binary_path();
  bindir = bindir.substr(0, bindir.rfind('/'));
  auto path = script("tool.lua", "#!/usr/bin/env orscript\nprint('shebang', ...)\n");
  chmod(path.c_str(), 0755);
  RunOptions o;
  o.env["PATH"] = bindir + ":/usr/bin:/bin";
  auto r = ot::run({path, "z"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "shebang\tz\n");
}

TEST_CASE("require finds modules next to the script") {
  std::string dir = temp_dir();
  write_file(dir + "/helper_mod.lua", "return { answer = 42 }\n");
  write_file(dir + "/main.lua", "print(require('helper_mod').answer)\n");
  auto r = ot::orscript({dir + "/main.lua"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "42\n");
}

TEST_CASE("require finds modules on ORSCRIPT_PATH, folders and templates") {
  std::string dir = temp_dir(), dir2 = temp_dir();
  write_file(dir + "/pathmod.lua", "return 'folder'\n");
  write_file(dir2 + "/tmod.lua", "return 'template'\n");
  RunOptions o;
  o.env["ORSCRIPT_PATH"] = dir + ";" + dir2 + "/?.lua";
  auto r = ot::orscript({"-e", "print(require('pathmod'), require('tmod'))"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "folder\ttemplate\n");
}

TEST_CASE("-l loads a module into a global") {
  std::string dir = temp_dir();
  write_file(dir + "/greet.lua", "return { hi = function() return 'hello' end }\n");
  RunOptions o;
  o.env["ORSCRIPT_PATH"] = dir;
  auto r = ot::orscript({"-l", "greet", "-e", "print(greet.hi())"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "hello\n");
}

TEST_CASE("-l with a missing module fails with exit 1") {
  auto r = ot::orscript({"-l", "no_such_module_xyz"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("module 'no_such_module_xyz' not found") != std::string::npos);
}

TEST_CASE("the orscript library is loaded as a global") {
  auto r = ot::orscript({"-e", "print(type(orscript), type(orscript.query), type(require('orscript.core')))"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "table\tfunction\ttable\n");
}

TEST_CASE("os.exit passes its code through") {
  auto r = ot::orscript({"-e", "os.exit(9)"});
  CHECK(r.exit_code == 9);
}

TEST_CASE("--help lists options and every exit code") {
  auto r = ot::orscript({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* s : {"-e chunk", "--demo", "--api-key-file", "Exit codes:", "  2    usage", "  3    auth",
                        "  4    api", "  5    rate limited", "  6    network", "  7    data", "  70   internal",
                        "  130  interrupted"})
  {
    const std::string note = std::string("missing: ") + s;
    CHECK_MESSAGE(r.out.find(s) != std::string::npos, note);
  }
}

TEST_CASE("-v and --version print the version") {
  auto r = ot::orscript({"-v"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("orscript ", 0) == 0);
  CHECK(ot::orscript({"--version"}).out == r.out);
}

TEST_CASE("usage errors exit 2 with one line naming the fix") {
  auto r = ot::orscript({"--bogus"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "orscript: unknown option '--bogus' (see orscript --help)\n");
  r = ot::orscript({"--now", "2026-02-30"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--now expects an ISO-8601 UTC time") != std::string::npos);
  r = ot::orscript({"--seed", "x"});
  CHECK(r.exit_code == 2);
  r = ot::orscript({"-e"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("a key file that cannot be read is a usage error") {
  auto r = ot::orscript({"--api-key-file", "/nonexistent/key", "-e", "print(1)"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot read the key file") != std::string::npos);
}

TEST_CASE("--api-key warns that it shows in the process list, without printing it") {
  auto r = ot::orscript({"--api-key", "sk-or-v1-abcdefabcdefabcdef1234", "-e", "print(1)"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("process list") != std::string::npos);
  CHECK(r.err.find("abcdefabcdefabcdef1234") == std::string::npos);
}

TEST_CASE("a key file readable by others gets a warning") {
  std::string dir = temp_dir();
  write_file(dir + "/key", "sk-or-v1-filekeyfilekeyfilekey\n");
  chmod((dir + "/key").c_str(), 0644);
  auto r = ot::orscript({"--api-key-file", dir + "/key", "-e", "print(1)"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("chmod 600") != std::string::npos);
  CHECK(r.err.find("filekeyfilekey") == std::string::npos);
}

TEST_CASE("--demo says on stderr that the data is simulated") {
  auto r = ot::orscript({"--demo", "--now", kNow, "-e", "print('ok')"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok\n");
  CHECK(r.err.find("demo mode: simulated data") != std::string::npos);
}

TEST_CASE("no key: exit 3, at the user's line, naming the ways to give one") {
  auto path = script("nokey.lua", "local x = 1\nlocal t = orscript.query{metrics = {'total_usage'}}:run()\n");
  auto r = ot::orscript({path});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("nokey.lua:2: no API key") != std::string::npos);
  CHECK(r.err.find("OPENROUTER_API_KEY") != std::string::npos);
  CHECK(r.err.find("--demo") != std::string::npos);
  CHECK(r.err.find("scripts/orscript") == std::string::npos);  // not a library position
}

TEST_CASE("an inference key on analytics: exit 3, says a management key is needed and where to make one") {
  const std::string key = "sk-or-v1-demo-inference-00000000000000000000000000000000000000000000000000";
  auto r = ot::orscript({"--demo", "--now", kNow, "--api-key", key, "-e", "orscript.query{metrics = {'total_usage'}}:run()"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("management key") != std::string::npos);
  CHECK(r.err.find("https://openrouter.ai/settings/management-keys") != std::string::npos);
  CHECK(r.err.find("HTTP 403") != std::string::npos);
  CHECK(r.err.find(key) == std::string::npos);
  CHECK(r.out.find(key) == std::string::npos);
}

TEST_CASE("a dead network: exit 6, naming the address and the fix, never the key") {
  const std::string key = "sk-or-v1-deadnetdeadnetdeadnet0000";
  RunOptions o;
  o.env["OPENROUTER_API_KEY"] = key;
  auto r = ot::orscript({"--base-url", "http://127.0.0.1:9", "-e", "orscript.query{metrics = {'total_usage'}}:run()"}, o);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("cannot connect to 127.0.0.1:9") != std::string::npos);
  CHECK(r.err.find("check the base URL") != std::string::npos);
  CHECK(r.err.find("deadnetdeadnet") == std::string::npos);
}

TEST_CASE("plain http to a non-loopback host is refused before anything is sent") {
  RunOptions o;
  o.env["OPENROUTER_API_KEY"] = "sk-or-v1-plainplainplainplain0000";
  auto r = ot::orscript({"--base-url", "http://example.com", "-e", "print(1)"}, o);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "orscript: refusing plain http to 'example.com': the API key would travel unencrypted; use "
                 "https (plain http is only allowed for localhost/127.0.0.1)\n");
  CHECK(r.out == "");
}

#if defined(__linux__)  // reads /proc/self/cmdline and asks prctl(PR_GET_DUMPABLE)
TEST_CASE("with a real key: no core dumps, and --api-key is overwritten in the process's argv") {
  const std::string key = "sk-or-v1-cmdlinecmdlinecmdline000";
  auto r = ot::orscript({"--api-key", key, "-e", R"(
    local f = io.open("/proc/self/cmdline"); local cmdline = f:read("*a"); f:close()
    local ffi = require "ffi"
    ffi.cdef "int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long);"
    -- the needle is built at run time: this chunk is itself in cmdline
    print(cmdline:find(("cmdline"):rep(3), 1, true) == nil, ffi.C.prctl(3, 0, 0, 0, 0)))"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "true\t0\n");  // key gone from cmdline; PR_GET_DUMPABLE is 0
  CHECK(r.err.find("cmdlinecmdline") == std::string::npos);
}
#endif

TEST_CASE("Ctrl-C during a slow request in a script: exit 130 with a message") {
  auto path = script("slow.lua", "print('started') io.stdout:flush()\n"
                                 "orscript.query{metrics = {'total_usage'}}:run()\nprint('not reached')\n");
  ot::Pty pty({ot::binary_path(), "--demo", "--now", kNow, "--fault", "analytics/query:latency=60s", path});
  pty.expect("started");
  pty.send("\x03");
  CHECK(pty.wait() == 130);
  CHECK(pty.transcript().find("interrupted") != std::string::npos);
  CHECK(pty.transcript().find("not reached") == std::string::npos);
}

TEST_CASE("a second Ctrl-C stops even a JIT-compiled loop that ignores the first") {
  auto path = script("spin.lua", "print('spinning') io.stdout:flush()\nlocal x = 0 while true do x = x + 1 end\n");
  ot::Pty pty({ot::binary_path(), path});
  pty.expect("spinning");
  pty.send("\x03");
  // Signals do not queue: wait until the first was handled before sending the second.
  pty.expect("press Ctrl-C again to kill");
  pty.send("\x03");
  CHECK(pty.wait() == 130);
}
