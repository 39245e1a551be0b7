// retry_policy.hpp: when to retry a failed API call and how long to wait first.
//
// Owns: which failures are transient (connection errors, timeouts, 408, 429, 5xx), the
// exponential backoff with jitter, the server's hints (`retry-after-ms`, `Retry-After`
// in seconds or as an HTTP date) and the total time budget. Does not own: the waiting
// itself (api_client.cpp schedules it on the transport) or what the failure means to
// the user (api_client.cpp maps it to orscript::Error).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orscript::net {

struct RetryConfig {
  std::chrono::milliseconds initial{500};         // base delay before the first retry
  double multiplier = 2.0;                        // base grows by this per retry
  std::chrono::milliseconds max_interval{30'000}; // cap on one computed or hinted delay
  std::chrono::milliseconds budget{120'000};      // total time a call may spend (all attempts)
  int max_attempts = 6;                           // attempts in all, the first included
};

// What ended an attempt, as far as retrying is concerned.
struct AttemptOutcome {
  int status = 0;                  // HTTP status; 0 when no response arrived
  bool transport_error = false;    // connection refused/reset, cut short, timeout
  bool permanent_error = false;    // TLS failure, oversized/malformed body: never retried
  bool unlikely_to_heal = false;   // refused on loopback, name did not resolve: one retry only
  std::string retry_after_ms;      // raw header values ("" when absent)
  std::string retry_after;
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  bool from_server_hint = false;   // delay came from retry-after-ms / Retry-After
  std::string reason;              // "HTTP 503", "connection error", "budget exhausted", ...
};

// True for 408, 429 and every 5xx. 400/401/403/404 (and all other 4xx) are final.
bool is_retryable_status(int status);

// The server's hint: `retry-after-ms` (milliseconds) first, else `Retry-After` as whole
// seconds or an IMF-fixdate HTTP date (delta to `now`). nullopt when absent or unusable.
std::optional<std::chrono::milliseconds> parse_retry_hint(
    std::string_view retry_after_ms, std::string_view retry_after,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Parses "Sun, 06 Nov 1994 08:49:37 GMT"; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// The computed backoff before retry number `retry` (1 = the first retry), before any
// hint: initial * multiplier^(retry-1), capped at max_interval, then "equal jitter":
// scaled by 0.5 + 0.5 * jitter01 (jitter01 in [0,1)).
std::chrono::milliseconds backoff_delay(const RetryConfig& config, int retry, double jitter01);

// Decides after attempt number `attempts_done` (1-based) ended with `outcome`, `elapsed`
// after the call started. A retry is refused when it is not transient, when attempts
// run out (after one retry for an outcome unlikely_to_heal: a dead local server or a
// misspelt host does not come back in seconds), or when waiting would pass the budget.
RetryDecision decide_retry(const RetryConfig& config, const AttemptOutcome& outcome,
                           int attempts_done, std::chrono::milliseconds elapsed, double jitter01,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace orscript::net
