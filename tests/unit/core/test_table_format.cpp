// Result table output: the human table, CSV, JSON, Markdown and files.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "host/core/error.hpp"
#include "host/core/table.hpp"

using namespace orscript;
namespace json = boost::json;

namespace {
Table sample() {
  return from_analytics(json::parse(R"({"data":{"data":[
      {"date__day":"2026-05-02","model":"anthropic/claude-sonnet-4","total_usage":1234.5601,"request_count":"1234567",
       "cache_hit_rate":0.42,"p90_latency":1234.4,"avg_throughput":85.34,"usage_web":null},
      {"date__day":"2026-05-01","model":"a, \"quoted\" | piped","total_usage":-0.4,"request_count":"95",
       "cache_hit_rate":0,"p90_latency":80,"avg_throughput":1200,"usage_web":0.0021}],
      "metadata":{"query_time_ms":1,"row_count":2,"truncated":true},
      "warnings":["Could not resolve api_key_id hash: 9c1e..."]}})"),
                        json::parse(R"({"metrics":["total_usage","request_count","cache_hit_rate","p90_latency",
                                        "avg_throughput","usage_web"],"dimensions":["model"],"limit":2})"),
                        nullptr);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("table format: display formats in the human table") {
  std::string out = sample().format({200, 40});
  CHECK(contains(out, "$1,234.56"));
  CHECK(contains(out, "-$0.40"));
  CHECK(contains(out, "$0.0021"));
  CHECK(contains(out, "1,234,567"));
  CHECK(contains(out, "42.0%"));
  CHECK(contains(out, "0.0%"));
  CHECK(contains(out, "1,234 ms"));
  CHECK(contains(out, "85.3 tok/s"));
  CHECK(contains(out, "1,200.0 tok/s"));
  CHECK(contains(out, "2026-05-02"));
  CHECK(contains(out, "\xE2\x80\x93"));  // the null in usage_web
  CHECK(contains(out, "warning: Could not resolve api_key_id hash: 9c1e..."));
  // The request asked for limit = 2: the note says it is the user's top 2, not the API's limit.
  CHECK(contains(out, "top 2 of more (limit = 2); totals over this table cover these rows only"));
  CHECK_FALSE(contains(out, "the API stopped"));
  Table no_limit = sample();
  no_limit.meta.limit.reset();
  CHECK(contains(no_limit.format({200, 40}), "truncated: the API stopped at its row limit (2 rows)"));
  // Columns line up: every data line starts the model column at the same offset.
  std::istringstream lines(out);
  std::string header, rule, row1;
  std::getline(lines, header);
  std::getline(lines, rule);
  std::getline(lines, row1);
  CHECK(header.find("model") == row1.find("anthropic"));
  CHECK(header.rfind("date", 0) == 0);
}

TEST_CASE("table format: hour buckets show the time, and null text cells show a dash") {
  Table t = from_analytics(json::parse(R"({"data":{"data":[{"created_at__hour":"2026-05-31T10:00:00Z","x":"1"}],
      "metadata":{"query_time_ms":1,"row_count":1,"truncated":false}}})"),
                           json::parse("null"), nullptr);
  CHECK(contains(t.format(), "2026-05-31 10:00"));
  CHECK_FALSE(contains(t.format(), "truncated"));
}

TEST_CASE("table format: a wide table is fitted to the width with a note") {
  Table t = sample();
  std::string out = t.format({60, 40});
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("warning", 0) == 0 || line.rfind("truncated", 0) == 0 || line.rfind("\xE2\x80\xA6", 0) == 0)
      continue;
    std::size_t cols = 0;
    for (unsigned char ch : line) cols += (ch & 0xC0) != 0x80;
    CHECK(cols <= 60);
  }
  CHECK(contains(out, "not shown: "));
  CHECK(contains(out, "usage_web"));  // named in the note
}

TEST_CASE("table format: long tables show the first rows and a count of the rest") {
  json::array rows;
  for (int i = 0; i < 100; ++i) rows.push_back(json::object{{"n", i}});
  Table t = from_rows(rows, "rows");
  std::string out = t.format({100, 10});
  CHECK(contains(out, "90 more rows (100 in all)"));
}

TEST_CASE("table format: CSV is RFC 4180 with raw values") {
  std::string csv = sample().to_csv();
  CHECK(csv.rfind("date,model,total_usage,request_count,cache_hit_rate,p90_latency,avg_throughput,usage_web\r\n", 0) == 0);
  CHECK(contains(csv, "2026-05-02,anthropic/claude-sonnet-4,1234.5601,1234567,0.42,1234.4,85.34,\r\n"));
  CHECK(contains(csv, "2026-05-01,\"a, \"\"quoted\"\" | piped\",-0.4,95,0,80,1200,0.0021\r\n"));
}

TEST_CASE("table format: JSON is an array of row objects with null and ISO dates") {
  Table t = sample();
  json::value v = json::parse(t.to_json());
  REQUIRE(v.as_array().size() == 2);
  auto& r0 = v.as_array()[0].as_object();
  CHECK(r0.at("date") == "2026-05-02");
  CHECK(r0.at("request_count").to_number<double>() == 1234567);
  CHECK(r0.at("usage_web").is_null());
  CHECK(v.as_array()[1].as_object().at("model") == "a, \"quoted\" | piped");
  CHECK(from_rows(json::array{}, "rows").to_json() == "[]");
}

TEST_CASE("table format: Markdown escapes pipes and aligns numbers right") {
  std::string md = sample().to_markdown();
  CHECK(md.rfind("| date | model | total_usage |", 0) == 0);
  CHECK(contains(md, "| --- | --- | ---: |"));
  CHECK(contains(md, "a, \"quoted\" \\| piped"));
  CHECK(contains(md, "| $1,234.56 |"));
  CHECK(contains(md, "> top 2 of more (limit = 2)"));
}

TEST_CASE("table format: write chooses the form by extension and rejects others") {
  Table t = sample();
  std::string base = "/tmp/orscript_table_test_" + std::to_string(::getpid());
  for (const char* ext : {".csv", ".json", ".md"}) {
    std::string path = base + ext;
    t.write(path);
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    std::remove(path.c_str());
    if (std::string(ext) == ".csv") CHECK(text == t.to_csv());
    if (std::string(ext) == ".json") CHECK(json::parse(text).as_array().size() == 2);
    if (std::string(ext) == ".md") CHECK(text == t.to_markdown());
  }
  try {
    t.write(base + ".txt");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::usage);
    CHECK(contains(e.what(), "unknown extension '.txt'"));
  }
  CHECK_THROWS_AS(t.write("/nonexistent-dir/x.csv"), Error);
}

TEST_CASE("table format: a narrow table keeps its number columns and cuts labels unambiguously") {
  Table t = from_rows(json::parse(R"([{"model":"google/gemini-2.5-flash","total_usage":1.5},
                                      {"model":"google/gemini-2.5-flash-lite","total_usage":2}])"),
                      "rows");
  std::string out = t.format({24, 40});
  CHECK(contains(out, "$1.50"));  // the figures stay; the labels are cut
  CHECK(contains(out, "$2.00"));
  CHECK_FALSE(contains(out, "not shown"));
  // End-cuts would read alike ("google/gemini-2.…" twice): both keep their ends.
  CHECK_FALSE(contains(out, "google/gemini-2.\xE2\x80\xA6"));
  CHECK(contains(out, "\xE2\x80\xA6-lite"));  // the cut keeps the end that tells them apart
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::size_t cols = 0;
    for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
    CHECK(cols <= 24);
  }
}

TEST_CASE("table format: an empty query result keeps the requested columns and says (no rows)") {
  Table t = from_analytics(json::parse(R"({"data":{"data":[],"metadata":{"row_count":0,"truncated":false}}})"),
                           json::parse(R"({"metrics":["total_usage"],"dimensions":["model"],"granularity":"day"})"),
                           nullptr);
  REQUIRE(t.column_count() == 3);
  CHECK(t.columns()[0].name == "date");
  CHECK(t.columns()[0].role == ColumnRole::time);
  CHECK(t.columns()[1].name == "model");
  CHECK(t.columns()[2].format == DisplayFormat::currency);
  CHECK(t.sum("total_usage") == 0.0);
  CHECK(contains(t.format(), "(no rows)"));
}
