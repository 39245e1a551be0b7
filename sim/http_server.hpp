// http_server.hpp: the simulator's HTTP/1.1 server (plain or TLS) on loopback.
//
// Owns: listening, keep-alive connections served by C++20 coroutines on a small
// io_context thread pool, request parsing with deadlines and size limits (408, 413,
// 431, 400 and a connection cap answered with 503), and delivering each response as the
// handler asks (async delay, drip, cut mid-body with RST or FIN). Beast and Asio
// live only in http_server.cpp. Does not own: what is answered (endpoints.hpp) or
// the certificate (tls_cert.hpp).
#pragma once

#include "sim/http_types.hpp"
#include "sim/tls_cert.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace orscript::sim {

struct HttpServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;           // 0: ephemeral
  std::optional<CertBundle> tls;    // set: HTTPS with this certificate
  int threads = 2;
  bool quiet = true;                // false: one access-log line per request on stderr
  // Limits against slow or hostile peers (each answered as HTTP says, then closed).
  std::chrono::milliseconds idle_timeout{60'000};    // no new request on a connection: closed
  std::chrono::milliseconds header_timeout{10'000};  // request head (or TLS handshake) not in: 408
  std::chrono::milliseconds body_timeout{30'000};    // request body not in: 408
  std::size_t header_limit = 16 * 1024;              // request head larger: 431
  std::size_t body_limit = 8 * 1024 * 1024;          // request body larger: 413
  int max_connections = 512;                         // more at once: 503 (plain) or closed (TLS)
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and starts serving; throws orscript::Error(http) when it cannot bind.
  static std::unique_ptr<HttpServer> start(const HttpServerConfig& config, HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0;  // idempotent; joins the threads
};

}  // namespace orscript::sim
