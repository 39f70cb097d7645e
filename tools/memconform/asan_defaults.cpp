// The memconform command's AddressSanitizer defaults, for its ASan builds
// (asan preset). ASAN_OPTIONS is read after them and overrides each.
//
// no_huge_pages_for_shadow=0: ASan keeps its shadow on 4-KiB pages unless
// told otherwise. A wasm: target's memory is one heap block of up to 4 GiB
// (wabt's std::vector), and ASan writes the block's shadow, an eighth of
// it, whole as it maps the block and again as it hands it out; on a
// virtual machine slow at page faults that was most of a replay.
// Measured (docs/PERFORMANCE.md, "Replaying against wasm targets"):
// grow/heap-sizes/* against dlmalloc.wasm 143 s -> 17.6 s; peak RSS of the
// corpus replayed against the reference 401 -> 625 MB.
#include "core/asan_poison.h"

#ifdef MEMCONFORM_ASAN
extern "C" const char* __asan_default_options() { return "no_huge_pages_for_shadow=0"; }
#endif
