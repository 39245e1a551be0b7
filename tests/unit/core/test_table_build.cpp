// Result tables built from analytics, activity and dataset responses.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "host/core/error.hpp"
#include "host/core/schema.hpp"
#include "host/core/table.hpp"

using namespace orscript;
namespace json = boost::json;

namespace {
Table analytics(const char* response, const char* request = "null", const Schema* schema = nullptr) {
  return from_analytics(json::parse(response), json::parse(request), schema);
}
}  // namespace

TEST_CASE("table: analytics counts given as strings become numbers, numbers are accepted too") {
  Table t = analytics(R"({"data":{"data":[
      {"model":"a","total_usage":12.5,"request_count":"840","tokens_total":"2210034"},
      {"model":"b","total_usage":0.31,"request_count":95,"tokens_total":"120400"}],
      "metadata":{"query_time_ms":18,"row_count":2,"truncated":false}}})",
                      R"({"metrics":["total_usage","request_count","tokens_total"],"dimensions":["model"]})");
  REQUIRE(t.row_count() == 2);
  const Column& rc = t.column("request_count");
  CHECK(rc.type == ColumnType::number);
  CHECK(rc.num[0] == 840);
  CHECK(rc.num[1] == 95);
  CHECK(t.column("tokens_total").num[0] == 2210034);
  CHECK(t.column("model").type == ColumnType::string);
  CHECK(t.column("model").role == ColumnRole::dimension);
  CHECK(t.column("total_usage").format == DisplayFormat::currency);
  CHECK(t.meta.row_count == 2);
  CHECK(t.meta.query_time_ms == 18.0);
  CHECK_FALSE(t.meta.truncated);
  CHECK_FALSE(t.meta.cached_at.has_value());
  CHECK(t.meta.source == "/analytics/query");
  CHECK(json::parse(t.meta.request).at("dimensions").at(0) == "model");
}

TEST_CASE("table: null stays null, distinct from zero, and an all-null column sums to null") {
  Table t = analytics(R"({"data":{"data":[
      {"created_at__day":"2026-05-31","usage_upstream":3.12,"usage_cache":-0.4,"usage_data":null,"usage_web":0},
      {"created_at__day":"2026-05-30","usage_upstream":null,"usage_cache":0.1,"usage_data":null,"usage_web":null}],
      "metadata":{"query_time_ms":233,"row_count":2,"truncated":false}}})");
  const Column& web = t.column("usage_web");
  CHECK_FALSE(web.is_null(0));
  CHECK(web.num[0] == 0);
  CHECK(web.is_null(1));
  CHECK(t.sum("usage_upstream") == 3.12);
  CHECK_FALSE(t.sum("usage_data").has_value());
  CHECK(t.column("usage_data").type == ColumnType::number);
  CHECK(t.cell(1, t.column("usage_upstream")).kind == Cell::Kind::null);
}

TEST_CASE("table: date__<g> becomes one time column named date that remembers key and granularity") {
  Table t = analytics(R"({"data":{"data":[{"api_key_id":"nightly","date__week":"2026-06-07","total_usage":9.8}],
      "metadata":{"query_time_ms":4,"row_count":1,"truncated":false}}})");
  REQUIRE(t.find("date__week") == nullptr);
  const Column& d = t.column("date");
  CHECK(&d == &t.columns().front());  // the time column leads
  CHECK(d.type == ColumnType::time);
  CHECK(d.role == ColumnRole::time);
  CHECK(d.source_key == "date__week");
  CHECK(d.granularity == "week");
  CHECK(d.num[0] == *parse_time("2026-06-07"));
  CHECK(iso_time(d.num[0], d.granularity) == "2026-06-07");
}

TEST_CASE("table: created_at__<g> with ISO and space-separated timestamps") {
  Table t = analytics(R"({"data":{"data":[
      {"created_at__hour":"2026-05-31T10:00:00.000Z","request_count":"3"},
      {"created_at__hour":"2026-05-31 11:00:00","request_count":"4"}],
      "metadata":{"query_time_ms":1,"row_count":2,"truncated":false}}})");
  const Column& d = t.column("date");
  CHECK(d.source_key == "created_at__hour");
  CHECK(d.granularity == "hour");
  CHECK(d.num[1] - d.num[0] == 3600);
  CHECK(iso_time(d.num[0], "hour") == "2026-05-31T10:00:00Z");
  CHECK(t.column("request_count").num[1] == 4);  // count-like name without a request body
}

TEST_CASE("table: parse_time accepts the documented forms and rejects others") {
  CHECK(parse_time("1970-01-01") == 0.0);
  CHECK(parse_time("1970-01-02T00:00:00Z") == 86400.0);
  CHECK(parse_time("1970-01-01T00:00:01.500Z") == 1.5);
  CHECK(parse_time("1970-01-01T02:00:00+02:00") == 0.0);
  CHECK(parse_time("2024-02-29").has_value());
  CHECK_FALSE(parse_time("2026-02-30").has_value());
  CHECK_FALSE(parse_time("2026-13-01").has_value());
  CHECK_FALSE(parse_time("nightly").has_value());
  CHECK_FALSE(parse_time("2026-05-01X").has_value());
  CHECK(iso_time(1.5, "") == "1970-01-01T00:00:01.500Z");
}

TEST_CASE("table: warnings, cachedAt and truncated are kept in meta") {
  Table t = analytics(R"({"data":{"data":[{"date__week":"2026-06-07","api_key_id":"k","total_usage":9.8}],
      "metadata":{"query_time_ms":4,"row_count":1,"truncated":true},
      "cachedAt":1781300000000,
      "warnings":["Could not resolve api_key_id hash: 9c1e..."]}})",
                      R"({"metrics":["total_usage"],"dimensions":["api_key_id"],"limit":1})");
  CHECK(t.meta.truncated);
  CHECK(t.meta.cached_at == 1781300000000);
  REQUIRE(t.meta.warnings.size() == 1);
  CHECK(t.meta.warnings[0] == "Could not resolve api_key_id hash: 9c1e...");
  CHECK(t.meta.limit == 1);
}

TEST_CASE("table: other response fields are kept as extra meta") {
  Table t = analytics(R"({"data":{"data":[],"metadata":{"query_time_ms":4,"row_count":0,"truncated":false,
      "plan":{"requests":3}},"note":"x"}})");
  CHECK(t.meta.extra.at("plan").at("requests") == 3);
  CHECK(t.meta.extra.at("note") == "x");
  CHECK_FALSE(t.meta.extra.contains("metadata"));
  CHECK(t.row_count() == 0);
  CHECK(t.column_count() == 0);
}

TEST_CASE("table: two rows with the same label stay two rows, user_email is kept") {
  Table t = analytics(R"({"data":{"data":[
      {"user":"Sam","user_email":"sam@a.example","total_usage":1},
      {"user":"Sam","user_email":"sam@b.example","total_usage":2},
      {"user":null,"user_email":null,"total_usage":3}],
      "metadata":{"query_time_ms":1,"row_count":3,"truncated":false}}})",
                      R"({"metrics":["total_usage"],"dimensions":["user"]})");
  REQUIRE(t.row_count() == 3);
  CHECK(t.column("user").str[0] == "Sam");
  CHECK(t.column("user").str[1] == "Sam");
  CHECK(t.column("user").is_null(2));
  CHECK(t.column("user_email").str[1] == "sam@b.example");
  CHECK(t.column("user_email").role == ColumnRole::dimension);
}

TEST_CASE("table: a numeric-looking dimension label stays text") {
  Table t = analytics(R"({"data":{"data":[{"api_key_id":"12345","request_count":"7"}],
      "metadata":{"query_time_ms":1,"row_count":1,"truncated":false}}})",
                      R"({"metrics":["request_count"],"dimensions":["api_key_id"]})");
  CHECK(t.column("api_key_id").type == ColumnType::string);
  CHECK(t.column("api_key_id").str[0] == "12345");
  CHECK(t.column("request_count").num[0] == 7);
}

TEST_CASE("table: formats come from the schema when given, else are inferred from the name") {
  Schema s = Schema::from_meta(json::parse(R"({"data":{"metrics":[
      {"name":"total_usage","display_label":"Total Usage","is_rate":false,"display_format":"currency"},
      {"name":"cache_hit_rate","display_label":"Cache Hit Rate","is_rate":true,"display_format":"percent"},
      {"name":"odd_metric","display_label":"Odd","is_rate":true,"display_format":"latency"}],
      "dimensions":[],"operators":[],"granularities":[]}})"));
  const char* resp = R"({"data":{"data":[{"total_usage":1,"cache_hit_rate":0.5,"odd_metric":3,"p90_latency":800,
      "avg_throughput":85.3,"byok_fees":0.1,"usage_web":null,"tokens_total":"5"}],
      "metadata":{"query_time_ms":1,"row_count":1,"truncated":false}}})";
  Table a = analytics(resp, "null", &s);
  CHECK(a.column("odd_metric").format == DisplayFormat::latency);
  CHECK(a.column("odd_metric").is_rate);
  Table b = analytics(resp);
  CHECK(b.column("odd_metric").format == DisplayFormat::number);
  CHECK(b.column("cache_hit_rate").format == DisplayFormat::percent);
  CHECK(b.column("cache_hit_rate").is_rate);
  CHECK(b.column("p90_latency").format == DisplayFormat::latency);
  CHECK(b.column("avg_throughput").format == DisplayFormat::throughput);
  CHECK(b.column("byok_fees").format == DisplayFormat::currency);
  CHECK(b.column("usage_web").format == DisplayFormat::currency);
  CHECK(b.column("tokens_total").format == DisplayFormat::number);
  CHECK_FALSE(b.column("tokens_total").is_rate);
}

TEST_CASE("table: a malformed analytics response is an http error") {
  CHECK_THROWS_AS(analytics(R"({"data":{"metadata":{}}})"), Error);
  try {
    analytics(R"({"data":{"data":[1,2]}})");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::http);
  }
}

TEST_CASE("table: from_rows reads activity rows, dates become time, numbers stay numbers") {
  Table t = from_rows(json::parse(R"({"data":[
      {"date":"2026-08-20","model":"openai/gpt-4.1","endpoint_id":"1b6f","usage":0.0421,
       "byok_usage_inference":0,"requests":12,"prompt_tokens":5310,"completion_tokens":880,"reasoning_tokens":0},
      {"date":"2026-08-19","model":"openai/gpt-4.1","endpoint_id":"1b6f","usage":0.5,
       "byok_usage_inference":0,"requests":3,"prompt_tokens":10,"completion_tokens":1,"reasoning_tokens":0}]})"),
                      "activity");
  CHECK(t.meta.source == "activity");
  CHECK(t.row_count() == 2);
  CHECK(t.column("date").type == ColumnType::time);
  CHECK(t.column("date").granularity == "day");
  CHECK(t.column("usage").format == DisplayFormat::currency);
  CHECK(t.column("byok_usage_inference").format == DisplayFormat::currency);
  CHECK(t.column("requests").num[0] == 12);
  CHECK(t.column("model").type == ColumnType::string);
  CHECK(t.sum("requests") == 15);
}

TEST_CASE("table: from_rows reads dataset rows with string totals and keeps meta") {
  Table t = from_rows(json::parse(R"({"data":[
      {"date":"2026-08-20","model_permaslug":"anthropic/claude-sonnet-4-20250514","total_tokens":"48211904431"},
      {"date":"2026-08-20","model_permaslug":"other","total_tokens":"9120334521"}],
      "meta":{"as_of":"2026-08-21T03:14:07.512Z","version":"v1","start_date":"2026-07-22","end_date":"2026-08-20"}})"),
                      "rankings_daily");
  CHECK(t.column("total_tokens").type == ColumnType::number);
  CHECK(t.column("total_tokens").num[0] == 48211904431.0);
  CHECK(t.meta.extra.at("version") == "v1");
  Table apps = from_rows(json::parse(R"([{"rank":51,"app_id":48213,"app_name":"Example CLI","total_tokens":"7300119021",
      "total_requests":183220}])"),
                         "app_rankings");
  CHECK(apps.column("app_id").role == ColumnRole::dimension);
  CHECK(apps.column("total_requests").role == ColumnRole::metric);
  CHECK(apps.column("total_tokens").num[0] == 7300119021.0);
}

TEST_CASE("table: a column whose later values do not fit its type is widened to text") {
  Table t = from_rows(json::parse(R"([{"x":"2026-01-01","y":1},{"x":"soon","y":"n/a"},{"x":null}])"), "rows");
  CHECK(t.column("x").type == ColumnType::string);
  CHECK(t.column("x").str[0] == "2026-01-01");
  CHECK(t.column("x").str[1] == "soon");
  CHECK(t.column("x").is_null(2));
  CHECK(t.column("y").type == ColumnType::string);
  CHECK(t.column("y").str[0] == "1");
  CHECK(t.column("y").is_null(2));  // missing key is null
}

TEST_CASE("table: unknown column names the columns and suggests the nearest") {
  Table t = analytics(R"({"data":{"data":[{"model":"a","total_usage":1}],
      "metadata":{"query_time_ms":1,"row_count":1,"truncated":false}}})");
  try {
    t.column("totl_usage");
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(e.kind == ErrorKind::usage);
    CHECK(msg.find("unknown column 'totl_usage'") != std::string::npos);
    CHECK(msg.find("did you mean 'total_usage'?") != std::string::npos);
    CHECK(msg.find("columns: model, total_usage") != std::string::npos);
  }
}

namespace {
// The data error's message for an analytics response with one request_count/total_usage row.
std::string refused(const std::string& rows) {
  try {
    analytics(("{\"data\":{\"data\":[" + rows + "],\"metadata\":{\"row_count\":1,\"truncated\":false}}}").c_str(),
              R"({"metrics":["total_usage","request_count"],"dimensions":["model"]})");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::data);
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("table: a count that is not a decimal whole number is a data error naming column and row, never 0") {
  for (const char* bad : {R"("NaN")", R"("0x10")", R"("inf")", R"(" 12")", R"("12abc")", R"("")", R"("1.5")", R"(-3)",
                          R"(true)", R"({"n":1})"}) {
    CAPTURE(bad);
    const std::string msg = refused(std::string(R"({"model":"a","total_usage":1,"request_count":7},{"model":"b","total_usage":1,"request_count":)") + bad + "}");
    CHECK(msg.find("'request_count' in row 2") != std::string::npos);
  }
  CHECK(refused(R"({"model":"a","total_usage":"1.25","request_count":"1e3"})").empty());  // decimal forms are fine
}

TEST_CASE("table: non-finite or absurd money is a data error, not inf") {
  for (const char* bad : {"1e400", "-1e308", "1e16", R"("1e400")", R"("-Infinity")"}) {
    CAPTURE(bad);
    const std::string msg = refused(std::string(R"({"model":"a","request_count":1,"total_usage":)") + bad + "}");
    CHECK(msg.find("'total_usage' in row 1") != std::string::npos);
  }
}

TEST_CASE("table: duplicate rows from the API are a data error") {
  const std::string msg = refused(R"({"model":"a","total_usage":1,"request_count":1},{"model":"b","total_usage":1,"request_count":1},
                                     {"model":"a","total_usage":1,"request_count":1})");
  CHECK(msg.find("rows 1 and 3") != std::string::npos);
  CHECK(msg.find("model=a") != std::string::npos);
  // The same model in two time buckets is not a duplicate.
  Table t = analytics(R"({"data":{"data":[{"date__day":"2026-05-01","model":"a","request_count":1},
      {"date__day":"2026-05-02","model":"a","request_count":2}]}})",
                      R"({"metrics":["request_count"],"dimensions":["model"],"granularity":"day"})");
  CHECK(t.row_count() == 2);
}

TEST_CASE("table: tables a script builds keep the lenient reading") {
  RowsOptions ro;
  ro.from_api = false;
  Table t = from_rows(json::parse(R"([{"request_count":"n/a"}])"), "lua", ro);
  CHECK(t.column("request_count").type == ColumnType::string);
  CHECK_THROWS_AS(from_rows(json::parse(R"([{"request_count":"NaN"}])"), "activity"), Error);
}

TEST_CASE("table: two keys may share a label, and only a row equal in every column is then a duplicate") {
  const char* req = R"({"metrics":["total_usage"],"dimensions":["api_key_id"]})";
  Table t = analytics(R"({"data":{"data":[{"api_key_id":"batch","total_usage":1},{"api_key_id":"batch","total_usage":2}]}})", req);
  CHECK(t.row_count() == 2);
  CHECK_THROWS_AS(analytics(R"({"data":{"data":[{"api_key_id":"batch","total_usage":1},{"api_key_id":"batch","total_usage":1}]}})", req),
                  Error);
}
