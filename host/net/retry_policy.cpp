#include "host/net/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

namespace orscript::net {
namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A non-negative decimal number (integer or with a fraction) in `s`, whole string.
std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

bool parse_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool is_retryable_status(int status) { return status == 408 || status == 429 || (status >= 500 && status <= 599); }

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7).
  text = trim(text);
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text.substr(26) != "GMT") return std::nullopt;
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  if (!parse_int(text.substr(5, 2), day) || !parse_int(text.substr(12, 4), year) ||
      !parse_int(text.substr(17, 2), hh) || !parse_int(text.substr(20, 2), mm) ||
      !parse_int(text.substr(23, 2), ss) || text[16] != ' ' || text[19] != ':' || text[22] != ':')
    return std::nullopt;
  auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end() || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::optional<milliseconds> parse_retry_hint(std::string_view retry_after_ms, std::string_view retry_after,
                                             std::chrono::system_clock::time_point now) {
  if (auto ms = parse_number(retry_after_ms)) return milliseconds(static_cast<long long>(std::ceil(*ms)));
  if (auto secs = parse_number(retry_after)) return milliseconds(static_cast<long long>(std::ceil(*secs * 1000)));
  if (auto date = parse_http_date(retry_after)) {
    auto delta = std::chrono::duration_cast<milliseconds>(*date - now);
    return std::max(delta, milliseconds(0));
  }
  return std::nullopt;
}

milliseconds backoff_delay(const RetryConfig& config, int retry, double jitter01) {
  double base = static_cast<double>(config.initial.count()) * std::pow(config.multiplier, std::max(0, retry - 1));
  base = std::min(base, static_cast<double>(config.max_interval.count()));
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  return milliseconds(static_cast<long long>(base * (0.5 + 0.5 * jitter01)));
}

RetryDecision decide_retry(const RetryConfig& config, const AttemptOutcome& outcome, int attempts_done,
                           milliseconds elapsed, double jitter01, std::chrono::system_clock::time_point now) {
  RetryDecision d;
  if (outcome.permanent_error) {
    d.reason = "not retryable";
    return d;
  }
  if (outcome.transport_error) {
    d.reason = "connection error";
  } else if (is_retryable_status(outcome.status)) {
    d.reason = "HTTP " + std::to_string(outcome.status);
  } else {
    d.reason = outcome.status ? "HTTP " + std::to_string(outcome.status) + " is final" : "not retryable";
    return d;
  }
  if (outcome.unlikely_to_heal && attempts_done >= 2) {
    d.reason += ", retried once";
    return d;
  }
  if (attempts_done >= config.max_attempts) {
    d.reason += ", attempts exhausted";
    return d;
  }
  d.delay = backoff_delay(config, attempts_done, jitter01);
  if (!outcome.transport_error) {
    if (auto hint = parse_retry_hint(outcome.retry_after_ms, outcome.retry_after, now)) {
      d.delay = std::min(*hint, config.max_interval);
      d.from_server_hint = true;
    }
  }
  if (elapsed + d.delay > config.budget) {
    d.reason += ", retry budget exhausted";
    return d;
  }
  d.retry = true;
  return d;
}

}  // namespace orscript::net
