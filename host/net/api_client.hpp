// api_client.hpp: OpenRouter's usage and analytics API as typed C++ calls.
//
// Owns: building requests (Boost.JSON bodies, query strings), the key and the
// attribution headers, retries with backoff, the client-side rate limiter, running
// several requests at once on one background io_context, and turning every failure
// into one orscript::Error. Does not own: the wire (host/net/http_transport.hpp), the
// meaning of the rows (host/core table engine) or anything about Lua.
//
// Usage: every endpoint call returns a Ticket at once and the request starts in the
// background; `wait(ticket)` blocks until it is done (polling the interrupt flag) and
// returns the parsed response or throws orscript::Error.
#pragma once

#include <boost/json/value.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/core/secret.hpp"

namespace orscript::net {

using Params = std::vector<std::pair<std::string, std::string>>;  // query string, in order

struct ClientOptions {
  // Either an origin ("https://openrouter.ai") or a full base ending in /api/v1; both
  // resolve to <origin>/api/v1. Plain http:// only for loopback hosts.
  std::string base_url = "https://openrouter.ai/api/v1";
  Secret api_key;
  std::string ca_file;  // an extra trusted CA (PEM); the system store is always used too
  std::string http_referer, app_title, app_categories;  // optional attribution headers

  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};
  std::chrono::milliseconds retry_budget{120'000};  // total time one call may spend retrying
  int max_attempts = 6;
  std::size_t max_body_bytes = 64u << 20;
  int max_connections_per_host = 6;
  bool rate_limit = true;   // client-side limiter (64/min analytics, 30/min datasets)
  bool verbose = false;     // one stderr line per request and per retry
  bool dry_run = false;     // print request bodies instead of sending; responses are null
  std::function<void(std::string_view)> log;  // where verbose/dry-run lines go (default stderr)
};

struct Response {
  int status = 0;
  boost::json::value json;  // the parsed body ("data" envelope included), null in dry-run
  std::string request;      // "POST /api/v1/analytics/query" (never the key)
  std::size_t bytes = 0;
  double elapsed_ms = 0;    // wall time of the whole call, retries included
  int attempts = 0;
  bool dry_run = false;
};

class ApiClient {
 public:
  struct Call;  // one request in flight; public so free coroutines in the .cpp can name it
  using Ticket = std::shared_ptr<Call>;

  explicit ApiClient(ClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const ClientOptions& options() const;

  // Management-key endpoints.
  Ticket analytics_meta();
  Ticket analytics_query(const boost::json::object& body);
  Ticket activity(const Params& params = {});
  Ticket key();       // any key: tells management from inference keys
  Ticket keys(const Params& params = {});
  Ticket credits();
  Ticket generation(std::string_view id);
  // Datasets (any valid key).
  Ticket rankings_daily(const Params& params = {});
  Ticket app_rankings(const Params& params = {});  // one page
  Ticket session_cost(const Params& params = {});  // one page

  // Blocks until the call is done. Throws orscript::Error (kind interrupted on Ctrl-C,
  // which also cancels the call).
  Response wait(const Ticket& ticket);
  // Waits for all; the first error is thrown after every call has finished or been cancelled.
  std::vector<Response> wait_all(const std::vector<Ticket>& tickets);

  // Follows offset paging (as the official SDKs do: stop on an empty or short page)
  // and returns all rows of `data` in order, plus the last page's meta.
  Response app_rankings_all(const Params& params = {});
  Response session_cost_all(const Params& params = {});

  // Cancels every call in flight; their waits throw ErrorKind::interrupted.
  void cancel_all();

  // Counters for tests and benchmarks.
  struct Stats {
    std::size_t requests_sent = 0;     // attempts put on the wire
    std::size_t connections_opened = 0;
    std::size_t retries = 0;
  };
  Stats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Resolves an origin or full base to "<scheme>://<host>[:port]/api/v1" (no trailing
// slash). Throws ErrorKind::usage for anything else, including plain http to a
// non-loopback host.
std::string normalize_base_url(std::string_view url);

}  // namespace orscript::net
