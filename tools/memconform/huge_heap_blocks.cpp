// The global operator new of the programs that link this file (the
// memconform command and the unit tests) in builds without AddressSanitizer:
// malloc, as libstdc++'s own, with the block advised for huge pages when it
// is as large as core/huge_pages.h was asked for. wabt keeps a wasm
// module's memory in a std::vector, which zeroes and copies every byte as
// it grows: on 4-KiB pages a growth to 2 GiB is a million page faults.
// Release, grow/heap-sizes/from-32767-pages-request-2147418113 against
// sqlite3.wasm: 14.6 s and 1,053,379 minor faults on 4-KiB pages, 6.8 s
// and 7,723 advised (docs/PERFORMANCE.md, "Replaying against wasm
// targets"). libstdc++'s operator new[] calls this one. Under ASan its
// operator new stays, and a malloc hook advises (core/huge_pages.cpp).
#include <cstdlib>
#include <new>

#include "core/asan_poison.h"
#include "core/huge_pages.h"

#ifndef MEMCONFORM_ASAN
void* operator new(std::size_t size) {
  for (;;) {
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
      memconform::adviseIfHugeHeapBlock(p, size);
      return p;
    }
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}
#endif
