#include "conformance/runner/vector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <tuple>
#include <utility>

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
// As many as fit in this many bytes together, the oldest dropped first. At
// least what one generated sequence passes (the fuzz decoder's
// kLongStringBytes, 32 MiB), twice: an op can hold several copies of one
// string at once (an argv of three 9-MiB strings), and a cache of four
// strings expanded one string in every 27 takes (fuzz_scope_ops, 20 s), each
// expansion megabytes of copying and each drop a block unmapped.
constexpr std::size_t kRecycledBytes = std::size_t{64} << 20;
// And at most this many strings, none shorter than kWorthKeeping (expanded
// again in no time): a vector's Repeat of a few bytes would otherwise fill
// the list that take() searches.
constexpr std::size_t kRecycledStrings = 64;
constexpr std::size_t kWorthKeeping = 4096;
thread_local std::vector<Recycled> recycled;
thread_local std::size_t recycledBytes = 0;
}  // namespace

std::size_t Repeat::kept() { return recycled.size(); }

std::string Repeat::take() const {
  for (auto it = recycled.rbegin(); it != recycled.rend(); ++it) {
    if (it->count != count || it->text != text) continue;
    std::string s = std::move(it->expanded);
    recycledBytes -= s.size();
    recycled.erase(std::next(it).base());
    return s;
  }
  return expanded();
}

void Repeat::recycle(std::string&& expandedText) const {
  const std::size_t size = expandedText.size();
  if (size != text.size() * count || size < kWorthKeeping || size > kRecycledBytes) return;
  recycledBytes += size;
  recycled.push_back({text, count, std::move(expandedText)});
  while (recycledBytes > kRecycledBytes || recycled.size() > kRecycledStrings) {
    recycledBytes -= recycled.front().expanded.size();
    recycled.erase(recycled.begin());
  }
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
  // Added in name order (the loader's JSON objects, the fuzz decoder): at
  // the end, made there in place, after one comparison instead of one per
  // argument.
  if (items_.empty() || items_.back().first < name) {
    items_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple(std::move(value)));
    return {items_.end() - 1, true};
  }
  const auto it = items_.begin() + static_cast<std::ptrdiff_t>(position(name));
  if (it != items_.end() && it->first == name) return {it, false};
  return {items_.emplace(it, std::string(name), std::move(value)), true};
}

}  // namespace memconform::conformance
