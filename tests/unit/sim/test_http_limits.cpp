// The simulator's HTTP server against slow and hostile peers: deadlines, size limits and
// the connection cap, each answered with the status HTTP defines (issue 12).
#include "sim/http_server.hpp"
#include "tests/unit/sim/raw_http.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace orscript::sim;
using namespace std::chrono_literals;

namespace {

// A server answering every request with 200 {} and the given limits.
std::unique_ptr<HttpServer> small_server(HttpServerConfig cfg) {
  return HttpServer::start(cfg, [](const HttpRequest&) {
    HttpResponse r;
    r.body = "{}";
    return r;
  });
}

}  // namespace

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
  HttpServerConfig cfg;
  cfg.idle_timeout = 200ms;
  auto s = small_server(cfg);
  rawhttp::Conn c(s->port(), 20);
  auto r = c.request("GET", "/x", "");
  CHECK(r.status == 200);
  CHECK(c.peer_closed());  // EOF well before the 20 s read timeout
}

TEST_CASE("a connection that never sends anything is closed after the idle timeout") {
  HttpServerConfig cfg;
  cfg.idle_timeout = 200ms;
  auto s = small_server(cfg);
  rawhttp::Conn c(s->port(), 20);
  CHECK(c.peer_closed());
}

TEST_CASE("a slowloris head (never finished) is answered 408 at the header deadline") {
  HttpServerConfig cfg;
  cfg.header_timeout = 300ms;
  auto s = small_server(cfg);
  rawhttp::Conn c(s->port(), 20);
  c.send_raw("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
  auto r = c.read();
  CHECK(r.status == 408);
  CHECK(r.header("connection") == "close");
  CHECK(c.peer_closed());
}

TEST_CASE("a body that stops arriving is answered 408 at the body deadline") {
  HttpServerConfig cfg;
  cfg.body_timeout = 300ms;
  auto s = small_server(cfg);
  rawhttp::Conn c(s->port(), 20);
  c.send_raw("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\":");
  CHECK(c.read().status == 408);
}

TEST_CASE("an oversized request head is answered 431") {
  HttpServerConfig cfg;
  auto s = small_server(cfg);
  rawhttp::Conn c(s->port(), 20);
  auto r = c.request("GET", "/x", "X-Big: " + std::string(64 * 1024, 'a') + "\r\n");
  CHECK(r.status == 431);
  CHECK(r.body.find("\"code\":431") != std::string::npos);
}

TEST_CASE("an oversized body is answered 413, by Content-Length and when chunked") {
  HttpServerConfig cfg;
  cfg.body_limit = 1024;
  auto s = small_server(cfg);
  {
    rawhttp::Conn c(s->port(), 20);
    auto r = c.request("POST", "/x", "", std::string(256 * 1024, 'x'));
    CHECK(r.status == 413);
    CHECK(r.complete);
  }
  {
    rawhttp::Conn c(s->port(), 20);
    std::string chunk(4096, 'y');
    c.send_raw("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + chunk + "\r\n");
    CHECK(c.read().status == 413);
  }
  {
    rawhttp::Conn c(s->port(), 20);  // under the limit: served
    CHECK(c.request("POST", "/x", "", std::string(1000, 'z')).status == 200);
  }
}

TEST_CASE("a malformed request line is answered 400") {
  auto s = small_server({});
  for (std::string bad : {"GARBAGE\r\n\r\n", "GET\x01 / HTTP/1.1\r\n\r\n",
                          "GET /x HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    CAPTURE(bad);
    rawhttp::Conn c(s->port(), 20);
    c.send_raw(bad);
    auto r = c.read();
    CHECK(r.status == 400);
    CHECK(c.peer_closed());
  }
}

TEST_CASE("connections over the cap are answered 503 and the ones under it keep working") {
  HttpServerConfig cfg;
  cfg.max_connections = 2;
  auto s = small_server(cfg);
  rawhttp::Conn a(s->port(), 20), b(s->port(), 20);
  CHECK(a.request("GET", "/x", "").status == 200);  // both accepted and counted
  CHECK(b.request("GET", "/x", "").status == 200);
  {
    rawhttp::Conn c(s->port(), 20);
    auto r = c.read();
    CHECK(r.status == 503);
    CHECK(c.peer_closed());
  }
  CHECK(a.request("GET", "/x", "").status == 200);
}
