#include "core/scope_stack.h"

#include <algorithm>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/js_numbers.h"
#include "core/mutants.h"
#include "core/run_buffers.h"

namespace memconform {
namespace {

std::uint32_t slotSize(bool safePtrSize) { return safePtrSize ? 8 : kPointerSize; }

Result<void> checkHowMany(std::uint32_t howMany) {
  if (howMany == 0 && !speaks(Variant::AllocPtrZeroAllocates))
    return fail(ErrorKind::InvalidArgument, "allocPtr(): howMany must be at least 1");
  return {};
}

// Whether the view upstream's helpers write through (its accessors' cache,
// renewed here if byteLength changed) is detached: views-cached-by-length
// (VIEW-2) after a grow(0); never in the specified behaviour.
bool cachedViewDetached(LinearMemory& memory) { return memory.accessorGeneration() != memory.generation(); }

// SCOPE-9: zero every slot of a fresh block and list the slot addresses.
std::vector<Address> pointerSlots(LinearMemory& memory, Address block, std::uint32_t howMany, bool safePtrSize) {
  const std::uint32_t size = slotSize(safePtrSize);
  // Upstream pokes each slot through its cached view: dropped while detached.
  if (!planted(Mutant::AllocPtrNotZeroed) && !cachedViewDetached(memory))
    memory.internalFill(block, 0, std::size_t{howMany} * size);
  std::vector<Address> slots(howMany);
  for (std::uint32_t i = 0; i < howMany; ++i) slots[i] = block + i * size;
  return slots;
}

// upstream's pokePtr: through its cached view, so dropped while detached.
void writePointer(LinearMemory& memory, Address at, Address value) {
  if (cachedViewDetached(memory)) return;
  std::uint8_t bytes[kPointerSize];
  for (std::uint32_t i = 0; i < kPointerSize; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
  memory.internalWrite(at, bytes, kPointerSize);  // the implementation's own block (SAFE-2)
}

}  // namespace

ScopeStack::ScopeStack(LinearMemory& memory, Allocator& allocator, FunctionTable& table, EventLog* log)
    : memory_(memory), allocator_(allocator), table_(table), log_(log) {
  restart();
}

ScopeHandle ScopeStack::push() {
  const ScopeHandle h = nextHandle_++;
  scopes_.push_back(Scope{h, spareEntries_.take()});  // a popped scope's list: no malloc per push
  if (log_) log_->record(PushEvent{h});
  return h;
}

Result<void> ScopeStack::pop() {
  if (scopes_.empty()) return fail(ErrorKind::InvalidState, "scopedAllocPop(): no active scope");
  return pop(scopes_.back().handle);
}

Result<void> ScopeStack::pop(ScopeHandle scope) {
  if (planted(Mutant::PopHandlePopsTop) && contains(scope)) scope = scopes_.back().handle;
  auto it = std::find_if(scopes_.begin(), scopes_.end(), [&](const Scope& s) { return s.handle == scope; });
  if (it == scopes_.end())
    return fail(ErrorKind::InvalidState,
                [&] { return "scopedAllocPop(" + std::to_string(scope) + "): not an active scope"; });
  Scope removed = std::move(*it);
  scopes_.erase(it);  // SCOPE-5: the scopes above it stay, unchanged
  if (log_) log_->record(PopEvent{scope});
  auto released = release(removed);
  spareEntries_.keep(removed.entries);
  return released;
}

// Every run starts with the same buffers (run_buffers.h): the lists of the
// scopes left on the stack join the spare ones, and those are refilled to
// the same lists of the same room. The owners' map is a new one: its
// buckets are the pool's.
void ScopeStack::restart() {
  for (Scope& s : scopes_) spareEntries_.keep(s.entries);
  emptyWithRoom(scopes_, kScopesRoom);
  spareEntries_.refill(kSpareLists, kEntriesRoom);
  owners_ = decltype(owners_)(nodePool());
  nextHandle_ = kFirstHandle;
}

Result<void> ScopeStack::release(const Scope& scope) {
  // SCOPE-6: last in, first out (the planted pop-fifo: first in, first out);
  // each entry by the kind it was recorded with.
  const bool fifo = planted(Mutant::PopFifo);
  const std::size_t n = scope.entries.size();
  for (std::size_t i = 0; i < n; ++i) {
    ScopeEntry e = scope.entries[fifo ? i : n - 1 - i];
    owners_.erase(key(e));
    if (planted(Mutant::FailedAllocRecorded) && e.value == 0) return {};  // upstream's loop stops at 0
    if (speaks(Variant::PopDecidesKind)) {
      // for (let p; p = state.pop();) functionEntry(p) ? uninstall : dealloc
      if (e.value == 0) return {};
      e.kind = table_.isInstalled(e.value) ? EntryKind::Function : EntryKind::Allocation;
    }
    Result<void> released;
    if (e.kind == EntryKind::Function && planted(Mutant::FunctionEntriesDeallocated)) {
      if (log_) log_->record(DeallocEvent{e.value});  // free() of a table index; the slot stays
    } else if (e.kind == EntryKind::Function) {
      if (auto r = table_.uninstall(e.value); !r) released = std::move(r).error();
    } else if (planted(Mutant::DeallocOwnedEntry) && !allocator_.isLive(e.value)) {
      if (log_) log_->record(DeallocEvent{e.value});  // a second free() of a block the caller freed
    } else {
      released = allocator_.dealloc(e.value);
    }
    if (!released) return released;
  }
  return {};
}

Result<void> ScopeStack::setLevel(double value) const {
  if (planted(Mutant::LevelWritable)) return {};
  return fail(ErrorKind::ReadOnly,
              [&] { return "scopedAlloc.level is read-only (tried to set " + jsNumberToString(value) + ")"; });
}

Result<void> ScopeStack::requireTop(const char* what) const {
  if (scopes_.empty())
    return fail(ErrorKind::NoActiveScope, [&] { return std::string(what) + "(): no scopedAllocPush() is active"; });
  return {};
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
  static_cast<void>(release(partial));  // entries this op just made: all live, so releasing them cannot fail
}

Result<Address> ScopeStack::scopedAlloc(std::uint64_t size) {
  if (auto r = requireTop("scopedAlloc"); !r) return std::move(r).error();  // SCOPE-2
  auto p = allocator_.alloc(size);  // SCOPE-3: a failure records nothing ...
  if (p) record({EntryKind::Allocation, *p});
  else if (planted(Mutant::FailedAllocRecorded)) record({EntryKind::Allocation, 0});  // ... unlike upstream's
  return p;
}

Result<std::optional<ScopeStack::CString>> ScopeStack::scopedAllocCString(std::optional<std::string_view> utf8) {
  if (!utf8) return std::optional<CString>();  // SCOPE-8: a non-string gives null
  const auto p = scopedAlloc(utf8->size() + (planted(Mutant::CStringNoNulRoom) ? 0 : 1));
  if (!p) return p.error();
  if (cachedViewDetached(memory_)) {
    // views-cached-by-length: heap.set(bytes, ptr) on the detached cached
    // view. The block stays in the scope; cstring-error-deallocs frees it too.
    if (speaks(Variant::CStringErrorDeallocs)) static_cast<void>(allocator_.dealloc(*p));
    return fail(ErrorKind::TypeError, "Cannot perform %TypedArray%.prototype.set on a detached ArrayBuffer");
  }
  memory_.internalWrite(*p, utf8->data(), utf8->size());
  memory_.internalFill(*p + static_cast<Address>(utf8->size()), 0, 1);
  return std::optional<CString>(CString{*p, utf8->size()});
}

Result<std::vector<Address>> ScopeStack::scopedAllocPtr(std::uint32_t howMany, bool safePtrSize) {
  if (auto r = checkHowMany(howMany); !r) return std::move(r).error();
  const auto block = scopedAlloc(std::uint64_t{howMany} * slotSize(safePtrSize));
  if (!block) return block.error();
  return pointerSlots(memory_, *block, howMany, safePtrSize);
}

Result<std::vector<Address>> allocPtr(Allocator& allocator, LinearMemory& memory, std::uint32_t howMany,
                                      bool safePtrSize) {
  if (auto r = checkHowMany(howMany); !r) return std::move(r).error();
  const auto block = allocator.alloc(std::uint64_t{howMany} * slotSize(safePtrSize));
  if (!block) return block.error();
  return pointerSlots(memory, *block, howMany, safePtrSize);
}

Result<Address> ScopeStack::scopedAllocMainArgv(const std::vector<std::string_view>& list) {
  if (auto r = requireTop("scopedAllocMainArgv"); !r) return std::move(r).error();
  const std::size_t mark = scopes_.back().entries.size();
  // SAFE-4: a failed op leaves the scope as it was (upstream's, in
  // argv-no-rollback, keeps what it allocated, for the pop to release).
  auto failed = [&](const Error& e) -> Result<Address> {
    if (!speaks(Variant::ArgvNoRollback)) rollbackTo(mark);
    return e;
  };
  const auto table = scopedAlloc((std::uint64_t{list.size()} + 1) * kPointerSize);
  if (!table) return failed(table.error());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto s = scopedAllocCString(list[i]);
    if (!s) return failed(s.error());
    writePointer(memory_, *table + static_cast<Address>(i * kPointerSize), (*s)->ptr);
  }
  writePointer(memory_, *table + static_cast<Address>(list.size() * kPointerSize), 0);
  return table;
}

Result<TableIndex> ScopeStack::scopedInstallFunction(FunctionRef fn) {
  if (auto r = requireTop("scopedInstallFunction"); !r) return std::move(r).error();  // SCOPE-11: nothing installed
  const auto index = table_.install(std::move(fn));
  if (index) record({EntryKind::Function, *index});
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
