// rate_limiter.hpp: keeps the client under the API's documented request rates.
//
// Owns: a rolling-window limit per endpoint family: at most 64 requests in any 60 s on
// /analytics/*, at most 30 in any 60 s on /datasets/*; other paths are not limited.
// A request reserves the earliest slot that keeps the window under its limit and learns
// how long to wait for it. The clock is injectable so tests check the limit without
// sleeping. Does not own: the waiting (api_client.cpp schedules it) or the server's 429s.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace orscript::net {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;

  struct Limit {
    int requests;
    std::chrono::milliseconds window;
  };
  static constexpr Limit kAnalytics{64, std::chrono::milliseconds(60'000)};
  static constexpr Limit kDatasets{30, std::chrono::milliseconds(60'000)};

  // `now` defaults to the steady clock; `margin` is added to each window so that
  // network jitter does not let the server see 65 requests in its own minute.
  explicit RateLimiter(NowFn now = {}, std::chrono::milliseconds margin = std::chrono::milliseconds(250));

  // The limit that applies to an API path ("/api/v1/analytics/query?.." or
  // "/analytics/query"); nullopt when the path is not limited.
  static std::optional<Limit> limit_for(std::string_view path);

  // Reserves a slot for one request to `path` and returns how long to wait before
  // sending it (0 when it may go now). Thread-safe.
  std::chrono::milliseconds reserve(std::string_view path);

  // Requests reserved in the window ending at `now` for `path`'s family (for tests).
  int in_window(std::string_view path) const;

 private:
  struct Bucket {
    std::deque<Clock::time_point> slots;  // the last `limit.requests` reserved send times
  };
  Bucket& bucket_for(const Limit& limit);
  const Bucket* bucket_for(const Limit& limit) const;

  NowFn now_;
  std::chrono::milliseconds margin_;
  mutable std::mutex mutex_;
  Bucket analytics_, datasets_;
};

}  // namespace orscript::net
