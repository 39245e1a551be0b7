// json_text.hpp: JSON text the way the API writes it.
//
// Owns: serialising a Boost.JSON value with plain decimal numbers ("12.5", not
// Boost 1.81's "1.25E1"), shortest round-trip form. Does not own: parsing.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace orscript::sim {

// Compact JSON text of `v`; doubles use the shortest round-trip decimal form.
std::string to_json_text(const boost::json::value& v);

}  // namespace orscript::sim
