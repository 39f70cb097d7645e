// The scope stack (SEMANTICS.md section 6, SCOPE-1..11): scopedAllocPush /
// scopedAlloc / scopedAllocPop and the scoped helpers built on them. Every
// entry remembers the kind it was recorded with (SCOPE-6), so popping frees
// allocations and uninstalls functions without guessing from the number.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/allocator.h"
#include "core/events.h"
#include "core/function_table.h"
#include "core/memory.h"
#include "core/node_pool.h"
#include "core/spare_entry_lists.h"

namespace memconform {

struct Scope {
  ScopeHandle handle;
  std::vector<ScopeEntry> entries;  // in order of creation
};

inline constexpr std::uint32_t kPointerSize = 4;  // wasm32

class ScopeStack {
 public:
  ScopeStack(LinearMemory& memory, Allocator& allocator, FunctionTable& table, EventLog* log = nullptr);

  ScopeHandle push();  // SCOPE-1: a new, never reused handle; level + 1
  // SCOPE-4: pops the top scope; InvalidState with no active scope.
  Result<void> pop();
  // SCOPE-5: removes that scope wherever it is; InvalidState (nothing freed)
  // if the handle is not on the stack. SCOPE-6: entries released LIFO.
  Result<void> pop(ScopeHandle scope);

  std::size_t level() const { return scopes_.size(); }  // SCOPE-7
  Result<void> setLevel(double value) const;  // SCOPE-7: always ReadOnly

  // SCOPE-2/3: NoActiveScope with no scope; AllocFailed if alloc(n) fails;
  // in both cases nothing is recorded.
  Result<Address> scopedAlloc(std::uint64_t size);

  struct CString {
    Address ptr;
    std::uint64_t byteLength;  // without the NUL
  };
  // SCOPE-8: the UTF-8 bytes plus a NUL in the top scope. `utf8` is nullopt
  // for a non-string argument: the result is then null and nothing happens.
  Result<std::optional<CString>> scopedAllocCString(std::optional<std::string_view> utf8);

  // SCOPE-9: ONE allocation of `howMany` slots of 8 bytes (safePtrSize) or
  // kPointerSize bytes, every slot zeroed; returns the slot addresses.
  // InvalidArgument unless howMany >= 1.
  Result<std::vector<Address>> scopedAllocPtr(std::uint32_t howMany = 1, bool safePtrSize = true);

  // SCOPE-10: a table of list.size() + 1 pointers, then one C string per
  // element, all in the top scope; the last slot is 0. If any allocation
  // fails, what this call made is released again and the op fails with AllocFailed.
  Result<Address> scopedAllocMainArgv(const std::vector<std::string_view>& list);

  // SCOPE-11: installs `fn` and records the index in the top scope;
  // NoActiveScope (nothing installed) with no scope.
  Result<TableIndex> scopedInstallFunction(FunctionRef fn);

  bool contains(ScopeHandle scope) const;
  std::optional<ScopeHandle> top() const;
  const std::vector<Scope>& scopes() const { return scopes_; }
  // The scope that owns a live entry, if any.
  std::optional<ScopeHandle> ownerOf(ScopeEntry entry) const;

  // Back to a new stack (SCOPE-1: handles from 1 again, nothing owned;
  // Instance::restart).
  void restart();

 private:
  Result<void> requireTop(const char* what) const;
  void record(ScopeEntry entry);
  Result<void> release(const Scope& scope);
  void rollbackTo(std::size_t entryCount);  // undo a failed composite op (SAFE-4)
  static std::uint64_t key(ScopeEntry e) { return (std::uint64_t{e.kind == EntryKind::Function} << 32) | e.value; }

  LinearMemory& memory_;
  Allocator& allocator_;
  FunctionTable& table_;
  EventLog* log_;
  std::vector<Scope> scopes_;
  static constexpr std::size_t kScopesRoom = 8;  // room each run starts with
  SpareEntryLists spareEntries_;  // of popped scopes, for the next pushes
  // Each run starts with this many spare lists of this many entries: no
  // malloc for a run's first pushes and their first entries.
  static constexpr std::size_t kSpareLists = 8, kEntriesRoom = 8;
  // Which scope owns each entry; nodes from the shared pool (node_pool.h).
  std::pmr::unordered_map<std::uint64_t, ScopeHandle> owners_{nodePool()};
  static constexpr ScopeHandle kFirstHandle = 1;
  ScopeHandle nextHandle_ = kFirstHandle;
};

// SCOPE-9 without a scope (allocPtr): the same slots, owned by the caller.
Result<std::vector<Address>> allocPtr(Allocator& allocator, LinearMemory& memory, std::uint32_t howMany = 1,
                                      bool safePtrSize = true);

}  // namespace memconform
