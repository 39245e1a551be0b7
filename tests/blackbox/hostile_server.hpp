// hostile_server.hpp: a test server that lies, for the black-box tests (not the simulator).
//
// Owns: a loopback HTTP/1.1 server (POSIX sockets, a thread per connection) that
// forwards each request to a simulator and then misbehaves the way the base URL's
// first path segment says: http://127.0.0.1:PORT/<mode>/api/v1. The simulator stays
// polite; this server keeps the client honest where a real proxy or a broken server
// would not be (duplicate rows, "NaN" and "0x10" counts, 1e400 money, all-null metrics,
// control bytes in names, endless bodies, CR/LF in headers).
#pragma once

#include <boost/json.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/sim/raw_http.hpp"

namespace hostile {

namespace json = boost::json;

// The bytes appended to every model and key name in mode "ctrl_names": an escape
// sequence that clears a terminal, a bell, and a line break followed by Lua code.
inline const std::string kCtrlSuffix = "\x1b[2J\x07\r\nos.exit(9) --";

class Server {
 public:
  explicit Server(std::uint16_t upstream_port) : upstream_(upstream_port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0)
      throw std::runtime_error("hostile server: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~Server() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);  // not held while joining: a worker's finish() takes it
      for (int c : conns_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();  // the acceptor is gone: workers_ no longer grows
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::string base_url(const std::string& mode) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode + "/api/v1";
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(c);
        break;
      }
      conns_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  static void send_all(int fd, const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }

  // One request per connection (answers with Connection: close).
  void serve(int fd) {
    std::string in;
    char buf[65536];
    while (in.find("\r\n\r\n") == std::string::npos && in.size() < (1 << 20)) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return finish(fd);
      in.append(buf, static_cast<std::size_t>(n));
    }
    const auto head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos) return finish(fd);
    const std::string head = in.substr(0, head_end);
    std::string body = in.substr(head_end + 4);
    const auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    const std::string method = head.substr(0, sp1), target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string auth;
    std::size_t length = 0;
    for (std::size_t p = head.find("\r\n"); p != std::string::npos;) {
      const auto next = head.find("\r\n", p + 2);
      std::string line = head.substr(p + 2, next == std::string::npos ? std::string::npos : next - p - 2);
      std::string lower = line;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower.rfind("authorization:", 0) == 0) auth = line + "\r\n";
      if (lower.rfind("content-length:", 0) == 0) length = std::stoul(line.substr(15));
      p = next;
    }
    while (body.size() < length) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return finish(fd);
      body.append(buf, static_cast<std::size_t>(n));
    }
    const auto slash = target.find('/', 1);
    const std::string mode = target.substr(1, slash - 1), path = target.substr(slash);

    if (mode == "endless") {  // a 200 whose body never ends (no length, never closed by us)
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"data\":[");
      const std::string chunk(65536, ' ');
      for (int i = 0; i < 100000 && !stopping_; ++i) {  // 6.5 GB at most: the client must stop first
        if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
      }
      return finish(fd);
    }
    if (mode == "crlf_header") {  // a bare CR and a bare LF inside header values
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Bad: a\rInjected: yes\r\n"
                   "X-Worse: b\nSet-Cookie: x=1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
      return finish(fd);
    }
    if (mode == "ctrl_names") strip(body, kCtrlSuffix);  // the client sends the names back in filters

    rawhttp::Conn up(upstream_);
    rawhttp::Response r = up.request(method, path, auth, body);
    std::string out_body = r.body;
    if (r.status == 200 && r.header("content-type").find("json") != std::string::npos)
      out_body = transform(mode, path, body, r.body);
    std::string head_out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nContent-Type: " + r.header("content-type") +
                           "\r\nContent-Length: " + std::to_string(out_body.size()) + "\r\nConnection: close\r\n";
    for (auto& [k, v] : r.headers)
      if (k != "content-type" && k != "content-length" && k != "connection") head_out += k + ": " + v + "\r\n";
    send_all(fd, head_out + "\r\n" + out_body);
    finish(fd);
  }

  void finish(int fd) {
    std::lock_guard lock(mu_);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
    std::erase(conns_, fd);
  }

  // Removes every occurrence of `what` (raw, and as a JSON string would carry it).
  static void strip(std::string& text, const std::string& what) {
    std::string encoded = json::serialize(json::string(what));
    encoded = encoded.substr(1, encoded.size() - 2);
    for (const std::string& w : {what, encoded})
      for (std::size_t p; (p = text.find(w)) != std::string::npos;) text.erase(p, w.size());
  }

  static std::string transform(const std::string& mode, const std::string& path, const std::string& request,
                               const std::string& response) {
    json::value v = json::parse(response);
    const bool query = path.find("analytics/query") != std::string::npos;
    // GET /generation (issue 14): every number as a string and latency null ("gen_strings"),
    // or no generation object at all ("gen_empty").
    if (path.find("/generation") != std::string::npos && v.is_object())
      if (auto* d = v.as_object().if_contains("data"); d && d->is_object()) {
        if (mode == "gen_empty") *d = json::array();
        if (mode == "gen_strings") {
          for (auto& kv : d->as_object())
            if (kv.value().is_number()) kv.value() = json::serialize(kv.value());
          d->as_object()["latency"] = nullptr;
        }
        return json::serialize(v);
      }
    json::array* rows = nullptr;
    if (auto* d = v.as_object().if_contains("data")) {
      if (d->is_array()) rows = &d->as_array();
      else if (auto* inner = d->as_object().if_contains("data"); inner && inner->is_array()) rows = &inner->as_array();
    }
    if (!rows) return response;
    std::vector<std::string> metrics;
    if (query)
      if (auto req = json::parse(request); req.is_object())
        if (auto* m = req.as_object().if_contains("metrics"))
          for (auto& n : m->as_array()) metrics.emplace_back(n.as_string());
    std::string placeholder;
    if (mode == "dup_rows" && query) {
      json::array copy = *rows;
      for (auto& row : copy) rows->push_back(row);
    } else if (mode == "many_dups" && query && !rows->empty()) {
      json::value first = rows->front();
      rows->clear();
      for (int i = 0; i < 10000; ++i) rows->push_back(first);
    } else if (mode == "nan_counts" || mode == "hex_counts") {
      for (auto& row : *rows)
        if (auto* c = row.as_object().if_contains("request_count")) *c = mode == "nan_counts" ? "NaN" : "0x10";
    } else if (mode == "huge_money" || mode == "neg_money") {
      for (auto& row : *rows)
        for (const char* k : {"total_usage", "usage"})
          if (auto* c = row.as_object().if_contains(k)) *c = "@@MONEY@@";
      placeholder = mode == "huge_money" ? "1e400" : "-1e308";
    } else if (mode == "null_metrics" && query) {
      for (auto& row : *rows)
        for (auto& m : metrics)
          if (auto* c = row.as_object().if_contains(m)) *c = nullptr;
    } else if (mode == "ctrl_names") {
      for (auto& row : *rows)
        for (const char* k : {"model", "api_key_id", "name", "app", "model_permaslug"})
          if (auto* c = row.as_object().if_contains(k); c && c->is_string())
            *c = std::string(c->as_string()) + kCtrlSuffix;
    }
    std::string out = json::serialize(v);
    if (!placeholder.empty())
      for (std::size_t p; (p = out.find("\"@@MONEY@@\"")) != std::string::npos;) out.replace(p, 11, placeholder);
    return out;
  }

  std::uint16_t upstream_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
};

}  // namespace hostile
