// raw_http.hpp: a tiny blocking HTTP/1.1 client over POSIX sockets for the simulator tests.
//
// Owns: opening a loopback connection, writing a request byte for byte, and reading a
// Content-Length response (or what arrives before the peer closes or resets). No Beast,
// no TLS: the tests see exactly what the server put on the wire.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0  // macOS: no such flag; a test dies of SIGPIPE only if the server misbehaves
#endif

#include <cerrno>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace rawhttp {

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool complete = false;  // the whole Content-Length body arrived
  bool reset = false;     // the peer reset the connection
  bool closed = false;    // the peer closed (EOF) while or after reading
  bool timed_out = false; // nothing arrived within the read timeout
  int reads = 0;          // recv() calls that returned bytes for this response
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Conn {
 public:
  explicit Conn(std::uint16_t port, int timeout_s = 20) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    timeval tv{timeout_s, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void send_raw(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      off += static_cast<std::size_t>(n);
    }
  }

  // Sends one request; `headers` are extra lines like "Authorization: Bearer x".
  void send(const std::string& method, const std::string& target, const std::string& headers,
            const std::string& body = "", bool close = false) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
    if (!body.empty() || method == "POST")
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    if (close) req += "Connection: close\r\n";
    req += "\r\n" + body;
    send_raw(req);
  }

  // Reads one response (headers, then Content-Length bytes or until EOF/reset).
  Response read() {
    Response r;
    while (buf_.find("\r\n\r\n") == std::string::npos)
      if (!fill(r)) return r;
    const auto end = buf_.find("\r\n\r\n");
    const std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    r.status = std::stoi(status_line.substr(9, 3));
    while (pos != std::string::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(value.begin());
        r.headers[name] = value;
      }
      pos = next;
    }
    const std::size_t len = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buf_.size() < len)
      if (!fill(r)) break;
    r.body = buf_.substr(0, std::min(len, buf_.size()));
    buf_.erase(0, r.body.size());
    r.complete = r.body.size() == len;
    return r;
  }

  Response request(const std::string& method, const std::string& target, const std::string& headers,
                   const std::string& body = "") {
    send(method, target, headers, body);
    return read();
  }

  // True when the server closed (EOF) or reset the connection without sending anything
  // more; false when data arrived or the read timed out.
  bool peer_closed() {
    Response r;
    return !fill(r) && !r.timed_out;
  }

 private:
  bool fill(Response& r) {
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<std::size_t>(n));
      ++r.reads;
      return true;
    }
    if (n < 0 && errno == ECONNRESET) r.reset = true;
    else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) r.timed_out = true;
    else r.closed = true;
    return false;
  }
  int fd_ = -1;
  std::string buf_;
};

inline std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

}  // namespace rawhttp
