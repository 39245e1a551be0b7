// http_transport.hpp: HTTP/1.1 exchanges over TCP or TLS on one background thread.
//
// Owns: the one io_context and its thread, resolving and connecting (to the URL's host
// or an override address), TLS (SNI, peer and host-name verification against the system
// trust store plus an optional CA file), a keep-alive connection pool bounded per host
// (requests beyond the bound queue), a deadline per phase (connect, TLS handshake,
// write, read), the response body cap, timers, and cancellation. Does not own: what is
// sent (api_client.cpp), retries or rate limits (retry_policy, rate_limiter), JSON, or
// the API key (it only carries headers it is given and never logs them).
//
// This header is deliberately free of Beast/Asio; everything lives in the one .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orscript::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where a request goes. `host` is the name verified against the certificate and sent in
// Host/SNI; `connect_to` (optional) is the address actually dialled instead of resolving
// `host` (an IP literal or a name).
struct Origin {
  bool https = true;
  std::string host;
  std::uint16_t port = 443;
  std::string connect_to;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // "/api/v1/analytics/query?x=1"
  HeaderList headers;  // Host, Content-Length and Connection are added by the transport
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The first header named `name` (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

// Why an exchange ended without a complete response.
enum class TransportError {
  none,
  resolve,         // the host name did not resolve
  connect,         // refused, unreachable
  tls,             // handshake or certificate verification failed
  timeout,         // a phase passed its deadline (see `phase`)
  connection,      // reset, closed early, body cut short
  body_too_large,  // the body passed max_body_bytes
  protocol,        // not a valid HTTP response
  cancelled,       // cancelled by the caller
};

struct TransportResult {
  TransportError error = TransportError::none;
  std::string phase;   // "connect", "tls", "write", "read" when error != none
  std::string detail;  // e.g. "Connection refused", "certificate verify failed (Hostname mismatch)"
  HttpResponse response;
  bool reused_connection = false;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + TCP connect
  std::chrono::milliseconds tls_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};     // the whole response
  std::size_t max_body_bytes = 64u << 20;
  int max_connections_per_host = 6;
  std::string ca_file;  // extra trust anchor (PEM); the system store is always loaded
};

class HttpTransport {
 public:
  // Something started on the transport that can be cancelled from any thread. Its
  // completion callback still runs once (with TransportError::cancelled / cancelled=true).
  class Task {
   public:
    virtual ~Task() = default;
    virtual void cancel() = 0;
  };
  using TaskPtr = std::shared_ptr<Task>;
  using Done = std::function<void(TransportResult)>;

  // Throws orscript::Error(tls) when the CA file cannot be loaded.
  explicit HttpTransport(TransportOptions options);
  // Cancels everything in flight and joins the thread; pending callbacks still run.
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Starts one exchange; `done` runs exactly once on the transport thread. A connection
  // that failed, was cancelled or is not keep-alive never returns to the pool.
  TaskPtr send(const Origin& origin, HttpRequest request, Done done);
  // Runs `fn(cancelled)` on the transport thread after `delay`.
  TaskPtr after(std::chrono::milliseconds delay, std::function<void(bool cancelled)> fn);
  // Runs `fn` on the transport thread soon.
  void post(std::function<void()> fn);
  // Cancels every exchange and timer in flight.
  void cancel_all();
  // Cancels everything, lets the callbacks run and joins the thread. Idempotent; the
  // destructor calls it. Nothing started afterwards ever completes.
  void shutdown();

  struct Stats {
    std::size_t requests_sent = 0;       // requests written (or being written) on a connection
    std::size_t connections_opened = 0;  // TCP connections established
    std::size_t idle_connections = 0;    // currently pooled
  };
  Stats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared so that a Task cancelled late finds it gone safely
};

}  // namespace orscript::net
