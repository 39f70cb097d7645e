// Dialects (SEMANTICS.md section 13): the documented ways in which published
// upstream glue departs from the rules, as named switches of the reference.
// A variant is one such departure, citing the rule it departs from and the
// releases it was seen in; a dialect is the set of variants of one release
// line. `reference?dialect=sqlite-wasm-3.54` is the reference speaking that
// release's dialect, so that fuzz_differential against the release needs to
// tolerate nothing (every difference is new) and a replay can say which
// dialect an implementation conforms to.
//
// Variants are not bugs planted to test the harness (core/mutants.h): a
// mutant is a mistake the corpus must catch, a variant is upstream's
// documented behaviour. Like a mutant, a variant is active only inside a
// SpeakDialect guard, which the reference target sets around each op, on its
// own thread; the plain reference speaks none.
#pragma once

#include <bitset>
#include <span>
#include <string>
#include <string_view>

namespace memconform {

enum class Variant {
  GrowPagesFraction,     // GROW-5: pages = (size - byteLength + 65535) / 65536, a fraction (Emscripten 3.1.67)
  GrowPagesOrZero,       // GROW-5: pages = (size - byteLength + 65535) / 65536 | 0 (Emscripten >= 3.1.70)
  ResizeReadsStaleHeap,  // GROW-3: oldSize is HEAPU8.length, 0 once a raw memory.grow detached HEAPU8
  AlignUnchecked,        // ALIGN-1: alignMemory checks no alignment
  ZeroMemoryFill,        // ALIGN-2: zeroMemory is HEAPU8.fill(0, ptr, ptr + size): clamps, checks nothing
  ZeroMemoryReturnsHeap, // ALIGN-2: ... and returns HEAPU8, not the address
  MmapAllocSizeWraps,    // ALIGN-3: the aligned size reaches memalign's i32 parameter unchecked (2^32 is 0)
  MmapAllocAborts,       // ALIGN-3: mmapAlloc is Emscripten's abort() stub (no memalign in the build)
  NoFloatViews,          // VIEW-1, VIEW-3: no float accessors; heapForSize takes the integer typed arrays only
  ViewsCachedByLength,   // VIEW-2: heap views are cached while byteLength is unchanged (grow(0) leaves them detached)
  HeapViewsAreRuntimes,  // VIEW-2: the heap views are the runtime's HEAP8.., renewed only when its resize grows
  PeekEmptyListReadsZero,  // PEEK-5: peek([]) reads address 0
  PeekEmptiesList,       // PEEK-5: peek(list) takes the addresses off the caller's list (list.shift())
  PeekPokeUnchecked,     // PEEK-6: no bounds check: an out-of-bounds read is undefined, a write is dropped
  I64BigIntOrZero,       // PEEK-3, PEEK-4: i64 values pass through BigInt(v || 0): NaN stores 0, undefined reads 0n
  AllocSizeWraps,        // SCOPE-3: alloc's size reaches malloc's i32 parameter modulo 2^32 (2^32 + 8 is 8 bytes)
  AllocPtrZeroAllocates, // SCOPE-9: allocPtr(0) allocates 0 bytes, which sqlite3_malloc refuses: AllocFailed
  CStringErrorDeallocs,  // SCOPE-8: a string helper that fails after allocating deallocs the block its scope holds
  ArgvNoRollback,        // SCOPE-10, SAFE-4: a failed scopedAllocMainArgv leaves what it allocated in the scope
  ReleaseOwnedEntry,     // SCOPE-6, LEAK-1: dealloc / uninstallFunction release a scope's entry (its pop again)
  DeallocUnchecked,      // SCOPE-3: dealloc passes any address to free()
  UninstallUnchecked,    // SCOPE-11: uninstallFunction of an empty slot succeeds
  TableFreeListUpstream, // SCOPE-11: install skips occupied free slots, stops at 0, loses a reused slot on failure
  PopDecidesKind,        // SCOPE-6: pop uninstalls an entry if its number is a live table slot then, else deallocs it
  CallPopsTop,           // CALL-1: scopedAllocCall pops the top scope
  kCount
};

struct VariantInfo {
  Variant id;
  std::string_view name;         // in a dialect list and `reference?variants=`
  std::string_view rule;         // the rule it departs from
  std::string_view seenIn;       // the releases it was seen in
  std::string_view description;  // what upstream does
};

using Dialect = std::bitset<static_cast<std::size_t>(Variant::kCount)>;

struct DialectInfo {
  std::string_view name;  // `reference?dialect=NAME`
  std::string_view description;
  Dialect variants;
};

std::span<const VariantInfo> allVariants();
const VariantInfo* findVariant(std::string_view name);
std::span<const DialectInfo> allDialects();
const DialectInfo* findDialect(std::string_view name);
// The variants of `d`, by name, comma-separated.
std::string variantNames(const Dialect& d);

// True if the dialect spoken on this thread has `v`.
bool speaks(Variant v);

// Speaks `d` on this thread for the guard's lifetime (restores the previous one).
class SpeakDialect {
 public:
  explicit SpeakDialect(const Dialect& d);
  ~SpeakDialect();
  SpeakDialect(const SpeakDialect&) = delete;
  SpeakDialect& operator=(const SpeakDialect&) = delete;

 private:
  Dialect previous_;
};

}  // namespace memconform
