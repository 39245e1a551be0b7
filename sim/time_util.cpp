#include "sim/time_util.hpp"

#include <cstdio>

namespace orscript::sim {

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
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

std::string format_iso_ms(std::int64_t t) {
  int h, m, s, ms;
  hms(t, h, m, s, ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", format_date(t).c_str(), h, m, s, ms);
  return buf;
}

static bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

static int days_in_month(int y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return k[m - 1];
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  int y, mo, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
  return days_from_civil(y, mo, d);
}

std::optional<std::int64_t> parse_iso_datetime(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  const auto day = parse_date(s.substr(0, 10));
  if (!day || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  int h, mi, se;
  if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return *day * kDayMs + ((h * 60 + mi) * 60 + se) * 1000LL + frac_ms - offset_min * kMinuteMs;
}

}  // namespace orscript::sim
