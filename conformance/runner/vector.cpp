#include "conformance/runner/vector.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace memconform::conformance {

std::string Repeat::expanded() const {
  // The text once, then what is there copied after itself until it is long enough.
  const std::size_t length = text.size() * count;
  std::string s(length, '\0');
  if (length == 0) return s;
  std::memcpy(s.data(), text.data(), text.size());
  for (std::size_t done = text.size(); done < length; done *= 2)
    std::memcpy(s.data() + done, s.data(), std::min(done, length - done));
  return s;
}

std::size_t OpArgs::position(std::string_view name) const {
  std::size_t i = 0;
  while (i < items_.size() && items_[i].first < name) ++i;
  return i;
}

OpArgs::iterator OpArgs::find(std::string_view name) {
  const auto it = items_.begin() + static_cast<std::ptrdiff_t>(position(name));
  return it != items_.end() && it->first == name ? it : items_.end();
}

OpArgs::const_iterator OpArgs::find(std::string_view name) const {
  const auto it = items_.begin() + static_cast<std::ptrdiff_t>(position(name));
  return it != items_.end() && it->first == name ? it : items_.end();
}

Expr& OpArgs::operator[](std::string_view name) { return emplace(name, Expr{}).first->second; }

std::pair<OpArgs::iterator, bool> OpArgs::emplace(std::string_view name, Expr value) {
  const auto it = items_.begin() + static_cast<std::ptrdiff_t>(position(name));
  if (it != items_.end() && it->first == name) return {it, false};
  return {items_.emplace(it, std::string(name), std::move(value)), true};
}

}  // namespace memconform::conformance
