#include "sim/datasets.hpp"

#include "sim/rng.hpp"
#include "sim/time_util.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace orscript::sim {

namespace json = boost::json;

json::value error_body(int status, const std::string& message) {
  return json::object{{"error", json::object{{"code", status}, {"message", message}}}};
}

namespace {

const char* const kPublicModels[] = {
    "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash", "openai/gpt-4.1-mini", "deepseek/deepseek-chat-v3.1",
    "x-ai/grok-code-fast-1", "google/gemini-2.5-pro", "anthropic/claude-opus-4.1", "openai/gpt-5",
    "qwen/qwen3-coder", "z-ai/glm-4.6", "openai/gpt-oss-120b", "google/gemini-2.5-flash-lite",
    "meta-llama/llama-4-maverick", "mistralai/mistral-medium-3.1", "openai/gpt-4o-mini", "anthropic/claude-3.5-haiku",
    "deepseek/deepseek-r1", "moonshotai/kimi-k2", "qwen/qwen3-235b-a22b", "openai/o3",
    "openai/o4-mini", "google/gemma-3-27b-it", "mistralai/devstral-medium", "x-ai/grok-4",
    "openai/gpt-4.1", "meta-llama/llama-3.3-70b-instruct", "nvidia/nemotron-nano-9b-v2", "mistralai/mistral-small-3.2",
    "cohere/command-a", "amazon/nova-pro-v1", "microsoft/phi-4", "minimax/minimax-m2",
    "openai/gpt-5-mini", "google/gemini-3-pro-preview", "anthropic/claude-haiku-4.5", "qwen/qwen3-32b",
    "deepseek/deepseek-v3.2-exp", "inception/mercury-coder", "perplexity/sonar-pro", "ai21/jamba-large-1.7",
    "openai/gpt-5-nano", "baidu/ernie-4.5-300b", "tencent/hunyuan-a13b", "thudm/glm-4.1v-9b",
    "liquid/lfm-7b", "arcee-ai/virtuoso-large", "nousresearch/hermes-4-405b", "sao10k/l3.3-euryale-70b",
    "gryphe/mythomax-l2-13b", "undi95/remm-slerp-l2-13b", "cognitivecomputations/dolphin-mistral-24b",
    "openai/gpt-oss-20b", "meta-llama/llama-3.1-8b-instruct", "mistralai/mistral-nemo", "qwen/qwen-2.5-72b-instruct",
    "google/gemini-2.0-flash-001", "anthropic/claude-3.7-sonnet", "openai/gpt-4o", "x-ai/grok-3-mini",
    "deepseek/deepseek-chat-v3-0324:free", "meta-llama/llama-3.2-3b-instruct", "z-ai/glm-4.5-air:free",
};
constexpr std::size_t kNumModels = std::size(kPublicModels);

const char* const kCategories[] = {"coding", "creative", "productivity", "entertainment"};
const char* const kSubcategories[] = {"cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder",
                                      "creative-writing", "video-gen", "image-gen", "audio-gen",
                                      "writing-assistant", "general-chat", "personal-agent", "legal",
                                      "roleplay", "game"};
int sub_category(int sub) { return sub < 5 ? 0 : sub < 9 ? 1 : sub < 13 ? 2 : 3; }

const char* const kRankCategories[] = {"programming", "roleplay", "marketing", "marketing/seo", "technology", "science",
                                       "translation", "legal", "finance", "health", "trivia", "academia"};

double unit_hash(std::uint64_t a, std::uint64_t b) {
  return static_cast<double>(mix64(a * 0x9E3779B97F4A7C15ULL ^ mix64(b)) >> 11) * 0x1.0p-53;
}

// Public daily tokens of model m on day d (a deterministic, trending series).
double model_day_tokens(std::size_t m, std::int64_t day) {
  const double base = 4.0e10 * std::pow(0.86, static_cast<double>(m)) * (0.6 + unit_hash(m, 1));
  const double trend = (unit_hash(m, 2) - 0.45) * 0.006;  // per day
  const double rel = static_cast<double>(day - 20400);
  const double weekly = weekday(day) == 0 || weekday(day) == 6 ? 0.82 : 1.05;
  return std::max(0.0, base * std::exp(trend * rel) * weekly * (0.9 + 0.2 * unit_hash(m * 131 + 7, static_cast<std::uint64_t>(day))));
}

bool is_one_of(const std::string& v, std::initializer_list<const char*> names) {
  for (auto* n : names)
    if (v == n) return true;
  return false;
}

std::string enum_msg(std::initializer_list<const char*> names) {
  std::string s = "Invalid option: expected one of ";
  bool first = true;
  for (auto* n : names) {
    s += (first ? "\"" : "|\"") + std::string(n) + "\"";
    first = false;
  }
  return s;
}

DatasetAnswer bad(const std::string& msg) { return {400, error_body(400, msg)}; }

const std::int64_t kFloorDay = days_from_civil(2025, 1, 1);

// Resolves start_date/end_date (inclusive days) with the shared rules; returns an error message or "".
std::string resolve_dates(const Params& p, std::int64_t now_ms, std::int64_t& start, std::int64_t& end) {
  const std::int64_t last_complete = day_index(now_ms) - 1;
  end = last_complete;
  for (const char* k : {"start_date", "end_date"}) {
    auto it = p.find(k);
    if (it == p.end()) continue;
    const std::string& v = it->second;
    const bool shape = v.size() == 10 && std::isdigit(static_cast<unsigned char>(v[0])) && v[4] == '-' && v[7] == '-' &&
                       std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '-'; });
    if (!shape) return std::string(k) + ": Invalid string: must match pattern /^\\d{4}-\\d{2}-\\d{2}$/";
    auto d = parse_date(v);
    if (!d) return std::string(k) + ": Invalid calendar date: " + v;
    (k[0] == 's' ? start : end) = *d;
  }
  if (end < kFloorDay) return "end_date: must be on or after 2025-01-01";
  end = std::min(end, day_index(now_ms));
  if (p.find("start_date") == p.end()) start = end - 29;
  start = std::max(start, kFloorDay);
  if (start > end) return "start_date: must not be after end_date";
  if (end - start + 1 > 366) return "start_date: the range may span at most 366 days";
  return "";
}

json::object meta(std::int64_t as_of_ms, std::int64_t start, std::int64_t end) {
  return json::object{{"as_of", format_iso_ms(as_of_ms)}, {"version", "v1"},
                      {"start_date", format_date(start * kDayMs)}, {"end_date", format_date(end * kDayMs)}};
}

std::string u64(double v) { return std::to_string(static_cast<unsigned long long>(std::llround(std::max(0.0, v)))); }

bool parse_int(const std::string& s, long long& out) {
  if (s.empty() || s.size() > 12) return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (std::size_t k = i; k < s.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
  out = std::stoll(s);
  return true;
}

// Reads an integer query parameter in [lo, hi]; returns "" or an error message.
std::string int_param(const Params& p, const char* name, long long lo, long long hi, long long& out) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty() || it->second == "null") return "";
  long long v;
  if (!parse_int(it->second, v)) return std::string(name) + ": Invalid input: expected int, received string";
  if (v < lo) return std::string(name) + ": Too small: expected number to be >=" + std::to_string(lo);
  if (v > hi) return std::string(name) + ": Too big: expected number to be <=" + std::to_string(hi);
  out = v;
  return "";
}

}  // namespace

DatasetAnswer rankings_daily(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms) {
  std::int64_t start = 0, end = 0;
  if (auto e = resolve_dates(p, now_ms, start, end); !e.empty()) return bad(e);
  auto get = [&](const char* k) -> std::string {
    auto it = p.find(k);
    return it == p.end() ? "" : it->second;
  };
  const std::string period_in = get("period"), modality = get("modality"), ctx = get("context_bucket"),
                    category = get("category"), language = get("language_type");
  if (!period_in.empty() && !is_one_of(period_in, {"day", "week", "month"}))
    return bad("period: " + enum_msg({"day", "week", "month"}));
  if (!modality.empty() && !is_one_of(modality, {"text", "image", "image_output", "audio", "tool_calling"}))
    return bad("modality: " + enum_msg({"text", "image", "image_output", "audio", "tool_calling"}));
  if (!ctx.empty() && !is_one_of(ctx, {"1K", "10K", "100K", "1M", "10M"}))
    return bad("context_bucket: " + enum_msg({"1K", "10K", "100K", "1M", "10M"}));
  if (!category.empty() && std::find(std::begin(kRankCategories), std::end(kRankCategories), category) == std::end(kRankCategories))
    return bad("category: " + enum_msg({"programming", "roleplay", "marketing", "marketing/seo", "technology", "science",
                                        "translation", "legal", "finance", "health", "trivia", "academia"}));
  if (!language.empty() && !is_one_of(language, {"natural", "programming"}))
    return bad("language_type: " + enum_msg({"natural", "programming"}));
  const bool sampled = !category.empty() || !language.empty();
  if (!category.empty() && !language.empty()) return bad("category and language_type cannot be combined");
  if (sampled && (!modality.empty() || !ctx.empty()))
    return bad("category and language_type cannot be combined with modality or context_bucket");
  if (sampled && period_in == "day") return bad("period: \"day\" is not available with category or language_type");
  const std::string period = period_in.empty() ? (sampled ? "week" : "day") : period_in;

  // Share of a model's traffic in a slice (deterministic per model and slice).
  std::uint64_t slice = 0;
  for (const std::string* s : {&modality, &ctx, &category, &language})
    for (char ch : *s) slice = slice * 131 + static_cast<unsigned char>(ch);
  auto share = [&](std::size_t m) { return slice == 0 ? 1.0 : 0.02 + 0.5 * unit_hash(m + 977, slice); };

  auto bucket_of_day = [&](std::int64_t d) -> std::int64_t {
    if (period == "day") return d;
    if (period == "week") return d - ((weekday(d) + 6) % 7);  // ISO week: Monday
    const Civil c = civil_from_days(d);
    return days_from_civil(c.year, c.month, 1);
  };
  json::array rows;
  std::int64_t d = start;
  while (d <= end) {
    const std::int64_t b = bucket_of_day(d);
    std::vector<std::pair<double, std::size_t>> totals(kNumModels);
    for (std::size_t m = 0; m < kNumModels; ++m) totals[m] = {0.0, m};
    std::int64_t last = d;
    if (sampled && period == "month") {
      // Weeks grouped by the month of their (Monday) start: approximate at month edges.
      last = d;
      while (last + 1 <= end && bucket_of_day(last + 1) == b) ++last;
      for (std::int64_t x = d; x <= last; ++x)
        for (std::size_t m = 0; m < kNumModels; ++m) totals[m].first += model_day_tokens(m, x) * share(m);
    } else {
      while (last + 1 <= end && bucket_of_day(last + 1) == b) ++last;
      // The sampled weekly dataset includes the whole trailing week.
      const std::int64_t to = sampled && period == "week" ? b + 6 : last;
      for (std::int64_t x = (sampled ? b : d); x <= to; ++x)
        for (std::size_t m = 0; m < kNumModels; ++m) totals[m].first += model_day_tokens(m, x) * share(m);
    }
    std::sort(totals.begin(), totals.end(), [](auto& a, auto& c) {
      if (a.first != c.first) return a.first > c.first;
      return std::string_view(kPublicModels[a.second]) < kPublicModels[c.second];
    });
    double other = 0;
    for (std::size_t i = 0; i < totals.size(); ++i) {
      if (std::llround(totals[i].first) <= 0) continue;
      if (i < 50)
        rows.push_back(json::object{{"date", format_date(b * kDayMs)}, {"model_permaslug", kPublicModels[totals[i].second]},
                                    {"total_tokens", u64(totals[i].first)}});
      else
        other += totals[i].first;
    }
    if (other > 0)
      rows.push_back(json::object{{"date", format_date(b * kDayMs)}, {"model_permaslug", "other"}, {"total_tokens", u64(other)}});
    d = last + 1;
  }
  return {200, json::object{{"data", std::move(rows)}, {"meta", meta(as_of_ms, start, end)}}};
}

namespace {
struct PublicApp {
  int id;
  std::string name;
  int sub;
  double base;
  double trend;
};
const std::vector<PublicApp>& public_apps() {
  static const std::vector<PublicApp> apps = [] {
    const char* const first[] = {"Cline", "Kilo", "Roo", "Hermes", "Nova", "Quill", "Atlas", "Echo", "Pixel", "Sage",
                                 "Tavern", "Muse", "Forge", "Lumen", "Orbit", "Vega", "Drift", "Cobalt", "Ember", "Zephyr"};
    const char* const second[] = {"Code", "Agent", "Chat", "Studio", "Writer", "Assist", "Lab", "Desk", "Pilot", "Works",
                                  "Play", "Story", "Notes", "CLI"};
    std::vector<PublicApp> v;
    for (int i = 0; i < 240; ++i) {
      PublicApp a;
      a.id = 1000 + static_cast<int>(mix64(static_cast<std::uint64_t>(i) + 17) % 90000);
      a.name = std::string(first[i % 20]) + " " + second[(i / 20 + i) % 14] + (i >= 140 ? " " + std::to_string(i / 20) : "");
      a.sub = static_cast<int>(mix64(static_cast<std::uint64_t>(i) * 7 + 3) % 15);
      a.base = 6.0e9 * std::pow(0.975, i) * (0.5 + unit_hash(static_cast<std::uint64_t>(i), 41));
      a.trend = (unit_hash(static_cast<std::uint64_t>(i), 43) - 0.5) * 0.02;
      v.push_back(a);
    }
    return v;
  }();
  return apps;
}
double app_window_tokens(const PublicApp& a, std::int64_t start, std::int64_t end) {
  double t = 0;
  for (std::int64_t d = start; d <= end; ++d)
    t += a.base * std::exp(a.trend * static_cast<double>(d - 20400)) *
         (0.85 + 0.3 * unit_hash(static_cast<std::uint64_t>(a.id), static_cast<std::uint64_t>(d)));
  return t;
}
}  // namespace

DatasetAnswer app_rankings(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms) {
  std::int64_t start = 0, end = 0;
  if (auto e = resolve_dates(p, now_ms, start, end); !e.empty()) return bad(e);
  auto get = [&](const char* k) -> std::string {
    auto it = p.find(k);
    return it == p.end() ? "" : it->second;
  };
  const std::string sort = get("sort").empty() ? "popular" : get("sort");
  if (sort != "popular" && sort != "trending") return bad("sort: " + enum_msg({"popular", "trending"}));
  int cat = -1, sub = -1;
  if (auto c = get("category"); !c.empty()) {
    for (int i = 0; i < 4; ++i)
      if (c == kCategories[i]) cat = i;
    if (cat < 0) return bad("category: " + enum_msg({"coding", "creative", "productivity", "entertainment"}));
  }
  if (auto s = get("subcategory"); !s.empty()) {
    for (int i = 0; i < 15; ++i)
      if (s == kSubcategories[i]) sub = i;
    if (sub < 0)
      return bad("subcategory: " + enum_msg({"cli-agent", "ide-extension", "cloud-agent", "programming-app",
                                             "native-app-builder", "creative-writing", "video-gen", "image-gen",
                                             "audio-gen", "writing-assistant", "general-chat", "personal-agent",
                                             "legal", "roleplay", "game"}));
    if (cat >= 0 && sub_category(sub) != cat)
      return bad("subcategory: \"" + s + "\" does not belong to category \"" + get("category") + "\"");
  }
  long long limit = 50, offset = 0;
  if (auto e = int_param(p, "limit", 1, 100, limit); !e.empty()) return bad(e);
  if (auto e = int_param(p, "offset", 0, 100, offset); !e.empty()) return bad(e);

  struct Row {
    const PublicApp* app;
    double tokens, score;
  };
  std::vector<Row> rows;
  const std::int64_t len = end - start + 1;
  for (auto& a : public_apps()) {
    if (sub >= 0 ? a.sub != sub : (cat >= 0 && sub_category(a.sub) != cat)) continue;
    const double t = app_window_tokens(a, start, end);
    double score = t;
    if (sort == "trending") {
      double prev = 0;
      for (int k = 1; k <= 3; ++k) prev += app_window_tokens(a, start - k * len, end - k * len);
      score = t - prev / 3;
      if (score <= 0) continue;
    }
    rows.push_back({&a, t, score});
  }
  std::sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.score != y.score ? x.score > y.score : x.app->id < y.app->id; });
  json::array data;
  for (long long i = offset; i < static_cast<long long>(rows.size()) && i < offset + limit; ++i) {
    const Row& r = rows[static_cast<std::size_t>(i)];
    data.push_back(json::object{{"rank", i + 1}, {"app_id", r.app->id}, {"app_name", r.app->name},
                                {"total_tokens", u64(r.tokens)},
                                {"total_requests", static_cast<std::int64_t>(r.tokens / (9000 + r.app->id % 7000))}});
  }
  return {200, json::object{{"data", std::move(data)}, {"meta", meta(as_of_ms, start, end)}}};
}

DatasetAnswer session_cost(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms) {
  auto get = [&](const char* k) -> std::string {
    auto it = p.find(k);
    return it == p.end() ? "" : it->second;
  };
  const std::string turn = get("turn_range");
  const char* const turns[] = {"1-turn", "2-9-turns", "10-49-turns", "50-plus-turns"};
  if (!turn.empty() && std::find(std::begin(turns), std::end(turns), turn) == std::end(turns))
    return bad("turn_range: " + enum_msg({"1-turn", "2-9-turns", "10-49-turns", "50-plus-turns"}));
  long long limit = 100, offset = 0;
  if (auto e = int_param(p, "limit", 1, 500, limit); !e.empty()) return bad(e);
  if (auto e = int_param(p, "offset", 0, 5000, offset); !e.empty()) return bad(e);
  if (p.count("app_slug") && get("app_slug").empty()) return bad("app_slug: Too small: expected string to have >=1 characters");
  if (p.count("model") && get("model").empty()) return bad("model: Too small: expected string to have >=1 characters");
  const std::pair<const char*, const char*> harnesses[] = {{"claude-code", "Claude Code"}, {"cline", "Cline"},
                                                           {"hermes-agent", "Hermes Agent"}, {"kilo-code", "Kilo Code"},
                                                           {"openhands", "OpenHands"}, {"roo-code", "Roo Code"}};
  const char* const models[] = {"anthropic/claude-sonnet-4.5", "anthropic/claude-opus-4.1", "google/gemini-2.5-pro",
                                "openai/gpt-5", "qwen/qwen3-coder", "x-ai/grok-code-fast-1", "z-ai/glm-4.6",
                                "deepseek/deepseek-chat-v3.1"};
  const double price[] = {9.0, 45.0, 6.0, 5.5, 0.9, 0.8, 1.1, 0.6};
  const double turn_mult[] = {0.04, 0.25, 1.0, 4.2};
  json::array data;
  long long idx = 0;
  for (std::size_t h = 0; h < std::size(harnesses); ++h)
    for (std::size_t m = 0; m < std::size(models); ++m)
      for (std::size_t t = 0; t < 4; ++t) {
        if (unit_hash(h * 31 + m, t + 5) < 0.2) continue;  // not every cell is published
        if (!get("app_slug").empty() && get("app_slug") != harnesses[h].first) continue;
        if (!get("model").empty() && get("model") != models[m]) continue;
        if (!turn.empty() && turn != turns[t]) continue;
        if (idx++ < offset || static_cast<long long>(data.size()) >= limit) continue;
        const double cost = price[m] * turn_mult[t] * (0.1 + 0.08 * unit_hash(h + 11, m * 4 + t));
        data.push_back(json::object{{"app_slug", harnesses[h].first}, {"app_name", harnesses[h].second},
                                    {"turn_range", turns[t]}, {"model_permaslug", models[m]},
                                    {"median_session_cost_usd", std::round(cost * 10000) / 10000}});
      }
  // Weekly snapshot: the window ends on the last completed Sunday.
  const std::int64_t today = day_index(now_ms);
  std::int64_t wend = today - 1;
  while (weekday(wend) != 0) --wend;
  return {200, json::object{{"data", std::move(data)},
                            {"meta", json::object{{"as_of", format_iso_ms(as_of_ms)}, {"version", "v1"},
                                                  {"window_days", 30}, {"window_end_date", format_date(wend * kDayMs)}}}}};
}

}  // namespace orscript::sim
