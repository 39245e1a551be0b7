// endpoints.hpp: every `/api/v1/...` endpoint of the simulator, as request -> response.
//
// Owns: routing, bearer-key auth (401/403), rate limits (429 with Retry-After and
// X-RateLimit-*), the analytics result cache (`cachedAt`), the error envelope, the
// organisation endpoints (analytics meta/query, activity, credits, key, keys,
// generation), delegating `/datasets/*` to datasets.hpp, and applying the answer-
// changing faults, and the key-management state (key edits, workspace budgets: kept
// in memory for the life of the server, implemented in management.cpp). No Beast here: unit-testable without sockets. Does not own:
// transport (http_server.cpp) or query semantics (query_engine.hpp).
#pragma once

#include "sim/faults.hpp"
#include "sim/http_types.hpp"
#include "sim/rate_limiter.hpp"
#include "sim/store.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace orscript::sim {

struct ApiOptions {
  bool rate_limits = true;
  std::int64_t cache_ttl_ms = 60'000;  // identical analytics queries within this window are cached
  std::vector<std::string> faults;
};

class Api {
 public:
  // Throws orscript::Error(usage) for a bad fault spec.
  Api(std::shared_ptr<const Store> store, const ApiOptions& options);

  // Answers one request; thread-safe.
  HttpResponse handle(const HttpRequest& request);

  // The simulated clock: the scenario's now plus the time elapsed since start-up.
  std::int64_t clock_ms() const;
  const Store& store() const { return *store_; }
  // Sum of credits usage over all history (what /credits reports as total_usage).
  double total_credits_usage() const { return total_usage_; }

 private:
  HttpResponse route(const HttpRequest& request, const std::string& endpoint, const std::string& query_string);
  HttpResponse analytics_query(const HttpRequest& request, const std::string& token);
  HttpResponse activity(const std::map<std::string, std::string>& params);
  HttpResponse generation(const std::map<std::string, std::string>& params);
  // management.cpp: keys, workspaces, budgets. `args` are the path's {captures}.
  using Args = std::map<std::string, std::string>;
  HttpResponse management(const HttpRequest& request, const std::string& pattern, const Args& args,
                          const std::map<std::string, std::string>& params);
  HttpResponse key_info(const std::string& token) const;
  HttpResponse keys_list(const std::map<std::string, std::string>& params) const;
  HttpResponse key_patch(int key, const std::string& body);
  HttpResponse budget_put(int workspace, int interval, const std::string& body);
  boost::json::object key_object(int key) const;  // callers hold state_mu_
  boost::json::object workspace_object(int workspace) const;
  boost::json::object budget_object(int workspace, int interval) const;  // callers hold state_mu_
  int find_workspace(const std::string& ref) const;  // id or slug; -1 when absent
  bool key_disabled(int key) const;

  // Key-management state: what PATCH /keys and PUT/DELETE budgets changed.
  struct KeyState {
    std::string name;
    bool disabled = false;
    std::optional<double> limit;
    std::string limit_reset;  // "" = null
    bool include_byok = false;
    std::string updated_at;
  };
  struct Budget {
    bool set = false;
    double limit_usd = 0;
    std::string created_at, updated_at;
  };
  struct WorkspaceState {
    std::array<Budget, 4> budgets;  // daily, weekly, monthly, lifetime
    bool include_byok = false;
  };
  mutable std::mutex state_mu_;
  std::vector<KeyState> keys_;
  std::vector<WorkspaceState> workspaces_;

  std::shared_ptr<const Store> store_;
  ApiOptions options_;
  Faults faults_;
  RateLimiter limiter_;
  std::chrono::steady_clock::time_point started_;
  double total_usage_ = 0;
  struct KeyUsage {
    double usage = 0, daily = 0, weekly = 0, monthly = 0;
    double byok = 0, byok_daily = 0, byok_weekly = 0, byok_monthly = 0;
  };
  std::vector<KeyUsage> key_usage_;
  struct CacheEntry {
    std::chrono::steady_clock::time_point at;
    std::int64_t cached_at_ms;
    boost::json::value data;
  };
  std::mutex cache_mu_;
  std::map<std::string, CacheEntry> cache_;
};

// Parses "a=1&b=x%20y" (percent and '+' decoding).
std::map<std::string, std::string> parse_query_string(const std::string& qs);
// The standard error body as a response.
HttpResponse error_response(int status, const std::string& message);

}  // namespace orscript::sim
