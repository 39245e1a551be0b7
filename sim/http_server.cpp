// The only translation unit of the simulator that includes Beast/Asio.
#include "sim/http_server.hpp"

#include "host/core/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace orscript::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerConfig& cfg, HttpHandler handler)
      : cfg_(cfg), handler_(std::move(handler)), acceptor_(ioc_) {}
  ~BeastServer() override { stop(); }

  void open() {
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(cfg_.host, ec);
    if (ec) throw_error(ErrorKind::http, "simulator: bad listen address '" + cfg_.host + "'");
    const tcp::endpoint ep(addr, cfg_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw_error(ErrorKind::http, "simulator: cannot listen on " + cfg_.host + ":" + std::to_string(cfg_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    if (cfg_.tls) {
      ssl_.emplace(asio::ssl::context::tls_server);
      ssl_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      ssl_->use_certificate_chain(asio::buffer(cfg_.tls->cert_pem));
      ssl_->use_private_key(asio::buffer(cfg_.tls->key_pem), asio::ssl::context::pem);
    }
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    const int n = cfg_.threads < 1 ? 1 : cfg_.threads;
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  std::uint16_t port() const override { return port_; }

  void stop() override {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    // No thread runs the io_context any more: close the listener now so the port is free.
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor_.async_accept(asio::make_strand(ioc_), use_tuple);
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      auto ex = sock.get_executor();
      const int cap = cfg_.max_connections < 1 ? 1 : cfg_.max_connections;
      if (active_.load() >= cap) {
        // Over the cap: a plain peer hears 503 (bounded by the header deadline), a TLS one
        // is closed (answering would need a handshake); neither counts as a connection.
        if (ssl_ || rejecting_.load() >= cap) continue;  // sock closes here
        ++rejecting_;
        asio::co_spawn(ex, reject_session(std::move(sock)), asio::detached);
        continue;
      }
      ++active_;  // counted now, not when the session starts, so the cap holds at once
      if (ssl_) asio::co_spawn(ex, tls_session(std::move(sock)), asio::detached);
      else asio::co_spawn(ex, plain_session(std::move(sock)), asio::detached);
    }
  }

  // Releases one count taken by the accept loop when the session ends.
  struct Count {
    std::atomic<int>& n;
    explicit Count(std::atomic<int>& c) : n(c) {}
    ~Count() { --n; }
    Count(const Count&) = delete;
    Count& operator=(const Count&) = delete;
  };

  asio::awaitable<void> reject_session(tcp::socket sock) {
    Count count(rejecting_);
    beast::tcp_stream stream(std::move(sock));
    co_await answer_and_close(stream, 503, "Too many connections to the simulator; retry later");
  }

  asio::awaitable<void> plain_session(tcp::socket sock) {
    Count count(active_);
    beast::tcp_stream stream(std::move(sock));
    co_await serve(stream);
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> tls_session(tcp::socket sock) {
    Count count(active_);
    asio::ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(sock)), *ssl_);
    beast::get_lowest_layer(stream).expires_after(cfg_.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) co_return;
    beast::get_lowest_layer(stream).expires_never();
    if (co_await serve(stream)) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
      co_await stream.async_shutdown(use_tuple);  // stream_truncated and eof are normal here
    }
  }

  static std::string head(const HttpResponse& r, bool keep_alive) {
    std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
    h += "Content-Type: " + r.content_type + "\r\n";
    h += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    h += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    h += "Server: orscript-sim\r\n";
    for (auto& [k, v] : r.headers) h += k + ": " + v + "\r\n";
    h += "\r\n";
    return h;
  }

  // Answers one error status with the JSON envelope and closes: the send side first, then
  // what the peer is still sending is read and dropped for a moment (a lingering close), so
  // the peer reads the answer instead of a reset.
  template <class Stream>
  asio::awaitable<void> answer_and_close(Stream& stream, int status, const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.body = R"({"error":{"code":)" + std::to_string(status) + R"(,"message":")" + message + R"("}})";
    const std::string out = head(r, false) + r.body;
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(cfg_.header_timeout);
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
    if (wec) co_return;
    boost::system::error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> sink;
    for (std::size_t drained = 0; drained < 64 * 1024 * 1024;) {
      auto [rec, rn] = co_await lowest.async_read_some(asio::buffer(sink), use_tuple);
      if (rec) break;
      drained += rn;
    }
    lowest.socket().close(ec);
  }

  // Serves requests until the peer closes; returns false when the connection was cut
  // on purpose (no graceful shutdown then). Each phase has a deadline: idle between
  // requests, the head, the body; over-long heads and bodies and unparsable requests are
  // answered with 431, 413 and 400, slow ones with 408.
  template <class Stream>
  asio::awaitable<bool> serve(Stream& stream) {
    beast::flat_buffer buffer;
    auto& lowest = beast::get_lowest_layer(stream);
    for (;;) {
      if (buffer.size() == 0) {
        lowest.expires_after(cfg_.idle_timeout);
        auto [iec, in] = co_await stream.async_read_some(buffer.prepare(16384), use_tuple);
        if (iec) co_return iec != beast::error::timeout;
        buffer.commit(in);
      }
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(cfg_.header_limit));
      parser.body_limit(cfg_.body_limit);
      // The head and body deadlines cancel the read (the stream's own expiry would close
      // the socket, and the peer should hear 408 first).
      lowest.expires_never();
      bool late = false;
      asio::steady_timer deadline(co_await asio::this_coro::executor);
      auto arm = [&](std::chrono::milliseconds limit) {
        deadline.expires_after(limit);
        deadline.async_wait([&late, &lowest](boost::system::error_code tec) {
          if (tec) return;  // cancelled or re-armed (also after this frame is gone)
          late = true;
          boost::system::error_code ignored;
          lowest.socket().cancel(ignored);
        });
      };
      arm(cfg_.header_timeout);
      auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
      boost::system::error_code ec = hec;
      if (!ec) {
        arm(cfg_.body_timeout);
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
        ec = bec;
      }
      deadline.cancel();
      if (ec) {
        if (late) {
          co_await answer_and_close(stream, 408, "Request Timeout");
          co_return false;
        }
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
            ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated)
          co_return true;
        if (ec == beast::error::timeout) co_await answer_and_close(stream, 408, "Request Timeout");
        else if (ec == http::error::header_limit)
          co_await answer_and_close(stream, 431, "Request header fields too large");
        else if (ec == http::error::body_limit) co_await answer_and_close(stream, 413, "Request body too large");
        else if (ec.category() == http::make_error_code(http::error::bad_method).category())
          co_await answer_and_close(stream, 400, "Malformed HTTP request");
        co_return false;
      }
      auto& msg = parser.get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      for (auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[name] = std::string(f.value());
      }
      req.body = std::move(msg.body());
      const bool keep_alive = msg.keep_alive();
      HttpResponse r;
      try {
        r = handler_(req);
      } catch (const std::exception& e) {
        r = HttpResponse{};
        r.status = 500;
        r.body = R"({"error":{"code":500,"message":"Internal Server Error"}})";
      }
      if (!cfg_.quiet) std::fprintf(stderr, "sim: %s %s -> %d\n", req.method.c_str(), req.target.c_str(), r.status);
      const Delivery& d = r.delivery;
      if (d.delay_ms > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(std::chrono::milliseconds(d.delay_ms));
        co_await timer.async_wait(use_tuple);
      }
      const std::string header = head(r, keep_alive && d.cut == Delivery::Cut::none);
      const std::size_t body_len = d.cut == Delivery::Cut::none ? r.body.size() : r.body.size() / 2;
      if (d.drip_bytes == 0) {
        std::string out = header;
        out.append(r.body, 0, body_len);
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
        if (wec) co_return false;
      } else {
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(header), use_tuple);
        if (wec) co_return false;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (std::size_t off = 0; off < body_len; off += d.drip_bytes) {
          if (off > 0 && d.drip_interval_ms > 0) {
            timer.expires_after(std::chrono::milliseconds(d.drip_interval_ms));
            co_await timer.async_wait(use_tuple);
          }
          const std::size_t len = std::min(d.drip_bytes, body_len - off);
          auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(r.body.data() + off, len), use_tuple);
          if (cec) co_return false;
        }
      }
      if (d.cut != Delivery::Cut::none) {
        auto& sock = beast::get_lowest_layer(stream).socket();
        boost::system::error_code ignored;
        if (d.cut == Delivery::Cut::reset) sock.set_option(asio::socket_base::linger(true, 0), ignored);
        else sock.shutdown(tcp::socket::shutdown_both, ignored);
        sock.close(ignored);
        co_return false;
      }
      if (!keep_alive) co_return true;
    }
  }

  // Declaration order matters: the io_context (and with it every pending coroutine
  // frame) is destroyed before the TLS context and the handler they refer to.
  HttpServerConfig cfg_;
  std::optional<asio::ssl::context> ssl_;
  HttpHandler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::mutex stop_mu_;
  bool stopped_ = false;
  std::atomic<int> active_{0};     // connections being served
  std::atomic<int> rejecting_{0};  // connections being answered 503
};

}  // namespace

std::unique_ptr<HttpServer> HttpServer::start(const HttpServerConfig& config, HttpHandler handler) {
  auto server = std::make_unique<BeastServer>(config, std::move(handler));
  server->open();
  return server;
}

}  // namespace orscript::sim
