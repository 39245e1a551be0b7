#include <doctest/doctest.h>

#include "host/core/iso_time.hpp"

using orscript::format_iso8601_ms;
using orscript::parse_iso8601;

TEST_CASE("ISO-8601 forms the API and users write all parse to the same instant") {
  const std::int64_t may1 = 1777593600000;  // 2026-05-01T00:00:00Z
  CHECK(parse_iso8601("2026-05-01") == may1);
  CHECK(parse_iso8601("2026-05-01T00:00:00Z") == may1);
  CHECK(parse_iso8601("2026-05-01T00:00:00.000Z") == may1);
  CHECK(parse_iso8601("2026-05-01 00:00:00") == may1);
  CHECK(parse_iso8601("2026-05-01T02:00:00+02:00") == may1);
  CHECK(parse_iso8601("2026-04-30T19:00-05:00") == may1);
  CHECK(parse_iso8601("2026-05-01T00:00:00.5Z") == may1 + 500);
  CHECK(parse_iso8601("2026-05-01T00:00:00,5Z") == may1 + 500);
  CHECK(parse_iso8601("2026-05-01T02:00:00+0200") == may1);
  CHECK(parse_iso8601("2026-05-01T02:00:00+02") == may1);
}

TEST_CASE("impossible or malformed dates are rejected") {
  CHECK_FALSE(parse_iso8601("2026-02-30"));
  CHECK_FALSE(parse_iso8601("2026-13-01"));
  CHECK_FALSE(parse_iso8601("2026-5-1"));
  CHECK_FALSE(parse_iso8601("2026-05-01T25:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-05-01Tnoon"));
  CHECK_FALSE(parse_iso8601("yesterday"));
  CHECK_FALSE(parse_iso8601("2026-05-01T00:00:00Zjunk"));
  CHECK_FALSE(parse_iso8601("2026-05-01T00:00:00+2"));
  CHECK_FALSE(parse_iso8601("2026-05-01T00:00:00+02:0"));
  CHECK_FALSE(parse_iso8601("2026-05-01T00:00:00+25:00"));
  CHECK(parse_iso8601("2028-02-29"));  // leap year
  CHECK_FALSE(parse_iso8601("2100-02-29"));
}

TEST_CASE("formatting round-trips with milliseconds") {
  CHECK(format_iso8601_ms(1777593600000) == "2026-05-01T00:00:00.000Z");
  CHECK(format_iso8601_ms(1777593600123 + 3600 * 1000) == "2026-05-01T01:00:00.123Z");
  CHECK(format_iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("the parser names why a time is refused, and refuses offsets past +23:59") {
  std::string why;
  CHECK_FALSE(parse_iso8601("2026-05-01T10:00:00+99:99", &why));
  CHECK(why.find("offset out of range") != std::string::npos);
  CHECK_FALSE(parse_iso8601("2026-02-30", &why));
  CHECK(why == "no such day");
  CHECK_FALSE(parse_iso8601("2026-13-45", &why));
  CHECK(why == "month out of range");
}

TEST_CASE("formatting the extreme int64 instants does not overflow") {
  CHECK(format_iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_iso8601_ms(INT64_MIN) == "0000-01-01T00:00:00.000Z");  // overflowed (UB) before
  CHECK(format_iso8601_ms(INT64_MAX) == "9999-12-31T23:59:59.999Z");
}
