#include "sim/faults.hpp"

#include "host/core/error.hpp"
#include "sim/rng.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace orscript::sim {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      std::string part(s.substr(start, i - start));
      while (!part.empty() && part.front() == ' ') part.erase(part.begin());
      while (!part.empty() && part.back() == ' ') part.pop_back();
      if (!part.empty()) out.push_back(part);
      start = i + 1;
    }
  return out;
}

[[noreturn]] void bad(const std::string& spec, const std::string& why) {
  throw_usage("invalid fault spec '" + echo_input(spec) + "': " + why + " (see docs/simulator.md, \"Fault injection\")");
}

// The longest delay and the largest size a fault may ask for (docs/simulator.md).
constexpr double kMaxDelayMs = 3'600'000;        // one hour
constexpr double kMaxBytes = 256.0 * 1024 * 1024; // 256 MB

// Splits "1.5s" into the decimal number and the unit after it; the number must be plain
// decimal (no sign, nan, inf or hex) and finite.
std::pair<double, std::string> number_and_unit(const std::string& spec, const std::string& v, const char* what) {
  std::size_t n = 0;
  while (n < v.size() && ((v[n] >= '0' && v[n] <= '9') || v[n] == '.')) ++n;
  double x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + n, x);
  if (n == 0 || ec != std::errc() || p != v.data() + n || !std::isfinite(x))
    bad(spec, std::string("expected ") + what + ", got '" + echo_input(v, 40) + "'");
  return {x, v.substr(n)};
}

// "100ms", "1.5s", "250" (ms); at most an hour.
std::int64_t duration_ms(const std::string& spec, const std::string& v) {
  auto [x, unit] = number_and_unit(spec, v, "a duration like 100ms or 2s");
  if (unit == "s") x *= 1000;
  else if (!unit.empty() && unit != "ms") bad(spec, "unknown duration unit '" + echo_input(unit, 20) + "' (use ms or s)");
  if (x > kMaxDelayMs) bad(spec, "a duration of at most 3600s, got '" + echo_input(v, 40) + "'");
  return static_cast<std::int64_t>(x);
}

// "4096", "64KB", "8MB"; at most 256 MB.
std::int64_t size_bytes(const std::string& spec, const std::string& v) {
  auto [x, unit] = number_and_unit(spec, v, "a size like 64KB");
  if (unit == "KB" || unit == "kB" || unit == "K") x *= 1024;
  else if (unit == "MB" || unit == "M") x *= 1024 * 1024;
  else if (!unit.empty() && unit != "B") bad(spec, "unknown size unit '" + echo_input(unit, 20) + "' (use B, KB or MB)");
  if (x > kMaxBytes) bad(spec, "a size of at most 256MB, got '" + echo_input(v, 40) + "'");
  return static_cast<std::int64_t>(x);
}

// A whole number in [lo, hi] written in decimal digits only.
std::int64_t whole(const std::string& spec, const std::string& v, std::int64_t lo, std::int64_t hi, const char* what) {
  std::int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
    bad(spec, std::string(what) + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                  ", got '" + echo_input(v, 40) + "'");
  return x;
}

}  // namespace

Faults::Faults(const std::vector<std::string>& specs, std::uint64_t seed) : seed_(seed) {
  for (auto& joined : specs)
    for (auto& spec : split(joined, ';')) {
      const auto colon = spec.find(':');
      if (colon == std::string::npos) bad(spec, "expected ENDPOINT:FAULT[,FAULT...]");
      Rule rule;
      rule.pattern = spec.substr(0, colon);
      if (rule.pattern.empty()) rule.pattern = "*";
      if (rule.pattern.rfind("/api/v1/", 0) == 0) rule.pattern = rule.pattern.substr(8);
      if (!rule.pattern.empty() && rule.pattern.front() == '/') rule.pattern.erase(0, 1);
      for (auto& text : split(std::string_view(spec).substr(colon + 1), ',')) {
        Item it;
        std::string t = text;
        if (auto h = t.find('#'); h != std::string::npos) {
          auto tail = t.substr(h + 1);
          auto at = tail.find('@');
          it.first = whole(spec, tail.substr(0, at), 0, 1'000'000'000, "#N");
          t = t.substr(0, h) + (at == std::string::npos ? "" : tail.substr(at));
        }
        if (auto at = t.find('@'); at != std::string::npos) {
          const std::string pv = t.substr(at + 1);
          auto [prob, rest] = number_and_unit(spec, pv, "a probability in [0,1] after @");
          it.probability = prob;
          if (!rest.empty() || !(it.probability >= 0 && it.probability <= 1)) bad(spec, "@P needs a probability in [0,1]");
          t = t.substr(0, at);
        }
        const auto eq = t.find('=');
        it.name = t.substr(0, eq);
        const std::string v = eq == std::string::npos ? "" : t.substr(eq + 1);
        if (it.name == "latency" || it.name == "jitter") {
          if (v.empty()) bad(spec, it.name + " needs a duration");
          it.a = duration_ms(spec, v);
        } else if (it.name == "status") {
          it.a = whole(spec, v, 400, 599, "status (a 4xx/5xx code)");
        } else if (it.name == "burst429") {
          it.a = v.empty() ? 1 : whole(spec, v, 0, 1'000'000, "burst429");
          if (it.first < 0) it.first = it.a;
        } else if (it.name == "reset" || it.name == "truncate" || it.name == "malformed" || it.name == "html") {
          if (!v.empty()) bad(spec, it.name + " takes no value");
        } else if (it.name == "drip") {
          it.a = 16;
          it.b = 20;
          if (!v.empty()) {
            const auto slash = v.find('/');
            it.a = size_bytes(spec, v.substr(0, slash));
            if (slash != std::string::npos) it.b = duration_ms(spec, v.substr(slash + 1));
          }
          if (it.a <= 0) bad(spec, "drip chunk must be > 0");
        } else if (it.name == "oversize") {
          it.a = v.empty() ? 8 * 1024 * 1024 : size_bytes(spec, v);
        } else {
          bad(spec, "unknown fault '" + it.name + "'");
        }
        rule.items.push_back(it);
      }
      if (rule.items.empty()) bad(spec, "no fault given");
      rules_.push_back(std::move(rule));
    }
}

FaultDecision Faults::decide(std::string_view endpoint) {
  FaultDecision d;
  if (rules_.empty()) return d;
  std::lock_guard lock(mu_);
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    Rule& rule = rules_[r];
    const std::string& p = rule.pattern;
    const bool match = p == "*" || p == endpoint ||
                       (p.size() > 1 && p.back() == '*' && endpoint.substr(0, p.size() - 1) == std::string_view(p).substr(0, p.size() - 1));
    if (!match) continue;
    const std::uint64_t ordinal = rule.seen++;
    for (std::size_t i = 0; i < rule.items.size(); ++i) {
      const Item& it = rule.items[i];
      if (it.first >= 0 && ordinal >= static_cast<std::uint64_t>(it.first)) continue;
      Rng rng(seed_ ^ mix64((r << 40) ^ (i << 32) ^ ordinal));
      if (it.probability < 1.0 && !rng.chance(it.probability)) continue;
      if (it.name == "latency") d.delay_ms += it.a;
      else if (it.name == "jitter") d.delay_ms += static_cast<std::int64_t>(rng.uniform() * static_cast<double>(it.a));
      else if (it.name == "status") d.status = static_cast<int>(it.a);
      else if (it.name == "burst429") d.burst429 = true;
      else if (it.name == "reset") d.reset = true;
      else if (it.name == "truncate") d.truncate = true;
      else if (it.name == "malformed") d.malformed = true;
      else if (it.name == "html") d.html = true;
      else if (it.name == "drip") {
        d.drip_bytes = static_cast<std::size_t>(it.a);
        d.drip_interval_ms = it.b;
      } else if (it.name == "oversize") d.oversize = static_cast<std::size_t>(it.a);
    }
  }
  return d;
}

}  // namespace orscript::sim
