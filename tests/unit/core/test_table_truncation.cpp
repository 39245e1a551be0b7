// Truncation survives every table operation: a result the API cut at its row limit stays
// flagged through filter, sort, top, head, select, derive, group, pivot, change and join
// (from either side), and every total over it is refused unless asked for as partial.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.hpp"
#include "host/core/table.hpp"

using namespace orscript;
namespace json = boost::json;

namespace {

// model × day spend; `truncated` as the API would send it, with the request's limit.
Table result(bool truncated, int limit) {
  std::string body = R"({"data":{"data":[
      {"date__day":"2026-05-02","model":"a","total_usage":4.0,"request_count":"10"},
      {"date__day":"2026-05-02","model":"b","total_usage":1.0,"request_count":"30"},
      {"date__day":"2026-05-01","model":"a","total_usage":2.0,"request_count":"30"}],
      "metadata":{"query_time_ms":1,"row_count":3,"truncated":)" +
                     std::string(truncated ? "true" : "false") + "}}}";
  return from_analytics(json::parse(body),
                        json::parse(R"({"metrics":["total_usage","request_count"],"dimensions":["model"],)"
                                    R"("granularity":"day","limit":)" +
                                    std::to_string(limit) + "}"),
                        nullptr);
}

Table by_model(bool truncated, int limit) {
  return result(truncated, limit).group({"model"}, {{"requests", AggFn::sum, "request_count", {}}});
}

// The sum over `t` is refused with the data error naming `limit`, and given with partial.
void refuses_sum(const Table& t, const std::string& column, int limit) {
  try {
    (void)t.sum(column);
    FAIL("a sum over a truncated table was not refused");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::data);
    CHECK(std::string(e.what()).find("row limit " + std::to_string(limit)) != std::string::npos);
  }
  CHECK(t.sum(column, true).has_value());
}

}  // namespace

TEST_CASE("truncation: every single-input operation keeps the flag") {
  const Table t = result(true, 3);
  REQUIRE(t.meta.truncated);
  Column doubled = t.column("total_usage");
  doubled.name = "double_usage";
  for (auto& v : doubled.num) v *= 2;
  const std::vector<std::pair<const char*, std::function<Table()>>> ops = {
      {"filter", [&] { return t.filter("model", CompareOp::eq, {Cell::text("a")}); }},
      {"filter mask", [&] { return t.filter(std::vector<bool>{true, false, true}); }},
      {"sort", [&] { return t.sort({{"total_usage", true}}); }},
      {"top", [&] { return t.top(2, "total_usage"); }},
      {"head", [&] { return t.head(1); }},
      {"select", [&] { return t.select({"model", "total_usage"}); }},
      {"derive", [&] { return t.with_column(doubled); }},
      {"group", [&] { return t.group({"model"}, {{"total_usage", AggFn::sum, "total_usage", {}}}); }},
      {"group totals", [&] { return t.group({}, {{"total_usage", AggFn::sum, "total_usage", {}}}); }},
      {"pivot", [&] { return t.pivot("model", "date", "total_usage"); }},
      {"change", [&] { return t.change("total_usage", std::nullopt); }},
  };
  for (auto& entry : ops) {
    const char* name = entry.first;  // clang 14: a structured binding cannot be captured (CAPTURE)
    auto& op = entry.second;
    CAPTURE(name);
    Table r = op();
    CHECK(r.meta.truncated);
    if (r.find("total_usage")) refuses_sum(r, "total_usage", 3);
  }
  // share is a total too.
  CHECK_THROWS_AS((void)t.share("total_usage", {}, false), Error);
  CHECK(t.share("total_usage", {}, true).meta.truncated);
}

TEST_CASE("truncation: a join is truncated when either side is, and names the limit that was hit") {
  const Table whole = by_model(false, 1000), cut = by_model(true, 2);
  const Table spend_whole = result(false, 1000), spend_cut = result(true, 2);
  for (JoinKind how : {JoinKind::inner, JoinKind::left}) {
    CAPTURE(static_cast<int>(how));
    CHECK_FALSE(spend_whole.join(whole, {"model"}, how).meta.truncated);
    Table right_cut = spend_whole.join(cut, {"model"}, how);
    CHECK(right_cut.meta.truncated);
    refuses_sum(right_cut, "total_usage", 2);  // the right side's limit, not the left's 1000
    Table left_cut = spend_cut.join(whole, {"model"}, how);
    CHECK(left_cut.meta.truncated);
    refuses_sum(left_cut, "total_usage", 2);
  }
}

TEST_CASE("truncation: a whole result is not flagged and totals normally") {
  const Table t = result(false, 3);  // exactly `limit` rows, and the API said it was whole
  CHECK_FALSE(t.meta.truncated);
  CHECK(t.sum("total_usage") == doctest::Approx(7.0));
  CHECK_FALSE(t.group({}, {{"n", AggFn::count, "", {}}}).meta.truncated);
}
