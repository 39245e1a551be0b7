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

  // Additions for `--serve`, tests and benchmarks.
  virtual std::string scenario_name() const = 0;
  virtual std::int64_t now_ms() const = 0;            // the "now" the data is anchored to
  virtual double total_credits_usage() const = 0;     // what /credits reports as total_usage
  virtual std::uint64_t requests_received() const = 0;  // HTTP requests parsed so far (tests count them)
};

// Names of the scenarios embedded in the binary ("demo", "lean").
std::vector<std::string> scenario_names();

// Runs a server until SIGINT or SIGTERM; prints the base URL, the keys, the CA path (when
// tls) and the scenario on stderr first. Returns the process exit code: 0, or after a
// start-up error (which it prints) the documented code of its kind (usage 2, network 6, ...).
int serve_forever(const Options& options);

}  // namespace orscript::sim
