// iso_time.hpp: UTC instants as text and back.
//
// Owns: parsing ISO-8601 / RFC 3339 timestamps and plain dates (always UTC), and
// formatting Unix milliseconds as ISO text. Does not own: calendar arithmetic for
// buckets (the simulator and the Lua time helpers have their own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orscript {

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM|±HHMM|±HH]", with a space
// instead of T and ',' for '.' too (lenient, as a client of the API must be). Rejects
// impossible dates (2026-02-30) and offsets past ±23:59. Returns Unix ms; on failure
// nullopt and, when `why` is given, the reason ("no such day", ...). The one time parser:
// the CLI, the Lua time helpers and the simulator all read times through it.
std::optional<std::int64_t> parse_iso8601(std::string_view text, std::string* why = nullptr);
// "2026-05-01T00:00:00.000Z"; instants outside the years 0000..9999 are clamped to them.
std::string format_iso8601_ms(std::int64_t unix_ms);
// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d);

}  // namespace orscript
