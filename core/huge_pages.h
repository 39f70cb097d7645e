// Large blocks backed by 2-MiB pages where the kernel allows it (transparent
// huge pages in "madvise" mode, Debian's default): filling a fresh block of
// megabytes otherwise takes a page fault per 4 KiB, and on a virtual machine
// those faults, not the writes, are most of the time.
#pragma once

#include <cstddef>

namespace memconform {

// Asks for huge pages over the whole 2-MiB pages of [p, p + n); advice only,
// ignored where refused.
void adviseHugePages(void* p, std::size_t n);

// Every heap block of at least `bytes` is advised as the allocator hands it
// out, before the caller writes it (once per process, the first call's size
// wins). For blocks that code we do not build allocates (wabt keeps a
// module's memory in a std::vector, which writes every byte when it grows).
// Under ASan a malloc hook does it; without ASan, the global operator new of
// the programs that link huge_heap_blocks.cpp (the memconform command, the
// tests) calls adviseIfHugeHeapBlock. Elsewhere it does nothing.
void adviseHugePagesForHeapBlocksOf(std::size_t bytes);

// Advises [p, p + n) if adviseHugePagesForHeapBlocksOf asked for blocks of
// n bytes or more; otherwise nothing.
void adviseIfHugeHeapBlock(void* p, std::size_t n);

}  // namespace memconform
