// Black-box tests of forecasts, anomalies, the budget check, one-liners and the REPL's
// shell habits, with the real binary against the simulator. The scenario
// tests/fixtures/insights_scenario.json has two steady keys (no growth, a strong
// weekly shape) and one key with a planted one-day spike six days before now.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::RunResult;

namespace {

const char* kScenario = "tests/fixtures/insights_scenario.json";

RunOptions options() { return ot::clean_options(); }

RunResult sim(const std::string& now, const std::vector<std::string>& args, const std::string& scenario = kScenario) {
  std::vector<std::string> argv{"--demo"};
  if (!scenario.empty()) argv.insert(argv.end(), {"--scenario", scenario});
  argv.insert(argv.end(), {"--now", now});
  argv.insert(argv.end(), args.begin(), args.end());
  return ot::orscript(argv, options());
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// "name<TAB>value<TAB>value ..." lines (Lua's print) into name -> numbers.
std::map<std::string, std::vector<double>> numbers(const std::string& out) {
  std::map<std::string, std::vector<double>> m;
  for (auto& line : lines_of(out)) {
    auto parts = split(line, '\t');
    if (parts.size() < 2) continue;
    for (std::size_t i = 1; i < parts.size(); ++i) m[parts[0]].push_back(std::stod(parts[i]));
  }
  return m;
}

}  // namespace

TEST_CASE("forecast: the projection for the rest of the month matches the simulator's traffic") {
  // Forecast on Wednesday 2026-11-18 12:00; then the simulator run again at month end
  // serves the same generated days (each day's traffic is seeded by its date; no
  // growth, no changes on these keys), so November's real total is known.
  auto f = sim("2026-11-18T12:00:00Z",
               {"-e", "local f = orscript.forecast{by = 'key'}\n"
                      "for _, r in f.groups:rows() do print(r.api_key_id, r.so_far, r.projected, r.low, r.high) end"});
  INFO(f.err);
  REQUIRE(f.exit_code == 0);
  auto fc = numbers(f.out);
  auto a = sim("2026-12-01T00:00:00Z",
               {"-e", "local t = orscript.query{metrics = {'total_usage'}, by = {'api_key_id'}, "
                      "range = {'2026-11-01', '2026-12-01'}}:run()\n"
                      "for _, r in t:rows() do print(r.api_key_id, r.total_usage) end"});
  REQUIRE(a.exit_code == 0);
  auto actual = numbers(a.out);
  for (const char* key : {"steady-a", "steady-b"}) {
    CAPTURE(key);
    REQUIRE(fc[key].size() == 4);
    REQUIRE(actual[key].size() == 1);
    double so_far = fc[key][0], projected = fc[key][1], low = fc[key][2], high = fc[key][3], truth = actual[key][0];
    CAPTURE(so_far);
    CAPTURE(projected);
    CAPTURE(truth);
    CHECK(low <= truth);
    CHECK(truth <= high);
    CHECK(std::abs(projected - truth) / truth < 0.03);
    CHECK(low < projected);
    CHECK(projected < high);
    // The range is a range, not a guess: narrower than +-10% for a steady key.
    CHECK((high - low) / projected < 0.2);
  }
}

TEST_CASE("anomalies: the planted spike is found, in dollars, and nothing else") {
  auto r = sim("2026-11-18T12:00:00Z",
               {"-e", "local a = orscript.anomalies{by = 'key'}\n"
                      "for _, r in a:rows() do print(r.api_key_id, r.date, r.kind, r.deviation) end"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 1);
  auto parts = split(lines[0], '\t');
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == "spiky");
  CHECK(parts[1] == "2026-11-12");  // six days before now (the scenario's change)
  CHECK(parts[2] == "spike");
  // About $25 a day, x6 that day: some $125 above the usual level.
  double dev = std::stod(parts[3]);
  CHECK(dev > 90);
  CHECK(dev < 160);
}

TEST_CASE("the cost review lists the planted one-day spike in its opening section") {
  std::string dir = ot::temp_dir();
  auto r = sim("2026-11-18T12:00:00Z", {"recipes/cost_review.lua", "--json", dir + "/review.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "Single-day spikes in the last two weeks\n  - spiky on 2026-11-12: $"));
  auto doc = boost::json::parse(ot::read_file(dir + "/review.json")).as_object();
  auto& tm = doc.at("this_month").as_object();
  auto& spikes = tm.at("spikes").as_array();
  REQUIRE(spikes.size() == 1);
  CHECK(spikes[0].as_object().at("key").as_string() == "spiky");
  CHECK(spikes[0].as_object().at("date").as_string() == "2026-11-12");
  CHECK(tm.at("movers").as_array().size() == 3);
}

TEST_CASE("budget check: exit 0 within budget, 10 when crossed, 2 for bad input, and --json parses") {
  auto ok = sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua", "--monthly", "1000000", "--daily", "100000"}, "");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(has(ok.out, "within budget"));

  auto crossed = sim("2026-11-18T12:00:00Z",
                     {"recipes/budget_check.lua", "--monthly", "20000", "--key", "batch-pipeline=1000", "--json"}, "");
  CHECK(crossed.exit_code == 10);
  auto v = boost::json::parse(crossed.out).as_object();
  CHECK(v.at("crossed").as_int64() == 2);
  CHECK(v.at("exit_code").as_int64() == 10);
  auto& checks = v.at("checks").as_array();
  REQUIRE(checks.size() == 2);
  for (auto& c : checks) {
    auto& o = c.as_object();
    CHECK(o.at("crossed").as_bool());
    CHECK(o.at("value").to_number<double>() > o.at("limit").to_number<double>());
    CHECK(std::abs(o.at("over").to_number<double>() - (o.at("value").to_number<double>() - o.at("limit").to_number<double>())) < 1e-6);
  }

  auto text = sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua", "--monthly", "20000"}, "");
  CHECK(text.exit_code == 10);
  CHECK(has(text.out, "CROSSED  month"));
  CHECK(has(text.out, "> $20,000.00 by $"));

  auto bad = sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua", "--monthly", "lots"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "--monthly expects an amount in USD"));
  CHECK(sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua"}, "").exit_code == 2);

  // A config file, and the planted spike as an alert.
  std::string dir = ot::temp_dir();
  ot::write_file(dir + "/budget.conf", "# alerts\nanomaly_usd = 50\nanomaly_days = 7\nkey.steady-a = 1000000\n");
  auto spike = sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua", "--config", dir + "/budget.conf"});
  INFO(spike.err);
  CHECK(spike.exit_code == 10);
  CHECK(has(spike.out, "CROSSED  anomaly spiky 2026-11-12"));
  CHECK(has(spike.out, "ok       key steady-a"));
  ot::write_file(dir + "/bad.conf", "monthly = 10\nweekly = 5\n");
  auto badconf = sim("2026-11-18T12:00:00Z", {"recipes/budget_check.lua", "--config", dir + "/bad.conf"});
  CHECK(badconf.exit_code == 2);
  CHECK(has(badconf.err, "bad.conf:2: unknown threshold 'weekly'"));
}

TEST_CASE("one-liners: query output parses back as CSV, JSON and JSON Lines") {
  const std::string now = "2026-11-18T12:00:00Z";
  auto csv = sim(now, {"query", "total_usage,request_count", "by", "api_key_id", "--last-month", "--format", "csv"}, "");
  INFO(csv.err);
  REQUIRE(csv.exit_code == 0);
  auto rows = lines_of(csv.out);
  REQUIRE(rows.size() == 13);  // header + 12 keys
  CHECK(rows[0] == "api_key_id,total_usage,request_count");
  double sum = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    auto cells = split(rows[i], ',');
    REQUIRE(cells.size() == 3);
    sum += std::stod(cells[1]);
  }
  // The same total from a query without a dimension, as JSON.
  auto total = sim(now, {"query", "total_usage", "--last-month", "--format", "json"}, "");
  REQUIRE(total.exit_code == 0);
  auto arr = boost::json::parse(total.out).as_array();
  REQUIRE(arr.size() == 1);
  CHECK(std::abs(arr[0].as_object().at("total_usage").to_number<double>() - sum) < 1e-6 * sum);

  auto top = sim(now, {"query", "total_usage", "by", "model", "--last-month", "--top", "3", "--format", "jsonl"}, "");
  REQUIRE(top.exit_code == 0);
  auto jl = lines_of(top.out);
  REQUIRE(jl.size() == 3);
  double prev = 1e300;
  for (auto& line : jl) {
    auto o = boost::json::parse(line).as_object();
    double v = o.at("total_usage").to_number<double>();
    CHECK(v <= prev);  // --top orders by the first metric, largest first
    prev = v;
  }
  CHECK(boost::json::parse(jl[0]).as_object().at("model").as_string() == "openai/gpt-4.5-preview-2025-02-27");

  auto cut = sim(now, {"query", "request_count", "by", "model", "--last-month", "--limit", "2", "--format", "csv"}, "");
  CHECK(cut.exit_code == 0);
  CHECK(lines_of(cut.out).size() == 3);
  CHECK(has(cut.err, "the output is partial"));  // said on stderr, stdout stays CSV
  CHECK_FALSE(has(top.err, "partial"));           // --top N cuts on purpose

  auto md = sim(now, {"query", "total_usage", "by", "model", "--last-month", "--top", "2", "--format", "markdown"}, "");
  CHECK(has(md.out, "| model | total_usage |"));

  auto e = sim(now, {"--format", "csv", "-e", "return orscript.keys():select('name')"}, "");
  REQUIRE(e.exit_code == 0);
  auto keys = lines_of(e.out);
  CHECK(keys.size() == 13);
  CHECK(keys[0] == "name");

  auto bad = sim(now, {"query", "total_usag", "by", "model"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "did you mean 'total_usage'"));
  auto badopt = sim(now, {"query", "total_usage", "--last-mnth"}, "");
  CHECK(badopt.exit_code == 2);
  CHECK(has(badopt.err, "did you mean '--last-month'"));
  auto badfmt = ot::orscript({"--format", "yaml", "-e", "return 1"}, options());
  CHECK(badfmt.exit_code == 2);
  auto names = sim(now, {"query", "--complete", "tokens_"}, "");
  CHECK(has(names.out, "tokens_prompt\n"));
  CHECK_FALSE(has(names.out, "total_usage"));
  CHECK(has(sim(now, {"query", "--complete", "total_usage,tokens_p"}, "").out, "total_usage,tokens_prompt\n"));
  CHECK(has(sim(now, {"query", "--complete", "--last-m"}, "").out, "--last-month\n"));
  auto stray = ot::orscript({"--format", "csv", "recipes/top_models.lua"}, options());
  CHECK(stray.exit_code == 2);
  CHECK(has(stray.err, "--format prints what -e chunks return"));
}

TEST_CASE("repl: .mode box and line, .headers, .read, .shell, .help over a pipe") {
  std::string dir = ot::temp_dir();
  ot::write_file(dir + "/setup.lua", "t = require('orscript.core').table{{model = 'm', n = 3}}\n.mode line\nt\n");
  RunOptions o = options();
  o.env["HOME"] = dir;
  o.env["XDG_STATE_HOME"] = dir + "/state";
  o.stdin_text = ".read " + dir + "/setup.lua\n.mode box\nt\n.headers off\nt\n.mode csv\nt\n.shell echo from-the-shell\n.help\n"
                 ".read " + dir + "/missing.lua\n.shell exit 3\n.mode yaml\n";
  auto r = ot::orscript({"--demo", "-i"}, o);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "model = m\n    n = 3\n"));  // line mode, from the file
  CHECK(has(r.out, "│ model │ n │\n"));          // box with headers
  CHECK(has(r.out, "├───────┼───┤\n"));
  CHECK(has(r.out, "┌───┬───┐\n│ m │ 3 │\n└───┴───┘\n"));  // headers off
  CHECK(has(r.out, "\nm,3\r\n"));               // csv without the header line
  CHECK_FALSE(has(r.out, "model,n"));
  CHECK(has(r.out, "from-the-shell\n"));
  for (const char* c : {".mode", ".headers", ".read", ".shell", ".pager", ".output", ".once", ".timer", ".schema", ".quit"})
    CHECK(has(r.out, c));
  CHECK(has(r.out, "table|box|line|csv|json|markdown"));
  CHECK(has(r.err, ".read: cannot open '" + dir + "/missing.lua': No such file or directory"));
  CHECK(has(r.err, ".shell: exit status 3"));
  CHECK(has(r.err, ".mode: unknown mode 'yaml'; use table, box, line, csv, json or markdown"));
}

TEST_CASE("repl: results taller than the terminal go through $PAGER, short ones do not") {
  std::string dir = ot::temp_dir();
  std::vector<std::string> argv{ot::binary_path(), "--demo"};
  RunOptions o;
  o.env["HOME"] = dir;
  o.env["XDG_STATE_HOME"] = dir + "/state";
  o.env["XDG_CONFIG_HOME"] = dir + "/config";
  o.env["PAGER"] = "sed s/^/PAGED:/";
  o.unset_env = {"ORSCRIPT_INIT", "ORSCRIPT_PATH"};
  o.cwd = dir;
  ot::Pty pty(argv, o);  // 40 rows
  pty.expect("orscript[demo]> ");
  pty.send("{1, 2}\r");
  std::string short_out = pty.expect("orscript[demo]> ");
  CHECK_FALSE(has(short_out, "PAGED:"));
  pty.send("string.rep('x\\n', 60)\r");
  std::string long_out = pty.expect("orscript[demo]> ");
  CHECK(has(long_out, "PAGED:x"));
  pty.send(".pager off\r");
  pty.expect("orscript[demo]> ");
  pty.send("string.rep('y\\n', 60)\r");
  std::string off = pty.expect("orscript[demo]> ");
  CHECK_FALSE(has(off, "PAGED:"));
  pty.send(".quit\r");
  CHECK(pty.wait() == 0);
}
