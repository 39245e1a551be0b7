// json_text.hpp: JSON text the way the API writes it.
//
// Owns: serialising a Boost.JSON value with plain decimal numbers ("12.5", not
// Boost 1.81's "1.25E1"), shortest round-trip form; the simulator's responses, request
// bodies, core.json_encode and table JSON all use it. Does not own: parsing.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace orscript {

// Compact JSON text of `v`; doubles use the shortest round-trip decimal form and
// non-finite numbers become null. Used for everything orscript writes as JSON.
std::string to_json_text(const boost::json::value& v);
// Appends `s` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view s);

}  // namespace orscript
