// Result table operations: filter, sort, top, derive, group, pivot, join, share, change, sum.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "host/core/error.hpp"
#include "host/core/table.hpp"

using namespace orscript;
namespace json = boost::json;

namespace {
// A small analytics result: model × day with spend, requests, cache hit rate.
Table spend() {
  return from_analytics(json::parse(R"({"data":{"data":[
      {"date__day":"2026-05-02","model":"a","total_usage":4.0,"request_count":"10","cache_hit_rate":0.5},
      {"date__day":"2026-05-02","model":"b","total_usage":1.0,"request_count":"30","cache_hit_rate":0.1},
      {"date__day":"2026-05-01","model":"a","total_usage":2.0,"request_count":"30","cache_hit_rate":0.3},
      {"date__day":"2026-05-01","model":"b","total_usage":null,"request_count":"0","cache_hit_rate":null},
      {"date__day":"2026-05-01","model":"c","total_usage":3.0,"request_count":"5","cache_hit_rate":0.0}],
      "metadata":{"query_time_ms":1,"row_count":5,"truncated":false}}})"),
                        json::parse(R"({"metrics":["total_usage","request_count","cache_hit_rate"],
                                        "dimensions":["model"],"granularity":"day","limit":1000})"),
                        nullptr);
}

std::vector<std::string> strings(const Table& t, const char* col) {
  std::vector<std::string> out;
  const Column& c = t.column(col);
  for (std::size_t i = 0; i < c.size(); ++i) out.push_back(c.is_null(i) ? "null" : c.str[i]);
  return out;
}

std::vector<double> numbers(const Table& t, const char* col, double null_as = -1) {
  std::vector<double> out;
  const Column& c = t.column(col);
  for (std::size_t i = 0; i < c.size(); ++i) out.push_back(c.is_null(i) ? null_as : c.num[i]);
  return out;
}

Error error_of(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an orscript::Error");
  return Error(ErrorKind::internal, "");
}
}  // namespace

TEST_CASE("table ops: filter by column, operator and value") {
  Table t = spend();
  CHECK(strings(t.filter("model", CompareOp::eq, {Cell::text("a")}), "model") == std::vector<std::string>{"a", "a"});
  CHECK(t.filter("model", CompareOp::neq, {Cell::text("a")}).row_count() == 3);
  CHECK(t.filter("total_usage", CompareOp::gt, {Cell::number(2)}).row_count() == 2);
  CHECK(t.filter("total_usage", CompareOp::gte, {Cell::number(2)}).row_count() == 3);
  CHECK(t.filter("total_usage", CompareOp::lt, {Cell::number(2)}).row_count() == 1);  // null never compares
  CHECK(t.filter("total_usage", CompareOp::lte, {Cell::number(2)}).row_count() == 2);
  CHECK(t.filter("total_usage", CompareOp::eq, {Cell::null()}).row_count() == 1);
  CHECK(t.filter("total_usage", CompareOp::neq, {Cell::null()}).row_count() == 4);
  CHECK(t.filter("model", CompareOp::in, {Cell::text("b"), Cell::text("c")}).row_count() == 3);
  CHECK(t.filter("model", CompareOp::not_in, {Cell::text("b"), Cell::text("c")}).row_count() == 2);
  CHECK(t.filter("date", CompareOp::eq, {Cell::text("2026-05-01")}).row_count() == 3);
  CHECK(t.filter("date", CompareOp::gt, {Cell::text("2026-05-01T12:00:00Z")}).row_count() == 2);
  CHECK(t.filter("request_count", CompareOp::eq, {Cell::text("30")}).row_count() == 2);
  CHECK(error_of([&] { t.filter("model", CompareOp::eq, {Cell::number(1)}); }).kind == ErrorKind::usage);
  CHECK(error_of([&] { t.filter("date", CompareOp::eq, {Cell::text("May")}); }).kind == ErrorKind::usage);
  CHECK(error_of([&] { t.filter("nope", CompareOp::eq, {Cell::text("a")}); }).kind == ErrorKind::usage);
  std::vector<bool> mask{true, false, false, false, true};
  CHECK(strings(t.filter(mask), "model") == std::vector<std::string>{"a", "c"});
}

TEST_CASE("table ops: sort is multi-key, stable, with nulls last in both directions") {
  Table t = spend();
  CHECK(numbers(t.sort({{"total_usage", true}}), "total_usage") == std::vector<double>{4, 3, 2, 1, -1});
  CHECK(numbers(t.sort({{"total_usage", false}}), "total_usage") == std::vector<double>{1, 2, 3, 4, -1});
  Table m = t.sort({{"model", false}, {"date", false}});
  CHECK(strings(m, "model") == std::vector<std::string>{"a", "a", "b", "b", "c"});
  CHECK(numbers(m, "request_count") == std::vector<double>{30, 10, 0, 30, 5});
  CHECK(t.row_count() == 5);  // the original is untouched
  CHECK(strings(t, "model")[0] == "a");
}

TEST_CASE("table ops: top n and head") {
  Table t = spend();
  Table top = t.top(2, "request_count");
  CHECK(numbers(top, "request_count") == std::vector<double>{30, 30});
  CHECK(t.top(10, "total_usage").row_count() == 5);
  CHECK(t.head(1).row_count() == 1);
  CHECK(t.select({"model", "total_usage"}).column_count() == 2);
  CHECK(error_of([&] { t.select({"model", "model"}); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: derive adds or replaces a column and checks its length") {
  Table t = spend();
  Column c;
  c.name = "per_request";
  c.role = ColumnRole::derived;
  c.format = DisplayFormat::currency;
  for (int i = 0; i < 5; ++i) c.push_number(i);
  Table d = t.with_column(c);
  CHECK(d.column_count() == t.column_count() + 1);
  CHECK(d.column("per_request").format == DisplayFormat::currency);
  c.name = "model";
  Table r = t.with_column(c);
  CHECK(r.column_count() == t.column_count());
  CHECK(r.column("model").type == ColumnType::number);
  Column short_col;
  short_col.name = "x";
  short_col.push_number(1);
  CHECK(error_of([&] { t.with_column(short_col); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: group and aggregate, with a weighted mean for rates") {
  Table t = spend();
  Table g = t.group({"model"}, {{"spend", AggFn::sum, "total_usage", {}},
                                {"avg", AggFn::mean, "total_usage", {}},
                                {"lo", AggFn::min, "total_usage", {}},
                                {"hi", AggFn::max, "total_usage", {}},
                                {"n", AggFn::count, "", {}},
                                {"n_usage", AggFn::count, "total_usage", {}},
                                {"days", AggFn::count_distinct, "date", {}},
                                {"first_day", AggFn::first, "date", {}},
                                {"hit", AggFn::wmean, "cache_hit_rate", "request_count"}});
  CHECK(strings(g, "model") == std::vector<std::string>{"a", "b", "c"});
  CHECK(numbers(g, "spend") == std::vector<double>{6, 1, 3});
  CHECK(numbers(g, "avg") == std::vector<double>{3, 1, 3});
  CHECK(numbers(g, "lo") == std::vector<double>{2, 1, 3});
  CHECK(numbers(g, "hi") == std::vector<double>{4, 1, 3});
  CHECK(numbers(g, "n") == std::vector<double>{2, 2, 1});
  CHECK(numbers(g, "n_usage") == std::vector<double>{2, 1, 1});
  CHECK(numbers(g, "days") == std::vector<double>{2, 2, 1});
  CHECK(g.column("first_day").type == ColumnType::time);
  CHECK(g.column("spend").format == DisplayFormat::currency);
  auto hit = numbers(g, "hit");
  CHECK(hit[0] == doctest::Approx((0.5 * 10 + 0.3 * 30) / 40));
  CHECK(hit[1] == doctest::Approx(0.1));
  CHECK(g.column("hit").is_rate);
  CHECK(g.column("hit").format == DisplayFormat::percent);
  // No key: one totals row.
  Table all = t.group({}, {{"spend", AggFn::sum, "total_usage", {}}});
  CHECK(numbers(all, "spend") == std::vector<double>{10});
}

TEST_CASE("table ops: summing a rate column is refused with a pointer to wmean") {
  Table t = spend();
  Error e = error_of([&] { t.group({"model"}, {{"rate", AggFn::sum, "cache_hit_rate", {}}}); });
  CHECK(e.kind == ErrorKind::usage);
  CHECK(std::string(e.what()).find("weighted mean") != std::string::npos);
  CHECK(std::string(e.what()).find("wmean") != std::string::npos);
  CHECK(error_of([&] { t.sum("cache_hit_rate"); }).kind == ErrorKind::usage);
  CHECK(error_of([&] { t.sum("model"); }).kind == ErrorKind::usage);
  CHECK(error_of([&] { t.group({"model"}, {{"w", AggFn::wmean, "cache_hit_rate", {}}}); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: sum skips nulls and a truncated table refuses unless partial") {
  Table t = spend();
  CHECK(t.sum("total_usage") == 10.0);
  t.meta.truncated = true;
  Error e = error_of([&] { t.sum("total_usage"); });
  CHECK(e.kind == ErrorKind::data);
  CHECK(std::string(e.what()) ==
        "result is truncated (row limit 1000): the sum would be partial; narrow the query, raise limit, or pass "
        "{partial=true}");
  CHECK(t.sum("total_usage", true) == 10.0);
  // Operations keep the flag, so a derived table refuses too.
  CHECK(error_of([&] { t.filter("model", CompareOp::eq, {Cell::text("a")}).sum("total_usage"); }).kind ==
        ErrorKind::data);
  CHECK(error_of([&] { t.share("total_usage", {}, false); }).kind == ErrorKind::data);
  CHECK(t.share("total_usage", {}, true).row_count() == 5);
}

TEST_CASE("table ops: pivot spreads a column, missing cells are null, duplicates need an aggregate") {
  Table t = spend();
  Table p = t.pivot("model", "date", "total_usage");
  REQUIRE(p.column_count() == 3);
  CHECK(p.columns()[1].name == "2026-05-01");  // time headers ascending
  CHECK(p.columns()[2].name == "2026-05-02");
  CHECK(strings(p, "model") == std::vector<std::string>{"a", "b", "c"});
  CHECK(numbers(p, "2026-05-01") == std::vector<double>{2, -1, 3});
  CHECK(numbers(p, "2026-05-02") == std::vector<double>{4, 1, -1});
  CHECK(p.column("2026-05-02").format == DisplayFormat::currency);
  Error e = error_of([&] { t.pivot("date", "date", "total_usage"); });
  CHECK(std::string(e.what()).find("more than one") != std::string::npos);
  Table byday = t.pivot("date", "model", "request_count", AggFn::sum);
  CHECK(numbers(byday, "a") == std::vector<double>{10, 30});
}

TEST_CASE("table ops: inner and left joins on one or more columns, clashes suffixed") {
  Table t = spend();
  Table names = from_rows(json::parse(R"([{"model":"a","vendor":"Acme","total_usage":100},
                                          {"model":"b","vendor":"Beta","total_usage":200},
                                          {"model":"z","vendor":"Zed","total_usage":300}])"),
                          "rows");
  Table inner = t.join(names, {"model"}, JoinKind::inner);
  CHECK(inner.row_count() == 4);
  CHECK(strings(inner, "vendor") == std::vector<std::string>{"Acme", "Beta", "Acme", "Beta"});
  CHECK(numbers(inner, "total_usage_2") == std::vector<double>{100, 200, 100, 200});
  CHECK(numbers(inner, "total_usage") == std::vector<double>{4, 1, 2, -1});
  Table left = t.join(names, {"model"}, JoinKind::left);
  CHECK(left.row_count() == 5);
  CHECK(strings(left, "vendor")[4] == "null");
  // Two keys: the table with itself.
  Table self = t.join(t.select({"date", "model", "request_count"}), {"date", "model"}, JoinKind::inner);
  CHECK(self.row_count() == 5);
  CHECK(numbers(self, "request_count_2") == numbers(t, "request_count"));
  CHECK(t.join(names, {"total_usage"}, JoinKind::inner).row_count() == 0);
  Table numeric = from_rows(json::parse(R"([{"model":1}])"), "rows");
  CHECK(error_of([&] { t.join(numeric, {"model"}, JoinKind::inner); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: share of total, overall and per group") {
  Table t = spend();
  Table s = t.share("total_usage", {}, false);
  auto share = numbers(s, "total_usage_share");
  CHECK(share[0] == doctest::Approx(0.4));
  CHECK(share[3] == -1);  // null value, null share
  CHECK(s.column("total_usage_share").format == DisplayFormat::percent);
  Table per_day = t.share("total_usage", {"date"}, false);
  auto pd = numbers(per_day, "total_usage_share");
  CHECK(pd[0] == doctest::Approx(0.8));
  CHECK(pd[2] == doctest::Approx(0.4));
  CHECK(error_of([&] { t.share("cache_hit_rate", {}, false); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: period-over-period change per group along the time column") {
  Table t = spend();
  Table c = t.change("total_usage", std::nullopt);
  // Row order kept: rows 0 and 1 are 2026-05-02, their previous period is 2026-05-01.
  auto prev = numbers(c, "total_usage_prev");
  auto diff = numbers(c, "total_usage_change");
  auto pct = numbers(c, "total_usage_change_pct");
  CHECK(prev == std::vector<double>{2, -1, -1, -1, -1});  // b's previous value is null
  CHECK(diff == std::vector<double>{2, -1, -1, -1, -1});
  CHECK(pct[0] == doctest::Approx(1.0));
  CHECK(c.column("total_usage_change_pct").format == DisplayFormat::percent);
  Table r = t.change("request_count", std::vector<std::string>{"model"});
  CHECK(numbers(r, "request_count_change") == std::vector<double>{-20, 30, -1, -1, -1});
  CHECK(numbers(r, "request_count_change_pct", -9)[1] == -9);  // previous value 0: no relative change
  Table no_time = from_rows(json::parse(R"([{"model":"a","n":1}])"), "rows");
  CHECK(error_of([&] { no_time.change("n", std::nullopt); }).kind == ErrorKind::usage);
}

TEST_CASE("table ops: a join whose key repeats on both sides is capped with a data error, not 17 GB") {
  json::array rows;
  for (int i = 0; i < 4000; ++i) rows.push_back(json::object{{"model", "same"}, {"n", i}});
  RowsOptions ro;
  ro.from_api = false;
  Table t = from_rows(json::value(rows), "rows", ro);
  // 4000 x 4000 = 16 million rows: refused before the rows are made.
  Error e = error_of([&] { t.join(t, {"model"}, JoinKind::inner); });
  CHECK(e.kind == ErrorKind::data);
  CHECK(std::string(e.what()).find("repeats on both sides") != std::string::npos);
}
