// http_types.hpp: plain request/response values passed between the Beast server and
// the endpoint handlers.
//
// Owns: the transport-neutral shape of one HTTP exchange, including how a response
// should be delivered when a fault is injected (delay, drip, cut). Does not own:
// sockets or parsing (http_server.cpp) or what is answered (endpoints.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace orscript::sim {

struct HttpRequest {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // path with query string
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

// How the transport delivers a response (all off by default).
struct Delivery {
  std::int64_t delay_ms = 0;        // wait (async timer) before answering
  enum class Cut { none, reset, truncate } cut = Cut::none;  // stop after half the body
  std::size_t drip_bytes = 0;       // > 0: send the body in chunks of this size
  std::int64_t drip_interval_ms = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  std::string content_type = "application/json";
  std::string body;
  Delivery delivery;
};

// "OK", "Bad Request", ... for a status code.
const char* reason_phrase(int status);

}  // namespace orscript::sim
