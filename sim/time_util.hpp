// time_util.hpp: UTC calendar arithmetic and ISO-8601 text for the simulator.
//
// Owns: converting Unix milliseconds to and from civil UTC dates, bucket starts
// (minute, hour, day, Sunday-start week, month) and the date/time strings the API
// emits or accepts. Does not own: any notion of "now" (callers pass it in).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orscript::sim {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

struct Civil {
  int year = 1970, month = 1, day = 1;
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d);
// The civil date of a day number.
Civil civil_from_days(std::int64_t days);
// Floor division of ms by a day, valid for negative times too.
std::int64_t day_index(std::int64_t ms);
// 0 = Sunday ... 6 = Saturday for a day number.
int weekday(std::int64_t days);

enum class Granularity { minute, hour, day, week, month };
// Start (Unix ms) of the bucket that contains `ms`; weeks start on Sunday 00:00 UTC.
std::int64_t bucket_start(Granularity g, std::int64_t ms);
// Start of the bucket after the one starting at `start`.
std::int64_t bucket_next(Granularity g, std::int64_t start);
// "YYYY-MM-DD" for day/week/month, "YYYY-MM-DD HH:MM:SS" for hour/minute.
std::string bucket_label(Granularity g, std::int64_t start);

std::string format_date(std::int64_t ms);              // "YYYY-MM-DD"
std::string format_iso_ms(std::int64_t ms);            // "YYYY-MM-DDTHH:MM:SS.mmmZ"
// RFC 3339 date-time ("...Z" or "+hh:mm", optional fraction); nullopt when malformed.
std::optional<std::int64_t> parse_iso_datetime(std::string_view text);
// Strict "YYYY-MM-DD" that is a real calendar date; returns the day number.
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace orscript::sim
