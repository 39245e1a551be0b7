// TLS verification, connection failures, deadlines, interrupts and cancellation.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/core/interrupt.hpp"
#include "tests/unit/net/sim_fixture.hpp"

using namespace orscript;
using namespace orscript::net;
using orscript::net::test::SimFixture;
using std::chrono::milliseconds;

namespace {
// A loopback port nobody listens on: bound (so the kernel picked it) but never listened.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string https_base(const SimFixture& sim, const std::string& host) {
  return "https://" + host + ":" + std::to_string(sim.server->port()) + "/api/v1";
}
}  // namespace

TEST_CASE("tls: a trusted certificate verifies, by name and by IP") {
  SimFixture sim(SimFixture::with_faults({}, true));
  REQUIRE_FALSE(sim.server->ca_file().empty());
  auto opts = sim.options();
  CHECK(opts.base_url.rfind("https://", 0) == 0);
  {
    ApiClient client(opts);
    CHECK(client.wait(client.key()).status == 200);
  }
  opts.base_url = https_base(sim, "localhost");
  opts.connect_to = "127.0.0.1";
  ApiClient client(opts);
  CHECK(client.wait(client.key()).status == 200);
  sim.check_no_key();
}

TEST_CASE("tls: an untrusted certificate is a tls error, not retried") {
  SimFixture sim(SimFixture::with_faults({}, true));
  auto opts = sim.options();
  opts.ca_file.clear();  // the simulator's CA is not in the system store
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::tls);
  CHECK(std::string(e.what()).find("certificate") != std::string::npos);
  CHECK(client.stats().retries == 0);
  CHECK(exit_code_for(e.kind) == exit_code::network);
  sim.check_no_key();
}

TEST_CASE("tls: a certificate for another host name is a tls error") {
  SimFixture sim(SimFixture::with_faults({}, true));
  auto opts = sim.options();
  opts.base_url = https_base(sim, "wrong.example");
  opts.connect_to = "127.0.0.1";  // reach the simulator, but verify "wrong.example"
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::tls);
  CHECK(std::string(e.what()).find("wrong.example") != std::string::npos);
  CHECK(std::string(e.what()).find("mismatch") != std::string::npos);
  CHECK(client.stats().retries == 0);
  sim.check_no_key();
}

TEST_CASE("tls: an unreadable CA file is a tls error at construction") {
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  try {
    ApiClient client{o};
    FAIL("an unreadable CA file was accepted");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::tls);
    CHECK(std::string(e.what()).find("/nonexistent/ca.pem") != std::string::npos);
  }
}

TEST_CASE("transport: connection refused on loopback is an http error after one retry") {
  SimFixture sim;
  auto opts = sim.options();
  opts.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  opts.max_attempts = 6;
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::http);
  CHECK(std::string(e.what()).find("cannot connect") != std::string::npos);
  CHECK(std::string(e.what()).find("(2 attempts)") != std::string::npos);
  CHECK(client.stats().retries == 1);  // a dead local server does not come back in seconds
  CHECK(exit_code_for(e.kind) == exit_code::network);
}

TEST_CASE("transport: a host name that does not resolve fails after one retry") {
  SimFixture sim;
  auto opts = sim.options();
  opts.base_url = "https://orscript-test.invalid/api/v1";  // .invalid never resolves (RFC 6761)
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(std::string(e.what()).find("cannot resolve") != std::string::npos);
  CHECK(client.stats().retries == 1);
}

TEST_CASE("tls: https against a plain-HTTP server fails at once: the server does not speak TLS") {
  SimFixture sim;  // plain HTTP
  auto opts = sim.options();
  opts.base_url = https_base(sim, "127.0.0.1");
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::tls);
  CHECK(std::string(e.what()).find("the server does not speak TLS") != std::string::npos);
  CHECK(std::string(e.what()).find("timeout") == std::string::npos);  // no flag that does not exist
  CHECK(client.stats().retries == 0);
}

TEST_CASE("tls: a server that never answers the TLS hello is not retried") {
  // Listening, so the TCP connection opens, but never accepting or writing.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SimFixture sim;
  auto opts = sim.options();
  opts.base_url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/api/v1";
  opts.tls_timeout = milliseconds(300);
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  ::close(fd);
  CHECK(e.kind == ErrorKind::tls);
  CHECK(std::string(e.what()).find("the server does not speak TLS") != std::string::npos);
  CHECK(client.stats().retries == 0);
}

TEST_CASE("transport: a read deadline fires as kind timeout") {
  SimFixture sim(SimFixture::with_faults({"*:latency=3000ms"}));
  auto opts = sim.options();
  opts.read_timeout = milliseconds(100);
  opts.max_attempts = 2;
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::timeout);
  CHECK(std::string(e.what()).find("read") != std::string::npos);
  CHECK(client.stats().retries == 1);
  CHECK(client.stats().requests_sent == 2);
  sim.check_no_key();
}

TEST_CASE("transport: Ctrl-C cancels the call in flight and drops its connection") {
  SimFixture sim(SimFixture::with_faults({"*:latency=5000ms"}));
  ApiClient client(sim.options());
  auto t = client.key();
  request_interrupt();  // wait() sees the flag at its first poll
  Error e(ErrorKind::internal, "");
  try {
    client.wait(t);
  } catch (const Error& err) {
    e = err;
  }
  clear_interrupt();
  CHECK(e.kind == ErrorKind::interrupted);
  CHECK(exit_code_for(e.kind) == exit_code::interrupted);
  CHECK(client.stats().idle_connections == 0);  // the cancelled connection was dropped
}

TEST_CASE("transport: cancel_all stops every call in flight") {
  SimFixture sim(SimFixture::with_faults({"*:latency=5000ms"}));
  ApiClient client(sim.options());
  std::vector<ApiClient::Ticket> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(client.key());
  client.cancel_all();
  for (auto& t : tickets) CHECK(sim.error_of(client, t).kind == ErrorKind::interrupted);
  CHECK(client.stats().idle_connections == 0);
}

TEST_CASE("transport: destroying the client with calls in flight does not hang") {
  // The answer would come after 10 minutes: a destructor that waited for it would hang
  // until CTest's timeout fails the test.
  SimFixture sim(SimFixture::with_faults({"key:latency=600000ms"}));
  auto client = std::make_unique<ApiClient>(sim.options());
  auto t = client->key();
  client.reset();
  CHECK(t.use_count() == 1);  // the client and its threads let go of the call
  // The simulator is still serving: a new client gets answers at once.
  ApiClient other(sim.options());
  CHECK(other.wait(other.credits()).status == 200);
}
