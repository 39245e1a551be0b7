// Key management (spec §13) and classifiers (spec §3.3) in the simulator.
#include "tests/unit/sim/sim_fixture.hpp"

#include <set>

using namespace simtest;
namespace json = boost::json;

namespace {

json::value call(const std::string& method, const std::string& path, int status, const std::string& body = {},
                 const std::string& token = demo().management_key()) {
  rawhttp::Conn c(demo().port());
  auto r = c.request(method, "/api/v1/" + path, rawhttp::bearer(token), body);
  CHECK(r.status == status);
  if (r.status != status) MESSAGE(method << " " << path << ": " << r.body);
  return parse(r.body);
}

constexpr const char* kDataPlatform = "b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8";
constexpr const char* kClassifier = "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";

std::string hash_of(const std::string& name) {
  for (const char* ws : {"7d0a2c1e-3b4f-4a6d-9e8c-1f2a3b4c5d6e", kDataPlatform, "e9c8b7a6-1d2e-4f3a-8b9c-0d1e2f3a4b5c"}) {
    const json::value list = call("GET", std::string("keys?include_disabled=true&workspace_id=") + ws, 200);
    for (auto& k : list.at("data").as_array())
      if (k.at("name").as_string() == name) return std::string(k.at("hash").as_string());
  }
  FAIL("no key " << name);
  return {};
}

std::string with_week(const std::string& fields) {
  return "{" + fields + R"(,"time_range":{"start":"2026-11-11T00:00:00Z","end":"2026-11-18T00:00:00Z"}})";
}

}  // namespace

TEST_CASE("every key field the SDK requires is present / nullable ones as null") {
  auto k = call("GET", std::string("keys?workspace_id=") + kDataPlatform, 200).at("data").as_array().at(0).as_object();
  for (const char* f : {"hash", "name", "label", "disabled", "limit", "limit_remaining", "limit_reset",
                        "include_byok_in_limit", "usage", "usage_daily", "usage_weekly", "usage_monthly", "byok_usage",
                        "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly", "created_at", "updated_at",
                        "creator_user_id", "external_user", "workspace_id"})
    CHECK_MESSAGE(k.contains(f), f);
  CHECK(k.at("workspace_id") == kDataPlatform);
  auto mk = call("GET", "key", 200).at("data").as_object();
  auto ik = call("GET", "key", 200, {}, demo().inference_key()).at("data").as_object();
  for (auto* o : {&mk, &ik})
    for (const char* f : {"allowed_data_regions", "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly",
                          "creator_user_id", "free_model_daily_requests", "organization_id", "rate_limit", "workspace_id",
                          "limit_remaining", "limit_reset", "is_free_tier", "usage_monthly"})
      CHECK_MESSAGE(o->contains(f), f);
}

TEST_CASE("/keys: default workspace / newest first / offset / include_disabled / workspace_id checks") {
  auto all = call("GET", std::string("keys?include_disabled=true&workspace_id=") + kDataPlatform, 200).at("data").as_array();
  REQUIRE(all.size() == 5);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].at("created_at").as_string() >= all[i].at("created_at").as_string());
  auto skip2 = call("GET", std::string("keys?include_disabled=true&offset=2&workspace_id=") + kDataPlatform, 200).at("data").as_array();
  REQUIRE(skip2.size() == 3);
  CHECK(skip2[0].at("hash") == all[2].at("hash"));
  call("GET", "keys?offset=-1", 400);
  call("GET", "keys?include_disabled=yes", 400);
  call("GET", "keys?workspace_id=Default", 400);
  call("GET", "keys?workspace_id=00000000-0000-4000-8000-000000000000", 400);
  call("GET", "keys", 403, {}, demo().inference_key());
}

TEST_CASE("PATCH /keys/{hash} changes later reads - limit_remaining follows the period - a disabled key is refused") {
  const std::string h = hash_of("support-bot-prod");  // the inference token's key
  auto before = call("GET", "keys/" + h, 200).at("data");
  CHECK(before.at("limit").is_null());
  auto after = call("PATCH", "keys/" + h, 200, R"({"limit":5,"limit_reset":"daily","include_byok_in_limit":false})").at("data");
  CHECK(after.at("limit") == 5);
  CHECK(after.at("limit_reset") == "daily");
  // remaining = limit - today's usage, never below 0
  CHECK(num(after.at("limit_remaining")) == doctest::Approx(std::max(0.0, 5 - num(before.at("usage_daily")))));
  CHECK(call("GET", "keys/" + h, 200).at("data").at("limit") == 5);
  CHECK(call("GET", "key", 200, {}, demo().inference_key()).at("data").at("limit") == 5);
  call("PATCH", "keys/" + h, 400, R"({"limit_reset":"yearly"})");
  call("PATCH", "keys/" + h, 400, R"({"limit":-1})");
  call("PATCH", "keys/" + h, 400, R"({"name":""})");
  call("PATCH", "keys/" + h, 200, R"({"disabled":true})");
  call("GET", "key", 401, {}, demo().inference_key());
  call("PATCH", "keys/" + h, 200, R"({"disabled":false,"limit":null,"limit_reset":null})");
  auto back = call("GET", "key", 200, {}, demo().inference_key()).at("data");
  CHECK(back.at("limit").is_null());
  call("GET", "keys/" + std::string(64, '0'), 404);
  call("PATCH", "keys/" + std::string(64, '0'), 404, "{}");
  call("DELETE", "keys/" + h, 405);
}

TEST_CASE("disabled keys leave the list unless include_disabled=true") {
  const std::string h = hash_of("staging");
  auto count = [] { return call("GET", "keys", 200).at("data").as_array().size(); };
  const auto n = count();
  call("PATCH", "keys/" + h, 200, R"({"disabled":true})");
  CHECK(count() == n - 1);
  CHECK(call("GET", "keys?include_disabled=true", 200).at("data").as_array().size() == n);
  call("PATCH", "keys/" + h, 200, R"({"disabled":false})");
  CHECK(count() == n);
}

TEST_CASE("workspaces: pages / total_count / by id or slug") {
  auto all = call("GET", "workspaces", 200);
  CHECK(all.at("total_count") == 3);
  CHECK(all.at("data").as_array().size() == 3);
  auto page = call("GET", "workspaces?limit=2&offset=2", 200);
  REQUIRE(page.at("data").as_array().size() == 1);
  CHECK(page.at("total_count") == 3);
  CHECK(call("GET", "workspaces/data-platform", 200).at("data").at("id") == kDataPlatform);
  CHECK(call("GET", std::string("workspaces/") + kDataPlatform, 200).at("data").at("slug") == "data-platform");
  call("GET", "workspaces/nope", 404);
  call("GET", "workspaces?limit=101", 400);
}

TEST_CASE("budgets: strictly decreasing lifetime > monthly > weekly > daily / lifetime has reset_interval null") {
  const std::string ws = "workspaces/product/budgets";
  call("PUT", ws + "/monthly", 200, R"({"limit_usd":300})");
  call("PUT", ws + "/daily", 200, R"({"limit_usd":20,"include_byok_in_budgets":true})");
  auto bad = call("PUT", ws + "/weekly", 400, R"({"limit_usd":15})");  // below daily
  CHECK(std::string(bad.at("error").at("message").as_string()).find("strictly decrease") != std::string::npos);
  call("PUT", ws + "/weekly", 400, R"({"limit_usd":300})");  // equal to monthly
  call("PUT", ws + "/lifetime", 400, R"({"limit_usd":250})");  // below monthly
  call("PUT", ws + "/weekly", 200, R"({"limit_usd":100})");
  call("PUT", ws + "/weekly", 400, R"({"limit_usd":0})");
  call("PUT", ws + "/yearly", 400, R"({"limit_usd":10})");
  auto life = call("PUT", ws + "/lifetime", 200, R"({"limit_usd":5000})").at("data");
  CHECK(life.at("reset_interval").is_null());
  auto list = call("GET", ws, 200);
  CHECK(list.at("data").as_array().size() == 4);
  CHECK(list.at("include_byok_in_budgets") == true);
  CHECK(call("GET", ws + "/weekly", 200).at("data").at("limit_usd") == 100);
  CHECK(call("DELETE", ws + "/weekly", 200).at("deleted") == true);
  CHECK(call("DELETE", ws + "/weekly", 200).at("deleted") == true);
  call("GET", ws + "/weekly", 404);
  call("GET", "workspaces/nope/budgets", 404);
  call("GET", ws, 403, {}, demo().inference_key());
}

TEST_CASE("time_range needs seconds") {
  query(R"({"metrics":["total_usage"],"time_range":{"start":"2026-11-01T00:00Z","end":"2026-11-15T00:00Z"}})", 400);
  query(R"({"metrics":["total_usage"],"time_range":{"start":"2026-11-01T00:00:00Z","end":"2026-11-15T00:00:00.000Z"}})");
}

TEST_CASE("classifier dimensions: one column per name / long form without names / nulls on request") {
  auto by_task = query(with_week(std::string(R"("metrics":["request_count"],"classifier_dimensions":{"classifier_id":")") +
                                 kClassifier + R"(","dimension_names":["task_type"]})"));
  double tagged = 0;
  std::set<std::string> labels;
  for (auto& r : rows(by_task)) {
    labels.insert(std::string(r.at("task_type").as_string()));
    tagged += num(r.at("request_count"));
  }
  CHECK(labels.count("code_generation") == 1);
  CHECK(labels.count("customer_support") == 1);
  auto total = query(with_week(R"("metrics":["request_count"])"));
  const double all = num(rows(total)[0].at("request_count"));
  CHECK(tagged < all);          // coverage 0.93: some generations are untagged
  CHECK(tagged > 0.9 * all);
  auto with_nulls = query(with_week(std::string(R"("metrics":["request_count"],"classifier_dimensions":{"classifier_id":")") +
                                    kClassifier + R"(","dimension_names":["task_type"],"include_nulls":true})"));
  double sum = 0;
  bool null_row = false;
  for (auto& r : rows(with_nulls)) {
    sum += num(r.at("request_count"));
    null_row |= r.at("task_type").is_null();
  }
  CHECK(null_row);
  CHECK(sum == all);
  auto long_form = query(with_week(std::string(R"("metrics":["request_count"],"classifier_dimensions":{"classifier_id":")") +
                                   kClassifier + R"("})"));
  double per_dim = 0;
  for (auto& r : rows(long_form))
    if (r.at("clf_dimension_name") == "complexity") per_dim += num(r.at("request_count"));
  CHECK(per_dim == tagged);  // every tagged generation has one complexity label
  // coding-agent's stream only has code labels
  auto coding = query(with_week(std::string(R"("metrics":["request_count"],"dimensions":["api_key_id"],"filters":[{"field":"api_key_id","operator":"eq","value":900104}],"classifier_dimensions":{"classifier_id":")") +
                                kClassifier + R"(","dimension_names":["task_type","complexity"]})"));
  for (auto& r : rows(coding)) {
    const std::string t(r.at("task_type").as_string());
    CHECK((t == "code_generation" || t == "debugging" || t == "code_review"));
  }
}

TEST_CASE("classifier filters narrow the rows - bad classifier fields are 400 with zod-style texts") {
  const std::string id = kClassifier;
  auto only = query(with_week(R"("metrics":["request_count"],"dimensions":["api_key_id"],"classifier_filters":{"classifier_id":")" + id +
                              R"(","filters":[{"field":"task_type","operator":"in","value":["code_generation","debugging"]}]})"));
  REQUIRE(rows(only).size() == 1);
  CHECK(rows(only)[0].at("api_key_id") == "coding-agent");
  auto bad = [&](const std::string& fields, const std::string& text) {
    auto v = query(with_week(R"("metrics":["request_count"],)" + fields), 400);
    const std::string m(v.at("error").at("message").as_string());
    CHECK_MESSAGE(m.find(text) != std::string::npos, m);
  };
  bad(R"("classifier_dimensions":{"classifier_id":"00000000-0000-4000-8000-000000000000"})", "Classifier not found");
  bad(R"("classifier_dimensions":{"classifier_id":")" + id + R"(","dimension_names":["a","b","c"]})",
      "classifier_dimensions.dimension_names: Too big: expected array to have <=2 items");
  bad(R"("classifier_dimensions":{"classifier_id":")" + id + R"(","dimension_names":["task type"]})",
      "classifier_dimensions.dimension_names.0: Invalid dimension name");
  bad(R"("classifier_dimensions":{"classifier_id":")" + id + R"(","dimension_names":["topic"]})",
      "Unknown dimension \"topic\"");
  bad(R"("classifier_filters":{"classifier_id":")" + id + R"(","filters":[{"field":"task_type","operator":"gt","value":"a"}]})",
      "classifier_filters.filters.0.operator: Invalid option: expected one of \"eq\"|\"neq\"|\"in\"|\"not_in\"");
  bad(R"("classifier_filters":{"classifier_id":")" + id + R"(","filters":[{"field":"task_type","operator":"in","value":"chat"}]})",
      "classifier_filters.filters.0.value: Operator \"in\" requires an array value");
  bad(R"("classifier_filters":{"classifier_id":")" + id + R"(","filters":[]})", "Too small: expected array to have >=1 items");
  bad(R"("classifier_dimensions":{"classifier_id":")" + id + R"("},"classifier_filters":{"classifier_id":"5f1c2d3e-4b5a-4c6d-8e7f-000000000000","filters":[{"field":"task_type","operator":"eq","value":"chat"}]})",
      "must equal classifier_dimensions.classifier_id");
  auto long_range = query(std::string(R"({"metrics":["request_count"],"classifier_dimensions":{"classifier_id":")") + id +
                              R"("},"time_range":{"start":"2026-09-01T00:00:00Z","end":"2026-11-01T00:00:00Z"}})", 400);
  CHECK(std::string(long_range.at("error").at("message").as_string()).find("31 days") != std::string::npos);
}
