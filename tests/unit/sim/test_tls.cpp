// HTTPS: the certificate written to cert_dir/ca.pem is a trust anchor for "localhost".
#include "tests/unit/sim/sim_fixture.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>

using namespace simtest;

namespace {
// Handshakes with `host` verification against `ca`, sends one GET and returns the reply
// (or "" when the handshake fails).
std::string tls_get(std::uint16_t port, const std::string& ca, const std::string& host, const std::string& token) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  REQUIRE(SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) == 1);
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, sock);
  SSL_set_tlsext_host_name(ssl, host.c_str());
  SSL_set1_host(ssl, host.c_str());
  std::string out;
  if (SSL_connect(ssl) == 1) {
    const std::string req = "GET /api/v1/analytics/meta HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
                            "\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, req.data(), static_cast<int>(req.size()));
    char buf[16384];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  SSL_free(ssl);
  ::close(sock);
  SSL_CTX_free(ctx);
  return out;
}
}  // namespace

TEST_CASE("TLS: ca.pem is written and verifies localhost and 127.0.0.1") {
  auto o = options();
  o.tls = true;
  auto s = orscript::sim::Server::start(o);
  CHECK(s->base_url().starts_with("https://127.0.0.1:"));
  REQUIRE_FALSE(s->ca_file().empty());
  std::ifstream in(s->ca_file());
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(pem.find("BEGIN CERTIFICATE") != std::string::npos);
  const std::string reply = tls_get(s->port(), s->ca_file(), "localhost", s->management_key());
  CHECK(reply.starts_with("HTTP/1.1 200 OK"));
  CHECK(tls_get(s->port(), s->ca_file(), "127.0.0.1", s->management_key()).starts_with("HTTP/1.1 200"));
  CHECK(tls_get(s->port(), s->ca_file(), "example.com", s->management_key()).empty());
}

TEST_CASE("TLS: cert_dir chooses where ca.pem goes") {
  auto o = options();
  o.tls = true;
  char templ[] = "/tmp/orscript-sim-test-XXXXXX";
  REQUIRE(mkdtemp(templ));
  o.cert_dir = templ;
  auto s = orscript::sim::Server::start(o);
  CHECK(s->ca_file() == std::string(templ) + "/ca.pem");
}
