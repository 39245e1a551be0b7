// rate_limiter.hpp: sliding-window request limits for the simulated API.
//
// Owns: counting requests per (bucket, subject) over a window on the real steady
// clock, and the numbers the 429 headers report. Thread-safe. Does not own: which
// endpoint uses which limit (endpoints.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace orscript::sim {

struct RateDecision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;
  std::int64_t reset_epoch_ms = 0;  // when a slot frees up (wall clock)
  int retry_after_s = 0;            // >= 1 when refused
};

class RateLimiter {
 public:
  // Records a request of `subject` in `bucket` if it fits `limit` per `window_ms`.
  RateDecision check(const std::string& bucket, const std::string& subject, int limit, std::int64_t window_ms);
  // Like check but does not record (to test several limits before consuming any).
  RateDecision peek(const std::string& bucket, const std::string& subject, int limit, std::int64_t window_ms);

 private:
  RateDecision decide(const std::string& bucket, const std::string& subject, int limit, std::int64_t window_ms, bool record);
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> hits_;  // steady-clock ms
};

}  // namespace orscript::sim
