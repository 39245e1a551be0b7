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
  int max_connections_per_host = 20;  // keep-alive connections per origin; more requests queue
  bool rate_limit = true;   // client-side limiter (64/min analytics, 30/min datasets)
  std::chrono::milliseconds retry_initial{500};        // first backoff (then doubling, with jitter)
  std::chrono::milliseconds retry_max_interval{30'000};  // cap on one wait, server hints included
  // Dial this address (IP literal or name) instead of resolving the base URL's host; the
  // certificate is still verified against the base URL's host. For tests and pinning.
  std::string connect_to;
  // The limiter's clock (default: steady_clock::now). Tests inject a fake one.
  std::function<std::chrono::steady_clock::time_point()> clock;
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

  // Any endpoint of host/net/endpoint_table.hpp by name: path parameters ({hash}) are
  // taken from `params`, the rest go to the query string; `body` is sent as JSON.
  // Throws ErrorKind::usage for an unknown endpoint or a missing path parameter.
  Ticket call(std::string_view endpoint, const Params& params = {}, std::string body = {});
  // Blocks: every page of a paged endpoint (offset paging, as the official SDKs do:
  // stop on an empty or short page), rows of `data` in order plus the last `meta`.
  Response call_all(std::string_view endpoint, const Params& params = {});

  // Named shortcuts for the common endpoints. Management-key endpoints:
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
    std::size_t limiter_waits = 0;     // requests the client-side limiter held back
    std::chrono::milliseconds last_retry_delay{0};   // the wait before the latest retry
    std::chrono::milliseconds total_retry_delay{0};
    std::size_t idle_connections = 0;  // keep-alive connections in the pool now
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

// Where the key and the base URL come from is decided here and nowhere else (secret.hpp,
// base_url.hpp and host/app/cli.hpp point here): host/app/main.cpp hands these two the
// command-line values (cli.hpp only collects them); with --demo it uses the simulator's
// URL and key instead and calls neither.

// The base URL to use: `flag` when non-empty, else $OPENROUTER_BASE_URL, else the
// default; either convention (origin or full /api/v1 base), normalized.
std::string resolve_base_url(std::string_view flag = {});

// The key, from the first source that is given: `key_file` (--api-key-file; first line,
// whitespace trimmed), `key_flag` (--api-key; `warn` is told that it shows in the process
// list), then $OPENROUTER_API_KEY. Empty Secret when none. Throws ErrorKind::usage for an
// unreadable, empty or non-regular key file or a NUL in it; a UTF-8 BOM is stripped and
// `note` (verbose output) told. Messages never contain the key.
Secret resolve_api_key(std::string_view key_file, std::string_view key_flag,
                       const std::function<void(std::string_view)>& warn = {},
                       const std::function<void(std::string_view)>& note = {});

// For a GET /key response: true for a management key (`data.is_management_key`, or the
// deprecated `data.is_provisioning_key`), false for an inference key.
bool is_management_key(const Response& key_response);

}  // namespace orscript::net
