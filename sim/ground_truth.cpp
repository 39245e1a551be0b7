#include "sim/ground_truth.hpp"

#include "sim/generator.hpp"
#include "sim/query_engine.hpp"
#include "sim/time_util.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace orscript::sim {

namespace json = boost::json;

namespace {

constexpr double kExpensiveMultiple = 5, kMinMonthlyUsd = 50, kKeyShare = 0.2, kPromptHeavy = 0.75, kLowCache = 0.2,
                 kTargetCache = 0.5, kWebShare = 0.15, kReasoningShare = 0.5, kReasoningCut = 0.5, kGrowthRatio = 1.8,
                 kMonthDays = 30.4, kWeeklyToMonthly = kMonthDays / 7, kPromptTrimTokens = 20000,
                 kPromptTrimShare = 0.3;

double num(const json::object& row, std::string_view k) {
  auto it = row.find(k);
  if (it == row.end() || it->value().is_null()) return 0.0;
  const json::value& v = it->value();
  if (v.is_string()) return std::stod(std::string(v.get_string()));
  return v.to_number<double>();
}
std::string str(const json::object& row, std::string_view k) {
  auto it = row.find(k);
  if (it == row.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

json::array rows(const Store& s, json::object body) {
  body["limit"] = 10000;
  json::object out = query(s, body);
  return out["data"].as_array();
}

json::object range(std::int64_t a, std::int64_t b) {
  return json::object{{"start", format_iso_ms(a)}, {"end", format_iso_ms(b)}};
}

struct Fig {
  double usage = 0, tokens = 0, prompt = 0, completion = 0, reasoning = 0, cached = 0, cache = 0, web = 0, hit = 0,
         requests = 0, surcharges = 0;
  double rate() const { return tokens > 0 ? usage / tokens * 1e6 : 0; }
  // The inference rate: without the surcharges (web search, files, web fetch) callers add.
  double inf_rate() const { return tokens > 0 ? (usage - surcharges) / tokens * 1e6 : 0; }
};

Fig fig(const json::object& r) {
  Fig f;
  f.usage = num(r, "total_usage");
  f.tokens = num(r, "tokens_total");
  f.prompt = num(r, "tokens_prompt");
  f.completion = num(r, "tokens_completion");
  f.reasoning = num(r, "reasoning_tokens");
  f.cached = num(r, "cached_tokens");
  f.cache = num(r, "usage_cache");
  f.web = num(r, "usage_web");
  f.hit = num(r, "cache_hit_rate");
  f.requests = num(r, "request_count");
  f.surcharges = num(r, "usage_web") + num(r, "usage_upstream_web") + num(r, "usage_file") + num(r, "usage_web_fetch");
  return f;
}

// One run of compute_ground_truth: the month's figures that every kind reads, and the
// items found so far. Each add_* appends one kind's items, in the order of the report.
class Truth {
 public:
  explicit Truth(const Store& store);
  void add_expensive_model();
  void add_caching();
  void add_cache_writes();
  void add_prompt_trimming();
  void add_surcharges();
  void add_reasoning();
  // The last 6 complete Sunday-start weeks by key (kept for the result), and the growth items.
  void add_growth();
  // Orders the recommendations by impact, largest first (facts are added after).
  void sort_by_impact();
  void add_repointed();
  json::value result() const;

 private:
  json::value key_hash(const std::string& name) const {
    const int k = sc.find_key(name);
    return k >= 0 ? json::value(sc.keys[k].hash) : json::value(nullptr);
  }
  struct KM {
    std::string key, model;
    double usage, tokens;
  };

  const Store& s;
  const Scenario& sc;
  std::int64_t month_end, month_start;
  json::object month;
  double S;  // every impact is monthly: a window figure × 30.4 / days in the window
  json::array base_rows;
  Fig base;
  double B, Binf;
  std::map<std::string, Fig> models;
  std::vector<KM> key_model;
  json::array items;
  std::int64_t weeks_end = 0, weeks_start = 0;
  json::array week_labels;
  std::map<std::string, std::array<double, 6>> weekly;
};

Truth::Truth(const Store& store) : s(store), sc(store.scenario) {
  month_end = bucket_start(Granularity::month, s.now_ms);
  month_start = bucket_start(Granularity::month, month_end - 1);
  const json::array all_metrics{"total_usage", "tokens_total", "tokens_prompt", "tokens_completion", "reasoning_tokens",
                                "cached_tokens", "usage_cache", "usage_web", "cache_hit_rate", "request_count",
                                "usage_upstream_web", "usage_file", "usage_web_fetch"};
  month = range(month_start, month_end);
  S = kMonthDays / (double(month_end - month_start) / kDayMs);

  // Baseline and per-model figures over M.
  base_rows = rows(s, json::object{{"metrics", all_metrics}, {"time_range", month}});
  base = base_rows.empty() ? Fig{} : fig(base_rows[0].as_object());
  B = base.rate();
  // "Expensive" compares inference rates: a model is not expensive because its callers search the web.
  Binf = base.inf_rate();
  for (auto& r : rows(s, json::object{{"metrics", all_metrics}, {"dimensions", json::array{"model"}}, {"time_range", month}}))
    models[str(r.as_object(), "model")] = fig(r.as_object());
  for (auto& r : rows(s, json::object{{"metrics", json::array{"total_usage", "tokens_total"}},
                                      {"dimensions", json::array{"api_key_id", "model"}}, {"time_range", month}})) {
    auto& o = r.as_object();
    key_model.push_back({str(o, "api_key_id"), str(o, "model"), num(o, "total_usage"), num(o, "tokens_total")});
  }
}

void Truth::add_expensive_model() {
  // expensive_model
  for (auto& [m, f] : models) {
    if (!(f.tokens > 0 && f.inf_rate() >= kExpensiveMultiple * Binf && f.usage * S >= kMinMonthlyUsd)) continue;
    std::string alt;
    double alt_tokens = -1, alt_rate = 0;
    for (auto& [a, g] : models)
      if (a != m && g.tokens > 0 && g.inf_rate() <= Binf && g.tokens > alt_tokens) {
        alt = a;
        alt_tokens = g.tokens;
        alt_rate = g.inf_rate();
      }
    for (auto& km : key_model) {
      if (km.model != m || km.usage < kKeyShare * f.usage) continue;
      const double impact = (km.usage - km.tokens * alt_rate / 1e6) * S;
      if (impact < kMinMonthlyUsd) continue;
      items.push_back(json::object{{"kind", "expensive_model"}, {"recommend", true}, {"model", m}, {"key", km.key},
                                   {"key_hash", key_hash(km.key)}, {"alternative", alt.empty() ? json::value(nullptr) : json::value(alt)},
                                   {"spend_usd", km.usage}, {"tokens", km.tokens}, {"rate_per_mtok", f.inf_rate()},
                                   {"blended_per_mtok", Binf}, {"alternative_per_mtok", alt_rate},
                                   {"impact_usd", impact}});
    }
  }
}

void Truth::add_caching() {
  // caching
  for (auto& [m, f] : models) {
    const double pt = f.prompt + f.completion;
    if (!(pt > 0 && f.prompt / pt >= kPromptHeavy && f.hit < kLowCache && f.cached > 0 && f.cache < 0)) continue;
    const double saving = -f.cache / f.cached;
    const double impact = (kTargetCache - f.hit) * f.prompt * saving * S;
    if (impact < kMinMonthlyUsd) continue;
    items.push_back(json::object{{"kind", "caching"}, {"recommend", true}, {"model", m}, {"cache_hit_rate", f.hit},
                                 {"tokens_prompt", f.prompt}, {"usage_cache", f.cache}, {"cached_tokens", f.cached},
                                 {"impact_usd", impact}});
  }
}

void Truth::add_cache_writes() {
  // cache_writes: the cache component is a net cost.
  for (auto& [m, f] : models) {
    if (!(f.cache > 0 && f.cache * S >= kMinMonthlyUsd)) continue;
    items.push_back(json::object{{"kind", "cache_writes"}, {"recommend", true}, {"model", m}, {"usage_cache", f.cache},
                                 {"impact_usd", f.cache * S}});
  }
}

void Truth::add_prompt_trimming() {
  // prompt_trimming: very large prompts where caching cannot help; prompt spend by token share.
  for (auto& [m, f] : models) {
    if (!(f.requests > 0 && f.prompt / f.requests >= kPromptTrimTokens && (f.cached == 0 || f.hit >= kTargetCache)))
      continue;
    const double denom = f.tokens - f.cached;
    const double impact = denom > 0 ? kPromptTrimShare * f.usage * (f.prompt - f.cached) / denom * S : 0;
    if (impact < kMinMonthlyUsd) continue;
    items.push_back(json::object{{"kind", "prompt_trimming"}, {"recommend", true}, {"model", m},
                                 {"prompt_per_request", f.prompt / f.requests}, {"impact_usd", impact}});
  }
}

void Truth::add_surcharges() {
  // Surcharges: by app for attributed traffic, by key for traffic without an app.
  const std::pair<const char*, const char*> surcharges[] = {
      {"web_search", "usage_web"}, {"native_web_search", "usage_upstream_web"},
      {"file_parsing", "usage_file"}, {"web_fetch", "usage_web_fetch"}};
  for (auto& [kind, metric] : surcharges) {
    std::map<std::pair<bool, std::string>, std::pair<double, double>> sums;  // (is app, name) -> (component, total)
    for (auto& r : rows(s, json::object{{"metrics", json::array{metric, "total_usage"}},
                                        {"dimensions", json::array{"api_key_id", "app"}}, {"time_range", month}})) {
      auto& o = r.as_object();
      const bool is_app = !o.at("app").is_null();
      auto& e = sums[{is_app, is_app ? str(o, "app") : str(o, "api_key_id")}];
      e.first += num(o, metric);
      e.second += num(o, "total_usage");
    }
    for (auto& [who, e] : sums) {
      const auto& [usd, total] = e;
      if (!(total > 0 && usd >= kWebShare * total && usd * S >= kMinMonthlyUsd)) continue;
      json::object item{{"kind", kind}, {"recommend", true}, {metric, usd}, {"total_usage", total}, {"impact_usd", usd * S}};
      if (who.first) {
        json::value app_id = nullptr;
        for (auto& a : sc.apps)
          if (a.name == who.second) app_id = a.id;
        item["app"] = who.second;
        item["app_id"] = app_id;
      } else {
        item["key"] = who.second;
      }
      items.push_back(std::move(item));
    }
  }
}

void Truth::add_reasoning() {
  // reasoning
  for (auto& [m, f] : models) {
    const double impact = kReasoningCut * f.reasoning * f.rate() / 1e6 * S;
    if (!(f.completion > 0 && f.reasoning / f.completion >= kReasoningShare && impact >= kMinMonthlyUsd)) continue;
    items.push_back(json::object{{"kind", "reasoning"}, {"recommend", true}, {"model", m}, {"reasoning_tokens", f.reasoning},
                                 {"tokens_completion", f.completion}, {"rate_per_mtok", f.rate()},
                                 {"impact_usd", impact}});
  }
}

void Truth::add_growth() {
  // growth: the last 6 complete Sunday-start weeks.
  weeks_end = bucket_start(Granularity::week, s.now_ms);
  weeks_start = weeks_end - 42 * kDayMs;
  for (int w = 0; w < 6; ++w) week_labels.push_back(json::string(format_date(weeks_start + w * 7 * kDayMs)));
  for (auto& r : rows(s, json::object{{"metrics", json::array{"total_usage"}}, {"dimensions", json::array{"api_key_id"}},
                                      {"granularity", "week"}, {"time_range", range(weeks_start, weeks_end)}})) {
    auto& o = r.as_object();
    const auto day = parse_date(str(o, "date__week"));
    if (!day) continue;
    const auto w = static_cast<std::size_t>((*day * kDayMs - weeks_start) / (7 * kDayMs));
    if (w < 6) weekly.try_emplace(str(o, "api_key_id"), std::array<double, 6>{}).first->second[w] += num(o, "total_usage");
  }
  for (auto& [key, w] : weekly) {
    const double before = (w[0] + w[1] + w[2] + w[3]) / 4, recent = (w[4] + w[5]) / 2;
    if (!(before > 0 && recent >= kGrowthRatio * before && (recent - before) * kWeeklyToMonthly >= kMinMonthlyUsd)) continue;
    items.push_back(json::object{{"kind", "growth"}, {"recommend", true}, {"key", key}, {"key_hash", key_hash(key)},
                                 {"before_weekly", before}, {"recent_weekly", recent},
                                 {"impact_usd", (recent - before) * kWeeklyToMonthly}});
  }
}

void Truth::sort_by_impact() {
  std::stable_sort(items.begin(), items.end(), [](const json::value& a, const json::value& b) {
    return a.at("impact_usd").as_double() > b.at("impact_usd").as_double();
  });
}

void Truth::add_repointed() {
  // repointed: facts from the scenario's change points.
  for (const Stream& st : sc.streams) {
    int from = st.model;
    std::vector<std::pair<std::int64_t, int>> changes;
    for (auto& c : st.changes)
      if (c.model >= 0) changes.emplace_back(change_day(c, s.now_ms), c.model);
    std::sort(changes.begin(), changes.end());
    for (auto& [day, to] : changes) {
      const std::int64_t week = bucket_start(Granularity::week, day * kDayMs);
      const Key& key = sc.keys[st.key];
      double before = 0, after = 0;
      int n_after = 0;
      for (auto& r : rows(s, json::object{{"metrics", json::array{"total_usage"}}, {"granularity", "week"},
                                          {"filters", json::array{json::object{{"field", "api_key_id"}, {"operator", "eq"}, {"value", key.id}}}},
                                          {"time_range", range(week - 21 * kDayMs, week + 28 * kDayMs)}})) {
        auto& o = r.as_object();
        const auto d = parse_date(str(o, "date__week"));
        if (!d) continue;
        const std::int64_t t = *d * kDayMs;
        if (t < week) before += num(o, "total_usage");
        else if (t > week && t + 7 * kDayMs <= weeks_end) after += num(o, "total_usage");
      }
      for (int k = 1; k <= 3; ++k) n_after += week + (k + 1) * 7 * kDayMs <= weeks_end;
      items.push_back(json::object{{"kind", "repointed"}, {"recommend", false}, {"key", key.name}, {"key_hash", key.hash},
                                   {"from_model", sc.models[from].permaslug}, {"to_model", sc.models[to].permaslug},
                                   {"date", format_date(day * kDayMs)}, {"week", format_date(week)},
                                   {"weekly_before", before / 3}, {"weekly_after", n_after ? after / n_after : 0.0},
                                   {"weeks_after", n_after}});
      from = to;
    }
  }

}

json::value Truth::result() const {
  json::array model_rows;
  for (auto& [m, f] : models) {
    const double pt = f.prompt + f.completion;
    model_rows.push_back(json::object{{"model", m}, {"total_usage", f.usage}, {"tokens_total", f.tokens},
                                      {"rate_per_mtok", f.rate()}, {"multiple_of_blended", B > 0 ? f.rate() / B : 0.0},
                                      {"prompt_share", pt > 0 ? f.prompt / pt : 0.0}, {"cache_hit_rate", f.hit},
                                      {"reasoning_share", f.completion > 0 ? f.reasoning / f.completion : 0.0},
                                      {"usage_cache", f.cache}, {"usage_web", f.web}});
  }
  json::object weekly_json;
  for (auto& [key, w] : weekly) weekly_json[key] = json::array(w.begin(), w.end());
  return json::object{
      {"scenario", sc.name},
      {"seed", s.seed},
      {"now", format_iso_ms(s.now_ms)},
      {"month", json::object{{"start", format_date(month_start)}, {"end", format_date(month_end)}}},
      {"thresholds", json::object{{"expensive_multiple", kExpensiveMultiple}, {"min_monthly_usd", kMinMonthlyUsd},
                                  {"key_share", kKeyShare}, {"prompt_heavy", kPromptHeavy}, {"low_cache", kLowCache},
                                  {"target_cache", kTargetCache}, {"web_share", kWebShare},
                                  {"reasoning_share", kReasoningShare}, {"reasoning_cut", kReasoningCut},
                                  {"growth_ratio", kGrowthRatio}, {"weekly_to_monthly", kWeeklyToMonthly}}},
      {"baseline", json::object{{"total_usage", base.usage}, {"tokens_total", base.tokens},
                                {"request_count", base_rows.empty() ? 0.0 : num(base_rows[0].as_object(), "request_count")},
                                {"blended_per_mtok", B}}},
      {"weeks", week_labels},
      {"weekly_by_key", weekly_json},
      {"items", items},
      {"models", model_rows},
  };
}

}  // namespace

json::value compute_ground_truth(const Store& s) {
  Truth t(s);
  t.add_expensive_model();
  t.add_caching();
  t.add_cache_writes();
  t.add_prompt_trimming();
  t.add_surcharges();
  t.add_reasoning();
  t.add_growth();
  t.sort_by_impact();
  t.add_repointed();
  return t.result();
}

}  // namespace orscript::sim
