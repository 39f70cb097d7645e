#include "core/spare_entry_lists.h"

#include <algorithm>
#include <utility>

#include "core/run_buffers.h"

namespace memconform {

std::vector<ScopeEntry> SpareEntryLists::take() {
  if (lists_.empty()) return {};
  std::vector<ScopeEntry> list = std::move(lists_.back());
  lists_.pop_back();
  return list;
}

void SpareEntryLists::refill(std::size_t count, std::size_t room) {
  count = std::min(count, kMax);
  if (lists_.capacity() == 0) lists_.reserve(kMax);
  lists_.resize(count);
  for (auto& list : lists_) emptyWithRoom(list, room);
}

void SpareEntryLists::keep(std::vector<ScopeEntry>& entries) {
  if (entries.capacity() == 0 || lists_.size() == kMax) return;
  if (lists_.capacity() == 0) lists_.reserve(kMax);  // one malloc, not one per doubling
  entries.clear();
  lists_.push_back(std::move(entries));
}

}  // namespace memconform
