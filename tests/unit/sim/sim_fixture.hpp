// sim_fixture.hpp: shared helpers for the simulator tests (a demo server with a fixed
// clock, JSON access, raw requests).
#pragma once

#include "sim/simulator.hpp"
#include "tests/unit/sim/raw_http.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace simtest {

// 2026-11-18T12:00:00Z, the clock of the Lua tests.
inline constexpr std::int64_t kNow = 1795003200000LL;

inline orscript::sim::Options options(bool rate_limits = false) {
  orscript::sim::Options o;
  o.now_ms = kNow;
  o.rate_limits = rate_limits;
  return o;
}

// One demo server per test process (each TEST_CASE runs as its own process under CTest).
inline orscript::sim::Server& demo() {
  static std::unique_ptr<orscript::sim::Server> server = orscript::sim::Server::start(options());
  return *server;
}

inline boost::json::value parse(const std::string& text) { return boost::json::parse(text); }

inline rawhttp::Response get(orscript::sim::Server& s, const std::string& path, const std::string& token) {
  rawhttp::Conn c(s.port());
  return c.request("GET", "/api/v1/" + path, token.empty() ? "" : rawhttp::bearer(token));
}

inline rawhttp::Response post(orscript::sim::Server& s, const std::string& path, const std::string& token,
                              const std::string& body) {
  rawhttp::Conn c(s.port());
  return c.request("POST", "/api/v1/" + path, token.empty() ? "" : rawhttp::bearer(token), body);
}

// POSTs an analytics query with the management key and returns the parsed body.
inline boost::json::value query(const std::string& body, int expect_status = 200) {
  auto r = post(demo(), "analytics/query", demo().management_key(), body);
  CHECK(r.status == expect_status);
  if (r.status != expect_status) MESSAGE(r.body);
  return parse(r.body);
}

inline const boost::json::array& rows(const boost::json::value& v) { return v.at("data").at("data").as_array(); }

inline double num(const boost::json::value& v) {
  if (v.is_string()) return std::stod(std::string(v.get_string()));
  return v.to_number<double>();
}

inline std::string error_message(const std::string& body) {
  return std::string(parse(body).at("error").at("message").as_string());
}

}  // namespace simtest
