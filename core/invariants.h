// The safety invariants (SEMANTICS.md section 8, LEAK-1..2, SAFE-1..4),
// checked after every operation from what an implementation observably did:
// the events of the op, whether it failed, and the memory size it reports.
// It keeps its own model of live allocations, installed functions and the
// scope stack, so it checks any target that reports events, not only the
// reference. SAFE-2 is enforced natively by AddressSanitizer (see memory.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory_resource>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.h"
#include "core/messages.h"
#include "core/node_pool.h"
#include "core/spare_entry_lists.h"

namespace memconform {

struct Violation {
  std::string rule;     // "LEAK-1", "SAFE-3", ...
  std::string message;  // names the allocation, slot or scope, with numbers
  bool operator==(const Violation&) const = default;
};

// Where the allocations and installs that an op makes belong.
enum class Attribution {
  Caller,    // alloc, allocPtr, installFunction, mmapAlloc: live until the caller releases them
  TopScope,  // scopedAlloc and the other scoped helpers: owned by the top scope
};

struct OpRecord {
  std::string_view op;  // for messages; the op's name outlives the record
  Attribution attribution = Attribution::Caller;
  // The op itself failed with an error (SAFE-4 then requires no net effect).
  // An exception raised by a vector's body and propagating through the op is
  // not the op failing.
  bool failed = false;
  std::span<const Event> events;  // the op's events, owned by the caller
  std::uint64_t byteLength = 0;  // the memory size the target reports after the op
  // Optional digests of the memory contents before and after the op, for
  // SAFE-4 ("same contents"); targets that cannot compute them leave them empty.
  std::optional<std::uint64_t> contentsBefore, contentsAfter;
  // The scope the op must pop, if it pops one, whatever is on top: the one a
  // scopedAllocPop(scope) names (SCOPE-5), or, at the end of a
  // scopedAllocCall, the one its start pushed (CALL-1).
  struct ScopeToPop {
    ScopeHandle scope;
    std::string_view rule;
  };
  std::optional<ScopeToPop> mustPop;
};

class InvariantChecker {
 public:
  explicit InvariantChecker(std::uint64_t initialByteLength) : byteLength_(initialByteLength) {}
  // As InvariantChecker(initialByteLength), keeping the buffers grown: a
  // checker used for sequence after sequence (the executor's, while fuzzing).
  void restart(std::uint64_t initialByteLength);

  // Checks one op; returns its violations (also kept in violations()),
  // valid until the next observe(), finish() or restart().
  const std::vector<Violation>& observe(const OpRecord& record);
  // LEAK-2 at the end of a sequence: every scope still open is leaked, with
  // its entries.
  const std::vector<Violation>& finish();

  const std::vector<Violation>& violations() const { return all_; }
  std::size_t level() const { return scopes_.size(); }

 private:
  struct ModelScope {
    ScopeHandle handle;
    std::vector<ScopeEntry> entries;
  };
  struct Releasing {  // a scope popped during the current op
    ScopeHandle handle;
    std::vector<ScopeEntry> pending;  // entries not yet released, in creation order
  };

  void onAlloc(const AllocEvent& e, const OpRecord& r);
  void onRelease(ScopeEntry entry, const OpRecord& r);
  void onInstall(const InstallEvent& e, const OpRecord& r);
  void onPush(const PushEvent& e, const OpRecord& r);
  void onPop(const PopEvent& e, const OpRecord& r);
  void attribute(ScopeEntry entry, const OpRecord& r);
  bool isLive(ScopeEntry entry) const;
  std::optional<ScopeHandle> ownerOnStack(ScopeEntry entry) const;
  void endOfOp(const OpRecord& r);
  // A violation of `rule`; its message, `makeMessage()`, is built only if
  // messages are wanted (messages.h).
  template <class MakeMessage>
  void report(std::string_view rule, MakeMessage&& makeMessage) {
    current_.push_back(Violation{std::string(rule), Messages::wanted() ? std::string(makeMessage()) : std::string()});
  }

  std::uint64_t byteLength_;
  // The maps' and sets' nodes come from the shared pool (node_pool.h): an
  // op calls no malloc once it has grown.
  std::pmr::map<Address, std::uint64_t> live_{nodePool()};  // ptr -> size
  std::pmr::set<TableIndex> installed_{nodePool()};
  std::vector<ModelScope> scopes_;
  std::vector<Releasing> releasing_;
  SpareEntryLists spareEntries_;  // of scopes released, for the next pushes
  // Made during the current failed op; must be gone again by its end (SAFE-4).
  std::pmr::set<ScopeEntry> opLocal_{nodePool()};
  std::size_t scopesAtOpStart_ = 0;
  std::vector<Violation> current_, all_;
};

}  // namespace memconform
