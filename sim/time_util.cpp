#include "sim/time_util.hpp"

#include "host/core/iso_time.hpp"

#include <cstdio>

namespace orscript::sim {

// The calendar arithmetic and ISO parsing live in host/core/iso_time; these wrappers keep
// the simulator's own (int-typed, stricter) interface.
std::int64_t days_from_civil(int y, int m, int d) {
  return orscript::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Civil civil_from_days(std::int64_t z) {
  int y;
  unsigned m, d;
  orscript::civil_from_days(z, y, m, d);
  return Civil{y, static_cast<int>(m), static_cast<int>(d)};
}

std::int64_t day_index(std::int64_t ms) {
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

int weekday(std::int64_t days) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<int>(((days % 7) + 7 + 4) % 7);
}

static std::int64_t floor_to(std::int64_t ms, std::int64_t unit) {
  std::int64_t q = ms / unit;
  if (ms % unit < 0) --q;
  return q * unit;
}

std::int64_t bucket_start(Granularity g, std::int64_t ms) {
  switch (g) {
    case Granularity::minute: return floor_to(ms, kMinuteMs);
    case Granularity::hour: return floor_to(ms, kHourMs);
    case Granularity::day: return floor_to(ms, kDayMs);
    case Granularity::week: {
      const std::int64_t d = day_index(ms);
      return (d - weekday(d)) * kDayMs;
    }
    case Granularity::month: {
      const Civil c = civil_from_days(day_index(ms));
      return days_from_civil(c.year, c.month, 1) * kDayMs;
    }
  }
  return ms;
}

std::int64_t bucket_next(Granularity g, std::int64_t start) {
  switch (g) {
    case Granularity::minute: return start + kMinuteMs;
    case Granularity::hour: return start + kHourMs;
    case Granularity::day: return start + kDayMs;
    case Granularity::week: return start + 7 * kDayMs;
    case Granularity::month: {
      const Civil c = civil_from_days(day_index(start));
      return c.month == 12 ? days_from_civil(c.year + 1, 1, 1) * kDayMs
                           : days_from_civil(c.year, c.month + 1, 1) * kDayMs;
    }
  }
  return start;
}

std::string format_date(std::int64_t ms) {
  const Civil c = civil_from_days(day_index(ms));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

static void hms(std::int64_t ms, int& h, int& m, int& s, int& milli) {
  std::int64_t in_day = ms - day_index(ms) * kDayMs;
  milli = static_cast<int>(in_day % 1000);
  in_day /= 1000;
  s = static_cast<int>(in_day % 60);
  m = static_cast<int>((in_day / 60) % 60);
  h = static_cast<int>(in_day / 3600);
}

std::string bucket_label(Granularity g, std::int64_t start) {
  if (g == Granularity::day || g == Granularity::week || g == Granularity::month) return format_date(start);
  int h, m, s, ms;
  hms(start, h, m, s, ms);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", format_date(start).c_str(), h, m, s);
  return buf;
}

std::string format_iso_ms(std::int64_t t) { return format_iso8601_ms(t); }

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  auto ms = parse_iso8601(s);
  if (!ms) return std::nullopt;
  return day_index(*ms);
}

std::optional<std::int64_t> parse_iso_datetime(std::string_view s) {
  // RFC 3339 as the API validates it: a T, seconds, and a zone (Z or ±hh:mm).
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't') || s[16] != ':') return std::nullopt;
  const char last = s.back();
  const bool zulu = last == 'Z' || last == 'z';
  const bool offset = s.size() >= 25 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-');
  if (!zulu && !offset) return std::nullopt;
  return parse_iso8601(s);
}

}  // namespace orscript::sim
