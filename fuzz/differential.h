// The differential check (docs/ARCHITECTURE.md "Checks"): the same op sequence on
// two targets must give the same results, events and invariant verdicts.
// Pointers and table indexes are compared by the order in which each side
// handed them out, so two allocators that place blocks differently agree.
#pragma once

#include <cstdint>
#include <map>
#include <memory_resource>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/runner/executor.h"
#include "core/node_pool.h"

namespace memconform::fuzz {

struct Difference {
  std::string pointer;  // the op
  std::string op;
  std::string rule;     // the rule the op implements, or the violated invariant
  std::string reference;
  std::string target;
  // What differed, with a short class of each side (reference > target):
  // "value:int>undefined", "error:OutOfBounds>value:undefined",
  // "events:dealloc>none", "violation:LEAK-1". With op and rule it makes the
  // finding's signature: findings that differ in it are different bugs.
  std::string aspect;
  // "OP/RULE/ASPECT", the signature after its target.
  std::string signature() const { return op + "/" + rule + (aspect.empty() ? "" : "/" + aspect); }
};

// Runs that ended differently (a target that skipped the sequence or broke
// off with an error), the first op whose canonical outcome differs, or the
// first invariant failure of `target` that `reference` does not have.
struct CompareOptions {
  // The target's allocator is not the reference's (Target::wellBehavedCaller:
  // a real one, such as dlmalloc): how it asks for memory is its own
  // business (SCOPE-3), so the grow and resize events of an op that
  // allocates are not compared; those of resize and grow are, until an
  // allocation has grown the memory on either side: from then on the
  // memory's size, and the state of the runtime's views that growth renews,
  // are the allocator's, and what reports or depends on them (byteLength,
  // viewLength, resize, grow, zeroMemory, mmapAlloc) is not compared.
  bool ownAllocator = false;
  // Canonicalize every op, even while both runs are op for op the same
  // (see compareRuns): the comparison without its shortcut, for the test
  // that the two agree.
  bool canonicalEveryOp = false;
};
std::optional<Difference> compareRuns(const conformance::VectorRun& reference, const conformance::VectorRun& target,
                                      CompareOptions options = {});

// An op's outcome with pointers, table indexes and scope handles replaced by
// their order of appearance in the run ("ptr#2", "fn#0", "sc#1"), so runs can
// be compared. A released pointer or slot is forgotten: made again, at the
// same address or in the same slot, it is a new one, so that allocators that
// reuse freed places in different orders agree (places compared by role).
class Canonicalizer {
 public:
  explicit Canonicalizer(CompareOptions options = {}) : options_(options) {}
  struct Outcome {
    std::vector<std::string> events;
    std::string result;  // "value ...", "error KIND", or why the op did not run
    // For each event: a dealloc of an address this run freed before (what
    // block, if any, is there now is the allocator's). Not compared.
    std::vector<bool> refrees;
    // For each event: a refree of an address that no alloc event has handed
    // out again since, so that no block of the run is there: a dangling
    // pointer freed twice (cstring-error-deallocs leaves one in its scope).
    std::vector<bool> dangling;
    bool operator==(const Outcome& o) const { return events == o.events && result == o.result; }
    // `events` made `n` long, the strings it drops kept for the next op's.
    void eventsUpTo(std::size_t n);

   private:
    std::vector<std::string> spareEvents_;
  };
  // Into `out`, whose strings are reused: a run compares op after op, and
  // under ASan every string allocated costs more than the comparison.
  void canonical(const conformance::OpRun& run, Outcome& out);
  Outcome canonical(const conformance::OpRun& run);
  std::string outcome(const conformance::OpRun& run);  // canonical(), as one line
  static std::string outcomeText(const Outcome& o);

  struct Numbering {
    std::pmr::map<std::uint64_t, std::size_t> live{nodePool()};  // place -> its number
    std::size_t next = 0;
  };

 private:
  void appendPointer(std::string& out, double address);
  void appendEvent(std::string& out, const Event& e);
  void appendValue(std::string& out, const conformance::Value& v, conformance::OpKind k, bool places);
  CompareOptions options_;
  Numbering pointers_, functions_, scopes_;
  std::pmr::map<std::uint64_t, std::uint64_t> sizes_{nodePool()};  // live block -> size, from its alloc event
  std::pmr::set<std::uint64_t> freed_{nodePool()};                 // addresses a dealloc event named
};

}  // namespace memconform::fuzz
