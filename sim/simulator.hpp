// simulator.hpp: a faithful OpenRouter API on loopback over a synthetic organisation.
//
// Owns: starting and stopping the HTTP(S) server, the scenario it serves, the demo keys,
// fault injection and the scenario's ground truth. Used by `orscript --demo`,
// `orscript --serve`, the tests and the benchmarks. Does not own: any client code.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orscript::sim {

struct Options {
  std::string scenario = "demo";  // a shipped scenario name or a path to a scenario file
  std::uint64_t seed = 1;
  std::optional<std::int64_t> now_ms;  // fixed "now" (Unix ms); default: the real clock
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;              // 0: an ephemeral port
  bool tls = false;                    // HTTPS with a certificate made at start-up
  std::string cert_dir;                // where ca.pem is written when tls (default: a temp dir)
  std::vector<std::string> faults;     // fault specs, format in docs/simulator.md
  bool rate_limits = true;             // enforce 64/min analytics, 30/min + 500/day datasets
  bool quiet = true;                   // no access log on stderr
};

class Server {
 public:
  static std::unique_ptr<Server> start(const Options& options);  // throws orscript::Error
  virtual ~Server() = default;

  virtual std::string base_url() const = 0;   // "http://127.0.0.1:PORT/api/v1"
  virtual std::uint16_t port() const = 0;
  virtual std::string ca_file() const = 0;    // PEM path of the trust anchor when tls, else ""
  virtual std::string management_key() const = 0;
  virtual std::string inference_key() const = 0;
  virtual std::size_t generation_events() const = 0;  // events held at generation level
  virtual boost::json::value ground_truth() const = 0;
  virtual void stop() = 0;  // idempotent; also done by the destructor
};

}  // namespace orscript::sim
