// secret.hpp: the API key as a value that does not leak.
//
// Owns: holding the key, a redacted form for messages, wiping it on destruction.
// Does not own: where the key comes from (resolve_api_key, host/net/api_client.hpp,
// says it once) or how it is sent (host/net).
#pragma once

#include <string>
#include <string_view>

namespace orscript {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret() { wipe(); }

  bool empty() const { return value_.empty(); }
  // The key itself: only for the Authorization header and for searching text for it.
  const std::string& reveal() const { return value_; }
  // "sk-or-v1-…3f9a": the prefix up to the last dash plus the last 4 characters.
  std::string redacted() const;
  // Replaces every occurrence of the key in `text` by its redacted form.
  std::string scrub(std::string text) const;

 private:
  void wipe();
  std::string value_;
};

}  // namespace orscript
