#include "host/core/json_text.hpp"
#include "host/net/api_client.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <mutex>
#include <optional>
#include <random>

#include "host/core/error.hpp"
#include "host/core/interrupt.hpp"
#include "host/net/base_url.hpp"
#include "host/net/endpoint_table.hpp"
#include "host/net/http_transport.hpp"
#include "host/net/rate_limiter.hpp"
#include "host/net/retry_policy.hpp"
#include "orscript_build_config.hpp"

namespace orscript::net {

namespace json = boost::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kManagementKeysUrl = "https://openrouter.ai/settings/management-keys";

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string query_string(const Params& params) {
  std::string q;
  for (auto& [k, v] : params) {
    q += q.empty() ? '?' : '&';
    q += percent_encode(k) + "=" + percent_encode(v);
  }
  return q;
}

// Control bytes (CR/LF, NUL, ESC, ...) that must never reach a header line.
bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  return false;
}

// The client's own cap on one header value (servers refuse far less; say it is ours).
constexpr std::size_t kMaxHeaderValue = 8 * 1024;
constexpr std::size_t kMaxKeyBytes = 1024;

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f" : "%.0f", ms);
  return buf;
}

// Substitutes the path parameters of `ep` from `params` ("/keys/{hash}" -> "/keys/ab12..")
// and returns the rest, which go to the query string. Throws usage for a missing one.
std::string fill_path(const EndpointSpec& ep, Params& params) {
  std::string path = ep.path;
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    const auto close = path.find('}', open);
    const std::string name = path.substr(open + 1, close - open - 1);
    auto it = std::find_if(params.begin(), params.end(), [&](auto& kv) { return kv.first == name; });
    if (it == params.end() || it->second.empty())
      throw_usage(std::string(ep.name) + ": missing '" + name + "' (part of the path " + ep.path + ")");
    path.replace(open, close - open + 1, percent_encode(it->second));
    params.erase(it);
  }
  return path;
}

// The server's error envelope {"error":{"code","message"}}, when the body has one.
void read_error_envelope(const std::string& body, std::string& code, std::string& message) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return;
  auto* err = v.as_object().if_contains("error");
  if (!err || !err->is_object()) return;
  if (auto* c = err->as_object().if_contains("code")) {
    if (c->is_string()) code = std::string(c->as_string());
    else if (c->is_int64()) code = std::to_string(c->as_int64());
    else if (c->is_uint64()) code = std::to_string(c->as_uint64());
  }
  if (auto* m = err->as_object().if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
}

std::string with_server_message(const std::string& message) {
  return message.empty() ? std::string() : " (server: \"" + message + "\")";
}

}  // namespace

// ---------------------------------------------------------------------------------------

struct ApiClient::Call {
  Impl* impl = nullptr;
  const EndpointSpec* spec = nullptr;
  std::string method, target, body;  // target: "/api/v1/analytics/query?x=y"
  std::string display;               // "POST /api/v1/analytics/query"
  SteadyClock::time_point started;
  int attempts = 0;

  std::mutex m;
  std::condition_variable cv;
  bool done = false, taken = false;
  std::atomic<bool> cancelled{false};  // set under `m` so set_task() cannot miss it
  std::optional<Response> response;
  std::optional<Error> error;
  HttpTransport::TaskPtr task;
};

struct ApiClient::Impl {
  explicit Impl(ClientOptions o)
      : options(std::move(o)),
        base(parse_base_url(options.base_url)),
        limiter(options.clock ? RateLimiter::NowFn(options.clock) : RateLimiter::NowFn()),
        rng(std::random_device{}()) {
    options.base_url = base.str();
    origin.https = base.https;
    origin.host = base.host;
    origin.port = base.port;
    origin.connect_to = options.connect_to;
    for (auto* h : {&options.http_referer, &options.app_title, &options.app_categories}) {
      if (has_control(*h))
        throw_usage("an attribution header (--referer, --title, --categories) contains a line break or control "
                    "character; give a single-line value");
      if (h->size() > kMaxHeaderValue)
        throw_usage("an attribution header (--referer, --title, --categories) is " + std::to_string(h->size()) +
                    " bytes; orscript sends at most " + std::to_string(kMaxHeaderValue) +
                    " bytes in one header (its own limit): shorten it");
    }
    if (has_control(options.api_key.reveal()))
      throw_usage("the API key contains a line break, NUL or other control character; check the key file holds "
                  "just the key");
    if (options.api_key.reveal().size() > kMaxKeyBytes)
      throw_usage("the API key is " + std::to_string(options.api_key.reveal().size()) + " bytes; orscript sends at most " +
                  std::to_string(kMaxKeyBytes) + " (its own limit; OpenRouter keys are under 100): check the key "
                  "file holds just the key");
    retry.initial = options.retry_initial;
    retry.max_interval = options.retry_max_interval;
    retry.budget = options.retry_budget;
    retry.max_attempts = std::max(1, options.max_attempts);
    TransportOptions t;
    t.connect_timeout = options.connect_timeout;
    t.tls_timeout = options.tls_timeout;
    t.write_timeout = options.write_timeout;
    t.read_timeout = options.read_timeout;
    t.max_body_bytes = options.max_body_bytes;
    t.max_connections_per_host = options.max_connections_per_host;
    t.ca_file = options.ca_file;
    transport = std::make_unique<HttpTransport>(std::move(t));
  }

  ClientOptions options;
  BaseUrl base;
  Origin origin;
  RetryConfig retry;
  RateLimiter limiter;
  std::mt19937_64 rng;  // io thread only
  std::mutex log_mutex;

  std::mutex calls_mutex;
  std::list<std::weak_ptr<Call>> calls;

  std::atomic<std::size_t> retries{0}, limiter_waits{0};
  std::atomic<long long> last_retry_delay{0}, total_retry_delay{0};

  // Declared last: destroyed first, so its thread stops before the members above go.
  std::unique_ptr<HttpTransport> transport;

  void log(const std::string& line) {
    std::string clean = options.api_key.scrub(line);
    std::lock_guard lock(log_mutex);
    if (options.log) options.log(clean);
    else std::fprintf(stderr, "%s\n", clean.c_str());
  }

  std::string url(const std::string& target) const {
    return std::string(base.https ? "https://" : "http://") + base.host_header() + target;
  }

  HeaderList headers(bool has_body) const {
    HeaderList h;
    h.emplace_back("Authorization", "Bearer " + options.api_key.reveal());
    h.emplace_back("Accept", "application/json");
    if (has_body) h.emplace_back("Content-Type", "application/json");
    h.emplace_back("User-Agent", "orscript/" ORSCRIPT_VERSION);
    if (!options.http_referer.empty()) h.emplace_back("HTTP-Referer", options.http_referer);
    if (!options.app_title.empty()) h.emplace_back("X-OpenRouter-Title", options.app_title);
    if (!options.app_categories.empty()) h.emplace_back("X-OpenRouter-Categories", options.app_categories);
    return h;
  }

  Ticket start(const EndpointSpec& ep, Params params, std::string body);
  void begin_attempt(const Ticket& call);
  void send(const Ticket& call);
  void on_result(const Ticket& call, TransportResult result);
  void set_task(const Ticket& call, HttpTransport::TaskPtr task);
  void finish(const Ticket& call, std::optional<Response> response, std::optional<Error> error);
  void finish_interrupted(const Ticket& call);
  Error make_error(const Call& call, ErrorKind kind, std::string message, int status = 0) const;
  Error status_error(const Call& call, int status, const std::string& body) const;
  Error transport_error(const Call& call, const TransportResult& r) const;
  void cancel(const Ticket& call);

  double elapsed_ms(const Call& call) const {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - call.started).count();
  }
};

Error ApiClient::Impl::make_error(const Call& call, ErrorKind kind, std::string message, int status) const {
  Error e(kind, options.api_key.scrub(std::move(message)));
  e.status = status;
  e.request = options.api_key.scrub(call.display);
  return e;
}

Error ApiClient::Impl::status_error(const Call& call, int status, const std::string& body) const {
  std::string code, message;
  read_error_envelope(body, code, message);
  const std::string server = with_server_message(message);
  const std::string tries = call.attempts > 1 ? " after " + std::to_string(call.attempts) + " attempts" : "";
  ErrorKind kind = ErrorKind::api;
  std::string text;
  if (status == 401) {
    kind = ErrorKind::auth;
    text = "the API rejected the key " + options.api_key.redacted() + " as invalid or missing" + server +
           "; give a valid key with --api-key-file or OPENROUTER_API_KEY";
  } else if (status == 403 && call.spec->key == KeyKind::management) {
    kind = ErrorKind::auth;
    text = "this key is not a management key; " + std::string(call.spec->family) +
           " needs a management key (create one at " + std::string(kManagementKeysUrl) + ")";
  } else if (status == 403) {
    kind = ErrorKind::auth;
    text = "the API refused this key for the request" + server + "; check the key's permissions";
  } else if (status == 400) {
    text = "the API rejected the request as invalid" + server + "; fix the argument the server names";
  } else if (status == 404) {
    text = "the API has no such resource" + server + "; check the id and that the base URL ends in /api/v1";
  } else if (status == 408) {
    text = "the query timed out on the server" + tries + server +
           "; narrow the time range, drop dimensions or latency metrics, or add filters";
  } else if (status == 429) {
    kind = ErrorKind::rate_limit;
    text = "the API kept answering 429 (rate limit exceeded)" + tries + server +
           "; wait a minute before running again or make fewer requests (analytics allows 64/min, "
           "datasets 30/min)";
  } else if (status >= 500) {
    text = "the API failed with HTTP " + std::to_string(status) + tries + server + "; try again later";
  } else if (status >= 300 && status < 400) {
    kind = ErrorKind::http;
    text = "the server answered with a redirect (HTTP " + std::to_string(status) + ")" + server +
           "; use the final address as the base URL";
  } else {
    text = "the API answered HTTP " + std::to_string(status) + server + "; check the request";
  }
  Error e = make_error(call, kind, std::move(text), status);
  e.api_code = options.api_key.scrub(code);
  e.api_message = options.api_key.scrub(message);
  return e;
}

Error ApiClient::Impl::transport_error(const Call& call, const TransportResult& r) const {
  const std::string tries = call.attempts > 1 ? " (" + std::to_string(call.attempts) + " attempts)" : "";
  switch (r.error) {
    case TransportError::resolve:
      return make_error(call, ErrorKind::http, r.detail + tries + "; check the base URL's host name and your network");
    case TransportError::connect:
      return make_error(call, ErrorKind::http,
                        r.detail + tries + "; check the base URL and that the server is reachable");
    case TransportError::tls:
      return make_error(call, ErrorKind::tls,
                        "TLS with " + base.host + " failed: " + r.detail +
                            "; check the base URL's host name and the system trust store, or give the "
                            "server's CA certificate file");
    case TransportError::timeout:
      return make_error(call, ErrorKind::timeout,
                        "the " + r.phase + " phase timed out: " + r.detail + tries +
                            "; raise the " + r.phase + " timeout or narrow the query");
    case TransportError::body_too_large:
      return make_error(call, ErrorKind::http,
                        "the response body was larger than the cap of " + std::to_string(options.max_body_bytes) +
                            " bytes; narrow the query (smaller limit or time range) or raise the cap");
    case TransportError::protocol:
      return make_error(call, ErrorKind::http,
                        "the server did not answer with valid HTTP (" + r.detail +
                            "); check that the base URL points at the OpenRouter API");
    case TransportError::cancelled:
      return make_error(call, ErrorKind::interrupted, "the request was cancelled before it finished; nothing was returned");
    case TransportError::connection:
    case TransportError::none:
      break;
  }
  return make_error(call, ErrorKind::http,
                    "the connection failed during " + r.phase + ": " + r.detail + tries +
                        "; nothing was returned, try again (a proxy or the network may be dropping connections)");
}

ApiClient::Ticket ApiClient::Impl::start(const EndpointSpec& ep, Params params, std::string body) {
  auto call = std::make_shared<Call>();
  call->impl = this;
  call->spec = &ep;
  call->method = ep.method;
  const std::string path = fill_path(ep, params);
  call->target = base.prefix + path + query_string(params);
  call->body = std::move(body);
  call->display = call->method + " " + call->target;
  call->started = SteadyClock::now();
  if (options.dry_run) {
    log("dry-run: " + call->method + " " + url(call->target));
    if (!call->body.empty()) log(call->body);
    Response r;
    r.request = call->display;
    r.dry_run = true;
    std::lock_guard lock(call->m);
    call->response = std::move(r);
    call->done = true;
    return call;
  }
  if (options.api_key.empty()) {
    std::lock_guard lock(call->m);
    call->error = make_error(*call, ErrorKind::auth,
                             "no API key was given; set OPENROUTER_API_KEY or use --api-key-file (analytics needs "
                             "a management key, made at " + std::string(kManagementKeysUrl) + ")");
    call->done = true;
    return call;
  }
  if (options.verbose && ep.changes_state())
    log("orscript: changing the account: " + call->display + (call->body.empty() ? "" : " " + call->body));
  {
    std::lock_guard lock(calls_mutex);
    std::erase_if(calls, [](auto& w) { return w.expired(); });
    calls.push_back(call);
  }
  transport->post([this, call] { begin_attempt(call); });
  return call;
}

void ApiClient::Impl::set_task(const Ticket& call, HttpTransport::TaskPtr task) {
  std::unique_lock lock(call->m);
  if (call->cancelled) {
    lock.unlock();
    task->cancel();
    return;
  }
  call->task = std::move(task);
}

void ApiClient::Impl::begin_attempt(const Ticket& call) {
  if (call->cancelled) return finish_interrupted(call);
  milliseconds wait{0};
  if (options.rate_limit) wait = limiter.reserve(call->target);
  if (wait.count() <= 0) return send(call);
  ++limiter_waits;
  if (options.verbose)
    log("orscript: rate limiter: holding " + call->display + " for " + std::to_string(wait.count()) +
        " ms (analytics 64/min, datasets 30/min)");
  set_task(call, transport->after(wait, [this, call](bool cancelled) {
    if (cancelled) return finish_interrupted(call);
    send(call);
  }));
}

void ApiClient::Impl::send(const Ticket& call) {
  if (call->cancelled) return finish_interrupted(call);
  ++call->attempts;
  HttpRequest req;
  req.method = call->method;
  req.target = call->target;
  req.headers = headers(!call->body.empty());
  req.body = call->body;
  auto attempt_start = SteadyClock::now();
  set_task(call, transport->send(origin, std::move(req), [this, call, attempt_start](TransportResult r) {
    if (options.verbose) {
      double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - attempt_start).count();
      std::string outcome = r.error == TransportError::none
                                ? std::to_string(r.response.status) + " in " + format_ms(ms) + " ms, " +
                                      std::to_string(r.response.body.size()) + " bytes"
                                : r.phase + " failed after " + format_ms(ms) + " ms: " + r.detail;
      log("orscript: " + call->display + " -> " + outcome + " (attempt " + std::to_string(call->attempts) +
          (r.reused_connection ? ", reused connection)" : ")"));
    }
    on_result(call, std::move(r));
  }));
}

void ApiClient::Impl::on_result(const Ticket& call, TransportResult r) {
  if (call->cancelled || r.error == TransportError::cancelled) return finish_interrupted(call);

  AttemptOutcome outcome;
  std::optional<Error> error;
  std::optional<Response> response;
  if (r.error != TransportError::none) {
    outcome.transport_error = r.error == TransportError::connect || r.error == TransportError::connection ||
                              r.error == TransportError::timeout || r.error == TransportError::resolve;
    outcome.permanent_error = !outcome.transport_error;
    error = transport_error(*call, r);
  } else {
    const int status = r.response.status;
    outcome.status = status;
    outcome.retry_after_ms = r.response.header("retry-after-ms");
    outcome.retry_after = r.response.header("retry-after");
    if (status >= 200 && status < 300) {
      std::string type = r.response.header("content-type");
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
      json::error_code ec;
      json::value v;
      if (type.find("json") == std::string::npos) {
        error = make_error(*call, ErrorKind::http,
                           "the server answered with content type '" + (type.empty() ? "none" : type) +
                               "' instead of JSON; check that the base URL points at the OpenRouter API "
                               "(a web page or proxy may have answered)",
                           status);
      } else if (v = json::parse(r.response.body, ec); ec || !v.is_object()) {
        error = make_error(*call, ErrorKind::http,
                           std::string("the API returned malformed JSON (") +
                               (ec ? ec.message() : std::string("not a JSON object")) + ", " +
                               std::to_string(r.response.body.size()) +
                               " bytes); nothing was returned, try again later",
                           status);
      } else {
        Response resp;
        resp.status = status;
        resp.json = std::move(v);
        resp.request = call->display;
        resp.bytes = r.response.body.size();
        resp.attempts = call->attempts;
        resp.elapsed_ms = elapsed_ms(*call);
        response = std::move(resp);
      }
      // A well-framed but unparsable body is most likely a glitch on the way (a proxy, a
      // cut upstream): retried. A non-JSON content type will not change: final.
      const bool malformed = error && type.find("json") != std::string::npos;
      outcome.transport_error = malformed;
      outcome.permanent_error = !malformed;
    } else {
      error = status_error(*call, status, r.response.body);
    }
  }
  if (response) return finish(call, std::move(response), std::nullopt);

  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  auto decision = decide_retry(retry, outcome, call->attempts,
                               std::chrono::duration_cast<milliseconds>(SteadyClock::now() - call->started),
                               jitter(rng));
  if (!decision.retry) return finish(call, std::nullopt, std::move(error));

  ++retries;
  last_retry_delay = decision.delay.count();
  total_retry_delay += decision.delay.count();
  if (options.verbose)
    log("orscript: retrying " + call->display + " in " + std::to_string(decision.delay.count()) + " ms after " +
        decision.reason + (decision.from_server_hint ? " (server's Retry-After)" : "") + " (attempt " +
        std::to_string(call->attempts + 1) + " of " + std::to_string(retry.max_attempts) + ")");
  set_task(call, transport->after(decision.delay, [this, call](bool cancelled) {
    if (cancelled) return finish_interrupted(call);
    begin_attempt(call);
  }));
}

void ApiClient::Impl::finish(const Ticket& call, std::optional<Response> response, std::optional<Error> error) {
  {
    std::lock_guard lock(call->m);
    if (call->done) return;
    call->response = std::move(response);
    call->error = std::move(error);
    call->task.reset();
    call->done = true;
  }
  call->cv.notify_all();
}

void ApiClient::Impl::finish_interrupted(const Ticket& call) {
  finish(call, std::nullopt,
         make_error(*call, ErrorKind::interrupted,
                    "interrupted before the request finished; nothing was returned (run it again to get the result)"));
}

void ApiClient::Impl::cancel(const Ticket& call) {
  HttpTransport::TaskPtr task;
  {
    std::lock_guard lock(call->m);
    if (call->done) return;
    call->cancelled = true;
    task = call->task;
  }
  if (task) task->cancel();
  // Between tasks (a step queued on the transport thread): that step sees the flag.
}

// ---------------------------------------------------------------------------------------

ApiClient::ApiClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

ApiClient::~ApiClient() {
  cancel_all();
  impl_->transport->shutdown();  // joins the thread; every callback has run by now
  std::lock_guard lock(impl_->calls_mutex);
  for (auto& w : impl_->calls)
    if (auto call = w.lock()) impl_->finish_interrupted(call);
}

const ClientOptions& ApiClient::options() const { return impl_->options; }

ApiClient::Ticket ApiClient::call(std::string_view endpoint, const Params& params, std::string body) {
  const EndpointSpec* ep = find_endpoint(endpoint);
  if (!ep) throw_usage("unknown endpoint '" + std::string(endpoint) + "'");
  return impl_->start(*ep, params, std::move(body));
}

ApiClient::Ticket ApiClient::analytics_meta() { return call("meta"); }
ApiClient::Ticket ApiClient::analytics_query(const json::object& body) {
  return call("query", {}, to_json_text(body));
}
ApiClient::Ticket ApiClient::activity(const Params& params) { return call("activity", params); }
ApiClient::Ticket ApiClient::key() { return call("key"); }
ApiClient::Ticket ApiClient::keys(const Params& params) { return call("keys", params); }
ApiClient::Ticket ApiClient::credits() { return call("credits"); }
ApiClient::Ticket ApiClient::generation(std::string_view id) { return call("generation", {{"id", std::string(id)}}); }
ApiClient::Ticket ApiClient::rankings_daily(const Params& params) { return call("rankings_daily", params); }
ApiClient::Ticket ApiClient::app_rankings(const Params& params) { return call("app_rankings", params); }
ApiClient::Ticket ApiClient::session_cost(const Params& params) { return call("session_cost", params); }

Response ApiClient::wait(const Ticket& ticket) {
  if (!ticket) throw_usage("wait() was given an empty ticket; pass the ticket an endpoint call returned");
  std::unique_lock lock(ticket->m);
  while (!ticket->done) {
    ticket->cv.wait_for(lock, milliseconds(50));
    if (!ticket->done && interrupt_requested()) {
      lock.unlock();
      impl_->cancel(ticket);
      lock.lock();
      ticket->cv.wait(lock, [&] { return ticket->done; });
    }
  }
  if (ticket->error) throw Error(*ticket->error);
  if (ticket->taken)
    throw_usage("this request's result was already taken by an earlier wait(); keep the Response it returned");
  ticket->taken = true;
  return std::move(*ticket->response);
}

std::vector<Response> ApiClient::wait_all(const std::vector<Ticket>& tickets) {
  std::vector<Response> out;
  out.reserve(tickets.size());
  std::optional<Error> first;
  for (std::size_t i = 0; i < tickets.size(); ++i) {
    try {
      out.push_back(wait(tickets[i]));
    } catch (const Error& e) {
      if (!first) first = e;
      if (e.kind == ErrorKind::interrupted)
        for (std::size_t j = i + 1; j < tickets.size(); ++j)
          if (tickets[j]) impl_->cancel(tickets[j]);
      out.emplace_back();
    }
  }
  if (first) throw *first;
  return out;
}

namespace {

// Replaces or appends `key` in `params`.
Params with_param(Params params, const std::string& key, const std::string& value) {
  for (auto& [k, v] : params)
    if (k == key) {
      v = value;
      return params;
    }
  params.emplace_back(key, value);
  return params;
}

long long param_or(const Params& params, const std::string& key, long long fallback) {
  for (auto& [k, v] : params)
    if (k == key) {
      try {
        return std::stoll(v);
      } catch (...) {
        throw_usage("invalid '" + key + "': expected an integer, got '" + v + "'");
      }
    }
  return fallback;
}

}  // namespace

// Offset paging as the official SDKs do it: stop on an empty or short page, and also
// before an offset the endpoint refuses (app-rankings: 100, session-cost: 5000). An
// endpoint without a `limit` parameter (/keys) has a fixed page size.
Response ApiClient::call_all(std::string_view endpoint, const Params& params_in) {
  const EndpointSpec* ep = find_endpoint(endpoint);
  if (!ep) throw_usage("unknown endpoint '" + std::string(endpoint) + "'");
  if (!ep->paging.paged) return wait(call(endpoint, params_in));
  Params params = params_in;
  const Paging& pg = ep->paging;
  const long long limit = pg.default_limit ? param_or(params, "limit", pg.default_limit) : pg.page_size;
  long long offset = param_or(params, "offset", 0);
  if (pg.default_limit) params = with_param(std::move(params), "limit", std::to_string(limit));
  json::array rows;
  Response total;
  json::value meta;
  std::optional<json::value> total_count;
  for (bool first = true;; first = false) {
    Response r = wait(call(endpoint, with_param(params, "offset", std::to_string(offset))));
    if (first) total.request = r.request;
    total.status = r.status;
    total.bytes += r.bytes;
    total.elapsed_ms += r.elapsed_ms;
    total.attempts += r.attempts;
    total.dry_run = r.dry_run;
    if (r.dry_run) break;
    auto* obj = r.json.if_object();
    auto* data = obj ? obj->if_contains("data") : nullptr;
    if (!data || !data->is_array())
      throw Error(ErrorKind::http, "the API answered a page without a 'data' array; nothing was returned, try again");
    if (auto* m = obj->if_contains("meta")) meta = std::move(*m);
    if (auto* c = obj->if_contains("total_count")) total_count = *c;
    auto& page_rows = data->as_array();
    const auto n = static_cast<long long>(page_rows.size());
    for (auto& row : page_rows) rows.push_back(std::move(row));
    if (n == 0 || n < limit) break;
    offset += n;
    if (pg.max_offset >= 0 && offset > pg.max_offset) break;
  }
  if (!total.dry_run) {
    json::object out{{"data", std::move(rows)}, {"meta", std::move(meta)}};
    if (total_count) out["total_count"] = *total_count;
    total.json = std::move(out);
  }
  return total;
}

Response ApiClient::app_rankings_all(const Params& params) { return call_all("app_rankings", params); }
Response ApiClient::session_cost_all(const Params& params) { return call_all("session_cost", params); }

void ApiClient::cancel_all() {
  std::vector<Ticket> live;
  {
    std::lock_guard lock(impl_->calls_mutex);
    for (auto& w : impl_->calls)
      if (auto c = w.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) impl_->cancel(c);
}

ApiClient::Stats ApiClient::stats() const {
  Stats s;
  if (impl_->transport) {
    auto t = impl_->transport->stats();
    s.requests_sent = t.requests_sent;
    s.connections_opened = t.connections_opened;
    s.idle_connections = t.idle_connections;
  }
  s.retries = impl_->retries.load();
  s.limiter_waits = impl_->limiter_waits.load();
  s.last_retry_delay = milliseconds(impl_->last_retry_delay.load());
  s.total_retry_delay = milliseconds(impl_->total_retry_delay.load());
  return s;
}

bool is_management_key(const Response& key_response) {
  auto* obj = key_response.json.if_object();
  auto* data = obj ? obj->if_contains("data") : nullptr;
  if (!data || !data->is_object()) return false;
  for (auto name : {"is_management_key", "is_provisioning_key"})
    if (auto* v = data->as_object().if_contains(name); v && v->is_bool()) return v->as_bool();
  return false;
}

}  // namespace orscript::net
