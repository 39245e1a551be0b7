#include "host/net/base_url.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"

namespace orscript::net {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

[[noreturn]] void bad(std::string_view url, std::string_view why) {
  throw_usage("invalid base URL '" + echo_input(url) + "': " + std::string(why) +
              "; give an origin like https://openrouter.ai or a base ending in /api/v1");
}

std::string_view unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  std::string h(unbracket(host));
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

bool is_loopback_host(std::string_view host) {
  std::string h = lower(unbracket(host));
  if (h == "localhost" || h.ends_with(".localhost")) return true;
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    static const unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(buf, buf + 16, kLoop);
  }
  return false;
}

std::string BaseUrl::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (https ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string BaseUrl::str() const { return std::string(https ? "https://" : "http://") + host_header() + prefix; }

BaseUrl parse_base_url(std::string_view url) {
  BaseUrl out;
  // Only what RFC 3986 allows in a URL: no control bytes (CR/LF would end the request
  // line and inject headers), no spaces, no raw non-ASCII, no quotes or brackets outside
  // an IPv6 host; the host itself is a name, an IPv4 or a bracketed IPv6 address.
  for (unsigned char c : url) {
    if (c < 0x21 || c >= 0x7f) bad(url, "control characters, spaces and non-ASCII bytes are not allowed");
    if (std::string_view("\"<>\\^`{|}").find(static_cast<char>(c)) != std::string_view::npos)
      bad(url, std::string("the character '") + static_cast<char>(c) + "' is not allowed in a URL");
  }
  std::string_view rest = url;
  auto colon = rest.find("://");
  if (colon == std::string_view::npos) bad(url, "no scheme");
  std::string scheme = lower(rest.substr(0, colon));
  if (scheme == "https") out.https = true;
  else if (scheme == "http") out.https = false;
  else bad(url, "the scheme must be https (or http for a loopback host)");
  rest.remove_prefix(colon + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) bad(url, "a query or fragment is not allowed");
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) bad(url, "user info is not allowed in the URL");
  std::string_view host = authority, port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "unterminated IPv6 address");
    host = authority.substr(0, close + 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad(url, "junk after the IPv6 address");
      port_text = after.substr(1);
    }
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port_text = authority.substr(c + 1);
  }
  if (unbracket(host).empty()) bad(url, "no host");
  const bool bracketed = host.front() == '[';
  for (unsigned char c : unbracket(host))
    if (!(std::isalnum(c) || c == '.' || c == '-' || (bracketed && (c == ':' || c == '%'))))
      bad(url, "the host may only hold letters, digits, '.' and '-' (or be an IP address)");
  if (bracketed && !is_ip_literal(host)) bad(url, "not an IPv6 address in the brackets");
  out.host = lower(unbracket(host));
  out.port = out.https ? 443 : 80;
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535) bad(url, "bad port");
    out.port = static_cast<std::uint16_t>(v);
  }
  for (unsigned char c : path)
    if (!(std::isalnum(c) || std::string_view("/-._~%!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos))
      bad(url, "the path holds a character a URL may not");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) out.prefix = "/api/v1";
  else if (path.ends_with("/api/v1")) out.prefix = std::string(path);
  else bad(url, "the path must be empty or end in /api/v1");
  if (!out.https && !is_loopback_host(out.host))
    throw_usage("refusing plain http to '" + out.host +
                "': the API key would travel unencrypted; use https (plain http is only allowed for "
                "localhost/127.0.0.1)");
  return out;
}

std::string normalize_base_url(std::string_view url) { return parse_base_url(url).str(); }

}  // namespace orscript::net

namespace orscript::net {

std::string resolve_base_url(std::string_view flag) {
  if (!flag.empty()) return normalize_base_url(flag);
  if (const char* env = std::getenv("OPENROUTER_BASE_URL"); env && *env) return normalize_base_url(env);
  return "https://openrouter.ai/api/v1";
}

}  // namespace orscript::net
