#include "bindings/host_context.hpp"

#include <chrono>

#include "host/core/error.hpp"

namespace orscript {

HostContext::HostContext() = default;
HostContext::~HostContext() {
  client_.reset();  // stop talking before the demo server (owned by the caller) goes away
}

net::ApiClient& HostContext::api() {
  if (!client_) {
    if (client_options.api_key.empty() && !client_options.dry_run)
      throw Error(ErrorKind::auth,
                  "no API key: set OPENROUTER_API_KEY, or pass --api-key-file FILE, "
                  "or run with --demo to try orscript on simulated data");
    client_ = std::make_unique<net::ApiClient>(client_options);
  }
  return *client_;
}

std::int64_t HostContext::now() const {
  if (now_ms) return *now_ms;
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string HostContext::account_label() const {
  if (demo) return "demo";
  auto& url = client_options.base_url;
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace orscript
