#include "sim/endpoints.hpp"

#include "sim/catalogue.hpp"
#include "sim/datasets.hpp"
#include "host/core/json_text.hpp"
#include "sim/query_engine.hpp"
#include "sim/time_util.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace orscript::sim {

namespace json = boost::json;

const char* reason_phrase(int s) {
  switch (s) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 524: return "A Timeout Occurred";
    case 529: return "Site Overloaded";
    default: return s < 500 ? "Client Error" : "Server Error";
  }
}

namespace {

std::string default_message(int status) {
  switch (status) {
    case 400: return "Invalid request parameters";
    case 401: return "Missing Authentication header";
    case 403: return "Only management keys can perform this operation";
    case 404: return "Resource not found";
    case 408: return "Operation timed out. Please try again later.";
    case 429: return "Rate limit exceeded";
    case 500: return "Internal Server Error";
    case 502: return "Provider returned error";
    case 503: return "Service Unavailable";
    default: return reason_phrase(status);
  }
}

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.body = to_json_text(body);
  return r;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void rate_headers(HttpResponse& r, const RateDecision& d) {
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  r.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_epoch_ms));
}

HttpResponse too_many(const RateDecision& d) {
  HttpResponse r = error_response(429, "Rate limit exceeded");
  r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
  rate_headers(r, d);
  return r;
}

enum class Access { management, any };
enum class Limit { none, analytics, datasets };
struct Route {
  const char* path;  // "keys/{hash}": a {name} segment matches any one segment
  const char* method;
  Access access;
  Limit limit;
};
constexpr Route kRoutes[] = {
    {"analytics/meta", "GET", Access::management, Limit::analytics},
    {"analytics/query", "POST", Access::management, Limit::analytics},
    {"activity", "GET", Access::management, Limit::none},
    {"credits", "GET", Access::management, Limit::none},
    {"keys", "GET", Access::management, Limit::none},
    {"keys/{hash}", "GET", Access::management, Limit::none},
    {"keys/{hash}", "PATCH", Access::management, Limit::none},
    {"key", "GET", Access::any, Limit::none},
    {"workspaces", "GET", Access::management, Limit::none},
    {"workspaces/{ref}", "GET", Access::management, Limit::none},
    {"workspaces/{ref}/budgets", "GET", Access::management, Limit::none},
    {"workspaces/{ref}/budgets/{interval}", "GET", Access::management, Limit::none},
    {"workspaces/{ref}/budgets/{interval}", "PUT", Access::management, Limit::none},
    {"workspaces/{ref}/budgets/{interval}", "DELETE", Access::management, Limit::none},
    {"generation", "GET", Access::any, Limit::none},
    {"datasets/rankings-daily", "GET", Access::any, Limit::datasets},
    {"datasets/app-rankings", "GET", Access::any, Limit::datasets},
    {"datasets/session-cost", "GET", Access::any, Limit::datasets},
};

// Matches `endpoint` against a route pattern; fills `args` with the {captures}.
bool match_route(std::string_view pattern, std::string_view endpoint, std::map<std::string, std::string>& args) {
  args.clear();
  while (true) {
    const auto ps = pattern.find('/'), es = endpoint.find('/');
    const std::string_view pseg = pattern.substr(0, ps), eseg = endpoint.substr(0, es);
    if (pseg.size() > 2 && pseg.front() == '{') {
      if (eseg.empty()) return false;
      args[std::string(pseg.substr(1, pseg.size() - 2))] = decode(eseg);
    } else if (pseg != eseg) {
      return false;
    }
    if ((ps == std::string_view::npos) != (es == std::string_view::npos)) return false;
    if (ps == std::string_view::npos) return true;
    pattern.remove_prefix(ps + 1);
    endpoint.remove_prefix(es + 1);
  }
}

}  // namespace

std::map<std::string, std::string> parse_query_string(const std::string& qs) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= qs.size()) {
    std::size_t amp = qs.find('&', start);
    if (amp == std::string::npos) amp = qs.size();
    const std::string_view part(qs.data() + start, amp - start);
    if (!part.empty()) {
      const auto eq = part.find('=');
      out[decode(part.substr(0, eq))] = eq == std::string_view::npos ? "" : decode(part.substr(eq + 1));
    }
    start = amp + 1;
  }
  return out;
}

HttpResponse error_response(int status, const std::string& message) {
  return json_response(status, error_body(status, message));
}

Api::Api(std::shared_ptr<const Store> store, const ApiOptions& options)
    : store_(std::move(store)), options_(options), faults_(options.faults, store_->seed),
      started_(std::chrono::steady_clock::now()) {
  const Store& s = *store_;
  for (auto& k : s.scenario.keys)
    keys_.push_back(KeyState{k.name, k.disabled, k.limit, k.limit_reset, k.include_byok_in_limit, ""});
  workspaces_.resize(s.scenario.workspaces.size());
  key_usage_.resize(s.scenario.keys.size());
  const std::int64_t today = day_index(s.now_ms) * kDayMs;
  const std::int64_t week = today - ((weekday(day_index(s.now_ms)) + 6) % 7) * kDayMs;  // Monday
  const std::int64_t month = bucket_start(Granularity::month, s.now_ms);
  auto add = [&](int key, std::int64_t t, double usage, double byok) {
    KeyUsage& k = key_usage_[static_cast<std::size_t>(key)];
    k.usage += usage;
    k.byok += byok;
    if (t >= today) k.daily += usage, k.byok_daily += byok;
    if (t >= week) k.weekly += usage, k.byok_weekly += byok;
    if (t >= month) k.monthly += usage, k.byok_monthly += byok;
    total_usage_ += usage;
  };
  for (std::size_t i = 0; i < s.events.size(); ++i)
    add(s.scenario.streams[s.events.stream[i]].key, s.events.time_ms[i], s.event_usage(i), s.event_byok_inference(i));
  for (std::size_t i = 0; i < s.rollups.size(); ++i)
    add(s.scenario.streams[s.rollups.stream[i]].key, s.rollups.hour_ms[i], s.rollup_value(Col::usage, i),
        s.rollup_value(Col::byok_inference, i));
}

std::int64_t Api::clock_ms() const {
  return store_->now_ms +
         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
}

HttpResponse Api::handle(const HttpRequest& req) {
  const auto q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  const std::string qs = q == std::string::npos ? "" : req.target.substr(q + 1);
  if (path.rfind("/api/v1/", 0) != 0) return error_response(404, "Resource not found");
  std::string endpoint = path.substr(8);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  const FaultDecision f = faults_.decide(endpoint);
  HttpResponse r;
  if (f.burst429) {
    RateDecision d;
    d.allowed = false;
    d.limit = 64;
    d.retry_after_s = 1;
    d.reset_epoch_ms = clock_ms() + 1000;
    r = too_many(d);
  } else if (f.status) {
    r = error_response(*f.status, default_message(*f.status));
    if (*f.status == 429 || *f.status == 503) r.headers.emplace_back("Retry-After", "1");
  } else {
    r = route(req, endpoint, qs);
  }
  if (f.html) {
    r.status = 200;
    r.content_type = "text/html; charset=utf-8";
    r.body = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>";
  }
    if (f.malformed && r.body.size() > 1) r.body.resize(r.body.size() / 2);
  if (f.oversize > r.body.size()) r.body.append(f.oversize - r.body.size(), ' ');
  r.delivery.delay_ms = f.delay_ms;
  if (f.reset) r.delivery.cut = Delivery::Cut::reset;
  else if (f.truncate) r.delivery.cut = Delivery::Cut::truncate;
  r.delivery.drip_bytes = f.drip_bytes;
  r.delivery.drip_interval_ms = f.drip_interval_ms;
  return r;
}

HttpResponse Api::route(const HttpRequest& req, const std::string& endpoint, const std::string& qs) {
  const Route* route = nullptr;
  std::string allow;
  Args args;
  for (auto& r : kRoutes)
    if (match_route(r.path, endpoint, args)) {
      allow += (allow.empty() ? "" : ", ") + std::string(r.method);
      if (req.method == r.method) {
        route = &r;
        break;
      }
    }
  if (!route && allow.empty()) return error_response(404, "Resource not found");
  if (!route) {
    HttpResponse r = error_response(405, "Method not allowed");
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  // Auth.
  auto it = req.headers.find("authorization");
  std::string auth = it == req.headers.end() ? "" : it->second;
  while (!auth.empty() && auth.back() == ' ') auth.pop_back();
  if (auth.empty()) return error_response(401, "Missing Authentication header");
  std::string token = auth;
  if (lower(auth.substr(0, 7)) == "bearer ") token = auth.substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  const Scenario& sc = store_->scenario;
  const bool management = token == sc.management_token;
  if (!management && token != sc.inference_token) return error_response(401, "User not found.");
  if (!management && key_disabled(sc.inference_key)) return error_response(401, "API key is disabled");
  if (route->access == Access::management && !management)
    return error_response(403, "Only management keys can perform this operation");

  // Rate limits.
  std::optional<RateDecision> rate;
  if (options_.rate_limits && route->limit == Limit::analytics) {
    rate = limiter_.check("analytics", token, 64, 60'000);
    if (!rate->allowed) return too_many(*rate);
  } else if (options_.rate_limits && route->limit == Limit::datasets) {
    const RateDecision day = limiter_.peek("datasets-day", "account", 500, 86'400'000);
    if (!day.allowed) return too_many(day);
    rate = limiter_.check("datasets-minute", token, 30, 60'000);
    if (!rate->allowed) return too_many(*rate);
    limiter_.check("datasets-day", "account", 500, 86'400'000);
  }

  const auto params = parse_query_string(qs);
  HttpResponse r;
  if (endpoint == "analytics/meta") r = json_response(200, meta_json());
  else if (endpoint == "analytics/query") r = analytics_query(req, token);
  else if (endpoint == "activity") r = activity(params);
  else if (endpoint == "credits")
    r = json_response(200, json::object{{"data", json::object{{"total_credits", sc.total_credits}, {"total_usage", total_usage_}}}});
  else if (std::string_view(route->path).starts_with("keys") || std::string_view(route->path).starts_with("workspaces"))
    r = this->management(req, route->path, args, params);
  else if (endpoint == "key") r = key_info(token);
  else if (endpoint == "generation") r = generation(params);
  else {
    DatasetAnswer a;
    if (endpoint == "datasets/rankings-daily") a = rankings_daily(params, store_->now_ms, clock_ms());
    else if (endpoint == "datasets/app-rankings") a = app_rankings(params, store_->now_ms, clock_ms());
    else a = session_cost(params, store_->now_ms, clock_ms());
    r = json_response(a.status, a.body);
  }
  if (rate) rate_headers(r, *rate);
  return r;
}

HttpResponse Api::analytics_query(const HttpRequest& req, const std::string& token) {
  json::value body;
  boost::system::error_code ec;
  body = json::parse(req.body, ec);
  if (ec) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
      return error_response(400, "Invalid input: expected object, received undefined");
    return error_response(400, "Invalid JSON in request body");
  }
  Query q;
  try {
    q = parse_query(body, store_->now_ms, &store_->scenario);
  } catch (const QueryError& e) {
    return error_response(e.status, e.what());
  }
  const std::string cache_key = token + "\n" + json::serialize(body);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && now - it->second.at < std::chrono::milliseconds(options_.cache_ttl_ms)) {
      json::object data = it->second.data.as_object();
      data["cachedAt"] = it->second.cached_at_ms;
      return json_response(200, json::object{{"data", std::move(data)}});
    }
  }
  json::object data = run_query(*store_, q);
  {
    std::lock_guard lock(cache_mu_);
    if (cache_.size() > 512) cache_.clear();
    cache_[cache_key] = CacheEntry{now, clock_ms(), data};
  }
  return json_response(200, json::object{{"data", std::move(data)}});
}

HttpResponse Api::activity(const std::map<std::string, std::string>& p) {
  const Store& s = *store_;
  const Scenario& sc = s.scenario;
  const std::int64_t today = day_index(s.now_ms);
  std::int64_t from = today - 30, to = today;  // [from, to) in days
  auto get = [&](const char* k) -> const std::string* {
    auto it = p.find(k);
    return it == p.end() ? nullptr : &it->second;
  };
  if (auto* d = get("date")) {
    auto day = parse_date(*d);
    if (!day) return error_response(400, "date: Invalid date, expected YYYY-MM-DD");
    if (*day < from || *day >= to) return error_response(400, "date: must be within the last 30 completed UTC days");
    from = *day;
    to = *day + 1;
  }
  bool by_workspace = false;
  if (auto* g = get("group_by")) {
    if (*g != "workspace") return error_response(400, "group_by: Invalid option: expected one of \"workspace\"");
    by_workspace = true;
  }
  int key = -1, user = -2, workspace = -1;
  if (auto* h = get("api_key_hash")) {
    for (std::size_t i = 0; i < sc.keys.size(); ++i)
      if (sc.keys[i].hash == lower(*h)) key = static_cast<int>(i);
    if (key < 0) return error_response(404, "API key not found");
  }
  if (auto* u = get("user_id")) {
    user = -1;
    for (std::size_t i = 0; i < sc.users.size(); ++i)
      if (sc.users[i].id == *u) user = static_cast<int>(i);
    if (user < 0) return error_response(404, "User not found");
  }
  if (auto* w = get("workspace_id")) {
    for (std::size_t i = 0; i < sc.workspaces.size(); ++i)
      if (sc.workspaces[i].id == *w) workspace = static_cast<int>(i);
    if (workspace < 0) return error_response(404, "Workspace not found");
  }
  struct Acc {
    std::int64_t day;
    int model, provider, ws;
    double usage = 0, byok = 0;
    std::int64_t requests = 0, prompt = 0, completion = 0, reasoning = 0;
  };
  std::unordered_map<std::int64_t, std::size_t> index;
  std::vector<Acc> rows;
  const Events& e = s.events;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::int64_t d = day_index(e.time_ms[i]);
    if (d < from || d >= to) continue;
    const Stream& st = sc.streams[e.stream[i]];
    const Key& k = sc.keys[st.key];
    if (key >= 0 && st.key != key) continue;
    if (user >= -1 && k.user != user) continue;
    if (workspace >= 0 && k.workspace != workspace) continue;
    const int ws = by_workspace ? k.workspace : -1;
    const std::int64_t id = (((d - from) * 256 + e.model[i]) * 256 + e.provider[i]) * 64 + (ws + 1);
    auto [it, fresh] = index.try_emplace(id, rows.size());
    if (fresh) rows.push_back(Acc{d, e.model[i], e.provider[i], ws});
    Acc& a = rows[it->second];
    a.usage += s.event_usage(i);
    a.byok += s.event_byok_inference(i);
    a.requests += 1;
    a.prompt += e.prompt[i];
    a.completion += e.completion[i];
    a.reasoning += e.reasoning[i];
  }
  std::sort(rows.begin(), rows.end(), [&](const Acc& a, const Acc& b) {
    if (a.day != b.day) return a.day > b.day;
    if (a.usage != b.usage) return a.usage > b.usage;
    if (a.model != b.model) return sc.models[a.model].slug < sc.models[b.model].slug;
    if (a.provider != b.provider) return s.providers[a.provider] < s.providers[b.provider];
    return a.ws < b.ws;
  });
  json::array data;
  for (auto& a : rows) {
    const Model& m = sc.models[a.model];
    std::string endpoint_id;
    for (std::size_t j = 0; j < s.model_providers[a.model].size(); ++j)
      if (s.model_providers[a.model][j] == a.provider) endpoint_id = s.endpoint_ids[a.model][j];
    json::object o{{"date", format_date(a.day * kDayMs)}, {"model", m.slug}, {"model_permaslug", m.permaslug},
                   {"endpoint_id", endpoint_id}, {"provider_name", s.providers[a.provider]}, {"usage", a.usage},
                   {"byok_usage_inference", a.byok}, {"requests", a.requests}, {"prompt_tokens", a.prompt},
                   {"completion_tokens", a.completion}, {"reasoning_tokens", a.reasoning}};
    if (by_workspace) o["workspace_id"] = sc.workspaces[a.ws].id;
    data.push_back(std::move(o));
  }
  return json_response(200, json::object{{"data", std::move(data)}});
}

HttpResponse Api::generation(const std::map<std::string, std::string>& p) {
  auto it = p.find("id");
  if (it == p.end()) return error_response(400, "id: Invalid input: expected string, received undefined");
  if (it->second.empty()) return error_response(400, "id: Too small: expected string to have >=1 characters");
  const Store& s = *store_;
  const std::int64_t found = s.find_generation(it->second);
  if (found < 0) return error_response(404, "Generation not found");
  const auto i = static_cast<std::size_t>(found);
  const Events& e = s.events;
  const Scenario& sc = s.scenario;
  const Stream& st = sc.streams[e.stream[i]];
  const Model& m = sc.models[e.model[i]];
  const bool byok = e.flags[i] & kFlagByok;
  const json::value app_id = st.app >= 0 ? json::value(sc.apps[st.app].id) : json::value(nullptr);
  const json::value referer = st.app >= 0 && !sc.apps[st.app].origin.empty() ? json::value(sc.apps[st.app].origin) : json::value(nullptr);
  // Latency and generation time are the very values analytics aggregates (avg_latency, and
  // avg_throughput = completion tokens / generation time): a generation's figures agree with
  // the analytics rows that count it, to the last digit.
  const double gen_time = e.completion[i] / double(std::max(0.1f, e.throughput[i])) * 1000.0;
  json::object d{
      {"id", s.generation_id(i)},
      {"api_type", "completions"},
      {"app_id", app_id},
      {"cache_discount", e.cache[i] != 0 ? json::value(-double(e.cache[i])) : json::value(nullptr)},
      {"cancelled", false},
      {"created_at", format_iso_ms(e.time_ms[i])},
      {"data_region", "us"},
      {"external_user", e.external_user[i] >= 0 ? json::value(s.external_users[e.external_user[i]]) : json::value(nullptr)},
      {"finish_reason", s.finish_reasons[e.finish[i]]},
      {"generation_time", gen_time},
      {"http_referer", referer},
      {"is_byok", byok},
      {"latency", double(e.latency_ms[i])},
      {"model", m.permaslug},
      {"moderation_latency", nullptr},
      {"native_finish_reason", s.finish_reasons[e.finish[i]]},
      {"native_tokens_cached", e.cached[i]},
      {"native_tokens_completion", e.completion[i]},
      {"native_tokens_completion_images", 0},
      {"native_tokens_prompt", e.prompt[i]},
      {"native_tokens_reasoning", e.reasoning[i]},
      {"num_fetches", (e.flags[i] & kFlagWebFetch) ? 1 : 0},
      {"num_input_audio_prompt", 0},
      {"num_media_completion", 0},
      {"num_media_prompt", (e.flags[i] & kFlagFile) ? 1 : 0},
      {"num_search_results", (e.flags[i] & kFlagWeb) ? 5 : 0},
      {"origin", referer.is_null() ? json::value("") : referer},
      {"preset_id", nullptr},
      {"provider_name", s.providers[e.provider[i]]},
      {"provider_responses", nullptr},
      {"request_id", "req-" + s.generation_id(i).substr(4)},
      {"response_cache_source_id", nullptr},
      {"router", nullptr},
      {"service_tier", nullptr},
      {"session_id", nullptr},
      {"streamed", (e.flags[i] & kFlagStreamed) != 0},
      {"tokens_completion", e.completion[i]},
      {"tokens_prompt", e.prompt[i]},
      {"total_cost", s.event_usage(i) + s.event_byok_inference(i)},
      {"upstream_id", nullptr},
      {"upstream_inference_cost", byok ? s.event_byok_inference(i) : double(e.upstream[i])},
      {"usage", s.event_usage(i)},
      {"user_agent", nullptr},
      {"web_search_engine", (e.flags[i] & kFlagWeb) ? json::value("exa") : json::value(nullptr)},
      {"workspace_id", sc.workspaces[sc.keys[st.key].workspace].id},
  };
  return json_response(200, json::object{{"data", std::move(d)}});
}

}  // namespace orscript::sim
