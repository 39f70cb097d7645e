#include "conformance/runner/vector.h"

#include <cstddef>

namespace memconform::conformance {

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
