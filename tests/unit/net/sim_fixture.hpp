// sim_fixture.hpp: a simulator on loopback plus client options pointing at it, with every
// log line captured so tests can search the output for the key.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"
#include "sim/simulator.hpp"

namespace orscript::net::test {

struct SimFixture {
  std::unique_ptr<sim::Server> server;
  std::mutex mutex;
  std::vector<std::string> lines;  // captured verbose/dry-run output
  std::vector<std::string> texts;  // captured error texts

  // A fixed "now" so that two simulators (clean and faulty) serve the same data.
  static constexpr std::int64_t kNowMs = 1'790'000'000'000;  // 2026-09-21
  explicit SimFixture(sim::Options o = {}) {
    if (!o.now_ms) o.now_ms = kNowMs;
    server = sim::Server::start(o);
  }
  static sim::Options with_faults(std::vector<std::string> faults, bool tls = false) {
    sim::Options o;
    o.faults = std::move(faults);
    o.tls = tls;
    return o;
  }

  ClientOptions options(bool management = true) {
    ClientOptions c;
    c.base_url = server->base_url();
    c.api_key = Secret(management ? server->management_key() : server->inference_key());
    c.ca_file = server->ca_file();
    c.verbose = true;
    c.retry_initial = std::chrono::milliseconds(5);  // keep computed backoffs short in tests
    c.log = [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
    return c;
  }

  // Waits and returns the error it throws (fails the test if it does not throw).
  Error error_of(ApiClient& client, const ApiClient::Ticket& t) {
    try {
      client.wait(t);
    } catch (const Error& e) {
      std::lock_guard lock(mutex);
      texts.push_back(e.describe());
      texts.push_back(e.api_message);
      return e;
    }
    FAIL("expected an error");
    return Error(ErrorKind::internal, "unreachable");
  }

  std::string all_output() {
    std::lock_guard lock(mutex);
    std::string out;
    for (auto& l : lines) out += l + "\n";
    for (auto& t : texts) out += t + "\n";
    return out;
  }

  // Neither key appears anywhere in what the client printed or threw.
  void check_no_key() {
    auto out = all_output();
    CHECK(out.find(server->management_key()) == std::string::npos);
    CHECK(out.find(server->inference_key()) == std::string::npos);
  }
};

}  // namespace orscript::net::test
