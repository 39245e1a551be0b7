// The REPL's door into Lua (bindings/repl_bridge.hpp): compiling as PUC Lua's lua.c
// does (expression first, incomplete chunks told from wrong ones), running with `_`,
// the text of results, and completion and .schema failing quietly when there is no
// catalogue (no key here). Also that the bridge leaves only a held chunk on the stack.
#include <doctest/doctest.h>

#include <lua.hpp>

#include <string>

#include "bindings/host_context.hpp"
#include "bindings/repl_bridge.hpp"
#include "bindings/runtime.hpp"
#include "host/core/error.hpp"

namespace {

struct Fixture {
  orscript::HostContext ctx;
  orscript::Runtime rt;
  orscript::ReplBridge bridge;
  Fixture() : rt(with_library(ctx)), bridge(rt) {}
  static orscript::HostContext& with_library(orscript::HostContext& c) {
    c.lib_dir = std::string(ORSCRIPT_SRC) + "/scripts";
    c.cache_dir = "";  // no disk cache: nothing read or written
    return c;
  }
  // Compiles and runs `code`; the text of its results ("<none>" when it returned none).
  std::string eval(const std::string& code) {
    REQUIRE(bridge.compile(code, false) == orscript::ReplBridge::Compiled::ok);
    auto out = bridge.run({});
    return out.text ? *out.text : "<none>";
  }
};

using Compiled = orscript::ReplBridge::Compiled;

}  // namespace

TEST_CASE("repl bridge: an expression first, then a statement, and an unfinished chunk is incomplete") {
  Fixture f;
  CHECK(f.eval("1 + 1") == "2");
  CHECK(f.eval("_ * 10") == "20");  // _ holds the last first result
  CHECK(f.eval("x = 5") == "<none>");
  CHECK(f.eval("x, 'a'") == "5\ta");
  CHECK(f.bridge.compile("for i = 1, 2 do", false) == Compiled::incomplete);
  CHECK(f.bridge.compile("return (", false) == Compiled::incomplete);
  CHECK(f.bridge.compile("x = = 1", false) == Compiled::error);
  CHECK(f.bridge.report_compile_error() == orscript::exit_code::script);
  // "=expr" is an expression even when it also reads as a statement.
  REQUIRE(f.bridge.compile("x", true) == Compiled::ok);
  CHECK(*f.bridge.run({}).text == "5");
}

TEST_CASE("repl bridge: an error is reported with its exit code and leaves nothing behind") {
  Fixture f;
  REQUIRE(f.bridge.compile("error('boom')", false) == Compiled::ok);
  auto out = f.bridge.run({});
  CHECK(out.code == orscript::exit_code::script);
  CHECK_FALSE(out.text);
  CHECK(lua_gettop(f.rt.state()) == 0);
  CHECK(f.eval("1") == "1");  // the session goes on
}

TEST_CASE("repl bridge: result tables print by the options given") {
  Fixture f;
  REQUIRE(f.bridge.compile("t = require('orscript.core').table{{a = 1}, {a = 2}, {a = 3}}", false) == Compiled::ok);
  f.bridge.run({});
  orscript::ReplBridge::PrintOptions csv;
  csv.mode = "csv";
  REQUIRE(f.bridge.compile("t", false) == Compiled::ok);
  CHECK(f.bridge.run(csv).text->rfind("a\r\n1\r\n2\r\n3", 0) == 0);
  csv.headers = false;
  REQUIRE(f.bridge.compile("t", false) == Compiled::ok);
  CHECK(f.bridge.run(csv).text->rfind("1\r\n2\r\n3", 0) == 0);
  orscript::ReplBridge::PrintOptions table;
  table.max_rows = 2;
  REQUIRE(f.bridge.compile("t", false) == Compiled::ok);
  std::string cut = *f.bridge.run(table).text;
  INFO(cut);
  CHECK(cut.find("1 more rows (3 in all)") != std::string::npos);  // the third row is left out
}

TEST_CASE("repl bridge: completion works without a catalogue, and fails quietly inside a string") {
  Fixture f;
  lua_State* L = f.rt.state();
  char quote = 'x';
  auto got = f.bridge.complete("", "orscript.ti", quote);
  CHECK(quote == 0);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "orscript.time");
  CHECK(lua_gettop(L) == 0);
  // No key, no demo: the catalogue cannot be had; no candidates, no error, no hang.
  CHECK(f.bridge.complete("q = '", "total_us", quote).empty());
  CHECK(quote == '\'');
  CHECK_FALSE(f.bridge.schema_text("", 100));
  // A held chunk survives completion between compile and run.
  REQUIRE(f.bridge.compile("40 + 2", false) == Compiled::ok);
  f.bridge.complete("", "orscript.", quote);
  CHECK(*f.bridge.run({}).text == "42");
}
