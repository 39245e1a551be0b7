// POST /analytics/query semantics over raw HTTP.
#include "tests/unit/sim/sim_fixture.hpp"

#include <cmath>
#include <set>

using namespace simtest;

namespace {
std::string bad(const std::string& body) {
  auto r = post(demo(), "analytics/query", demo().management_key(), body);
  CHECK(r.status == 400);
  auto e = parse(r.body).at("error");
  CHECK(e.at("code") == 400);
  return std::string(e.at("message").as_string());
}
const char* kOct = R"("time_range":{"start":"2026-10-01T00:00:00Z","end":"2026-11-01T00:00:00Z"})";
std::string with_oct(const std::string& fields) { return "{" + fields + "," + kOct + "}"; }
double total(const boost::json::value& v, const char* metric) {
  double t = 0;
  for (auto& r : rows(v))
    if (!r.at(metric).is_null()) t += num(r.at(metric));
  return t;
}
}  // namespace

TEST_CASE("zod-style 400 texts for the schema") {
  CHECK(bad(R"({})") == "metrics: Invalid input: expected array, received undefined");
  CHECK(bad(R"({"metrics":[]})") == "metrics: Too small: expected array to have >=1 items");
  CHECK(bad(R"({"metrics":"total_usage"})") == "metrics: Invalid input: expected array, received string");
  CHECK(bad(R"({"metrics":["total_usage"],"dimensions":["model","api_key_id","app"]})") ==
        "dimensions: Too big: expected array to have <=2 items");
  CHECK(bad(R"({"metrics":["total_usage"],"order_by":{"field":"total_usage","direction":"up"}})") ==
        "order_by.direction: Invalid option: expected one of \"asc\"|\"desc\"");
  CHECK(bad(R"({"metrics":["total_usage"],"time_range":{"start":"yesterday","end":"2026-11-01T00:00:00Z"}})") ==
        "time_range.start: Invalid ISO datetime");
  CHECK(bad(R"({"metrics":["total_usage"],"limit":10001})") == "limit: Too big: expected number to be <=10000");
  CHECK(bad(R"({"metrics":["total_usage"],"limit":0})") == "limit: Too small: expected number to be >=1");
  CHECK(bad(R"({"metrics":["total_usage"],"limit":1.5})") == "limit: Invalid input: expected int, received number");
  CHECK(bad(R"({"metrics":["total_usage"],"group_limit":"5"})") == "group_limit: Invalid input: expected number, received string");
  CHECK(bad(R"({"metrics":["total_usage"],"granularity":"year"})") ==
        "granularity: Invalid option: expected one of \"minute\"|\"hour\"|\"day\"|\"week\"|\"month\"");
  CHECK(bad(R"({"metrics":["nope"]})").rfind("metrics.0: Invalid option: expected one of \"request_count\"|", 0) == 0);
  CHECK(bad(R"({"metrics":[5]})") == "metrics.0: Invalid input: expected string, received number");
  CHECK(bad("[1]") == "Invalid input: expected object, received array");
  CHECK(bad("{not json") == "Invalid JSON in request body");
}

TEST_CASE("filters: at most 20, operator enum and value shapes") {
  std::string many = R"({"metrics":["total_usage"],"filters":[)";
  for (int i = 0; i < 21; ++i) many += std::string(i ? "," : "") + R"({"field":"model","operator":"neq","value":"x"})";
  CHECK(bad(many + "]}") == "filters: Too big: expected array to have <=20 items");
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"model","operator":"like","value":"x"}]})") ==
        "filters.0.operator: Invalid option: expected one of \"eq\"|\"neq\"|\"in\"|\"not_in\"|\"gt\"|\"gte\"|\"lt\"|\"lte\"");
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"model","operator":"in","value":"x"}]})") ==
        "filters.0.value: Operator \"in\" requires an array value, received string");
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"model","operator":"eq","value":["x"]}]})") ==
        "filters.0.value: Operator \"eq\" requires a scalar (string or number) value, received array");
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"model","operator":"eq","value":"x","include_unset":true}]})") ==
        "filters.0.include_unset: include_unset is only allowed with the in and not_in operators");
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"colour","operator":"eq","value":"x"}]})")
            .rfind("filters.0.field: Invalid option: expected one of \"model\"", 0) == 0);
  CHECK(bad(R"({"metrics":["total_usage"],"filters":[{"field":"model","operator":"eq"}]})") ==
        "filters.0.value: Invalid input: expected string | number | array, received undefined");
}

TEST_CASE("windows: start before end, 31 days for generation-level fields, 365 otherwise, minute within 3 hours") {
  CHECK(bad(R"({"metrics":["total_usage"],"time_range":{"start":"2026-11-02T00:00:00Z","end":"2026-11-01T00:00:00Z"}})") ==
        "time_range: start must be before end");
  CHECK(bad(R"({"metrics":["total_usage"],"dimensions":["provider"],"time_range":{"start":"2026-10-01T00:00:00Z","end":"2026-11-02T00:00:00Z"}})") ==
        "time_range: Time range exceeds the maximum of 31 days for generation-level fields (provider)");
  CHECK(bad(R"({"metrics":["p90_latency"],"time_range":{"start":"2026-10-01T00:00:00Z","end":"2026-11-02T00:00:00Z"}})") ==
        "time_range: Time range exceeds the maximum of 31 days for generation-level fields (p90_latency)");
  CHECK(bad(R"({"metrics":["total_usage"],"time_range":{"start":"2025-10-01T00:00:00Z","end":"2026-11-01T00:00:00Z"}})") ==
        "time_range: Time range exceeds the maximum of 365 days");
  CHECK(bad(R"({"metrics":["total_usage"],"granularity":"minute","time_range":{"start":"2026-11-18T00:00:00Z","end":"2026-11-18T03:00:01Z"}})") ==
        "granularity: minute granularity requires a time range of at most 3 hours");
  // Exactly 31 days with a generation-level metric and 365 days without are fine.
  query(R"({"metrics":["usage_file"],"granularity":"day","time_range":{"start":"2026-10-18T00:00:00Z","end":"2026-11-18T00:00:00Z"}})");
  query(R"({"metrics":["total_usage"],"time_range":{"start":"2025-11-18T12:00:00Z","end":"2026-11-18T12:00:00Z"}})");
  auto m = query(R"({"metrics":["request_count"],"granularity":"minute","time_range":{"start":"2026-11-18T09:00:00Z","end":"2026-11-18T12:00:00Z"}})");
  CHECK(rows(m).size() > 100);
  CHECK(rows(m)[0].at("date__minute").as_string().size() == 19);
}

TEST_CASE("classifier fields answer 400 for an id the scenario does not define") {
  auto m = bad(R"({"metrics":["total_usage"],"classifier_dimensions":{"classifier_id":"1b2c3d4e-0000-4000-8000-000000000000"}})");
  CHECK(m.find("Classifier not found") != std::string::npos);
  CHECK(bad(R"({"metrics":["total_usage"],"classifier_dimensions":{"classifier_id":"x","dimension_names":["a","b","c"]}})") ==
        "classifier_dimensions.dimension_names: Too big: expected array to have <=2 items");
}

TEST_CASE("no time_range means the last 7 days before now") {
  auto implicit = query(R"({"metrics":["request_count","total_usage"]})");
  auto explicit_ = query(R"({"metrics":["request_count","total_usage"],"time_range":{"start":"2026-11-11T12:00:00.000Z","end":"2026-11-18T12:00:00.000Z"}})");
  CHECK(rows(implicit)[0].at("request_count") == rows(explicit_)[0].at("request_count"));
  CHECK(rows(implicit)[0].at("total_usage") == rows(explicit_)[0].at("total_usage"));
}

TEST_CASE("windows are end-exclusive UTC and day buckets add up") {
  auto days = query(R"({"metrics":["request_count"],"granularity":"day","time_range":{"start":"2026-11-01T00:00:00Z","end":"2026-11-08T00:00:00Z"}})");
  REQUIRE(rows(days).size() == 7);
  CHECK(rows(days)[0].at("date__day") == "2026-11-07");  // newest first
  CHECK(rows(days)[6].at("date__day") == "2026-11-01");
  auto one = query(R"({"metrics":["request_count"],"time_range":{"start":"2026-11-03T00:00:00Z","end":"2026-11-04T00:00:00Z"}})");
  std::string nov3;
  for (auto& r : rows(days))
    if (r.at("date__day") == "2026-11-03") nov3 = std::string(r.at("request_count").as_string());
  CHECK(rows(one)[0].at("request_count").as_string() == nov3);
  auto sum = query(R"({"metrics":["request_count"],"time_range":{"start":"2026-11-01T00:00:00Z","end":"2026-11-08T00:00:00Z"}})");
  CHECK(num(rows(sum)[0].at("request_count")) == total(days, "request_count"));
}

TEST_CASE("week buckets start on Sunday - month and hour buckets have their labels") {
  auto w = query(with_oct(R"("metrics":["total_usage"],"granularity":"week")"));
  for (auto& r : rows(w)) {
    const std::string d(r.at("date__week").as_string());
    CHECK((d == "2026-09-27" || d == "2026-10-04" || d == "2026-10-11" || d == "2026-10-18" || d == "2026-10-25"));
  }
  CHECK(rows(w).size() == 5);
  auto m = query(R"({"metrics":["total_usage"],"granularity":"month","time_range":{"start":"2026-08-01T00:00:00Z","end":"2026-11-01T00:00:00Z"}})");
  REQUIRE(rows(m).size() == 3);
  CHECK(rows(m)[0].at("date__month") == "2026-10-01");
  auto h = query(R"({"metrics":["total_usage"],"granularity":"hour","time_range":{"start":"2026-11-17T00:00:00Z","end":"2026-11-18T00:00:00Z"}})");
  CHECK(rows(h).size() == 24);
  CHECK(rows(h)[0].at("date__hour") == "2026-11-17 23:00:00");
}

TEST_CASE("bucket key is created_at__ when a 31-day field is touched, date__ otherwise") {
  auto mv = query(R"({"metrics":["total_usage"],"dimensions":["model"],"granularity":"day"})");
  CHECK(rows(mv)[0].as_object().contains("date__day"));
  auto gen = query(R"({"metrics":["total_usage"],"dimensions":["provider"],"granularity":"day"})");
  CHECK(rows(gen)[0].as_object().contains("created_at__day"));
  auto metric = query(R"({"metrics":["avg_latency"],"granularity":"day"})");
  CHECK(rows(metric)[0].as_object().contains("created_at__day"));
  auto filter = query(R"({"metrics":["total_usage"],"granularity":"day","filters":[{"field":"country","operator":"eq","value":"US"}]})");
  CHECK(rows(filter)[0].as_object().contains("created_at__day"));
}

TEST_CASE("counts are decimal strings, money and rates numbers, unused usage_* null") {
  auto v = query(with_oct(R"("metrics":["request_count","tokens_total","total_usage","cache_hit_rate","usage_web","usage_data"],"dimensions":["api_key_id"])"));
  bool saw_null_web = false, saw_web = false;
  for (auto& r : rows(v)) {
    CHECK(r.at("request_count").is_string());
    CHECK(r.at("tokens_total").is_string());
    CHECK(r.at("total_usage").is_double());
    if (r.at("usage_web").is_null()) saw_null_web = true;
    else saw_web = true;
  }
  CHECK(saw_null_web);
  CHECK(saw_web);
  // Plain decimals on the wire, not exponent notation.
  auto raw = post(demo(), "analytics/query", demo().management_key(), R"({"metrics":["total_usage"]})");
  CHECK(raw.body.find("E") == std::string::npos);
}

TEST_CASE("order_by on metrics, dimensions, request_count and date") {
  auto asc = query(with_oct(R"("metrics":["total_usage"],"dimensions":["model"],"order_by":{"field":"total_usage","direction":"asc"})"));
  for (std::size_t i = 1; i < rows(asc).size(); ++i)
    CHECK(num(rows(asc)[i - 1].at("total_usage")) <= num(rows(asc)[i].at("total_usage")));
  auto by_dim = query(with_oct(R"("metrics":["total_usage"],"dimensions":["model"],"order_by":{"field":"model","direction":"asc"})"));
  for (std::size_t i = 1; i < rows(by_dim).size(); ++i)
    CHECK(rows(by_dim)[i - 1].at("model").as_string() < rows(by_dim)[i].at("model").as_string());
  auto by_count = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"],"order_by":{"field":"request_count","direction":"desc"})"));
  CHECK(rows(by_count).size() == 12);
  auto date_asc = query(R"({"metrics":["total_usage"],"granularity":"day","order_by":{"field":"date","direction":"asc"}})");
  CHECK(rows(date_asc).front().at("date__day").as_string() < rows(date_asc).back().at("date__day").as_string());
  auto def = query(with_oct(R"("metrics":["total_usage"],"dimensions":["model"])"));
  for (std::size_t i = 1; i < rows(def).size(); ++i)
    CHECK(num(rows(def)[i - 1].at("total_usage")) >= num(rows(def)[i].at("total_usage")));
  CHECK(bad(R"({"metrics":["total_usage"],"order_by":{"field":"tokens_total","direction":"desc"}})").find("order_by.field") == 0);
}

TEST_CASE("limit, truncated, group_limit, the automatic group limit and the raised limit") {
  auto lim = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"],"limit":3)"));
  CHECK(rows(lim).size() == 3);
  CHECK(lim.at("data").at("metadata").at("truncated") == true);
  CHECK(lim.at("data").at("metadata").at("row_count") == 3);
  auto full = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"])"));
  CHECK(full.at("data").at("metadata").at("truncated") == false);
  CHECK(full.at("data").at("metadata").at("query_time_ms").is_number());
  // Time series with a dimension and no group_limit: limit raised to fit buckets x groups.
  auto series = query(with_oct(R"("metrics":["total_usage"],"dimensions":["model"],"granularity":"day","limit":5)"));
  CHECK(rows(series).size() == 31 * 11);
  CHECK(series.at("data").at("metadata").at("truncated") == false);
  // Explicit group_limit keeps the top N rows per model.
  auto top = query(with_oct(R"("metrics":["total_usage"],"dimensions":["model"],"granularity":"day","group_limit":2,"order_by":{"field":"total_usage","direction":"desc"})"));
  CHECK(rows(top).size() == 2 * 11);
  std::map<std::string, int> per;
  for (auto& r : rows(top)) per[std::string(r.at("model").as_string())]++;
  for (auto& [m, n] : per) CHECK(n == 2);
}

TEST_CASE("labels in rows, raw ids in filters: keys, apps, users, workspaces") {
  auto keys = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"])"));
  std::set<std::string> names;
  for (auto& r : rows(keys)) names.insert(std::string(r.at("api_key_id").as_string()));
  CHECK(names.count("batch-pipeline") == 1);
  auto by_id = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"eq","value":900101}])"));
  REQUIRE(rows(by_id).size() == 1);
  CHECK(rows(by_id)[0].at("api_key_id") == "batch-pipeline");
  auto keys_list = parse(get(demo(), "keys?workspace_id=b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8", demo().management_key()).body);
  std::string hash;
  for (auto& k : keys_list.at("data").as_array())
    if (k.at("name") == "batch-pipeline") hash = std::string(k.at("hash").as_string());
  REQUIRE(hash.size() == 64);
  auto by_hash = query(with_oct(R"("metrics":["total_usage"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"eq","value":")" + hash + R"("}])"));
  REQUIRE(rows(by_hash).size() == 1);
  CHECK(rows(by_hash)[0].at("total_usage") == rows(by_id)[0].at("total_usage"));
  auto by_name = query(with_oct(R"("metrics":["total_usage"],"filters":[{"field":"api_key_id","operator":"eq","value":"batch-pipeline"}])"));
  CHECK(rows(by_name).empty());
  auto unknown = query(with_oct(R"("metrics":["total_usage"],"filters":[{"field":"api_key_id","operator":"eq","value":"0000000000000000000000000000000000000000000000000000000000000000"}])"));
  CHECK(rows(unknown).empty());
  REQUIRE(unknown.at("data").as_object().contains("warnings"));
  CHECK(unknown.at("data").at("warnings").as_array()[0] == "Could not resolve api_key_id hash: 00000000...");
  auto app = query(with_oct(R"("metrics":["total_usage"],"dimensions":["app"],"filters":[{"field":"app","operator":"eq","value":4103}])"));
  REQUIRE(rows(app).size() == 1);
  CHECK(rows(app)[0].at("app") == "Acme Research");
  auto users = query(with_oct(R"("metrics":["total_usage"],"dimensions":["user"])"));
  bool null_user = false, email = false, null_name_with_email = false;
  for (auto& r : rows(users)) {
    CHECK(r.as_object().contains("user_email"));
    if (r.at("user").is_null() && r.at("user_email").is_null()) null_user = true;
    if (r.at("user").is_null() && !r.at("user_email").is_null()) null_name_with_email = true;
    if (r.at("user") == "Priya Raman") email = r.at("user_email") == "priya.raman@acme.dev";
  }
  CHECK(null_user);
  CHECK(email);
  CHECK(null_name_with_email);
  auto by_user = query(with_oct(R"("metrics":["total_usage"],"dimensions":["user"],"filters":[{"field":"user","operator":"eq","value":"user_2pQx7RamanPriya"}])"));
  REQUIRE(rows(by_user).size() == 1);
  auto ws = query(with_oct(R"("metrics":["total_usage"],"dimensions":["workspace"],"filters":[{"field":"workspace","operator":"eq","value":"b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8"}])"));
  REQUIRE(rows(ws).size() == 1);
  CHECK(rows(ws)[0].at("workspace") == "Data Platform");
}

TEST_CASE("every operator, with include_unset on dimensions that can be unset") {
  auto all = query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"])"));
  REQUIRE(rows(all).size() == 12);
  auto count = [](const boost::json::value& v) { return rows(v).size(); };
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"neq","value":900101}])"))) == 11);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"in","value":[900101,"900102"]}])"))) == 2);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"not_in","value":[900101,900102]}])"))) == 10);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"gt","value":900110}])"))) == 2);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"gte","value":900110}])"))) == 3);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"lt","value":900103}])"))) == 2);
  CHECK(count(query(with_oct(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"lte","value":900103}])"))) == 3);
  auto apps = query(with_oct(R"("metrics":["request_count"],"dimensions":["app"],"filters":[{"field":"app","operator":"in","value":[4101]}])"));
  CHECK(count(apps) == 1);
  auto with_unset = query(with_oct(R"("metrics":["request_count"],"dimensions":["app"],"filters":[{"field":"app","operator":"in","value":[4101],"include_unset":true}])"));
  CHECK(count(with_unset) == 2);
  bool has_null = false;
  for (auto& r : rows(with_unset)) has_null |= r.at("app").is_null();
  CHECK(has_null);
  auto not_in = query(with_oct(R"("metrics":["request_count"],"dimensions":["app"],"filters":[{"field":"app","operator":"not_in","value":[4101]}])"));
  CHECK(count(not_in) == 4);
  auto not_in_unset = query(with_oct(R"("metrics":["request_count"],"dimensions":["app"],"filters":[{"field":"app","operator":"not_in","value":[4101],"include_unset":true}])"));
  CHECK(count(not_in_unset) == 5);
}

TEST_CASE("an identical query repeated soon is served with cachedAt") {
  const std::string body = R"({"metrics":["total_usage","request_count"],"dimensions":["model"],"limit":7})";
  auto first = query(body);
  CHECK_FALSE(first.at("data").as_object().contains("cachedAt"));
  auto second = query(body);
  REQUIRE(second.at("data").as_object().contains("cachedAt"));
  CHECK(second.at("data").at("cachedAt").to_number<double>() >= static_cast<double>(kNow));
  CHECK(rows(first) == rows(second));
}

TEST_CASE("rate metrics are weighted, percentiles come from the raw latencies") {
  auto v = query(with_oct(R"("metrics":["cache_hit_rate","cached_tokens","tokens_prompt"],"dimensions":["model"])"));
  for (auto& r : rows(v)) {
    const double prompt = num(r.at("tokens_prompt"));
    if (prompt > 0) CHECK(num(r.at("cache_hit_rate")) == doctest::Approx(num(r.at("cached_tokens")) / prompt).epsilon(1e-9));
  }
  auto g = query(R"({"metrics":["avg_latency","p50_latency","p99_latency","p90_throughput","avg_throughput"],"dimensions":["generation_id"],"limit":5,"time_range":{"start":"2026-11-17T00:00:00Z","end":"2026-11-18T00:00:00Z"}})");
  for (auto& r : rows(g)) {
    CHECK(num(r.at("avg_latency")) == doctest::Approx(num(r.at("p50_latency"))));
    CHECK(num(r.at("p99_latency")) == doctest::Approx(num(r.at("p50_latency"))));
    CHECK(num(r.at("avg_throughput")) == doctest::Approx(num(r.at("p90_throughput"))));
  }
  auto p = query(R"({"metrics":["p50_latency","p90_latency","p99_latency","avg_latency"],"dimensions":["provider"]})");
  for (auto& r : rows(p)) {
    CHECK(num(r.at("p50_latency")) <= num(r.at("p90_latency")));
    CHECK(num(r.at("p90_latency")) <= num(r.at("p99_latency")));
  }
}

TEST_CASE("every metric and every dimension of the catalogue is accepted") {
  auto meta = parse(get(demo(), "analytics/meta", demo().management_key()).body).at("data");
  for (auto& m : meta.at("metrics").as_array()) {
    const std::string body = R"({"metrics":[")" + std::string(m.at("name").as_string()) +
                             R"("],"time_range":{"start":"2026-11-10T00:00:00Z","end":"2026-11-11T00:00:00Z"}})";
    auto v = query(body);
    CHECK(rows(v).size() == 1);
  }
  for (auto& d : meta.at("dimensions").as_array()) {
    const std::string name(d.at("name").as_string());
    const std::string body = R"({"metrics":["request_count"],"dimensions":[")" + name +
                             R"("],"limit":50,"time_range":{"start":"2026-11-10T00:00:00Z","end":"2026-11-11T00:00:00Z"}})";
    auto v = query(body);
    CHECK(!rows(v).empty());
    CHECK(rows(v)[0].as_object().contains(name));
  }
}

TEST_CASE("generation-level dimensions: provider, country, finish_reason, context buckets") {
  auto v = query(R"({"metrics":["request_count"],"dimensions":["context_length_bucket"]})");
  std::set<std::string> buckets;
  for (auto& r : rows(v)) buckets.insert(std::string(r.at("context_length_bucket").as_string()));
  CHECK(buckets.count("10K") == 1);
  CHECK(buckets.count("100K") == 1);
  auto f = query(R"({"metrics":["request_count"],"dimensions":["finish_reason"]})");
  std::set<std::string> reasons;
  for (auto& r : rows(f)) reasons.insert(std::string(r.at("finish_reason").as_string()));
  CHECK(reasons.count("stop") == 1);
  CHECK(reasons.count("tool_calls") == 1);
}

TEST_CASE("variant groups models by their variant value") {
  auto v = query(R"({"metrics":["request_count"],"dimensions":["variant"]})");
  REQUIRE(rows(v).size() == 1);
  CHECK(rows(v)[0].at("variant") == "standard");
  auto f = query(R"({"metrics":["request_count"],"filters":[{"field":"variant","operator":"eq","value":"standard"}]})");
  CHECK(rows(f)[0].at("request_count") == rows(v)[0].at("request_count"));
}
