#include "sim/rate_limiter.hpp"

#include <chrono>

namespace orscript::sim {

RateDecision RateLimiter::check(const std::string& b, const std::string& s, int limit, std::int64_t w) {
  return decide(b, s, limit, w, true);
}
RateDecision RateLimiter::peek(const std::string& b, const std::string& s, int limit, std::int64_t w) {
  return decide(b, s, limit, w, false);
}

RateDecision RateLimiter::decide(const std::string& bucket, const std::string& subject, int limit,
                                 std::int64_t window_ms, bool record) {
  using namespace std::chrono;
  const std::int64_t now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  const std::int64_t wall = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::lock_guard lock(mu_);
  auto& q = hits_[bucket + "\n" + subject];
  while (!q.empty() && q.front() <= now - window_ms) q.pop_front();
  RateDecision d;
  d.limit = limit;
  if (static_cast<int>(q.size()) >= limit) {
    d.allowed = false;
    d.remaining = 0;
    const std::int64_t wait = q.front() + window_ms - now;
    d.reset_epoch_ms = wall + wait;
    d.retry_after_s = static_cast<int>((wait + 999) / 1000);
    if (d.retry_after_s < 1) d.retry_after_s = 1;
    return d;
  }
  if (record) q.push_back(now);
  d.remaining = limit - static_cast<int>(q.size()) - (record ? 0 : 1);
  if (d.remaining < 0) d.remaining = 0;
  d.reset_epoch_ms = wall + (q.empty() ? window_ms : q.front() + window_ms - now);
  return d;
}

}  // namespace orscript::sim
