#include "host/core/error.hpp"

#include <algorithm>

#include <array>
#include <utility>

namespace orscript {
namespace {
constexpr std::array<std::pair<ErrorKind, std::string_view>, 11> kNames{{
    {ErrorKind::usage, "usage"},
    {ErrorKind::script, "script"},
    {ErrorKind::auth, "auth"},
    {ErrorKind::api, "api"},
    {ErrorKind::rate_limit, "rate_limit"},
    {ErrorKind::http, "http"},
    {ErrorKind::tls, "tls"},
    {ErrorKind::timeout, "timeout"},
    {ErrorKind::data, "data"},
    {ErrorKind::interrupted, "interrupted"},
    {ErrorKind::internal, "internal"},
}};
}  // namespace

std::string_view kind_name(ErrorKind kind) {
  for (auto& [k, name] : kNames)
    if (k == kind) return name;
  return "internal";
}

ErrorKind kind_from_name(std::string_view name) {
  for (auto& [k, n] : kNames)
    if (n == name) return k;
  return ErrorKind::internal;
}

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return exit_code::usage;
    case ErrorKind::script: return exit_code::script;
    case ErrorKind::auth: return exit_code::auth;
    case ErrorKind::api: return exit_code::api;
    case ErrorKind::rate_limit: return exit_code::rate_limit;
    case ErrorKind::http:
    case ErrorKind::tls:
    case ErrorKind::timeout: return exit_code::network;
    case ErrorKind::data: return exit_code::data;
    case ErrorKind::interrupted: return exit_code::interrupted;
    case ErrorKind::internal: return exit_code::internal;
  }
  return exit_code::internal;
}

Error::Error(ErrorKind k, std::string message) : std::runtime_error(std::move(message)), kind(k) {}

std::string Error::describe() const {
  std::string out(kind_name(kind));
  out += ": ";
  out += what();
  if (status != 0 || !request.empty()) {
    out += " (";
    if (!request.empty()) out += request;
    if (status != 0) {
      if (!request.empty()) out += " -> ";
      out += "HTTP " + std::to_string(status);
    }
    out += ")";
  }
  return out;
}

std::string echo_input(std::string_view text, std::size_t max_bytes) {
  std::string out;
  const std::size_t n = std::min(text.size(), max_bytes);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > n) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

void throw_usage(std::string message) { throw Error(ErrorKind::usage, std::move(message)); }
void throw_error(ErrorKind kind, std::string message) { throw Error(kind, std::move(message)); }

}  // namespace orscript
