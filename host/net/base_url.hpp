// base_url.hpp: the API base URL, parsed and checked.
//
// Owns: accepting both conventions for the base (an origin such as
// "https://openrouter.ai", as the skill scripts read OPENROUTER_BASE_URL, or a full base
// ending in /api/v1, as the TypeScript SDK reads it), the rule that plain http is only
// for loopback hosts, and host classification (IP literal, loopback). Does not own:
// choosing between flag, environment and default (resolve_base_url in api_client.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace orscript::net {

struct BaseUrl {
  bool https = true;
  std::string host;          // without brackets for IPv6 ("::1")
  std::uint16_t port = 443;
  std::string prefix = "/api/v1";  // path prefix of every endpoint, no trailing slash

  // "https://host[:port]/api/v1" (port omitted when it is the scheme's default).
  std::string str() const;
  // "host[:port]" as sent in the Host header.
  std::string host_header() const;
};

// Parses and checks a base URL (see normalize_base_url in api_client.hpp). Throws
// orscript::Error(usage) naming the problem and the accepted forms.
BaseUrl parse_base_url(std::string_view url);

bool is_ip_literal(std::string_view host);     // "127.0.0.1", "::1", "[::1]"
bool is_loopback_host(std::string_view host);  // localhost, 127.0.0.0/8, ::1

}  // namespace orscript::net
