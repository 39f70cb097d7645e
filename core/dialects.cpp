#include "core/dialects.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace memconform {
namespace {

thread_local Dialect spoken;

using V = Variant;

constexpr std::array kVariants{
    VariantInfo{V::GrowPagesFraction, "grow-pages-fraction", "GROW-5", "3.47.x (Emscripten 3.1.67); wa-sqlite 1.0.0",
                "growMemory passes (size - byteLength + 65535) / 65536 to memory.grow untruncated: grow truncates a "
                "fraction, and a negative count is a TypeError before anything grows"},
    VariantInfo{V::GrowPagesOrZero, "grow-pages-or-zero", "GROW-5", "3.48.0 and later (Emscripten >= 3.1.70): 3.54.1-build1; sql.js 1.17.0",
                "growMemory computes (size - byteLength + 65535) / 65536 | 0: a size one page below the heap's "
                "grows by 0 pages and succeeds; a negative count is a TypeError before anything grows"},
    VariantInfo{V::ResizeReadsStaleHeap, "resize-reads-stale-heap", "GROW-3", "3.41.2, 3.54.1-build1; wa-sqlite 1.0.0; sql.js 1.17.0",
                "emscripten_resize_heap reads oldSize as HEAPU8.length; Emscripten refreshes HEAPU8 only when "
                "growMemory grows, so after a raw memory.grow (even of 0 pages) it reads the detached view's 0"},
    VariantInfo{V::AlignUnchecked, "align-unchecked", "ALIGN-1", "3.41.2, 3.54.1-build1",
                "alignMemory is Math.ceil(size / alignment) * alignment with no check: 0, -0 and NaN alignments give "
                "NaN, a negative one a number"},
    VariantInfo{V::ZeroMemoryFill, "zero-memory-fill", "ALIGN-2", "3.41.2, 3.54.1-build1",
                "zeroMemory is HEAPU8.fill(0, ptr, ptr + size): no check of the size or the range; fill converts "
                "both ends to integers and clamps them to the buffer"},
    VariantInfo{V::ZeroMemoryReturnsHeap, "zero-memory-returns-heap", "ALIGN-2", "3.54.1-build1",
                "zeroMemory returns what fill returns, HEAPU8 (a view), not the address"},
    VariantInfo{V::MmapAllocSizeWraps, "mmap-alloc-size-wraps", "ALIGN-3", "3.54.1-build1",
                "mmapAlloc passes alignMemory(size, 65536) to _emscripten_builtin_memalign unchecked: its i32 "
                "parameter takes the size modulo 2^32, so a size rounded up to 2^32 asks for 0 bytes and gets a "
                "block that the caller takes for 4 GiB, zeroed as far as the memory goes"},
    VariantInfo{V::MmapAllocAborts, "mmap-alloc-aborts", "ALIGN-3", "3.41.2",
                "mmapAlloc is Emscripten's stub `function mmapAlloc(size) { abort(); }` (the build has no memalign): "
                "every call aborts (a RuntimeError, which section 9 has no kind for: InvalidArgument, as the Node "
                "driver reports it) and allocates nothing"},
    VariantInfo{V::NoFloatViews, "no-float-views", "VIEW-1", "3.41.2, 3.54.1-build1",
                "there are no float heap accessors, and heapForSize accepts only the integer typed arrays: "
                "Float32Array and Float64Array are InvalidArgument"},
    VariantInfo{V::ViewsCachedByLength, "views-cached-by-length", "VIEW-2", "3.41.2, 3.54.1-build1",
                "the helpers cache their heap views and make new ones only when the buffer's byteLength changed: "
                "after memory.grow(0) every accessor, peek and poke, and the helpers that write strings go through "
                "the detached views (reads are undefined, element writes are dropped, TypedArray.set is a TypeError)"},
    VariantInfo{V::HeapViewsAreRuntimes, "heap-views-are-runtimes", "VIEW-2", "wa-sqlite 1.0.0",
                "the heap views are the ones the Emscripten runtime exports (HEAP8 ... HEAPF64), which it renews only "
                "when its own growMemory grows the memory: after a raw memory.grow (of any page count) every one "
                "stays detached, length 0, until a resize grows the memory"},
    VariantInfo{V::PeekEmptyListReadsZero, "peek-empty-list-reads-zero", "PEEK-5", "3.41.2, 3.54.1-build1",
                "peek([]) reads address 0 and returns a list of one value"},
    VariantInfo{V::PeekEmptiesList, "peek-empties-list", "PEEK-5", "3.41.2, 3.54.1-build1",
                "peek(list) reads `ptr = arguments[0].shift()` in its loop: the caller's list is empty afterwards"},
    VariantInfo{V::PeekPokeUnchecked, "peek-poke-unchecked", "PEEK-6", "3.41.2, 3.54.1-build1",
                "peek and poke index their typed-array views with `ptr >> n` and no bounds check: an out-of-bounds "
                "read is undefined (an i64 one a TypeError from BigInt(undefined)), an out-of-bounds write is "
                "dropped, and `>>` takes the address as an int32 (2^32 is 0, -1 is -1); poke looks at the type in its "
                "loop over the addresses, so poke([], v, \"x\") is no error"},
    VariantInfo{V::I64BigIntOrZero, "i64-bigint-or-zero", "PEEK-4", "3.54.1-build1",
                "i64 values pass through BigInt(v || 0): a poke of NaN (falsy) stores 0 instead of raising "
                "BigInt(NaN)'s RangeError, and an i64 peek that reads undefined gives 0n instead of BigInt(undefined)'s "
                "TypeError"},
    VariantInfo{V::AllocSizeWraps, "alloc-size-wraps", "SCOPE-3", "3.41.2, 3.54.1-build1; wa-sqlite 1.0.0; sql.js 1.17.0",
                "alloc and scopedAlloc pass the size to sqlite3_malloc (malloc) unchecked: its i32 parameter takes it "
                "modulo 2^32, so 2^32 + 8 bytes allocate an 8-byte block that the caller takes for 4 GiB (a SAFE-1 "
                "violation), while a remainder of 2^31 or more fails"},
    VariantInfo{V::AllocPtrZeroAllocates, "alloc-ptr-zero-allocates", "SCOPE-9", "3.41.2, 3.54.1-build1",
                "allocPtr(0) and scopedAllocPtr(0) do not check howMany: they allocate 0 bytes, which sqlite3_malloc "
                "refuses, so they are AllocFailed (WasmAllocError), not InvalidArgument"},
    VariantInfo{V::CStringErrorDeallocs, "cstring-error-deallocs", "SCOPE-8", "3.54.1-build1",
                "scopedAllocCString deallocs its block in a `finally` when writing the string fails (a TypeError "
                "through a detached cached view): the block its scope still holds is freed, and the pop frees it "
                "again"},
    VariantInfo{V::ArgvNoRollback, "argv-no-rollback", "SCOPE-10", "3.41.2, 3.54.1-build1",
                "scopedAllocMainArgv allocates the table, then each string, in the scope, and releases nothing when "
                "one fails: the blocks stay in the scope until its pop (a failed op that changed the state, SAFE-4)"},
    VariantInfo{V::ReleaseOwnedEntry, "release-owned-entry", "LEAK-1", "3.41.2, 3.54.1-build1",
                "dealloc and uninstallFunction release an entry that a scope on the stack still owns, with no "
                "error; that scope's pop releases it a second time"},
    VariantInfo{V::DeallocUnchecked, "dealloc-unchecked", "SCOPE-3", "3.41.2, 3.54.1-build1",
                "dealloc passes any address to sqlite3_free: a block released before, or never allocated, is freed "
                "(again) with no error"},
    VariantInfo{V::UninstallUnchecked, "uninstall-unchecked", "SCOPE-11", "3.41.2, 3.54.1-build1",
                "uninstallFunction of a slot that holds no function returns undefined and puts the slot on the free "
                "list again, so it can be handed out twice"},
    VariantInfo{V::TableFreeListUpstream, "table-free-list-upstream", "SCOPE-11", "3.41.2, 3.54.1-build1",
                "installFunction pops freed indexes, skipping slots that are occupied again and stopping at index 0 "
                "(falsy), and grows the table before it looks at the signature: a bad signature puts a new slot on "
                "the free list but loses a reused one to later installs"},
    VariantInfo{V::PopDecidesKind, "pop-decides-kind", "SCOPE-6", "3.41.2, 3.54.1-build1",
                "a scope records bare numbers; its pop uninstalls each one that names a table slot holding a function "
                "at that moment and deallocs any other (a function uninstalled before is passed to free), and stops "
                "at the first 0"},
    VariantInfo{V::CallPopsTop, "call-pops-top", "CALL-1", "3.41.2, 3.54.1-build1",
                "scopedAllocCall ends with scopedAllocPop() with no argument: it pops the top scope, not its own"},
};
static_assert(kVariants.size() == static_cast<std::size_t>(Variant::kCount));

Dialect of(std::initializer_list<Variant> variants) {
  Dialect d;
  for (Variant v : variants) d.set(static_cast<std::size_t>(v));
  return d;
}

const std::array kDialects{
    DialectInfo{"sqlite-wasm-3.41", "@sqlite.org/sqlite-wasm 3.41.x (whwasmutil, Emscripten 3.1.3x)",
                of({V::ResizeReadsStaleHeap, V::AlignUnchecked, V::ZeroMemoryFill, V::MmapAllocAborts, V::NoFloatViews,
                    V::ViewsCachedByLength, V::PeekEmptyListReadsZero, V::PeekEmptiesList, V::PeekPokeUnchecked, V::AllocSizeWraps, V::AllocPtrZeroAllocates,
                    V::ArgvNoRollback, V::ReleaseOwnedEntry, V::DeallocUnchecked, V::UninstallUnchecked, V::TableFreeListUpstream, V::PopDecidesKind, V::CallPopsTop})},
    DialectInfo{"sqlite-wasm-3.54", "@sqlite.org/sqlite-wasm 3.54.x (Emscripten >= 3.1.70)",
                of({V::GrowPagesOrZero, V::ResizeReadsStaleHeap, V::AlignUnchecked, V::ZeroMemoryFill,
                    V::ZeroMemoryReturnsHeap, V::MmapAllocSizeWraps, V::NoFloatViews, V::ViewsCachedByLength,
                    V::PeekEmptyListReadsZero, V::PeekEmptiesList, V::PeekPokeUnchecked, V::I64BigIntOrZero, V::CStringErrorDeallocs, V::AllocSizeWraps, V::AllocPtrZeroAllocates,
                    V::ArgvNoRollback, V::ReleaseOwnedEntry, V::DeallocUnchecked, V::UninstallUnchecked, V::TableFreeListUpstream, V::PopDecidesKind, V::CallPopsTop})},
    DialectInfo{"emscripten-3.1.70-grow", "Emscripten >= 3.1.70's growMemory, the rest as specified",
                of({V::GrowPagesOrZero})},
    DialectInfo{"emscripten-runtime-fraction",
                "an Emscripten runtime's own growMemory, emscripten_resize_heap and exported HEAP views, with the "
                "untruncated page count (wa-sqlite 1.0.0), the rest as specified",
                of({V::GrowPagesFraction, V::ResizeReadsStaleHeap, V::HeapViewsAreRuntimes, V::AllocSizeWraps})},
    DialectInfo{"emscripten-runtime-3.1.70",
                "an Emscripten >= 3.1.70 runtime's own growMemory, emscripten_resize_heap and exported HEAP views "
                "(sql.js 1.17.0), the rest as specified",
                of({V::GrowPagesOrZero, V::ResizeReadsStaleHeap, V::HeapViewsAreRuntimes, V::AllocSizeWraps})},
};

}  // namespace

std::span<const VariantInfo> allVariants() { return kVariants; }

const VariantInfo* findVariant(std::string_view name) {
  auto it = std::find_if(kVariants.begin(), kVariants.end(), [&](const VariantInfo& v) { return v.name == name; });
  return it == kVariants.end() ? nullptr : &*it;
}

std::span<const DialectInfo> allDialects() { return kDialects; }

const DialectInfo* findDialect(std::string_view name) {
  auto it = std::find_if(kDialects.begin(), kDialects.end(), [&](const DialectInfo& d) { return d.name == name; });
  return it == kDialects.end() ? nullptr : &*it;
}

std::string variantNames(const Dialect& d) {
  std::string out;
  for (const auto& v : kVariants)
    if (d.test(static_cast<std::size_t>(v.id))) out += (out.empty() ? "" : ",") + std::string(v.name);
  return out;
}

bool speaks(Variant v) { return spoken.test(static_cast<std::size_t>(v)); }

SpeakDialect::SpeakDialect(const Dialect& d) : previous_(spoken) { spoken = d; }
SpeakDialect::~SpeakDialect() { spoken = previous_; }

}  // namespace memconform
