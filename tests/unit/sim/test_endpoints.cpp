// Activity, credits, keys, key, generation and the datasets, over raw HTTP; rate limits.
#include "tests/unit/sim/sim_fixture.hpp"

#include <map>
#include <set>

using namespace simtest;

namespace {
boost::json::value get_json(const std::string& path, const std::string& token, int status = 200) {
  auto r = get(demo(), path, token);
  CHECK(r.status == status);
  if (r.status != status) MESSAGE(r.body);
  return parse(r.body);
}
}  // namespace

TEST_CASE("activity covers the last 30 completed UTC days, newest first, integers as numbers") {
  auto v = get_json("activity", demo().management_key());
  std::set<std::string> days;
  for (auto& r : v.at("data").as_array()) {
    days.insert(std::string(r.at("date").as_string()));
    CHECK(r.at("requests").is_int64());
    CHECK(r.at("prompt_tokens").is_int64());
    CHECK(r.at("usage").is_number());
    CHECK(r.at("endpoint_id").as_string().size() == 36);
    CHECK_FALSE(r.as_object().contains("workspace_id"));
  }
  CHECK(days.size() == 30);
  CHECK(*days.rbegin() == "2026-11-17");
  CHECK(*days.begin() == "2026-10-19");
  CHECK(v.at("data").as_array()[0].at("date") == "2026-11-17");
}

TEST_CASE("activity for a day agrees with analytics for that day") {
  auto a = get_json("activity?date=2026-11-10", demo().management_key());
  double usage = 0, byok = 0, requests = 0, prompt = 0, completion = 0, reasoning = 0;
  for (auto& r : a.at("data").as_array()) {
    CHECK(r.at("date") == "2026-11-10");
    usage += num(r.at("usage"));
    byok += num(r.at("byok_usage_inference"));
    requests += num(r.at("requests"));
    prompt += num(r.at("prompt_tokens"));
    completion += num(r.at("completion_tokens"));
    reasoning += num(r.at("reasoning_tokens"));
  }
  auto q = query(R"({"metrics":["credits_usage","byok_usage","total_usage","request_count","tokens_prompt","tokens_completion","reasoning_tokens"],"time_range":{"start":"2026-11-10T00:00:00Z","end":"2026-11-11T00:00:00Z"}})");
  auto& row = rows(q)[0];
  CHECK(num(row.at("credits_usage")) == doctest::Approx(usage).epsilon(1e-9));
  CHECK(num(row.at("byok_usage")) == doctest::Approx(byok).epsilon(1e-9));
  CHECK(num(row.at("total_usage")) == doctest::Approx(usage + byok).epsilon(1e-9));
  CHECK(num(row.at("request_count")) == requests);
  CHECK(num(row.at("tokens_prompt")) == prompt);
  CHECK(num(row.at("tokens_completion")) == completion);
  CHECK(num(row.at("reasoning_tokens")) == reasoning);
}

TEST_CASE("activity filters and group_by=workspace") {
  auto ws = get_json("activity?date=2026-11-10&group_by=workspace", demo().management_key());
  std::set<std::string> ids;
  for (auto& r : ws.at("data").as_array()) ids.insert(std::string(r.at("workspace_id").as_string()));
  CHECK(ids.size() == 3);
  auto one = get_json("activity?date=2026-11-10&workspace_id=b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8", demo().management_key());
  CHECK_FALSE(one.at("data").as_array().empty());
  auto keys = get_json("keys?workspace_id=b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8", demo().management_key());
  std::string hash;
  for (auto& k : keys.at("data").as_array())
    if (k.at("name") == "batch-pipeline") hash = std::string(k.at("hash").as_string());
  REQUIRE(hash.size() == 64);
  auto by_key = get_json("activity?date=2026-11-10&api_key_hash=" + hash, demo().management_key());
  for (auto& r : by_key.at("data").as_array()) CHECK(r.at("model") == "openai/gpt-4.5-preview");
  auto by_user = get_json("activity?user_id=user_2pQx7RamanPriya&date=2026-11-10", demo().management_key());
  CHECK_FALSE(by_user.at("data").as_array().empty());
  get_json("activity?date=2026-13-01", demo().management_key(), 400);
  get_json("activity?date=2026-11-18", demo().management_key(), 400);  // today is never included
  get_json("activity?date=2026-09-01", demo().management_key(), 400);
  get_json("activity?group_by=model", demo().management_key(), 400);
  get_json("activity?api_key_hash=abc", demo().management_key(), 404);
  get_json("activity?workspace_id=00000000-0000-4000-8000-000000000000", demo().management_key(), 404);
}

TEST_CASE("credits total_usage equals all credits usage analytics reports") {
  auto c = get_json("credits", demo().management_key());
  const double total = num(c.at("data").at("total_usage"));
  CHECK(num(c.at("data").at("total_credits")) > total);
  auto q = query(R"({"metrics":["credits_usage"],"time_range":{"start":"2025-11-18T12:00:00Z","end":"2026-11-18T12:00:00Z"}})");
  CHECK(num(rows(q)[0].at("credits_usage")) == doctest::Approx(total).epsilon(1e-9));
  // (Not compared with total_credits_usage(): /credits is served from it. Figures checked
  // against hand-worked values: test_hand_scenario.cpp.)
}

TEST_CASE("keys list hashes and usage - key reports the key kind") {
  // /keys lists one workspace (the default one unless workspace_id): 3 + 5 + 4 keys.
  boost::json::array a;
  for (const char* ws : {"", "?workspace_id=b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8",
                         "?workspace_id=e9c8b7a6-1d2e-4f3a-8b9c-0d1e2f3a4b5c"})
  {
    const boost::json::value list = get_json(std::string("keys") + ws, demo().management_key());
    for (auto& key : list.at("data").as_array()) a.push_back(key);
  }
  CHECK(a.size() == 12);
  for (auto& key : a) {
    CHECK(key.at("hash").as_string().size() == 64);
    CHECK(key.at("usage").is_number());
    CHECK(key.at("label").as_string().starts_with("sk-or-v1-"));
  }
  auto mk = get_json("key", demo().management_key());
  CHECK(mk.at("data").at("is_management_key") == true);
  CHECK(mk.at("data").at("is_provisioning_key") == true);
  auto ik = get_json("key", demo().inference_key());
  CHECK(ik.at("data").at("is_management_key") == false);
  CHECK(ik.at("data").at("label") == "sk-or-v1-648...c09");  // support-bot-prod
}

TEST_CASE("generation lookup by an id from the generation_id dimension") {
  auto q = query(R"({"metrics":["total_usage","tokens_prompt"],"dimensions":["generation_id"],"limit":1,"time_range":{"start":"2026-11-17T00:00:00Z","end":"2026-11-18T00:00:00Z"}})");
  REQUIRE(rows(q).size() == 1);
  const std::string id(rows(q)[0].at("generation_id").as_string());
  CHECK(id.starts_with("gen-"));
  auto g = get_json("generation?id=" + id, demo().inference_key());
  auto& d = g.at("data");
  CHECK(d.at("id").as_string() == id);
  CHECK(num(d.at("tokens_prompt")) == num(rows(q)[0].at("tokens_prompt")));
  CHECK(num(d.at("total_cost")) == doctest::Approx(num(rows(q)[0].at("total_usage"))).epsilon(1e-9));
  for (auto f : {"provider_name", "latency", "generation_time", "finish_reason", "is_byok", "model", "workspace_id", "app_id"})
    CHECK(d.as_object().contains(f));
  auto filtered = query(R"({"metrics":["request_count"],"filters":[{"field":"generation_id","operator":"eq","value":")" + id + R"("}],"time_range":{"start":"2026-11-17T00:00:00Z","end":"2026-11-18T00:00:00Z"}})");
  CHECK(rows(filtered)[0].at("request_count") == "1");
  get_json("generation?id=gen-1-unknown", demo().management_key(), 404);
  get_json("generation", demo().management_key(), 400);
}

TEST_CASE("rankings-daily: default window, top 50 plus other, strings, meta") {
  auto v = get_json("datasets/rankings-daily", demo().inference_key());
  auto& meta = v.at("meta");
  CHECK(meta.at("version") == "v1");
  CHECK(meta.at("end_date") == "2026-11-17");
  CHECK(meta.at("start_date") == "2026-10-19");
  CHECK(meta.at("as_of").as_string().ends_with("Z"));
  std::map<std::string, int> per_day;
  std::string last_date, last_model;
  for (auto& r : v.at("data").as_array()) {
    CHECK(r.at("total_tokens").is_string());
    per_day[std::string(r.at("date").as_string())]++;
    last_model = std::string(r.at("model_permaslug").as_string());
  }
  CHECK(per_day.size() == 30);
  for (auto& [d, n] : per_day) CHECK(n == 51);
  CHECK(last_model == "other");
  auto clamped = get_json("datasets/rankings-daily?start_date=2024-06-01&end_date=2025-01-03", demo().inference_key());
  CHECK(clamped.at("meta").at("start_date") == "2025-01-01");
  get_json("datasets/rankings-daily?end_date=2024-12-31", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?start_date=2026-02-30", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?start_date=26-01-01", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?start_date=2025-01-01&end_date=2026-11-01", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?start_date=2026-11-10&end_date=2026-11-01", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?category=programming&period=day", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?category=programming&language_type=natural", demo().inference_key(), 400);
  get_json("datasets/rankings-daily?category=programming&modality=text", demo().inference_key(), 400);
  auto weekly = get_json("datasets/rankings-daily?period=week&start_date=2026-11-02&end_date=2026-11-15", demo().inference_key());
  CHECK(weekly.at("data").as_array()[0].at("date") == "2026-11-02");  // ISO weeks start on Monday
  get_json("datasets/rankings-daily?modality=text&context_bucket=100K", demo().inference_key());
}

TEST_CASE("app-rankings: absolute ranks, limits, category consistency") {
  auto p = get_json("datasets/app-rankings?limit=10&offset=50", demo().inference_key());
  auto& a = p.at("data").as_array();
  REQUIRE(a.size() == 10);
  CHECK(a[0].at("rank") == 51);
  CHECK(a[0].at("total_tokens").is_string());
  CHECK(a[0].at("total_requests").is_int64());
  get_json("datasets/app-rankings?limit=101", demo().inference_key(), 400);
  get_json("datasets/app-rankings?offset=101", demo().inference_key(), 400);
  get_json("datasets/app-rankings?category=coding&subcategory=roleplay", demo().inference_key(), 400);
  auto sub = get_json("datasets/app-rankings?category=coding&subcategory=cli-agent", demo().inference_key());
  CHECK(sub.at("data").as_array()[0].at("rank") == 1);
  auto trending = get_json("datasets/app-rankings?sort=trending", demo().inference_key());
  CHECK(trending.at("data").as_array().size() <= 50);
}

TEST_CASE("session-cost: cells, filters and the weekly window meta") {
  auto v = get_json("datasets/session-cost?turn_range=10-49-turns&limit=5", demo().inference_key());
  CHECK(v.at("data").as_array().size() == 5);
  for (auto& r : v.at("data").as_array()) {
    CHECK(r.at("turn_range") == "10-49-turns");
    CHECK(r.at("median_session_cost_usd").is_number());
  }
  CHECK(v.at("meta").at("window_days") == 30);
  CHECK(v.at("meta").at("window_end_date") == "2026-11-15");
  get_json("datasets/session-cost?turn_range=3-turns", demo().inference_key(), 400);
  get_json("datasets/session-cost?limit=501", demo().inference_key(), 400);
}

TEST_CASE("analytics rate limit: 64 per minute, then 429 with Retry-After and X-RateLimit headers") {
  auto server = orscript::sim::Server::start(options(true));
  rawhttp::Conn c(server->port());
  for (int i = 0; i < 64; ++i) {
    auto r = c.request("GET", "/api/v1/analytics/meta", rawhttp::bearer(server->management_key()));
    REQUIRE(r.status == 200);
    CHECK(r.header("x-ratelimit-limit") == "64");
    CHECK(r.header("x-ratelimit-remaining") == std::to_string(63 - i));
  }
  auto r = c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(server->management_key()), R"({"metrics":["request_count"]})");
  CHECK(r.status == 429);
  CHECK(error_message(r.body) == "Rate limit exceeded");
  CHECK(std::stoi(r.header("retry-after")) >= 1);
  CHECK(r.header("x-ratelimit-limit") == "64");
  CHECK(r.header("x-ratelimit-remaining") == "0");
  CHECK(r.header("x-ratelimit-reset").size() >= 13);
  // Datasets have their own limit.
  CHECK(c.request("GET", "/api/v1/datasets/session-cost", rawhttp::bearer(server->management_key())).status == 200);
}

TEST_CASE("datasets rate limit: 30 per minute per key") {
  auto server = orscript::sim::Server::start(options(true));
  rawhttp::Conn c(server->port());
  for (int i = 0; i < 30; ++i)
    REQUIRE(c.request("GET", "/api/v1/datasets/session-cost?limit=1", rawhttp::bearer(server->inference_key())).status == 200);
  auto r = c.request("GET", "/api/v1/datasets/app-rankings", rawhttp::bearer(server->inference_key()));
  CHECK(r.status == 429);
  CHECK(r.header("x-ratelimit-limit") == "30");
  CHECK(!r.header("retry-after").empty());
  // Another key still has its own minute budget.
  CHECK(c.request("GET", "/api/v1/datasets/session-cost?limit=1", rawhttp::bearer(server->management_key())).status == 200);
}

TEST_CASE("rate limits can be switched off") {
  rawhttp::Conn c(demo().port());
  for (int i = 0; i < 70; ++i)
    REQUIRE(c.request("GET", "/api/v1/analytics/meta", rawhttp::bearer(demo().management_key())).status == 200);
}
