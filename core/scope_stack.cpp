#include "core/scope_stack.h"

#include <algorithm>

#include "core/errors.h"
#include "core/js_numbers.h"
#include "core/mutants.h"

namespace memconform {
namespace {

std::uint32_t slotSize(bool safePtrSize) { return safePtrSize ? 8 : kPointerSize; }

void checkHowMany(std::uint32_t howMany) {
  if (howMany == 0) fail(ErrorKind::InvalidArgument, "allocPtr(): howMany must be at least 1");
}

// SCOPE-9: zero every slot of a fresh block and list the slot addresses.
std::vector<Address> pointerSlots(LinearMemory& memory, Address block, std::uint32_t howMany, bool safePtrSize) {
  const std::uint32_t size = slotSize(safePtrSize);
  if (!planted(Mutant::AllocPtrNotZeroed)) memory.internalFill(block, 0, std::size_t{howMany} * size);
  std::vector<Address> slots(howMany);
  for (std::uint32_t i = 0; i < howMany; ++i) slots[i] = block + i * size;
  return slots;
}

void writePointer(LinearMemory& memory, Address at, Address value) {
  std::uint8_t bytes[kPointerSize];
  for (std::uint32_t i = 0; i < kPointerSize; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
  memory.internalWrite(at, bytes, kPointerSize);  // the implementation's own block (SAFE-2)
}

}  // namespace

ScopeStack::ScopeStack(LinearMemory& memory, Allocator& allocator, FunctionTable& table, EventLog* log)
    : memory_(memory), allocator_(allocator), table_(table), log_(log) {}

ScopeHandle ScopeStack::push() {
  const ScopeHandle h = nextHandle_++;
  scopes_.push_back(Scope{h, {}});
  if (log_) log_->record(PushEvent{h});
  return h;
}

void ScopeStack::pop() {
  if (scopes_.empty()) fail(ErrorKind::InvalidState, "scopedAllocPop(): no active scope");
  pop(scopes_.back().handle);
}

void ScopeStack::pop(ScopeHandle scope) {
  if (planted(Mutant::PopHandlePopsTop) && contains(scope)) scope = scopes_.back().handle;
  auto it = std::find_if(scopes_.begin(), scopes_.end(), [&](const Scope& s) { return s.handle == scope; });
  if (it == scopes_.end())
    fail(ErrorKind::InvalidState, "scopedAllocPop(" + std::to_string(scope) + "): not an active scope");
  Scope removed = std::move(*it);
  scopes_.erase(it);  // SCOPE-5: the scopes above it stay, unchanged
  if (log_) log_->record(PopEvent{scope});
  release(removed);
}

void ScopeStack::release(const Scope& scope) {
  // SCOPE-6: last in, first out; each entry by the kind it was recorded with.
  std::vector<ScopeEntry> order(scope.entries.rbegin(), scope.entries.rend());
  if (planted(Mutant::PopFifo)) std::reverse(order.begin(), order.end());
  for (const ScopeEntry& e : order) {
    owners_.erase(key(e));
    if (planted(Mutant::FailedAllocRecorded) && e.value == 0) return;  // upstream's loop stops at 0
    if (e.kind == EntryKind::Function && planted(Mutant::FunctionEntriesDeallocated)) {
      if (log_) log_->record(DeallocEvent{e.value});  // free() of a table index; the slot stays
    } else if (e.kind == EntryKind::Function) {
      table_.uninstall(e.value);
    } else if (planted(Mutant::DeallocOwnedEntry) && !allocator_.isLive(e.value)) {
      if (log_) log_->record(DeallocEvent{e.value});  // a second free() of a block the caller freed
    } else {
      allocator_.dealloc(e.value);
    }
  }
}

void ScopeStack::setLevel(double value) const {
  if (planted(Mutant::LevelWritable)) return;
  fail(ErrorKind::ReadOnly, "scopedAlloc.level is read-only (tried to set " + jsNumberToString(value) + ")");
}

Scope& ScopeStack::requireTop(const char* what) {
  if (scopes_.empty()) fail(ErrorKind::NoActiveScope, std::string(what) + "(): no scopedAllocPush() is active");
  return scopes_.back();
}

void ScopeStack::record(ScopeEntry entry) {
  Scope& top = scopes_.back();
  top.entries.push_back(entry);
  owners_[key(entry)] = top.handle;
}

void ScopeStack::rollbackTo(std::size_t entryCount) {
  Scope partial{scopes_.back().handle, {}};
  auto& entries = scopes_.back().entries;
  partial.entries.assign(entries.begin() + static_cast<std::ptrdiff_t>(entryCount), entries.end());
  entries.resize(entryCount);
  release(partial);
}

Address ScopeStack::scopedAlloc(std::uint64_t size) {
  requireTop("scopedAlloc");  // SCOPE-2
  if (planted(Mutant::FailedAllocRecorded)) {
    try {
      record({EntryKind::Allocation, allocator_.alloc(size)});
    } catch (const GlueError&) {
      record({EntryKind::Allocation, 0});
      throw;
    }
    return scopes_.back().entries.back().value;
  }
  const Address p = allocator_.alloc(size);  // SCOPE-3: throws before anything is recorded
  record({EntryKind::Allocation, p});
  return p;
}

std::optional<ScopeStack::CString> ScopeStack::scopedAllocCString(std::optional<std::string_view> utf8) {
  if (!utf8) return std::nullopt;  // SCOPE-8: a non-string gives null
  const Address p = scopedAlloc(utf8->size() + (planted(Mutant::CStringNoNulRoom) ? 0 : 1));
  memory_.internalWrite(p, utf8->data(), utf8->size());
  memory_.internalFill(p + static_cast<Address>(utf8->size()), 0, 1);
  return CString{p, utf8->size()};
}

std::vector<Address> ScopeStack::scopedAllocPtr(std::uint32_t howMany, bool safePtrSize) {
  checkHowMany(howMany);
  const Address block = scopedAlloc(std::uint64_t{howMany} * slotSize(safePtrSize));
  return pointerSlots(memory_, block, howMany, safePtrSize);
}

std::vector<Address> allocPtr(Allocator& allocator, LinearMemory& memory, std::uint32_t howMany, bool safePtrSize) {
  checkHowMany(howMany);
  const Address block = allocator.alloc(std::uint64_t{howMany} * slotSize(safePtrSize));
  return pointerSlots(memory, block, howMany, safePtrSize);
}

Address ScopeStack::scopedAllocMainArgv(const std::vector<std::string>& list) {
  const std::size_t mark = requireTop("scopedAllocMainArgv").entries.size();
  try {
    const Address table = scopedAlloc((std::uint64_t{list.size()} + 1) * kPointerSize);
    for (std::size_t i = 0; i < list.size(); ++i)
      writePointer(memory_, table + static_cast<Address>(i * kPointerSize), scopedAllocCString(list[i])->ptr);
    writePointer(memory_, table + static_cast<Address>(list.size() * kPointerSize), 0);
    return table;
  } catch (const GlueError&) {
    rollbackTo(mark);  // SAFE-4: a failed op leaves the scope as it was
    throw;
  }
}

TableIndex ScopeStack::scopedInstallFunction(FunctionRef fn) {
  requireTop("scopedInstallFunction");  // SCOPE-11: nothing installed without a scope
  const TableIndex index = table_.install(std::move(fn));
  record({EntryKind::Function, index});
  return index;
}

bool ScopeStack::contains(ScopeHandle scope) const {
  return std::any_of(scopes_.begin(), scopes_.end(), [&](const Scope& s) { return s.handle == scope; });
}

std::optional<ScopeHandle> ScopeStack::top() const {
  if (scopes_.empty()) return std::nullopt;
  return scopes_.back().handle;
}

std::optional<ScopeHandle> ScopeStack::ownerOf(ScopeEntry entry) const {
  auto it = owners_.find(key(entry));
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

}  // namespace memconform
