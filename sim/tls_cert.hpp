// tls_cert.hpp: the simulator's self-signed certificate, made at start-up.
//
// Owns: generating an EC P-256 key and a self-signed certificate (CA:TRUE, SAN
// DNS:localhost and IP:127.0.0.1, serverAuth) with the OpenSSL 3 API, and writing the
// certificate to `<dir>/ca.pem` so clients can trust it. Does not own: the TLS
// context or handshakes (http_server.cpp).
#pragma once

#include <string>

namespace orscript::sim {

struct CertBundle {
  std::string cert_pem;  // the certificate (also the trust anchor)
  std::string key_pem;   // its private key (PKCS#8 PEM)
};

// Throws orscript::Error(tls) when OpenSSL fails.
CertBundle make_self_signed_cert();

// Writes `pem` to `<dir>/ca.pem` (dir "" means a fresh temporary directory) and
// returns the path. Throws orscript::Error(internal) when the file cannot be written.
std::string write_ca_file(const std::string& dir, const std::string& pem);

}  // namespace orscript::sim
