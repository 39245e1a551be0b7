#include "host/core/json_text.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace orscript {

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

namespace {

void write(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
      out += s;
      break;
    }
    case boost::json::kind::string: append_json_string(out, v.get_string()); break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (auto& x : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, x);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (auto& [k, x] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        write(out, x);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(256);
  write(out, v);
  return out;
}

}  // namespace orscript
