#include "sim/scenario.hpp"

#include "host/core/error.hpp"
#include "host/core/file_io.hpp"
#include "host/core/iso_time.hpp"
#include "sim/time_util.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>

#include <cctype>
#include <cmath>
#include <algorithm>
#include <cctype>
#include <cstdio>

namespace orscript::sim {

namespace embedded {
struct Entry {
  const char* name;
  const char* text;
};
extern const Entry kScenarios[];
extern const std::size_t kScenarioCount;
}  // namespace embedded

namespace json = boost::json;

namespace {

struct Ctx {
  std::string origin;
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw_usage("scenario " + origin + ": " + path + ": " + what);
  }
};

const json::object& obj(const Ctx& c, const json::value& v, const std::string& path) {
  if (!v.is_object()) c.fail(path, "expected an object");
  return v.get_object();
}
const json::array& arr(const Ctx& c, const json::value& v, const std::string& path) {
  if (!v.is_array()) c.fail(path, "expected an array");
  return v.get_array();
}
double num(const Ctx& c, const json::value& v, const std::string& path) {
  double d = 0;
  if (v.is_double()) d = v.get_double();
  else if (v.is_int64()) d = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
  else c.fail(path, "expected a number");
  if (!std::isfinite(d)) c.fail(path, "expected a finite number");
  return d;
}
// A whole number in [lo, hi] (ids; so the cast to an integer is exact).
std::int64_t whole(const Ctx& c, const json::value& v, const std::string& path, double lo = 0, double hi = 9e15) {
  const double d = num(c, v, path);
  if (d != std::floor(d) || d < lo || d > hi)
    c.fail(path, "expected a whole number from " + std::to_string(static_cast<std::int64_t>(lo)) + " to " +
                     std::to_string(static_cast<std::int64_t>(hi)));
  return static_cast<std::int64_t>(d);
}
// A weight: finite, >= 0 and at most a million (weights are relative).
double weight(const Ctx& c, const json::value& v, const std::string& path) {
  const double d = num(c, v, path);
  if (d < 0 || d > 1e6) c.fail(path, "weights must be from 0 to 1000000");
  return d;
}
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}
std::string str(const Ctx& c, const json::value& v, const std::string& path) {
  if (!v.is_string()) c.fail(path, "expected a string");
  return std::string(v.get_string());
}
const json::value* opt(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}
const json::value& req(const Ctx& c, const json::object& o, std::string_view k, const std::string& path) {
  auto* v = opt(o, k);
  if (!v) c.fail(path + "." + std::string(k), "missing");
  return *v;
}
double num_or(const Ctx& c, const json::object& o, std::string_view k, double def, const std::string& path,
              double lo = -1e300, double hi = 1e300) {
  auto* v = opt(o, k);
  if (!v) return def;
  const double d = num(c, *v, path + "." + std::string(k));
  if (!(d >= lo && d <= hi)) {
    auto show = [](double x) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", x);
      return std::string(buf);
    };
    c.fail(path + "." + std::string(k), "out of range: expected " + show(lo) + " to " + show(hi));
  }
  return d;
}
std::string str_or(const Ctx& c, const json::object& o, std::string_view k, std::string def, const std::string& path) {
  auto* v = opt(o, k);
  if (!v || v->is_null()) return def;
  return str(c, *v, path + "." + std::string(k));
}

// The largest mean tokens per request (the largest context windows are 2M tokens).
constexpr double kMaxMeanTokens = 2e6;
// Per stream and in total: what a scenario may ask the generator to hold in memory.
constexpr double kMaxRequestsPerDay = 1e6;
constexpr double kMaxDetailEvents = 3e7;

Weights weights(const Ctx& c, const json::value& v, const std::string& path) {
  Weights w;
  for (auto& [k, val] : obj(c, v, path)) {
    w.emplace_back(std::string(k), weight(c, val, path + "." + std::string(k)));
  }
  if (w.empty()) c.fail(path, "needs at least one entry");
  return w;
}

std::string sha256_hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::array<double, 24> hourly_shape(const Ctx& c, const json::value* v, const std::string& path) {
  std::array<double, 24> h{};
  std::string kind = "office";
  if (v && v->is_array()) {
    auto& a = v->get_array();
    if (a.size() != 24) c.fail(path, "expected 24 hourly weights");
    for (std::size_t i = 0; i < 24; ++i) h[i] = weight(c, a[i], path + "." + std::to_string(i));
  } else {
    if (v) kind = str(c, *v, path);
    for (int i = 0; i < 24; ++i) {
      if (kind == "flat") h[i] = 1;
      else if (kind == "office") h[i] = (i >= 13 && i <= 22) ? 3.0 : (i >= 10 && i <= 23 ? 1.5 : 0.4);
      else if (kind == "night") h[i] = (i >= 1 && i <= 6) ? 4.0 : 0.3;
      else c.fail(path, "expected \"flat\", \"office\", \"night\" or 24 weights");
    }
  }
  double sum = 0;
  for (double x : h) {
    if (x < 0) c.fail(path, "weights must be >= 0");
    sum += x;
  }
  if (sum <= 0) c.fail(path, "weights sum to zero");
  for (double& x : h) x /= sum;
  return h;
}

LogNormal lognormal(const Ctx& c, const json::object& o, std::string_view k, LogNormal def, const std::string& path) {
  auto* v = opt(o, k);
  if (!v) return def;
  const std::string p = path + "." + std::string(k);
  LogNormal ln{0, def.sigma};
  if (v->is_number()) {
    ln.mean = num(c, *v, p);
    if (!(ln.mean >= 1 && ln.mean <= kMaxMeanTokens)) c.fail(p, "out of range: expected 1 to 2000000 tokens");
    return ln;
  }
  auto& m = obj(c, *v, p);
  ln = LogNormal{num_or(c, m, "mean", 0, p, 1, kMaxMeanTokens), num_or(c, m, "sigma", def.sigma, p, 0, 3)};
  if (!opt(m, "mean")) c.fail(p + ".mean", "missing");
  return ln;
}

}  // namespace

int Scenario::find_model(std::string_view slug) const {
  for (std::size_t i = 0; i < models.size(); ++i)
    if (models[i].slug == slug || models[i].permaslug == slug) return static_cast<int>(i);
  return -1;
}

int Scenario::find_key(std::string_view name) const {
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].name == name) return static_cast<int>(i);
  return -1;
}

// "classifiers": [{id, name, dimensions: [1..2 names], coverage, default: {dim: weights},
// labels: [{key, model?, dim: weights}]}]: resolved to label weights per stream.
static void parse_classifiers(const Ctx& c, const json::array& list, Scenario& s) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = "$.classifiers." + std::to_string(i);
    auto& co = obj(c, list[i], p);
    Classifier cl;
    cl.id = str(c, req(c, co, "id", p), p + ".id");
    cl.name = str_or(c, co, "name", "classifier", p);
    auto& dims = arr(c, req(c, co, "dimensions", p), p + ".dimensions");
    if (dims.empty() || dims.size() > 2) c.fail(p + ".dimensions", "expected 1 or 2 dimension names");
    for (std::size_t d = 0; d < dims.size(); ++d) {
      std::string name = str(c, dims[d], p + ".dimensions." + std::to_string(d));
      bool ok = !name.empty() && name.size() <= 64 && !std::isdigit(static_cast<unsigned char>(name[0]));
      for (char ch : name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
      if (!ok) c.fail(p + ".dimensions." + std::to_string(d), "expected an identifier of at most 64 characters");
      cl.dimensions.push_back(std::move(name));
    }
    cl.coverage = num_or(c, co, "coverage", 1.0, p, 0, 1);
    auto labels_of = [&](const json::object& lo, const std::string& lp, const std::vector<Weights>* fallback) {
      std::vector<Weights> out;
      for (std::size_t d = 0; d < cl.dimensions.size(); ++d) {
        if (auto* w = opt(lo, cl.dimensions[d])) out.push_back(weights(c, *w, lp + "." + cl.dimensions[d]));
        else if (fallback) out.push_back((*fallback)[d]);
        else c.fail(lp + "." + cl.dimensions[d], "missing: label weights for every dimension");
      }
      return out;
    };
    const std::vector<Weights> def = labels_of(obj(c, req(c, co, "default", p), p + ".default"), p + ".default", nullptr);
    cl.stream_labels.assign(s.streams.size(), def);
    if (auto* ls = opt(co, "labels")) {
      auto& la = arr(c, *ls, p + ".labels");
      for (std::size_t j = 0; j < la.size(); ++j) {
        const std::string lp = p + ".labels." + std::to_string(j);
        auto& lo = obj(c, la[j], lp);
        const int key = s.find_key(str(c, req(c, lo, "key", lp), lp + ".key"));
        if (key < 0) c.fail(lp + ".key", "unknown key");
        const int model = opt(lo, "model") ? s.find_model(str(c, *opt(lo, "model"), lp + ".model")) : -1;
        if (opt(lo, "model") && model < 0) c.fail(lp + ".model", "unknown model");
        const std::vector<Weights> w = labels_of(lo, lp, &def);
        for (std::size_t st = 0; st < s.streams.size(); ++st)
          if (s.streams[st].key == key && (model < 0 || s.streams[st].model == model)) cl.stream_labels[st] = w;
      }
    }
    s.classifiers.push_back(std::move(cl));
  }
}

// The scenario file's text as JSON, or a failure naming the byte where it stops parsing.
static json::value parse_json(const Ctx& c, std::string_view text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) c.fail("$", "invalid JSON at byte " + std::to_string(used) + ": " + ec.message());
  return parser.release();
}

// Name, description, windows, tokens, organization, pricing, countries and finish reasons.
static void parse_header(const Ctx& c, const json::object& o, Scenario& s) {
  s.name = str(c, req(c, o, "name", "$"), "$.name");
  s.description = str_or(c, o, "description", "", "$");
  s.history_days = static_cast<int>(num_or(c, o, "history_days", 130, "$", 120, 400));
  s.detail_days = static_cast<int>(num_or(c, o, "detail_days", 45, "$", 31, 120));
  if (s.detail_days > s.history_days) c.fail("$.detail_days", "must not exceed history_days");
  s.management_token = str_or(c, o, "management_token", kDemoManagementToken, "$");
  s.inference_token = str_or(c, o, "inference_token", kDemoInferenceToken, "$");
  if (auto* org = opt(o, "organization")) {
    auto& og = obj(c, *org, "$.organization");
    s.org_name = str_or(c, og, "name", "Example Org", "$.organization");
    s.total_credits = num_or(c, og, "total_credits", 0, "$.organization", 0);
  }
  if (auto* p = opt(o, "pricing")) {
    auto& po = obj(c, *p, "$.pricing");
    s.web_search_price = num_or(c, po, "web_search_per_request", s.web_search_price, "$.pricing", 0);
    s.web_fetch_price = num_or(c, po, "web_fetch_per_request", s.web_fetch_price, "$.pricing", 0);
    s.file_page_price = num_or(c, po, "file_per_page", s.file_page_price, "$.pricing", 0);
    s.byok_fee_rate = num_or(c, po, "byok_fee_rate", s.byok_fee_rate, "$.pricing", 0, 1);
  }
  s.countries = opt(o, "countries") ? weights(c, *opt(o, "countries"), "$.countries")
                                    : Weights{{"US", 0.6}, {"GB", 0.15}, {"DE", 0.15}, {"IN", 0.1}};
  s.finish_reasons = opt(o, "finish_reasons")
                         ? weights(c, *opt(o, "finish_reasons"), "$.finish_reasons")
                         : Weights{{"stop", 0.9}, {"tool_calls", 0.06}, {"length", 0.03}, {"error", 0.01}};
}

// "workspaces": at least one; the first is the default unless one says it is.
static void parse_workspaces(const Ctx& c, const json::object& o, Scenario& s) {
  auto& ws = arr(c, req(c, o, "workspaces", "$"), "$.workspaces");
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const std::string p = "$.workspaces." + std::to_string(i);
    auto& w = obj(c, ws[i], p);
    Workspace ws_;
    ws_.id = str(c, req(c, w, "id", p), p + ".id");
    if (!is_uuid(ws_.id))
      c.fail(p + ".id", "expected a UUID such as 3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f, got '" + echo_input(ws_.id, 40) + "'");
    ws_.name = str(c, req(c, w, "name", p), p + ".name");
    ws_.is_default = opt(w, "default") && opt(w, "default")->is_bool() && opt(w, "default")->get_bool();
    std::string slug;
    for (char ch : ws_.name) {
      if (std::isalnum(static_cast<unsigned char>(ch))) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      else if (!slug.empty() && slug.back() != '-') slug += '-';
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    ws_.slug = str_or(c, w, "slug", slug, p);
    ws_.description = str_or(c, w, "description", "", p);
    ws_.created = str_or(c, w, "created", "2025-11-03", p);
    s.workspaces.push_back(std::move(ws_));
  }
  if (s.workspaces.empty()) c.fail("$.workspaces", "needs at least one workspace");
  bool any_default = false;
  for (auto& w : s.workspaces) any_default |= w.is_default;
  if (!any_default) s.workspaces[0].is_default = true;
}

// "users" and "apps" (both optional).
static void parse_users_and_apps(const Ctx& c, const json::object& o, Scenario& s) {
  if (auto* us = opt(o, "users")) {
    auto& a = arr(c, *us, "$.users");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = "$.users." + std::to_string(i);
      auto& u = obj(c, a[i], p);
      s.users.push_back({str(c, req(c, u, "id", p), p + ".id"), str_or(c, u, "name", "", p),
                         str_or(c, u, "email", "", p)});
    }
  }
  if (auto* as = opt(o, "apps")) {
    auto& a = arr(c, *as, "$.apps");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = "$.apps." + std::to_string(i);
      auto& ap = obj(c, a[i], p);
      s.apps.push_back({whole(c, req(c, ap, "id", p), p + ".id"),
                        str(c, req(c, ap, "name", p), p + ".name"), str_or(c, ap, "origin", "", p)});
    }
  }
}

// The index of the workspace with this id or name.
static int find_workspace(const Ctx& c, const Scenario& s, const std::string& id, const std::string& p) {
  for (std::size_t i = 0; i < s.workspaces.size(); ++i)
    if (s.workspaces[i].id == id || s.workspaces[i].name == id) return static_cast<int>(i);
  c.fail(p, "unknown workspace '" + id + "'");
}

// One entry of "keys" (path p); users and workspaces are already read.
static Key parse_key(const Ctx& c, const json::object& k, const std::string& p, const Scenario& s) {
  Key key;
  key.id = whole(c, req(c, k, "id", p), p + ".id");
  key.name = str(c, req(c, k, "name", p), p + ".name");
  key.hash = str_or(c, k, "hash", sha256_hex("orscript-sim:" + s.name + ":" + key.name), p);
  if (key.hash.size() != 64 || key.hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    c.fail(p + ".hash", "expected 64 lower-case hex characters");
  key.label = str_or(c, k, "label", "sk-or-v1-" + key.hash.substr(0, 3) + "..." + key.hash.substr(61), p);
  if (auto* u = opt(k, "user"); u && !u->is_null()) {
    const std::string uid = str(c, *u, p + ".user");
    key.user = -1;
    for (std::size_t j = 0; j < s.users.size(); ++j)
      if (s.users[j].id == uid) key.user = static_cast<int>(j);
    if (key.user < 0) c.fail(p + ".user", "unknown user '" + uid + "'");
  }
  key.workspace = opt(k, "workspace") ? find_workspace(c, s, str(c, *opt(k, "workspace"), p + ".workspace"), p + ".workspace") : 0;
  key.created = str_or(c, k, "created", "2026-01-05", p);
  if (std::string why; key.created.size() != 10 || !parse_iso8601(key.created, &why))
    c.fail(p + ".created", "expected a date YYYY-MM-DD, got '" + echo_input(key.created, 40) + "'" +
                               (why.empty() ? "" : " (" + why + ")"));
  if (auto* l = opt(k, "limit"); l && !l->is_null()) {
    key.limit = num(c, *l, p + ".limit");
    if (*key.limit < 0 || *key.limit > 1e12) c.fail(p + ".limit", "out of range: expected 0 to 1e12 USD or null");
  }
  key.disabled = opt(k, "disabled") && opt(k, "disabled")->is_bool() && opt(k, "disabled")->get_bool();
  key.limit_reset = str_or(c, k, "limit_reset", "", p);
  if (!key.limit_reset.empty() && key.limit_reset != "daily" && key.limit_reset != "weekly" && key.limit_reset != "monthly")
    c.fail(p + ".limit_reset", "expected \"daily\", \"weekly\" or \"monthly\"");
  key.include_byok_in_limit = opt(k, "include_byok_in_limit") && opt(k, "include_byok_in_limit")->is_bool() &&
                              opt(k, "include_byok_in_limit")->get_bool();
  key.expires_at = str_or(c, k, "expires_at", "", p);
  if (!key.expires_at.empty() && (key.expires_at.size() != 20 || key.expires_at[19] != 'Z' ||
                                  !parse_iso_datetime(key.expires_at)))
    c.fail(p + ".expires_at", "expected \"YYYY-MM-DDTHH:MM:SSZ\"");
  key.creator_user_id = str_or(c, k, "creator_user_id",
                               key.user >= 0 ? s.users[key.user].id : s.users.empty() ? "" : s.users[0].id, p);
  key.external_user = str_or(c, k, "external_user", "", p);
  for (auto& other : s.keys)
    if (other.name == key.name || other.id == key.id || other.hash == key.hash)
      c.fail(p, "duplicate key name, id or hash");
  return key;
}

// "keys": at least one, names, ids and hashes unique; then "inference_key".
static void parse_keys(const Ctx& c, const json::object& o, Scenario& s) {
  auto& ks = arr(c, req(c, o, "keys", "$"), "$.keys");
  for (std::size_t i = 0; i < ks.size(); ++i) {
    const std::string p = "$.keys." + std::to_string(i);
    auto& k = obj(c, ks[i], p);
    Key key = parse_key(c, k, p, s);
    s.keys.push_back(std::move(key));
  }
  if (s.keys.empty()) c.fail("$.keys", "needs at least one key");
  if (auto* ik = opt(o, "inference_key")) {
    s.inference_key = s.find_key(str(c, *ik, "$.inference_key"));
    if (s.inference_key < 0) c.fail("$.inference_key", "unknown key");
  }
}

// "models": each with prices and at least one provider.
static void parse_models(const Ctx& c, const json::object& o, Scenario& s) {
  auto& ms = arr(c, req(c, o, "models", "$"), "$.models");
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const std::string p = "$.models." + std::to_string(i);
    auto& m = obj(c, ms[i], p);
    Model model;
    model.slug = str(c, req(c, m, "slug", p), p + ".slug");
    model.permaslug = str_or(c, m, "permaslug", model.slug, p);
    model.variant = str_or(c, m, "variant", "standard", p);
    auto& pr = obj(c, req(c, m, "prices", p), p + ".prices");
    const std::string pp = p + ".prices";
    model.prices.prompt = num_or(c, pr, "prompt", 0, pp, 0);
    model.prices.completion = num_or(c, pr, "completion", 0, pp, 0);
    model.prices.cache_read = num_or(c, pr, "cache_read", model.prices.prompt, pp, 0);
    model.prices.cache_write = num_or(c, pr, "cache_write", model.prices.prompt, pp, 0);
    model.prices.reasoning = num_or(c, pr, "reasoning", model.prices.completion, pp, 0);
    model.native_web_search = opt(m, "native_web_search") && opt(m, "native_web_search")->is_bool() &&
                              opt(m, "native_web_search")->get_bool();
    auto& provs = arr(c, req(c, m, "providers", p), p + ".providers");
    for (std::size_t j = 0; j < provs.size(); ++j) {
      const std::string q = p + ".providers." + std::to_string(j);
      auto& po = obj(c, provs[j], q);
      model.providers.push_back({str(c, req(c, po, "name", q), q + ".name"), num_or(c, po, "weight", 1, q, 0),
                                 num_or(c, po, "latency_ms", 800, q, 1), num_or(c, po, "throughput", 60, q, 0.1)});
    }
    if (model.providers.empty()) c.fail(p + ".providers", "needs at least one provider");
    if (s.find_model(model.slug) >= 0) c.fail(p + ".slug", "duplicate model");
    s.models.push_back(std::move(model));
  }
}

// A stream's "changes" (path p): each at days_ago or week_start_ago, to a model and/or a volume.
static std::vector<Change> parse_changes(const Ctx& c, const json::value& v, const std::string& p, const Scenario& s) {
  std::vector<Change> changes;
  auto& a = arr(c, v, p + ".changes");
  for (std::size_t j = 0; j < a.size(); ++j) {
    const std::string q = p + ".changes." + std::to_string(j);
    auto& co = obj(c, a[j], q);
    Change change;
    if (opt(co, "days_ago")) change.days_ago = num_or(c, co, "days_ago", 0, q, 0, 400);
    if (opt(co, "week_start_ago")) change.week_start_ago = static_cast<int>(num_or(c, co, "week_start_ago", 1, q, 1, 50));
    if (change.days_ago.has_value() == change.week_start_ago.has_value())
      c.fail(q, "needs exactly one of days_ago or week_start_ago");
    if (auto* mv = opt(co, "model")) {
      change.model = s.find_model(str(c, *mv, q + ".model"));
      if (change.model < 0) c.fail(q + ".model", "unknown model");
    }
    change.volume = num_or(c, co, "volume", 1, q, 0, 100);
    changes.push_back(change);
  }
  return changes;
}

// One entry of "streams" (path p); keys, apps and models are already read.
static Stream parse_stream(const Ctx& c, const json::object& so, const std::string& p, const Scenario& s) {
  Stream st;
  const std::string kname = str(c, req(c, so, "key", p), p + ".key");
  st.key = s.find_key(kname);
  if (st.key < 0) c.fail(p + ".key", "unknown key '" + kname + "'");
  const std::string mname = str(c, req(c, so, "model", p), p + ".model");
  st.model = s.find_model(mname);
  if (st.model < 0) c.fail(p + ".model", "unknown model '" + mname + "'");
  if (auto* a = opt(so, "app"); a && !a->is_null()) {
    const auto id = whole(c, *a, p + ".app");
    for (std::size_t j = 0; j < s.apps.size(); ++j)
      if (s.apps[j].id == id) st.app = static_cast<int>(j);
    if (st.app < 0) c.fail(p + ".app", "unknown app id " + std::to_string(id));
  }
  st.requests_per_day = num_or(c, so, "requests_per_day", 100, p, 0, kMaxRequestsPerDay);
  if (auto* w = opt(so, "weekly")) {
    auto& a = arr(c, *w, p + ".weekly");
    if (a.size() != 7) c.fail(p + ".weekly", "expected 7 weights, Sunday first");
    for (std::size_t j = 0; j < 7; ++j) st.weekly[j] = weight(c, a[j], p + ".weekly." + std::to_string(j));
  }
  st.hourly = hourly_shape(c, opt(so, "hourly"), p + ".hourly");
  st.growth_per_week = num_or(c, so, "growth_per_week", 0, p, -0.5, 2);
  st.daily_noise = num_or(c, so, "daily_noise", 0.08, p, 0, 1);
  if (auto* e = opt(so, "exact")) {
    if (!e->is_bool()) c.fail(p + ".exact", "expected true or false");
    st.exact = e->get_bool();
  }
  if (auto* x = opt(so, "exact_volume")) {
    if (!x->is_bool()) c.fail(p + ".exact_volume", "expected true or false");
    st.exact_volume = x->get_bool();
  }
  st.prompt_tokens = lognormal(c, so, "prompt_tokens", st.prompt_tokens, p);
  st.completion_tokens = lognormal(c, so, "completion_tokens", st.completion_tokens, p);
  st.reasoning_share = num_or(c, so, "reasoning_share", 0, p, 0, 1);
  st.cache_hit_rate = num_or(c, so, "cache_hit_rate", 0, p, 0, 0.98);
  st.cache_write_share = num_or(c, so, "cache_write_share", 0, p, 0, 1);
  st.web_search_rate = num_or(c, so, "web_search_rate", 0, p, 0, 1);
  st.file_rate = num_or(c, so, "file_rate", 0, p, 0, 1);
  st.web_fetch_rate = num_or(c, so, "web_fetch_rate", 0, p, 0, 1);
  st.byok_share = num_or(c, so, "byok_share", 0, p, 0, 1);
  st.data_discount = num_or(c, so, "data_discount", 0, p, 0, 1);
  st.guardrail_rate = num_or(c, so, "guardrail_rate", 0.002, p, 0, 1);
  st.response_cache_rate = num_or(c, so, "response_cache_rate", 0, p, 0, 1);
  st.external_users = static_cast<int>(num_or(c, so, "external_users", 0, p, 0, 100000));
  st.latency_factor = num_or(c, so, "latency_factor", 1, p, 0.01, 100);
  if (auto* w = opt(so, "countries")) st.countries = weights(c, *w, p + ".countries");
  if (auto* w = opt(so, "finish_reasons")) st.finish_reasons = weights(c, *w, p + ".finish_reasons");
  if (auto* ch = opt(so, "changes")) st.changes = parse_changes(c, *ch, p, s);
  return st;
}

// "streams": at least one.
static void parse_streams(const Ctx& c, const json::object& o, Scenario& s) {
  auto& ss = arr(c, req(c, o, "streams", "$"), "$.streams");
  for (std::size_t i = 0; i < ss.size(); ++i) {
    const std::string p = "$.streams." + std::to_string(i);
    auto& so = obj(c, ss[i], p);
    Stream st = parse_stream(c, so, p, s);
    s.streams.push_back(std::move(st));
  }
  if (s.streams.empty()) c.fail("$.streams", "needs at least one stream");
}

// The most requests the detail window could hold: each stream's rate at its busiest
// weekday, its growth (shrinking streams were bigger in the past) and volume changes;
// fails above kMaxDetailEvents.
static void check_detail_volume(const Ctx& c, const Scenario& s) {
  double events = 0;
  for (auto& st : s.streams) {
    double wsum = 0, wmax = 0;
    for (double w : st.weekly) wsum += w, wmax = std::max(wmax, w);
    if (wsum <= 0) c.fail("$.streams", "a stream's weekly weights sum to zero");
    double volume = 1;
    for (auto& ch : st.changes) volume *= std::max(1.0, ch.volume);
    const double growth = std::pow(1.0 + st.growth_per_week, -static_cast<double>(s.history_days) / 7.0);
    events += st.requests_per_day * (wmax * 7 / wsum) * std::max(1.0, growth) * volume * s.detail_days;
  }
  if (!(events <= kMaxDetailEvents)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", events);
    c.fail("$.streams", std::string("would generate up to ") + buf +
                            " requests in the detail window (at most 3e7): lower requests_per_day, volume "
                            "changes or the shrinking growth_per_week");
  }
}

Scenario parse_scenario(std::string_view text, const std::string& origin) {
  Ctx c{origin};
  const json::value root = parse_json(c, text);
  auto& o = obj(c, root, "$");
  Scenario s;
  parse_header(c, o, s);
  parse_workspaces(c, o, s);
  parse_users_and_apps(c, o, s);
  parse_keys(c, o, s);
  parse_models(c, o, s);
  parse_streams(c, o, s);
  if (auto* cs = opt(o, "classifiers")) parse_classifiers(c, arr(c, *cs, "$.classifiers"), s);
  check_detail_volume(c, s);
  return s;
}

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i) names.emplace_back(embedded::kScenarios[i].name);
  return names;
}

const char* shipped_scenario_text(std::string_view name) {
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i)
    if (name == embedded::kScenarios[i].name) return embedded::kScenarios[i].text;
  return nullptr;
}

Scenario load_scenario(const std::string& name_or_path) {
  if (const char* text = shipped_scenario_text(name_or_path)) return parse_scenario(text, "'" + name_or_path + "'");
  std::string why;
  auto text = try_read_file_capped(name_or_path, 4 * 1024 * 1024, &why);
  if (!text) {
    std::string names;
    for (auto& n : shipped_scenarios()) names += (names.empty() ? "" : ", ") + n;
    throw_usage("scenario '" + echo_input(name_or_path) + "' is neither a shipped scenario (" + names +
                ") nor a readable scenario file: " + why);
  }
  return parse_scenario(*text, echo_input(name_or_path));
}

}  // namespace orscript::sim
