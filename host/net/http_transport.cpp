// The only Beast/Asio translation unit of the client (it costs ~35 s to compile: touch
// it rarely). Every request is a C++20 coroutine on the one io_context thread.
#include "host/net/http_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <strings.h>
#include <thread>
#include <unordered_map>

#include "host/core/error.hpp"
#include "host/net/base_url.hpp"

namespace orscript::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string HttpResponse::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

namespace {

std::string_view unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// One TCP or TLS connection with its read buffer.
struct Conn {
  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void close() {
    error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }
};

// Connections to one origin: idle ones, the count of all that exist, and requests
// waiting for a free slot.
struct HostPool {
  int open = 0;
  std::deque<std::unique_ptr<Conn>> idle;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters;
};

std::string pool_key(const Origin& o) {
  return std::string(o.https ? "https://" : "http://") + o.host + ":" + std::to_string(o.port) + "@" + o.connect_to;
}

bool is_connection_drop(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == http::error::partial_message || ec == ssl::error::stream_truncated;
}

}  // namespace

struct HttpTransport::Impl : std::enable_shared_from_this<HttpTransport::Impl> {
  explicit Impl(TransportOptions o) : options(std::move(o)), ssl_ctx(ssl::context::tls_client) {}

  TransportOptions options;
  asio::io_context ioc{1};
  ssl::context ssl_ctx;
  // The system trust store is loaded on the first https dial, on the io thread: reading
  // the bundle costs ~100 ms that plain-HTTP loopback use (the demo) never needs.
  bool system_store_loaded = false;
  void ensure_system_store() {
    if (system_store_loaded) return;
    system_store_loaded = true;
    error_code ec;
    ssl_ctx.set_default_verify_paths(ec);  // an empty system store is not fatal: a CA file may be given
  }
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;

  // Touched on the io thread only.
  std::map<std::string, HostPool> pools;
  std::unordered_map<Task*, std::weak_ptr<Task>> live;
  bool stopping = false;

  std::atomic<std::size_t> requests_sent{0}, connections_opened{0}, idle_count{0};

  void release(HostPool& pool, std::unique_ptr<Conn> conn, bool reusable) {
    if (conn && reusable && !stopping) {
      conn->lowest().expires_never();
      pool.idle.push_back(std::move(conn));
      ++idle_count;
    } else {
      if (conn) conn->close();
      --pool.open;
    }
    wake_one(pool);
  }
  static void wake_one(HostPool& pool) {
    if (pool.waiters.empty()) return;
    pool.waiters.front()->cancel();
    pool.waiters.pop_front();
  }
  void cancel_everything();
};

namespace {

// One exchange in flight.
struct Op final : HttpTransport::Task, std::enable_shared_from_this<Op> {
  std::weak_ptr<HttpTransport::Impl> owner;
  HttpTransport::Impl* impl = nullptr;
  Origin origin;
  HttpRequest request;
  HttpTransport::Done done;

  // io thread only:
  bool cancelled = false;
  Conn* active = nullptr;
  asio::steady_timer* waiting = nullptr;
  std::shared_ptr<tcp::resolver> resolver;

  void cancel() override {
    auto o = owner.lock();
    if (!o) return;
    asio::post(o->ioc, [self = shared_from_this()] { self->cancel_here(); });
  }
  void cancel_here() {
    cancelled = true;
    if (active) active->close();
    if (waiting) waiting->cancel();
    if (resolver) resolver->cancel();
  }
};

struct TimerTask final : HttpTransport::Task, std::enable_shared_from_this<TimerTask> {
  explicit TimerTask(asio::io_context& ioc) : timer(std::in_place, ioc) {}
  std::weak_ptr<HttpTransport::Impl> owner;
  std::optional<asio::steady_timer> timer;  // reset on completion: no io object outlives the thread
  std::function<void(bool)> fn;
  bool cancelled = false;

  void cancel() override {
    auto o = owner.lock();
    if (!o) return;
    asio::post(o->ioc, [self = shared_from_this()] { self->cancel_here(); });
  }
  void cancel_here() {
    cancelled = true;
    if (timer) timer->cancel();
  }
};

TransportResult failure(TransportError e, std::string phase, std::string detail) {
  TransportResult r;
  r.error = e;
  r.phase = std::move(phase);
  r.detail = std::move(detail);
  return r;
}

TransportResult cancelled_result(std::string phase) {
  return failure(TransportError::cancelled, std::move(phase), "cancelled");
}

// Maps an error of an I/O phase to a result.
TransportResult io_failure(const error_code& ec, const Op& op, const std::string& phase,
                           std::chrono::milliseconds limit) {
  if (op.cancelled || ec == asio::error::operation_aborted) return cancelled_result(phase);
  if (ec == beast::error::timeout)
    return failure(TransportError::timeout, phase,
                   "no " + std::string(phase == "read" ? "complete response" : phase + " completion") + " within " +
                       std::to_string(limit.count()) + " ms");
  if (ec == http::error::body_limit) return failure(TransportError::body_too_large, phase, "body too large");
  if (ec == http::error::partial_message)
    return failure(TransportError::connection, phase, "the connection closed before the body was complete");
  if (is_connection_drop(ec))
    return failure(TransportError::connection, phase, "the connection was closed or reset (" + ec.message() + ")");
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return failure(TransportError::protocol, phase, "not a valid HTTP response (" + ec.message() + ")");
  return failure(TransportError::connection, phase, ec.message());
}

// Resolves (unless an IP literal) and connects within the connect deadline.
asio::awaitable<TransportResult> connect(Op& op, Conn& conn) {
  auto& impl = *op.impl;
  auto ex = co_await asio::this_coro::executor;
  const std::string dial(unbracket(op.origin.connect_to.empty() ? op.origin.host : op.origin.connect_to));
  const std::string port = std::to_string(op.origin.port);
  const auto limit = impl.options.connect_timeout;
  tcp::resolver::results_type endpoints;
  if (is_ip_literal(dial)) {
    error_code ec;
    auto addr = asio::ip::make_address(dial, ec);
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(addr, op.origin.port), dial, port);
  } else {
    op.resolver = std::make_shared<tcp::resolver>(ex);
    auto timer = std::make_shared<asio::steady_timer>(ex, limit);
    auto timed_out = std::make_shared<bool>(false);
    timer->async_wait([r = op.resolver, timed_out](error_code ec) {
      if (!ec) {
        *timed_out = true;
        r->cancel();
      }
    });
    auto [ec, results] = co_await op.resolver->async_resolve(dial, port, use_tuple);
    timer->cancel();
    op.resolver.reset();
    if (op.cancelled) co_return cancelled_result("connect");
    if (*timed_out)
      co_return failure(TransportError::timeout, "connect",
                        "resolving " + dial + " took longer than " + std::to_string(limit.count()) + " ms");
    if (ec) co_return failure(TransportError::resolve, "connect", "cannot resolve " + dial + " (" + ec.message() + ")");
    endpoints = std::move(results);
  }
  conn.lowest().expires_after(limit);
  auto [ec, ep] = co_await conn.lowest().async_connect(endpoints, use_tuple);
  if (op.cancelled) co_return cancelled_result("connect");
  if (ec == beast::error::timeout)
    co_return failure(TransportError::timeout, "connect",
                      "connecting to " + dial + ":" + port + " took longer than " + std::to_string(limit.count()) + " ms");
  if (ec) co_return failure(TransportError::connect, "connect", "cannot connect to " + dial + ":" + port + " (" + ec.message() + ")");
  ++impl.connections_opened;
  error_code ignored;
  conn.lowest().socket().set_option(tcp::no_delay(true), ignored);
  co_return TransportResult{};
}

constexpr const char* kNoTls = "the server does not speak TLS";

asio::awaitable<TransportResult> handshake(Op& op, Conn& conn) {
  auto& impl = *op.impl;
  const std::string host(unbracket(op.origin.host));
  SSL* native = conn.tls->native_handle();
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), host.c_str());
  } else {
    SSL_set_tlsext_host_name(native, host.c_str());
    SSL_set1_host(native, host.c_str());
  }
  conn.lowest().expires_after(impl.options.tls_timeout);
  auto [ec] = co_await conn.tls->async_handshake(ssl::stream_base::client, use_tuple);
  if (op.cancelled) co_return cancelled_result("tls");
  // A server that answers the TLS hello with nothing, a closed connection or plain
  // HTTP does not speak TLS: another attempt cannot help, so these are tls failures
  // (never retried) rather than timeouts or dropped connections.
  const bool answered = BIO_number_read(SSL_get_rbio(native)) > 0;
  if (ec == beast::error::timeout) {
    if (!answered)
      co_return failure(TransportError::tls, "tls",
                        std::string(kNoTls) + ": it sent nothing back to the TLS handshake in " +
                            std::to_string(impl.options.tls_timeout.count()) + " ms");
    co_return failure(TransportError::timeout, "tls",
                      "the TLS handshake took longer than " + std::to_string(impl.options.tls_timeout.count()) + " ms");
  }
  if (ec) {
    long verify = SSL_get_verify_result(native);
    std::string detail = ec.message();
    const unsigned long reason = ec.category() == asio::error::get_ssl_category() ? ERR_GET_REASON(ec.value()) : 0;
    if (verify != X509_V_OK) {
      detail = std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
    } else if (ec == ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset ||
               reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
               reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_RECORD_LENGTH_MISMATCH) {
      detail = std::string(kNoTls) + " (the handshake ended in: " + detail + ")";
    }
    co_return failure(TransportError::tls, "tls", detail);
  }
  co_return TransportResult{};
}

template <class Stream>
asio::awaitable<TransportResult> write_and_read(Op& op, Stream& stream, Conn& conn, bool& keep_alive,
                                                bool& received_any) {
  auto& impl = *op.impl;
  http::request<http::string_body> req;
  auto verb = http::string_to_verb(op.request.method);
  if (verb == http::verb::unknown) req.method_string(op.request.method);
  else req.method(verb);
  req.target(op.request.target);
  req.version(11);
  BaseUrl shown;
  shown.https = op.origin.https;
  shown.host = std::string(unbracket(op.origin.host));
  shown.port = op.origin.port;
  req.set(http::field::host, shown.host_header());
  for (auto& [k, v] : op.request.headers) req.set(k, v);
  req.body() = op.request.body;
  req.keep_alive(true);
  req.prepare_payload();

  conn.lowest().expires_after(impl.options.write_timeout);
  ++impl.requests_sent;
  {
    auto [ec, n] = co_await http::async_write(stream, req, use_tuple);
    if (ec || op.cancelled) co_return io_failure(ec, op, "write", impl.options.write_timeout);
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(impl.options.max_body_bytes);
  conn.lowest().expires_after(impl.options.read_timeout);
  auto [ec, n] = co_await http::async_read(stream, conn.buffer, parser, use_tuple);
  received_any = parser.got_some();
  if (ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
    error_code eof_ec;
    parser.put_eof(eof_ec);  // a close-delimited body ended without close_notify: harmless
    ec = eof_ec;
  }
  if (ec || op.cancelled) co_return io_failure(ec, op, "read", impl.options.read_timeout);

  auto& msg = parser.get();
  keep_alive = msg.keep_alive() && !parser.need_eof();
  TransportResult out;
  out.response.status = static_cast<int>(msg.result_int());
  for (auto& field : msg) out.response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.response.body = std::move(msg.body());
  co_return out;
}

asio::awaitable<TransportResult> exchange(Op& op) {
  auto& impl = *op.impl;
  auto ex = co_await asio::this_coro::executor;
  auto& pool = impl.pools[pool_key(op.origin)];
  const int max_conns = std::max(1, impl.options.max_connections_per_host);

  for (int round = 0;; ++round) {
    std::unique_ptr<Conn> conn;
    bool reused = false;
    while (!conn) {
      if (op.cancelled || impl.stopping) {
        if (!pool.idle.empty() || pool.open < max_conns) HttpTransport::Impl::wake_one(pool);
        co_return cancelled_result("connect");
      }
      if (!pool.idle.empty()) {
        conn = std::move(pool.idle.back());
        pool.idle.pop_back();
        --impl.idle_count;
        reused = true;
      } else if (pool.open < max_conns) {
        ++pool.open;
        conn = std::make_unique<Conn>();
        if (op.origin.https) {
          impl.ensure_system_store();
          conn->tls.emplace(ex, impl.ssl_ctx);
        } else {
          conn->plain.emplace(ex);
        }
      } else {
        auto waiter = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
        pool.waiters.push_back(waiter);
        op.waiting = waiter.get();
        co_await waiter->async_wait(use_tuple);
        op.waiting = nullptr;
        std::erase(pool.waiters, waiter);
      }
    }

    op.active = conn.get();
    TransportResult result;
    if (!reused) {
      result = co_await connect(op, *conn);
      if (result.error == TransportError::none && op.origin.https) result = co_await handshake(op, *conn);
      if (result.error != TransportError::none) {
        op.active = nullptr;
        impl.release(pool, std::move(conn), false);
        co_return result;
      }
    }

    bool keep_alive = false, received_any = false;
    if (conn->tls) result = co_await write_and_read(op, *conn->tls, *conn, keep_alive, received_any);
    else result = co_await write_and_read(op, *conn->plain, *conn, keep_alive, received_any);
    op.active = nullptr;
    result.reused_connection = reused;
    const bool ok = result.error == TransportError::none;
    impl.release(pool, std::move(conn), ok && keep_alive && !op.cancelled);
    if (op.cancelled) co_return cancelled_result(result.phase.empty() ? "read" : result.phase);
    // A pooled connection the server had already closed: the other idle ones are probably
    // stale too; drop them and try once more on a fresh connection.
    if (!ok && reused && !received_any && round == 0 && result.error == TransportError::connection) {
      for (auto& c : pool.idle) c->close();
      pool.open -= static_cast<int>(pool.idle.size());
      impl.idle_count -= pool.idle.size();
      pool.idle.clear();
      continue;
    }
    co_return result;
  }
}

asio::awaitable<void> run_op(std::shared_ptr<Op> op) {
  TransportResult result;
  try {
    result = co_await exchange(*op);
  } catch (const std::exception& e) {
    result = failure(TransportError::protocol, "read", e.what());
  }
  op->impl->live.erase(op.get());
  auto done = std::move(op->done);
  op->done = nullptr;
  try {
    if (done) done(std::move(result));
  } catch (...) {
    // a completion must not take the io thread down; the client catches its own errors
  }
}

}  // namespace

void HttpTransport::Impl::cancel_everything() {
  for (auto& [ptr, weak] : live) {
    auto task = weak.lock();
    if (!task) continue;
    if (auto* op = dynamic_cast<Op*>(task.get())) op->cancel_here();
    else if (auto* t = dynamic_cast<TimerTask*>(task.get())) t->cancel_here();
  }
}

HttpTransport::HttpTransport(TransportOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
  auto& ctx = impl_->ssl_ctx;
  ctx.set_verify_mode(ssl::verify_peer);
  error_code ec;
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (!impl_->options.ca_file.empty()) {
    ctx.load_verify_file(impl_->options.ca_file, ec);
    if (ec)
      throw_error(ErrorKind::tls, "cannot load the CA file '" + impl_->options.ca_file + "' (" + ec.message() +
                                      "); give a readable PEM certificate file");
  }
  impl_->work.emplace(asio::make_work_guard(impl_->ioc));
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

HttpTransport::~HttpTransport() { shutdown(); }

void HttpTransport::shutdown() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->stopping = true;
    impl->cancel_everything();
    for (auto& [key, pool] : impl->pools) {
      for (auto& c : pool.idle) c->close();
      pool.open -= static_cast<int>(pool.idle.size());
      pool.idle.clear();
      while (!pool.waiters.empty()) Impl::wake_one(pool);
    }
    impl->idle_count = 0;
  });
  impl_->work.reset();
  if (impl_->thread.joinable()) impl_->thread.join();
}

HttpTransport::TaskPtr HttpTransport::send(const Origin& origin, HttpRequest request, Done done) {
  auto op = std::make_shared<Op>();
  op->owner = impl_;
  op->impl = impl_.get();
  op->origin = origin;
  op->request = std::move(request);
  op->done = std::move(done);
  asio::post(impl_->ioc, [op] {
    auto& impl = *op->impl;
    if (impl.stopping) op->cancelled = true;
    impl.live.emplace(op.get(), op);
    asio::co_spawn(impl.ioc, run_op(op), asio::detached);
  });
  return op;
}

HttpTransport::TaskPtr HttpTransport::after(std::chrono::milliseconds delay, std::function<void(bool)> fn) {
  auto task = std::make_shared<TimerTask>(impl_->ioc);
  task->owner = impl_;
  task->fn = std::move(fn);
  asio::post(impl_->ioc, [task, delay, impl = impl_.get()] {
    impl->live.emplace(task.get(), task);
    if (impl->stopping) task->cancelled = true;
    task->timer->expires_after(task->cancelled ? std::chrono::milliseconds(0) : delay);
    task->timer->async_wait([task, impl](error_code ec) {
      impl->live.erase(task.get());
      task->timer.reset();
      auto fn = std::move(task->fn);
      task->fn = nullptr;
      try {
        if (fn) fn(task->cancelled || ec == asio::error::operation_aborted);
      } catch (...) {
      }
    });
  });
  return task;
}

void HttpTransport::post(std::function<void()> fn) {
  asio::post(impl_->ioc, [fn = std::move(fn)] {
    try {
      fn();
    } catch (...) {
    }
  });
}

void HttpTransport::cancel_all() {
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->cancel_everything(); });
}

HttpTransport::Stats HttpTransport::stats() const {
  Stats s;
  s.requests_sent = impl_->requests_sent.load();
  s.connections_opened = impl_->connections_opened.load();
  s.idle_connections = impl_->idle_count.load();
  return s;
}

}  // namespace orscript::net
