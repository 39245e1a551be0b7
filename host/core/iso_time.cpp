#include "host/core/iso_time.hpp"

#include <cstdio>

namespace orscript {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
unsigned days_in_month(int y, int m) {
  static const unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}
}  // namespace

std::optional<std::int64_t> parse_iso8601(std::string_view s, std::string* why) {
  auto no = [&](const char* reason) -> std::optional<std::int64_t> {
    if (why) *why = reason;
    return std::nullopt;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return no("expected YYYY-MM-DD");
  if (mo < 1 || mo > 12) return no("month out of range");
  if (d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) return no("no such day");
  std::size_t p = 10;
  int offset_min = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return no("expected THH:MM after the date");
    ++p;
    if (!digits(s, p, 2, h) || p + 2 >= s.size() || s[p + 2] != ':' || !digits(s, p + 3, 2, mi))
      return no("expected THH:MM after the date");
    p += 5;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, sec)) return no("expected seconds after HH:MM:");
      p += 3;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        int scale = 100, n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (scale > 0) ms += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
          ++n;
        }
        if (n == 0) return no("expected digits after the decimal point");
      }
    }
    if (p < s.size()) {
      if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        // ±HH:MM, ±HHMM or ±HH
        int oh, om = 0;
        std::size_t q = p + 3;
        if (!digits(s, p + 1, 2, oh)) return no("bad time zone (use Z or +HH:MM)");
        if (q < s.size() && s[q] == ':') ++q;
        if (q < s.size()) {
          if (!digits(s, q, 2, om)) return no("bad time zone (use Z or +HH:MM)");
          q += 2;
        }
        if (q != s.size()) return no("bad time zone (use Z or +HH:MM)");
        if (oh > 23 || om > 59) return no("time zone offset out of range (at most +23:59)");
        offset_min = (oh * 60 + om) * (s[p] == '-' ? -1 : 1);
        p = q;
      } else {
        return no("bad time zone (use Z or +HH:MM)");
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return no("time out of range");
  }
  if (p != s.size()) return no("unexpected text after the time");
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::string format_iso8601_ms(std::int64_t unix_ms) {
  // Clamped to years 0000..9999 (what four digits can show), so nothing overflows.
  static const std::int64_t lo = days_from_civil(0, 1, 1) * 86'400'000;
  static const std::int64_t hi = days_from_civil(10000, 1, 1) * 86'400'000 - 1;
  unix_ms = unix_ms < lo ? lo : unix_ms > hi ? hi : unix_ms;
  std::int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  int ms = static_cast<int>(unix_ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int rem = static_cast<int>(secs - days * 86400);
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, rem / 3600, rem / 60 % 60, rem % 60, ms);
  return buf;
}

}  // namespace orscript
