// error.hpp: the one structured error of orscript.
//
// Owns: the error kinds, the documented process exit codes they map to, and the
// exception type that every layer (HTTP client, simulator, table engine, bindings)
// throws. Does not own: how errors are shown to Lua (bindings/binding.hpp) or printed
// by the CLI (host/app).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace orscript {

// What went wrong, from the user's side. Each kind maps to one exit code.
enum class ErrorKind {
  usage,        // the caller misused orscript: bad flag, bad query, bad argument
  script,       // a Lua error in the user's script
  auth,         // no key, a rejected key, or an inference key where a management key is needed
  api,          // the API answered with an error (400, 404, 408, 5xx after retries)
  rate_limit,   // 429 and the retry budget ran out
  http,         // connection refused/reset, malformed or cut-short response, protocol error
  tls,          // certificate or handshake failure
  timeout,      // a request phase passed its deadline
  data,         // the data cannot answer as asked (e.g. a sum over a truncated result)
  interrupted,  // Ctrl-C / SIGINT
  internal,     // a bug in orscript
};

// Documented exit codes (printed by `orscript --help`).
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int script = 1;
inline constexpr int usage = 2;
inline constexpr int auth = 3;
inline constexpr int api = 4;
inline constexpr int rate_limit = 5;
inline constexpr int network = 6;  // http, tls, timeout
inline constexpr int data = 7;
inline constexpr int internal = 70;
inline constexpr int interrupted = 130;
}  // namespace exit_code

std::string_view kind_name(ErrorKind kind);
// Parses a kind name back ("usage", "rate_limit", ...); returns internal when unknown.
ErrorKind kind_from_name(std::string_view name);
int exit_code_for(ErrorKind kind);

// The error thrown by all of host/ and sim/. `message` is one readable sentence that
// names the cause and the fix; it never contains the API key.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message);

  ErrorKind kind = ErrorKind::internal;
  int status = 0;               // HTTP status, 0 when there was no response
  std::string api_code;         // server's error.code, as text ("" when absent)
  std::string api_message;      // server's error.message ("" when absent)
  std::string request;          // "POST /api/v1/analytics/query" (no key, no body)

  // One line: "<kind>: <message>" plus status and request when present.
  std::string describe() const;
};

// Outside input as it may be echoed in a message: control bytes escaped (\r, \n, \t,
// \xHH; ESC never reaches a terminal) and anything past `max_bytes` replaced by
// "... (N bytes)", so a 1 MB argument is not echoed whole.
std::string echo_input(std::string_view text, std::size_t max_bytes = 120);

// Shorthands for the most common throws.
[[noreturn]] void throw_usage(std::string message);
[[noreturn]] void throw_error(ErrorKind kind, std::string message);

}  // namespace orscript
