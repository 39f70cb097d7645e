#include "conformance/runner/vector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "core/huge_pages.h"

namespace memconform::conformance {

std::string Repeat::expanded() const {
  // The text once, then what is there copied after itself until it is long
  // enough (never reallocated: the capacity is reserved first).
  const std::size_t length = text.size() * count;
  std::string s;
  if (length == 0) return s;
  s.reserve(length);
  // A string of megabytes comes from a fresh mapping each time (malloc
  // under ASan maps every large block anew), and filling it took one page
  // fault per 4 KiB: most of fuzz_scope_ops's time when its inputs pass
  // long strings.
  adviseHugePages(s.data(), length);
  s.append(text);
  while (s.size() < length) s.append(s.data(), std::min(s.size(), length - s.size()));
  return s;
}

namespace {
// Strings recycle() gave back, newest last, with the Repeat they expand.
struct Recycled {
  std::string text;
  std::uint64_t count;
  std::string expanded;
};
constexpr std::size_t kRecycledStrings = 4;
constexpr std::size_t kRecycledBytes = 32u << 20;
thread_local std::vector<Recycled> recycled;
}  // namespace

std::string Repeat::take() const {
  for (auto it = recycled.rbegin(); it != recycled.rend(); ++it) {
    if (it->count != count || it->text != text) continue;
    std::string s = std::move(it->expanded);
    recycled.erase(std::next(it).base());
    return s;
  }
  return expanded();
}

void Repeat::recycle(std::string&& expandedText) const {
  if (expandedText.size() != text.size() * count || expandedText.size() > kRecycledBytes) return;
  if (recycled.size() == kRecycledStrings) recycled.erase(recycled.begin());
  recycled.push_back({text, count, std::move(expandedText)});
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
