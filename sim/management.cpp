// management.cpp: the simulator's key-management endpoints (spec §13): GET /key, GET
// /keys (offset pages of 100, newest first, default workspace unless workspace_id,
// disabled keys only with include_disabled=true), GET/PATCH /keys/{hash}, GET
// /workspaces[/{ref}], and workspace budgets (GET/PUT/DELETE, strictly decreasing
// lifetime > monthly > weekly > daily). Edits live in Api's state for the life of the
// server; usage figures come from the generated traffic (Api::key_usage_).
#include "sim/endpoints.hpp"

#include "host/core/json_text.hpp"
#include "sim/datasets.hpp"
#include "sim/time_util.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace orscript::sim {

namespace json = boost::json;

namespace {

constexpr const char* kIntervals[] = {"daily", "weekly", "monthly", "lifetime"};
constexpr std::size_t kPageOfKeys = 100;

HttpResponse ok(const json::value& body) {
  HttpResponse r;
  r.status = 200;
  r.body = to_json_text(body);
  return r;
}

json::value str_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// A non-negative integer query parameter; nullopt (and `error` set) when malformed.
std::optional<long long> int_param(const std::map<std::string, std::string>& p, const char* name, long long def,
                                   long long lo, long long hi, std::string& error) {
  auto it = p.find(name);
  if (it == p.end()) return def;
  const std::string& v = it->second;
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    error = std::string(name) + ": Invalid input: expected int, received string";
    return std::nullopt;
  }
  const long long n = std::stoll(v);
  if (n < lo || n > hi) {
    error = std::string(name) + (n < lo ? ": Too small: expected number to be >=" + std::to_string(lo)
                                        : ": Too big: expected number to be <=" + std::to_string(hi));
    return std::nullopt;
  }
  return n;
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// A stable UUID for a workspace's budget of one interval (the workspace's id with the
// last group replaced).
std::string budget_id(const std::string& workspace_id, int interval) {
  std::string id = workspace_id;
  const char* tail[] = {"00000000da11", "0000000eeee1", "00000000a0a1", "00000000f0e1"};
  if (id.size() == 36) id.replace(24, 12, tail[interval]);
  return id;
}

}  // namespace

bool Api::key_disabled(int key) const {
  std::lock_guard lock(state_mu_);
  return keys_[static_cast<std::size_t>(key)].disabled;
}

int Api::find_workspace(const std::string& ref) const {
  const auto& ws = store_->scenario.workspaces;
  for (std::size_t i = 0; i < ws.size(); ++i)
    if (ws[i].id == ref || ws[i].slug == ref) return static_cast<int>(i);
  return -1;
}

json::object Api::key_object(int k) const {
  const Scenario& sc = store_->scenario;
  const Key& key = sc.keys[static_cast<std::size_t>(k)];
  const KeyState& st = keys_[static_cast<std::size_t>(k)];
  const KeyUsage& u = key_usage_[static_cast<std::size_t>(k)];
  const std::string created = key.created + "T09:00:00.000Z";
  // limit_remaining: the cap minus the spend of the current period (lifetime when it
  // never resets), BYOK included when include_byok_in_limit; never below 0.
  json::value remaining = nullptr;
  if (st.limit) {
    double spent = st.limit_reset == "daily"    ? u.daily + (st.include_byok ? u.byok_daily : 0)
                   : st.limit_reset == "weekly"  ? u.weekly + (st.include_byok ? u.byok_weekly : 0)
                   : st.limit_reset == "monthly" ? u.monthly + (st.include_byok ? u.byok_monthly : 0)
                                                 : u.usage + (st.include_byok ? u.byok : 0);
    remaining = std::max(0.0, *st.limit - spent);
  }
  json::object o{
      {"hash", key.hash},
      {"name", st.name},
      {"label", key.label},
      {"disabled", st.disabled},
      {"limit", st.limit ? json::value(*st.limit) : json::value(nullptr)},
      {"limit_remaining", remaining},
      {"limit_reset", str_or_null(st.limit_reset)},
      {"include_byok_in_limit", st.include_byok},
      {"usage", u.usage},
      {"usage_daily", u.daily},
      {"usage_weekly", u.weekly},
      {"usage_monthly", u.monthly},
      {"byok_usage", u.byok},
      {"byok_usage_daily", u.byok_daily},
      {"byok_usage_weekly", u.byok_weekly},
      {"byok_usage_monthly", u.byok_monthly},
      {"created_at", created},
      {"updated_at", st.updated_at.empty() ? json::value(created) : json::value(st.updated_at)},
      {"expires_at", str_or_null(key.expires_at)},
      {"creator_user_id", str_or_null(key.creator_user_id)},
      {"external_user", str_or_null(key.external_user)},
      {"workspace_id", sc.workspaces[static_cast<std::size_t>(key.workspace)].id},
  };
  return o;
}

json::object Api::workspace_object(int w) const {
  const Workspace& ws = store_->scenario.workspaces[static_cast<std::size_t>(w)];
  const std::string created = ws.created + "T10:00:00.000Z";
  std::string guardrail = ws.id;
  if (guardrail.size() == 36) guardrail.replace(24, 12, "00000000617d");
  json::object o{
      {"id", ws.id},
      {"name", ws.name},
      {"slug", ws.slug},
      {"description", str_or_null(ws.description)},
      {"default_guardrail_id", guardrail},
      {"default_text_model", nullptr},
      {"default_image_model", nullptr},
      {"default_provider_sort", nullptr},
      {"is_observability_io_logging_enabled", false},
      {"is_observability_broadcast_enabled", false},
      {"is_data_discount_logging_enabled", false},
      {"io_logging_sampling_rate", 1},
      {"io_logging_api_key_ids", nullptr},
      {"created_at", created},
      {"updated_at", nullptr},
      {"created_by", store_->scenario.users.empty() ? json::value(nullptr) : json::value(store_->scenario.users[0].id)},
      {"disabled_server_tools", nullptr},
  };
  std::lock_guard lock(state_mu_);
  o["include_byok_in_budgets"] = workspaces_[static_cast<std::size_t>(w)].include_byok;
  return o;
}

json::object Api::budget_object(int w, int interval) const {
  const Budget& b = workspaces_[static_cast<std::size_t>(w)].budgets[static_cast<std::size_t>(interval)];
  const std::string& ws_id = store_->scenario.workspaces[static_cast<std::size_t>(w)].id;
  return json::object{{"id", budget_id(ws_id, interval)},
                      {"workspace_id", ws_id},
                      {"limit_usd", b.limit_usd},
                      {"reset_interval", interval == 3 ? json::value(nullptr) : json::value(kIntervals[interval])},
                      {"created_at", b.created_at},
                      {"updated_at", b.updated_at}};
}

HttpResponse Api::keys_list(const std::map<std::string, std::string>& p) const {
  const Scenario& sc = store_->scenario;
  bool include_disabled = false;
  if (auto it = p.find("include_disabled"); it != p.end()) {
    if (it->second != "true" && it->second != "false")
      return error_response(400, "include_disabled: Invalid option: expected one of \"true\"|\"false\"");
    include_disabled = it->second == "true";
  }
  std::string error;
  const auto offset = int_param(p, "offset", 0, 0, 1'000'000'000, error);
  if (!offset) return error_response(400, error);
  int workspace = -1;
  for (std::size_t i = 0; i < sc.workspaces.size() && workspace < 0; ++i)
    if (sc.workspaces[i].is_default) workspace = static_cast<int>(i);
  if (auto it = p.find("workspace_id"); it != p.end()) {
    if (!is_uuid(it->second)) return error_response(400, "workspace_id: Invalid UUID");
    workspace = -1;
    for (std::size_t i = 0; i < sc.workspaces.size(); ++i)
      if (sc.workspaces[i].id == it->second) workspace = static_cast<int>(i);
    if (workspace < 0) return error_response(400, "workspace_id: Workspace not found");
  }
  std::vector<int> order;
  std::lock_guard lock(state_mu_);
  for (std::size_t k = 0; k < sc.keys.size(); ++k)
    if (sc.keys[k].workspace == workspace && (include_disabled || !keys_[k].disabled)) order.push_back(static_cast<int>(k));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {  // newest first
    const Key &ka = sc.keys[static_cast<std::size_t>(a)], &kb = sc.keys[static_cast<std::size_t>(b)];
    return ka.created != kb.created ? ka.created > kb.created : ka.id > kb.id;
  });
  json::array a;
  for (std::size_t i = static_cast<std::size_t>(*offset); i < order.size() && a.size() < kPageOfKeys; ++i)
    a.push_back(key_object(order[i]));
  return ok(json::object{{"data", std::move(a)}});
}

HttpResponse Api::key_info(const std::string& token) const {
  const Scenario& sc = store_->scenario;
  const std::string org_id = "org_" + store_->scenario.keys[0].hash.substr(0, 24);
  std::string default_ws;
  for (auto& w : sc.workspaces)
    if (w.is_default) default_ws = w.id;
  json::object d;
  if (token == sc.management_token) {
    d = json::object{{"label", "sk-or-v1-dem...000"}, {"limit", nullptr}, {"limit_remaining", nullptr},
                     {"limit_reset", nullptr}, {"usage", 0.0}, {"usage_daily", 0.0}, {"usage_weekly", 0.0},
                     {"usage_monthly", 0.0}, {"byok_usage", 0.0}, {"byok_usage_daily", 0.0},
                     {"byok_usage_weekly", 0.0}, {"byok_usage_monthly", 0.0}, {"include_byok_in_limit", false},
                     {"expires_at", nullptr},
                     {"creator_user_id", sc.users.empty() ? json::value(nullptr) : json::value(sc.users[0].id)},
                     {"workspace_id", default_ws}};
    d["is_management_key"] = true;
    d["is_provisioning_key"] = true;
  } else {
    std::lock_guard lock(state_mu_);
    d = key_object(sc.inference_key);
    for (const char* k : {"hash", "name", "disabled", "created_at", "updated_at", "external_user"}) d.erase(k);
    d["is_management_key"] = false;
    d["is_provisioning_key"] = false;
  }
  d["is_free_tier"] = false;
  d["organization_id"] = org_id;
  d["allowed_data_regions"] = json::array{"global"};
  d["free_model_daily_requests"] = json::object{{"limit", 1000}, {"remaining", 1000}, {"used", 0}};
  d["rate_limit"] = json::object{{"interval", "1h"}, {"requests", -1},
                                 {"note", "This field is deprecated and safe to ignore."}};
  return ok(json::object{{"data", std::move(d)}});
}

HttpResponse Api::key_patch(int k, const std::string& text) {
  boost::system::error_code ec;
  json::value body = json::parse(text, ec);
  if (ec || !body.is_object()) return error_response(400, "Invalid input: expected object, received " +
                                                              std::string(ec ? "undefined" : "non-object"));
  const json::object& o = body.get_object();
  KeyState next;
  {
    std::lock_guard lock(state_mu_);
    next = keys_[static_cast<std::size_t>(k)];
  }
  if (auto* v = o.if_contains("name")) {
    if (!v->is_string() || v->get_string().empty()) return error_response(400, "name: Too small: expected string to have >=1 characters");
    next.name = std::string(v->get_string());
  }
  if (auto* v = o.if_contains("disabled")) {
    if (!v->is_bool()) return error_response(400, "disabled: Invalid input: expected boolean");
    next.disabled = v->get_bool();
  }
  if (auto* v = o.if_contains("limit")) {
    if (v->is_null()) next.limit.reset();
    else if (!v->is_number() || v->to_number<double>() < 0 || !std::isfinite(v->to_number<double>()))
      return error_response(400, "limit: Invalid input: expected a number >= 0 or null");
    else next.limit = v->to_number<double>();
  }
  if (auto* v = o.if_contains("limit_reset")) {
    if (v->is_null()) next.limit_reset.clear();
    else if (!v->is_string() || (v->get_string() != "daily" && v->get_string() != "weekly" && v->get_string() != "monthly"))
      return error_response(400, "limit_reset: Invalid option: expected one of \"daily\"|\"weekly\"|\"monthly\"");
    else next.limit_reset = std::string(v->get_string());
  }
  if (auto* v = o.if_contains("include_byok_in_limit")) {
    if (!v->is_bool()) return error_response(400, "include_byok_in_limit: Invalid input: expected boolean");
    next.include_byok = v->get_bool();
  }
  next.updated_at = format_iso_ms(clock_ms());
  std::lock_guard lock(state_mu_);
  keys_[static_cast<std::size_t>(k)] = next;
  return ok(json::object{{"data", key_object(k)}});
}

HttpResponse Api::budget_put(int w, int interval, const std::string& text) {
  boost::system::error_code ec;
  json::value body = json::parse(text, ec);
  if (ec || !body.is_object()) return error_response(400, "Invalid input: expected object, received undefined");
  const json::object& o = body.get_object();
  const json::value* l = o.if_contains("limit_usd");
  if (!l || !l->is_number()) return error_response(400, "limit_usd: Invalid input: expected number");
  const double limit = l->to_number<double>();
  if (!(limit > 0) || !std::isfinite(limit)) return error_response(400, "limit_usd: Too small: expected number to be >0");
  const json::value* byok = o.if_contains("include_byok_in_budgets");
  if (byok && !byok->is_bool()) return error_response(400, "include_byok_in_budgets: Invalid input: expected boolean");
  std::lock_guard lock(state_mu_);
  WorkspaceState& ws = workspaces_[static_cast<std::size_t>(w)];
  // Strictly decreasing as the interval narrows: daily < weekly < monthly < lifetime,
  // compared with the intervals that have a budget.
  for (int other = 0; other < 4; ++other) {
    const Budget& b = ws.budgets[static_cast<std::size_t>(other)];
    if (other == interval || !b.set) continue;
    const bool bad = other < interval ? !(limit > b.limit_usd) : !(limit < b.limit_usd);
    if (bad) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "limit_usd: budget limits must strictly decrease from lifetime to monthly to weekly to daily: "
                    "the %s budget (%g) must be %s than the %s budget (%g)",
                    kIntervals[interval], limit, other < interval ? "greater" : "less", kIntervals[other], b.limit_usd);
      return error_response(400, buf);
    }
  }
  Budget& b = ws.budgets[static_cast<std::size_t>(interval)];
  const std::string now = format_iso_ms(clock_ms());
  if (!b.set) b.created_at = now;
  b.set = true;
  b.limit_usd = limit;
  b.updated_at = now;
  if (byok) ws.include_byok = byok->get_bool();
  return ok(json::object{{"data", budget_object(w, interval)}, {"include_byok_in_budgets", ws.include_byok}});
}

HttpResponse Api::management(const HttpRequest& req, const std::string& pattern, const Args& args,
                             const std::map<std::string, std::string>& params) {
  const Scenario& sc = store_->scenario;
  if (pattern == "keys") return keys_list(params);
  if (pattern == "keys/{hash}") {
    std::string hash = args.at("hash");
    std::transform(hash.begin(), hash.end(), hash.begin(), [](unsigned char c) { return std::tolower(c); });
    int k = -1;
    for (std::size_t i = 0; i < sc.keys.size(); ++i)
      if (sc.keys[i].hash == hash) k = static_cast<int>(i);
    if (k < 0) return error_response(404, "API key not found");
    if (req.method == "PATCH") return key_patch(k, req.body);
    std::lock_guard lock(state_mu_);
    return ok(json::object{{"data", key_object(k)}});
  }
  if (pattern == "workspaces") {
    std::string error;
    const auto limit = int_param(params, "limit", 50, 1, 100, error);
    const auto offset = limit ? int_param(params, "offset", 0, 0, 1'000'000'000, error) : std::nullopt;
    if (!limit || !offset) return error_response(400, error);
    json::array a;
    for (long long i = *offset; i < static_cast<long long>(sc.workspaces.size()) && i < *offset + *limit; ++i)
      a.push_back(workspace_object(static_cast<int>(i)));
    return ok(json::object{{"data", std::move(a)}, {"total_count", sc.workspaces.size()}});
  }
  const int w = find_workspace(args.at("ref"));
  if (w < 0) return error_response(404, "Workspace not found");
  if (pattern == "workspaces/{ref}") return ok(json::object{{"data", workspace_object(w)}});
  if (pattern == "workspaces/{ref}/budgets") {
    std::lock_guard lock(state_mu_);
    json::array a;
    for (int i = 0; i < 4; ++i)
      if (workspaces_[static_cast<std::size_t>(w)].budgets[static_cast<std::size_t>(i)].set) a.push_back(budget_object(w, i));
    return ok(json::object{{"data", std::move(a)},
                           {"include_byok_in_budgets", workspaces_[static_cast<std::size_t>(w)].include_byok}});
  }
  int interval = -1;
  for (int i = 0; i < 4; ++i)
    if (args.at("interval") == kIntervals[i]) interval = i;
  if (interval < 0)
    return error_response(400, "interval: Invalid option: expected one of \"daily\"|\"weekly\"|\"monthly\"|\"lifetime\"");
  if (req.method == "PUT") return budget_put(w, interval, req.body);
  std::lock_guard lock(state_mu_);
  WorkspaceState& ws = workspaces_[static_cast<std::size_t>(w)];
  if (req.method == "DELETE") {
    ws.budgets[static_cast<std::size_t>(interval)] = Budget{};
    return ok(json::object{{"deleted", true}});
  }
  if (!ws.budgets[static_cast<std::size_t>(interval)].set)
    return error_response(404, std::string("No ") + kIntervals[interval] + " budget is set for this workspace");
  return ok(json::object{{"data", budget_object(w, interval)}, {"include_byok_in_budgets", ws.include_byok}});
}

}  // namespace orscript::sim
