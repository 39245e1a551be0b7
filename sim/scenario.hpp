// scenario.hpp: the synthetic organisation a simulator serves, loaded from JSON.
//
// Owns: the scenario data model (organisation, workspaces, users, apps, keys,
// models with prices and providers, traffic streams with change points), loading it
// from a shipped name or a file, and validating every field with a message that
// names the offending path. Does not own: generating traffic (generator.hpp) or
// serving it (endpoints.hpp). The format is documented in docs/simulator.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orscript::sim {

using Weights = std::vector<std::pair<std::string, double>>;  // value -> relative weight

struct Workspace {
  std::string id;    // UUID
  std::string name;
  bool is_default = false;
  std::string slug{};         // default: the name in lower case, non-alphanumerics as '-'
  std::string description{};  // "" means null
  std::string created{};      // YYYY-MM-DD
};

struct User {
  std::string id;    // Clerk-style "user_..."
  std::string name;  // "" means no display name (API returns null)
  std::string email;
};

struct App {
  std::int64_t id = 0;
  std::string name;
  std::string origin;  // origin URL, used as the `origin` dimension of its traffic
};

struct Key {
  std::int64_t id = 0;
  std::string name;
  std::string hash;        // 64 lower-case hex (SHA-256)
  std::string label;       // "sk-or-v1-abc...xyz" as shown in /keys
  int user = -1;           // index into users, -1: org-level key
  int workspace = 0;       // index into workspaces
  std::string created;     // YYYY-MM-DD
  std::optional<double> limit;  // USD spending limit, none = unlimited
  bool disabled = false;
  std::string limit_reset;      // "daily", "weekly", "monthly"; "" = never resets (null)
  bool include_byok_in_limit = false;
  std::string expires_at;       // "YYYY-MM-DDTHH:MM:SSZ"; "" = never expires (null)
  std::string creator_user_id;  // default: the key's user, else the first user; "" = null
  std::string external_user;    // "" = null
};

// A classifier: labels generations along up to two named dimensions. Each stream's
// generations get a label per dimension drawn from its weights (a share 1 - coverage
// stays untagged: null). Labels are derived from the generation, not stored.
struct Classifier {
  std::string id;    // UUID
  std::string name;
  std::vector<std::string> dimensions;  // 1..2 snake_case names
  double coverage = 1.0;
  // per stream, per dimension: label weights (the scenario's "labels" by key/model,
  // else its "default")
  std::vector<std::vector<Weights>> stream_labels;
};

struct Prices {  // USD per million tokens
  double prompt = 0, completion = 0, cache_read = 0, cache_write = 0, reasoning = 0;
};

struct Provider {
  std::string name;
  double weight = 1;
  double latency_ms = 800;   // median latency
  double throughput = 60;    // median tokens/second
};

struct Model {
  std::string slug;        // "openai/gpt-4.1"
  std::string permaslug;   // "openai/gpt-4.1-2025-04-14"; the analytics `model` value
  std::string variant = "standard";
  Prices prices;
  bool native_web_search = false;  // web search billed as usage_upstream_web
  std::vector<Provider> providers;
};

struct LogNormal {
  double mean = 1000, sigma = 0.5;
};

// A change point in a stream: from `day` (UTC day number, resolved against now) on,
// the stream uses `model` (when >= 0) and/or multiplies its volume by `volume`.
struct Change {
  std::optional<double> days_ago;        // as written
  std::optional<int> week_start_ago;     // start of the Nth latest complete week
  int model = -1;
  double volume = 1.0;
};

struct Stream {
  int key = 0, model = 0;
  int app = -1;                            // index into apps, -1: no app attribution
  double requests_per_day = 100;
  std::array<double, 7> weekly{1, 1, 1, 1, 1, 1, 1};  // Sunday..Saturday
  std::array<double, 24> hourly{};         // filled from "flat"/"office"/"night"/array
  double growth_per_week = 0;
  double daily_noise = 0.08;               // sigma of the day-level lognormal noise
  bool exact = false;                      // counts are the rounded mean (no Poisson draw) and
                                           // cache/reasoning shares exact: hand-checkable figures
  bool exact_volume = false;               // day/hour counts: expected count rounded at random, not Poisson
  std::vector<Change> changes;
  LogNormal prompt_tokens{8000, 0.6}, completion_tokens{600, 0.6};
  double reasoning_share = 0, cache_hit_rate = 0, cache_write_share = 0;
  double web_search_rate = 0, file_rate = 0, web_fetch_rate = 0;
  double byok_share = 0, data_discount = 0;
  double guardrail_rate = 0.002, response_cache_rate = 0;
  int external_users = 0;
  double latency_factor = 1.0;
  Weights countries, finish_reasons;       // empty: the scenario defaults
};

struct Scenario {
  std::string name, description;
  std::string org_name;
  double total_credits = 0;
  int history_days = 130;   // days of history (>= 120)
  int detail_days = 45;     // days kept event by event (>= 31)
  double web_search_price = 0.02;   // USD per request using web search
  double web_fetch_price = 0.001;   // USD per web fetch
  double file_page_price = 0.002;   // USD per parsed page
  double byok_fee_rate = 0.05;      // share of inference cost billed as BYOK fee
  Weights countries, finish_reasons;
  std::string management_token, inference_token;  // Bearer tokens accepted
  int inference_key = 0;    // index of the key the inference token authenticates as
  std::vector<Workspace> workspaces;
  std::vector<User> users;
  std::vector<App> apps;
  std::vector<Key> keys;
  std::vector<Model> models;
  std::vector<Stream> streams;
  std::vector<Classifier> classifiers;

  int find_model(std::string_view slug) const;  // -1 when absent
  int find_key(std::string_view name) const;    // -1 when absent
};

// The built-in demo tokens (also the defaults of every scenario).
inline constexpr const char* kDemoManagementToken =
    "sk-or-v1-demo-management-0000000000000000000000000000000000000000000000000";
inline constexpr const char* kDemoInferenceToken =
    "sk-or-v1-demo-inference-00000000000000000000000000000000000000000000000000";

// Parses and validates scenario JSON text; `origin` names it in error messages.
// Throws orscript::Error(usage) naming the bad field.
Scenario parse_scenario(std::string_view json_text, const std::string& origin);
// Loads a shipped scenario by name ("demo", "lean") or a JSON file by path.
Scenario load_scenario(const std::string& name_or_path);
// Names of the scenarios embedded in the binary.
std::vector<std::string> shipped_scenarios();
// The embedded JSON of a shipped scenario, or nullptr.
const char* shipped_scenario_text(std::string_view name);

}  // namespace orscript::sim
