#include "core/mutants.h"

#include <algorithm>
#include <array>

namespace memconform {
namespace {

thread_local Mutant activeMutant = Mutant::None;

constexpr std::array kMutants{
    MutantInfo{Mutant::PopFifo, "pop-fifo", "SCOPE-6", "pop releases a scope's entries first in, first out"},
    MutantInfo{Mutant::PopHandlePopsTop, "pop-handle-pops-top", "SCOPE-5",
               "scopedAllocPop(scope) pops the top scope whatever the handle"},
    MutantInfo{Mutant::CallPopsTop, "call-pops-top", "CALL-1",
               "scopedAllocCall pops whatever scope is on top (upstream's finally)"},
    MutantInfo{Mutant::ThrowSkipsPop, "throw-skips-pop", "CALL-2",
               "an exception thrown in scopedAllocCall's body skips the pop"},
    MutantInfo{Mutant::NoOvergrowthCap, "no-overgrowth-cap", "GROW-3", "overgrowth is not capped at request + 96 MiB"},
    MutantInfo{Mutant::FirstAttemptOnly, "first-attempt-only", "GROW-4",
               "the cutDown loop gives up after the first failed attempt"},
    MutantInfo{Mutant::AlignUpExtraPage, "alignup-extra-page", "GROW-3",
               "alignUp(x, m) = x + (m - x % m): an aligned size gains a page"},
    MutantInfo{Mutant::GrowPagesOrZero, "grow-pages-or-zero", "GROW-5",
               "growMemory computes pages with / 65536 | 0 (Emscripten >= 3.1.70)"},
    MutantInfo{Mutant::PeekNoBoundsCheck, "peek-no-bounds-check", "PEEK-6",
               "an out-of-bounds peek reads zeros instead of failing"},
    MutantInfo{Mutant::PokePartialOnOutOfBounds, "poke-partial-oob", "PEEK-6",
               "a list poke writes every address before the out-of-bounds one"},
    MutantInfo{Mutant::PeekNoRoundDown, "peek-no-round-down", "PEEK-2",
               "a misaligned address is used as is instead of rounded down"},
    MutantInfo{Mutant::PokeSaturates, "poke-saturates", "PEEK-4", "integer pokes clamp to the type's range"},
    MutantInfo{Mutant::I64ThroughDouble, "i64-through-double", "PEEK-3",
               "i64 values are converted through a double and lose bits above 2^53"},
    MutantInfo{Mutant::ViewsNotRefreshed, "views-not-refreshed", "VIEW-2",
               "heap accessors return the view made before the memory grew"},
    MutantInfo{Mutant::FunctionEntriesDeallocated, "function-entries-deallocated", "SCOPE-6",
               "pop deallocates function-table entries instead of uninstalling them"},
    MutantInfo{Mutant::FailedAllocRecorded, "failed-alloc-recorded", "SCOPE-3",
               "a failed scopedAlloc records 0 in the scope, and pop stops at the 0"},
    MutantInfo{Mutant::CStringNoNulRoom, "cstring-no-nul-room", "SCOPE-8",
               "scopedAllocCString allocates strlen bytes and writes the NUL past the block"},
    MutantInfo{Mutant::AllocPtrNotZeroed, "allocptr-not-zeroed", "SCOPE-9", "pointer slots are not zeroed"},
    MutantInfo{Mutant::LevelWritable, "level-writable", "SCOPE-7", "assigning scopedAlloc.level is silently accepted"},
    MutantInfo{Mutant::DeallocOwnedEntry, "dealloc-owned-entry", "LEAK-1",
               "dealloc of a block that a live scope owns frees it; the pop frees it again"},
};

}  // namespace

std::span<const MutantInfo> allMutants() { return kMutants; }

const MutantInfo* findMutant(std::string_view name) {
  auto it = std::find_if(kMutants.begin(), kMutants.end(), [&](const MutantInfo& m) { return m.name == name; });
  return it == kMutants.end() ? nullptr : &*it;
}

bool planted(Mutant m) { return activeMutant == m; }

PlantMutant::PlantMutant(Mutant m) : previous_(activeMutant) { activeMutant = m; }
PlantMutant::~PlantMutant() { activeMutant = previous_; }

}  // namespace memconform
