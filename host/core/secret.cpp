#include "host/core/secret.hpp"

#include <cstring>

namespace orscript {

std::string Secret::redacted() const {
  if (value_.empty()) return "(none)";
  auto dash = value_.rfind('-');
  std::string prefix = (dash != std::string::npos && dash + 1 < value_.size() && dash < 16)
                           ? value_.substr(0, dash + 1)
                           : std::string();
  std::string tail = value_.size() > 12 ? value_.substr(value_.size() - 4) : std::string();
  return prefix + "…" + tail;
}

std::string Secret::scrub(std::string text) const {
  if (value_.empty()) return text;
  const std::string red = redacted();
  for (auto pos = text.find(value_); pos != std::string::npos; pos = text.find(value_, pos + red.size()))
    text.replace(pos, value_.size(), red);
  return text;
}

void Secret::wipe() {
  // volatile writes so the compiler keeps them even though the string dies next.
  volatile char* p = value_.data();
  for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
  value_.clear();
}

}  // namespace orscript
