// Black-box tests against hostile input (issue 12): a server that lies (hostile_server.hpp
// in front of the simulator), hostile flags, key files, scenario files and Lua arguments.
// Across all of them: never exit 70, never a crash or hang, never a wrong number with
// exit 0, and the key never in any output.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/blackbox/hostile_server.hpp"
#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::RunResult;

namespace {

const char* kNow = "2026-11-18T12:00:00Z";

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// One simulator and one hostile server in front of it for this test process.
struct Peers {
  std::unique_ptr<orscript::sim::Server> sim;
  std::unique_ptr<hostile::Server> liar;
  Peers() {
    orscript::sim::Options o;
    o.now_ms = 1795003200000LL;
    o.rate_limits = false;
    o.scenario = "lean";
    sim = orscript::sim::Server::start(o);
    liar = std::make_unique<hostile::Server>(sim->port());
  }
};
Peers& peers() {
  static Peers p;
  return p;
}

RunOptions options() {
  RunOptions o;
  o.env.emplace("NO_COLOR", "1");
  o.env.emplace("ORSCRIPT_CACHE_DIR", ot::temp_dir());
  o.unset_env = {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"};
  o.limit = std::chrono::seconds{120};
  return o;
}

// The cost review against the hostile server in `mode`, with the simulator's key.
RunResult review(const std::string& mode, const std::vector<std::string>& extra = {}) {
  RunOptions o = options();
  o.env["OPENROUTER_API_KEY"] = peers().sim->management_key();
  std::vector<std::string> argv{"--base-url", peers().liar->base_url(mode), "--now", kNow, "--no-rate-limit",
                                "recipes/cost_review.lua"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return ot::orscript(argv, o);
}

// What every hostile run must hold: a documented exit code (not 70, not a signal), no
// hang, and the key nowhere in the output.
void sane(const RunResult& r) {
  CAPTURE(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code != 70);
  CHECK(r.exit_code < 128);
  CHECK_FALSE(has(r.out + r.err, peers().sim->management_key()));
  CHECK_FALSE(has(r.err, "internal error"));
}

}  // namespace

TEST_CASE("hostile server: the polite path through it works (the proxy itself is sound)") {
  auto r = review("pass");
  sane(r);
  CHECK(r.exit_code == 0);
}

TEST_CASE("hostile server: duplicate rows are a data error, not double counts") {
  auto r = review("dup_rows");
  sane(r);
  CHECK(r.exit_code == 7);
  CHECK(has(r.err, "duplicate rows"));
}

TEST_CASE("hostile server: values the API got wrong are data errors naming the column, never 0, inf or 17 GB") {
  struct Case {
    const char* mode;
    const char* names;  // what the message must name
  };
  for (const Case& c : {Case{"many_dups", "duplicate rows"},  // 10,000 identical rows per query
                        Case{"nan_counts", "request_count"}, Case{"hex_counts", "request_count"},
                        Case{"huge_money", "usage"}, Case{"neg_money", "usage"}}) {
    CAPTURE(c.mode);
    auto r = review(c.mode);
    sane(r);
    CHECK(r.exit_code == 7);
    CHECK(has(r.err, c.names));
    CHECK_FALSE(has(r.out, "inf"));
  }
}

TEST_CASE("hostile server: all metrics null never crash the review or print nan") {
  auto r = review("null_metrics");
  sane(r);
  CHECK((r.exit_code == 0 || r.exit_code == 7));
  CHECK_FALSE(has(r.err, "bad argument"));
  CHECK_FALSE(has(r.out, "nan"));
}

TEST_CASE("hostile server: control bytes in names never reach the terminal, Markdown or verify.lua raw") {
  const std::string dir = ot::temp_dir();
  auto r = review("ctrl_names", {"--markdown", dir + "/r.md", "--verify-script", dir + "/verify.lua", "--json",
                                 dir + "/r.json"});
  sane(r);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(has(r.out, "\x1b"));
  CHECK_FALSE(has(r.out, "\x07"));
  for (const char* f : {"/r.md", "/verify.lua"}) {
    CAPTURE(f);
    const std::string text = ot::read_file(dir + f);
    CHECK_FALSE(has(text, "\x1b"));
    CHECK_FALSE(has(text, "\x07"));
    CHECK_FALSE(has(text, "\r"));
    CHECK_FALSE(has(text, "\nos.exit(9)"));  // no line of code smuggled out of a comment
  }
  // The verification script still parses as Lua.
  auto parse = ot::orscript({"-e", "assert(loadfile('" + dir + "/verify.lua'))"}, options());
  CHECK(parse.exit_code == 0);
}

TEST_CASE("hostile server: /generation figures as strings are read as numbers, a null is missing, no object is a failure") {
  const std::string dir = ot::temp_dir();
  auto polite = review("pass", {"--json", dir + "/pass.json"});
  auto strings = review("gen_strings", {"--json", dir + "/strings.json"});
  auto empty = review("gen_empty", {"--json", dir + "/empty.json"});
  for (auto* r : {&polite, &strings, &empty}) {
    sane(*r);
    REQUIRE(r->exit_code == 0);
  }
  namespace json = boost::json;
  auto samples = [&](const std::string& file) {
    json::value doc = json::parse(ot::read_file(dir + file));
    for (auto& rec : doc.at("recommendations").as_array())
      if (!rec.at("samples").is_null()) return rec.at("samples");
    return json::value();
  };
  json::value a = samples("/pass.json"), b = samples("/strings.json"), c = samples("/empty.json");
  REQUIRE(a.is_object());
  REQUIRE(b.is_object());
  REQUIRE(c.is_object());
  auto& ra = a.at("requests").as_array();
  auto& rb = b.at("requests").as_array();
  REQUIRE(ra.size() >= 1);
  REQUIRE(ra.size() == rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    for (const char* k : {"cost", "tokens_prompt", "tokens_completion", "tokens_cached", "generation_time"})
      CHECK(ra[i].at(k).to_number<double>() == rb[i].at(k).to_number<double>());
    CHECK(rb[i].at("latency").is_null());  // null stays missing, never 0
  }
  CHECK(a.at("summary").at("latency_ms").is_object());
  CHECK(b.at("summary").at("latency_ms").is_null());
  CHECK(a.at("summary").at("cost") == b.at("summary").at("cost"));
  // No generation object: every fetch is a listed failure, no row of nulls.
  CHECK(c.at("requests").as_array().empty());
  CHECK(c.at("failed").as_array().size() == c.at("sampled").to_number<std::size_t>());
  CHECK(has(empty.out, "the API sent no generation object"));
}

TEST_CASE("hostile server: an endless body stops at the client's cap as a network error") {
  auto r = review("endless");
  sane(r);
  CHECK(r.exit_code == 6);
}

TEST_CASE("hostile server: CR/LF inside response headers is a network error, not a crash") {
  auto r = review("crlf_header");
  sane(r);
  CHECK(r.exit_code == 6);
}

// ---- hostile command lines, files and Lua arguments --------------------------------

namespace {
RunResult cli(const std::vector<std::string>& args, RunOptions o = options()) { return ot::orscript(args, o); }
RunResult demo_e(const std::string& chunk) { return cli({"--demo", "--now", kNow, "-e", chunk}); }
}  // namespace

TEST_CASE("hostile flags: --seed past 2^64, --timeout 1e-9 and a bad --cert-dir are usage errors") {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--seed", "18446744073709551616", "-e", "print(1)"},
           {"--demo", "--timeout", "1e-9", "-e", "print(1)"},
           {"--demo", "--timeout", "nan", "-e", "print(1)"},
           {"--serve", "--tls", "--cert-dir", "/nonexistent/x"},
           {"--serve", "--tls", "--cert-dir", "/etc/hostname"}}) {
    CAPTURE(args.back());
    auto r = cli(args);
    sane(r);
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("hostile flags: control characters in --base-url are refused before anything is sent") {
  auto r = cli({"--base-url", "http://127.0.0.1:9/ok\r\nX-Injected: yes\r\nX-Pad: /api/v1", "-e", "print(1)"});
  sane(r);
  CHECK(r.exit_code == 2);
  CHECK_FALSE(has(r.err, "\r"));
  RunOptions o = options();
  o.env["OPENROUTER_BASE_URL"] = "https://openrouter.ai\n/api/v1";
  CHECK(cli({"-e", "print(1)"}, o).exit_code == 2);
}

TEST_CASE("hostile flags: a 100 KB --categories is the client's own limit, said so") {
  auto r = cli({"--demo", "--now", kNow, "--categories", std::string(100 * 1024, 'c'), "-e", "orscript.key()"});
  sane(r);
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "its own limit"));
}

TEST_CASE("hostile files: FIFO or /dev/zero as key, scenario or schema cache never block or read forever") {
  const std::string dir = ot::temp_dir();
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& key : {fifo, std::string("/dev/zero"), dir}) {
    CAPTURE(key);
    auto r = cli({"--api-key-file", key, "-e", "print(1)"});
    sane(r);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(has(r.err, "is empty"));
  }
  for (const std::string& scenario : {std::string("/dev/zero"), std::string("/dev/urandom"), fifo}) {
    CAPTURE(scenario);
    auto r = cli({"--demo", "--scenario", scenario, "-e", "print(1)"});
    sane(r);
    CHECK(r.exit_code == 2);
  }
  // A schema cache that is a symlink to /dev/zero (or a FIFO) is ignored and refetched.
  RunOptions o = options();
  const std::string cache = dir + "/cache";
  o.env["ORSCRIPT_CACHE_DIR"] = cache;
  ::mkdir(cache.c_str(), 0700);
  auto first = cli({"--demo", "--now", kNow, "-e", "print(require('orscript.schema')._cache_path())"}, o);
  REQUIRE(first.exit_code == 0);
  std::string path = first.out.substr(0, first.out.find('\n'));
  REQUIRE(::symlink("/dev/zero", path.c_str()) == 0);
  auto r = cli({"--demo", "--now", kNow, "-e", "print(#orscript.meta().metrics)"}, o);
  sane(r);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "34\n");
}

TEST_CASE("hostile Lua: unknown error kinds, NaN and huge times, NaN filters are usage errors") {
  for (const char* chunk : {
           "orscript.error('bogus', 'm')",
           "orscript.error('internal', 'm')",
           "orscript.query{metrics={'total_usage'}, range={0/0, 1}}:run()",
           "orscript.query{metrics={'total_usage'}, range={1e300, 2e300}}:run()",
           "orscript.query{metrics={'total_usage'}, by={'model'}, where={{'model','eq',0/0}}}:run()",
           "orscript.query{metrics={'total_usage'}, range={'2026-05-01T00:00:00+99:99', '2026-05-02'}}:run()",
       }) {
    CAPTURE(chunk);
    auto r = demo_e(chunk);
    sane(r);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(has(r.err, "-9223372036854775808"));
  }
  // A 1 MB bad range string is not echoed whole.
  auto r = demo_e("orscript.query{metrics={'total_usage'}, range={string.rep('x', 1e6), '2026-05-02'}}:run()");
  CHECK(r.exit_code == 2);
  CHECK(r.err.size() < 2000);
}

TEST_CASE("hostile thresholds: nan, inf, -1 and hex are refused with the documented range") {
  for (const char* t : {"expensive_multiple=nan", "expensive_multiple=inf", "expensive_multiple=-1",
                        "expensive_multiple=0x10", "key_share=1.5"}) {
    CAPTURE(t);
    auto r = cli({"--demo", "--now", kNow, "recipes/cost_review.lua", "--threshold", t});
    sane(r);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "expects a number from"));
  }
}

TEST_CASE("files are written whole or not at all: a failed write leaves the old file") {
  const std::string dir = ot::temp_dir();
  for (const char* how : {"require('orscript.report').write(P, string.rep('x', 200000))",
                          "require('orscript.core').table{n = {1}, s = {string.rep('y', 200000)}}:write(P)"}) {
    CAPTURE(how);
    const std::string path = dir + "/out.md";
    ot::write_file(path, "the good old report\n");
    // At most 8 KB per file (ulimit -f) and SIGXFSZ ignored: the write fails with EFBIG.
    auto r = ot::run({"/bin/sh", "-c",
                      "trap '' XFSZ; ulimit -f 8; P='" + path + "' exec \"$0\" -e \"P = os.getenv('P'); " + how + "\"",
                      ot::binary_path()},
                     options());
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code != 70);
    CHECK(ot::read_file(path) == "the good old report\n");
  }
}

TEST_CASE("schema cache: keyed by the whole base URL, validated, and a stale one names the refresh") {
  RunOptions o = options();
  const std::string cache = ot::temp_dir();
  o.env["ORSCRIPT_CACHE_DIR"] = cache;
  o.env["OPENROUTER_API_KEY"] = peers().sim->management_key();
  const std::string path_of = "print(require('orscript.schema')._cache_path())";
  auto a = cli({"--base-url", peers().liar->base_url("pass"), "-e", path_of}, o);
  auto b = cli({"--base-url", peers().liar->base_url("other"), "-e", path_of}, o);
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(a.out != b.out);  // two servers on one host never share a catalogue (was meta-127.0.0.1.json)
  const std::string path = a.out.substr(0, a.out.find('\n'));
  // Fetch and cache the catalogue, then drop total_usage from the cached copy.
  auto fetch = cli({"--base-url", peers().liar->base_url("pass"), "--now", kNow, "-e", "orscript.meta()"}, o);
  REQUIRE(fetch.exit_code == 0);
  const std::string edit =
      "local core = require 'orscript.core'; local f = assert(io.open(P)); local doc = core.json_decode(f:read('*a')); "
      "f:close(); local keep = {}; for _, m in ipairs(doc.meta.metrics) do if m.name ~= 'total_usage' then "
      "keep[#keep + 1] = m end end; doc.meta.metrics = keep; f = assert(io.open(P, 'w')); "
      "f:write(core.json_encode(doc)); f:close()";
  RunOptions eo = o;
  eo.env["P"] = path;
  REQUIRE(cli({"-e", "P = os.getenv('P'); " + edit}, eo).exit_code == 0);
  auto stale = cli({"--base-url", peers().liar->base_url("pass"), "--now", kNow, "-e",
                    "orscript.query{metrics = {'total_usage'}}:run()"},
                   o);
  CHECK(stale.exit_code == 2);
  CHECK(has(stale.err, "orscript.meta{refresh = true}"));
  // A tampered cache of the wrong shape is not trusted: refetched.
  ot::write_file(path, R"({"fetched_at":1795003200000,"meta":{"metrics":"all of them"}})");
  auto fresh = cli({"--base-url", peers().liar->base_url("pass"), "--now", kNow, "-e", "print(#orscript.meta().metrics)"}, o);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out == "34\n");
}
