// Planted bugs ("mutants") for proving that the conformance corpus and the
// fuzzers catch real glue-code mistakes (issue 3). Each mutant is one
// deviation from a rule, placed in the core file where that bug would live,
// and guarded by `planted(Mutant::X)`. The reference never plants one: a
// mutant is active only inside a PlantMutant guard, which the `mutant:NAME`
// target sets around each op it executes, on its own thread.
#pragma once

#include <span>
#include <string_view>

namespace memconform {

enum class Mutant {
  None,
  PopFifo,                    // SCOPE-6: pop releases entries first in, first out
  PopHandlePopsTop,           // SCOPE-5: pop(scope) pops the top scope instead
  CallPopsTop,                // CALL-1: scopedAllocCall pops whatever scope is on top
  ThrowSkipsPop,              // CALL-2: an exception leaves the call's scope pushed
  NoOvergrowthCap,            // GROW-3: no 96 MiB cap on the overgrowth
  FirstAttemptOnly,           // GROW-3/4: the cutDown loop stops after one attempt
  AlignUpExtraPage,           // GROW-3: alignUp adds a page to an aligned size
  GrowPagesOrZero,            // GROW-5: pages = (...) / 65536 | 0 (Emscripten >= 3.1.70)
  PeekNoBoundsCheck,          // PEEK-6: an out-of-bounds peek reads zeros
  PokePartialOnOutOfBounds,   // PEEK-6/SAFE-4: a list poke writes up to the bad address
  PeekNoRoundDown,            // PEEK-2: misaligned reads are not rounded down
  PokeSaturates,              // PEEK-4: integer stores clamp instead of wrapping
  I64ThroughDouble,           // PEEK-3/4: i64 values pass through a double (> 2^53 lose bits)
  ViewsNotRefreshed,          // VIEW-2: heap accessors keep returning the pre-growth view
  FunctionEntriesDeallocated, // SCOPE-6: pop deallocs function entries instead of uninstalling
  FailedAllocRecorded,        // SCOPE-3: a failed scopedAlloc records 0; pop stops at it
  CStringNoNulRoom,           // SCOPE-8: allocates strlen bytes and writes the NUL past them
  AllocPtrNotZeroed,          // SCOPE-9: pointer slots are not zeroed
  LevelWritable,              // SCOPE-7: assigning level is silently accepted
  DeallocOwnedEntry,          // LEAK-1: dealloc of a scope-owned block frees it (and pop again)
};

struct MutantInfo {
  Mutant id;
  std::string_view name;  // as in `--target mutant:NAME`
  std::string_view rule;  // the rule it breaks
  std::string_view description;
};

std::span<const MutantInfo> allMutants();  // excluding Mutant::None
const MutantInfo* findMutant(std::string_view name);

// True if `m` is the mutant planted on this thread.
bool planted(Mutant m);

// Plants `m` on this thread for the guard's lifetime (restores the previous one).
class PlantMutant {
 public:
  explicit PlantMutant(Mutant m);
  ~PlantMutant();
  PlantMutant(const PlantMutant&) = delete;
  PlantMutant& operator=(const PlantMutant&) = delete;

 private:
  Mutant previous_;
};

}  // namespace memconform
