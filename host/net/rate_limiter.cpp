#include "host/net/rate_limiter.hpp"

#include <algorithm>

namespace orscript::net {
namespace {

// Strips "/api/v1" (and anything before it) so both full targets and bare paths match.
std::string_view api_path(std::string_view path) {
  if (auto pos = path.find("/api/v1/"); pos != std::string_view::npos) path.remove_prefix(pos + 7);
  return path;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

RateLimiter::RateLimiter(NowFn now, std::chrono::milliseconds margin)
    : now_(now ? std::move(now) : NowFn([] { return Clock::now(); })), margin_(margin) {}

std::optional<RateLimiter::Limit> RateLimiter::limit_for(std::string_view path) {
  path = api_path(path);
  if (starts_with(path, "/analytics/") || path == "/analytics") return kAnalytics;
  if (starts_with(path, "/datasets/") || path == "/datasets") return kDatasets;
  return std::nullopt;
}

RateLimiter::Bucket& RateLimiter::bucket_for(const Limit& limit) {
  return limit.requests == kAnalytics.requests ? analytics_ : datasets_;
}
const RateLimiter::Bucket* RateLimiter::bucket_for(const Limit& limit) const {
  return limit.requests == kAnalytics.requests ? &analytics_ : &datasets_;
}

std::chrono::milliseconds RateLimiter::reserve(std::string_view path) {
  auto limit = limit_for(path);
  if (!limit) return std::chrono::milliseconds(0);
  std::lock_guard lock(mutex_);
  const auto now = now_();
  auto& slots = bucket_for(*limit).slots;
  // Slots are reserved in non-decreasing order and only the last `requests` matter:
  // the new one must come a full window after the oldest of those.
  auto at = now;
  if (static_cast<int>(slots.size()) >= limit->requests) at = std::max(now, slots.front() + limit->window + margin_);
  if (!slots.empty()) at = std::max(at, slots.back());
  slots.push_back(at);
  while (static_cast<int>(slots.size()) > limit->requests) slots.pop_front();
  return std::chrono::ceil<std::chrono::milliseconds>(at - now);
}

int RateLimiter::in_window(std::string_view path) const {
  auto limit = limit_for(path);
  if (!limit) return 0;
  std::lock_guard lock(mutex_);
  const auto now = now_();
  const auto& slots = bucket_for(*limit)->slots;
  return static_cast<int>(std::count_if(slots.begin(), slots.end(), [&](auto t) {
    return t <= now && t > now - limit->window;
  }));
}

}  // namespace orscript::net
