#include "sim/simulator.hpp"

#include "host/core/error.hpp"
#include "sim/endpoints.hpp"
#include "sim/generator.hpp"
#include "sim/ground_truth.hpp"
#include "sim/http_server.hpp"
#include "sim/tls_cert.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <pthread.h>

namespace orscript::sim {

namespace {

class SimServer final : public Server {
 public:
  explicit SimServer(const Options& o) : options_(o) {
    const std::int64_t now = o.now_ms ? *o.now_ms
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch()).count();
    store_ = generate(load_scenario(o.scenario), o.seed, now);
    ApiOptions ao;
    ao.rate_limits = o.rate_limits;
    ao.faults = o.faults;
    api_ = std::make_unique<Api>(store_, ao);
    HttpServerConfig hc;
    hc.host = o.host;
    hc.port = o.port;
    hc.quiet = o.quiet;
    if (o.tls) {
      hc.tls = make_self_signed_cert();
      ca_file_ = write_ca_file(o.cert_dir, hc.tls->cert_pem);
    }
    Api* api = api_.get();
    http_ = HttpServer::start(hc, [api, count = &requests_](const HttpRequest& r) {
      count->fetch_add(1, std::memory_order_relaxed);
      return api->handle(r);
    });
  }
  ~SimServer() override { stop(); }

  std::string base_url() const override {
    return std::string(options_.tls ? "https://" : "http://") + options_.host + ":" + std::to_string(port()) + "/api/v1";
  }
  std::uint16_t port() const override { return http_ ? http_->port() : 0; }
  std::string ca_file() const override { return ca_file_; }
  std::string management_key() const override { return store_->scenario.management_token; }
  std::string inference_key() const override { return store_->scenario.inference_token; }
  std::size_t generation_events() const override { return store_->events.size(); }
  boost::json::value ground_truth() const override {
    std::lock_guard lock(truth_mu_);
    if (truth_.is_null()) truth_ = compute_ground_truth(*store_);
    return truth_;
  }
  void stop() override {
    if (http_) http_->stop();
  }
  std::string scenario_name() const override { return store_->scenario.name; }
  std::int64_t now_ms() const override { return store_->now_ms; }
  double total_credits_usage() const override { return api_->total_credits_usage(); }
  std::uint64_t requests_received() const override { return requests_.load(std::memory_order_relaxed); }

 private:
  Options options_;
  std::shared_ptr<const Store> store_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> http_;
  std::string ca_file_;
  std::atomic<std::uint64_t> requests_{0};
  mutable std::mutex truth_mu_;
  mutable boost::json::value truth_;
};

}  // namespace

std::unique_ptr<Server> Server::start(const Options& options) { return std::make_unique<SimServer>(options); }

std::vector<std::string> scenario_names() { return shipped_scenarios(); }

int serve_forever(const Options& options) {
  // Block the signals before the server threads exist so only sigwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::unique_ptr<Server> server;
  try {
    server = Server::start(options);
  } catch (const Error& e) {
    std::fprintf(stderr, "orscript: %s\n", e.describe().c_str());
    return exit_code_for(e.kind);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orscript: simulator failed to start: %s\n", e.what());
    return exit_code::internal;
  }
  std::fprintf(stderr,
               "orscript simulator: scenario '%s' (seed %llu), %zu generation events, data is SIMULATED\n"
               "  base URL        %s\n"
               "  management key  %s\n"
               "  inference key   %s\n",
               server->scenario_name().c_str(), static_cast<unsigned long long>(options.seed),
               server->generation_events(), server->base_url().c_str(), server->management_key().c_str(),
               server->inference_key().c_str());
  if (!server->ca_file().empty()) std::fprintf(stderr, "  CA file         %s\n", server->ca_file().c_str());
  std::fprintf(stderr, "  (Ctrl-C to stop)\n");
  std::fflush(stderr);
  int sig = 0;
  sigwait(&set, &sig);
  server->stop();
  std::fprintf(stderr, "orscript simulator: stopped\n");
  return 0;
}

}  // namespace orscript::sim
