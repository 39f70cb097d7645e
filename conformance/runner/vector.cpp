#include "conformance/runner/vector.h"

#include <algorithm>

namespace memconform::conformance {

OpArgs::iterator OpArgs::lowerBound(std::string_view name) {
  return std::find_if(items_.begin(), items_.end(), [&](const value_type& item) { return !(item.first < name); });
}

OpArgs::iterator OpArgs::find(std::string_view name) {
  const auto it = lowerBound(name);
  return it != items_.end() && it->first == name ? it : items_.end();
}

OpArgs::const_iterator OpArgs::find(std::string_view name) const {
  return std::find_if(items_.begin(), items_.end(), [&](const value_type& item) { return item.first == name; });
}

Expr& OpArgs::operator[](std::string_view name) { return emplace(name, Expr{}).first->second; }

std::pair<OpArgs::iterator, bool> OpArgs::emplace(std::string_view name, Expr value) {
  const auto it = lowerBound(name);
  if (it != items_.end() && it->first == name) return {it, false};
  return {items_.emplace(it, std::string(name), std::move(value)), true};
}

}  // namespace memconform::conformance
