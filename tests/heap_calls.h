// Heap calls counted through AddressSanitizer's hooks, which see every
// malloc and free (asan preset only: MEMCONFORM_ASAN).
#pragma once

#include "core/asan_poison.h"  // MEMCONFORM_ASAN

#ifdef MEMCONFORM_ASAN
#include <sanitizer/allocator_interface.h>

#include <atomic>
#include <cstddef>

namespace memconform::testing {

struct HeapCalls {
  std::size_t mallocs = 0, frees = 0;
};

namespace heap_calls_detail {
inline std::atomic<bool> counting{false};
inline std::atomic<std::size_t> mallocs{0}, frees{0};
inline void countMalloc(const volatile void*, std::size_t) {
  if (counting.load(std::memory_order_relaxed)) mallocs.fetch_add(1, std::memory_order_relaxed);
}
inline void countFree(const volatile void*) {
  if (counting.load(std::memory_order_relaxed)) frees.fetch_add(1, std::memory_order_relaxed);
}
// Once per process: a static of heapCallsOf, a template, would be one per
// body's type, and each pair installed again counts every call once more
// (a test after another one counted twice as many).
inline bool installHooks() {
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(countMalloc, countFree) != 0;
  return installed;
}
}  // namespace heap_calls_detail

// The mallocs and frees that `body` makes on this thread's watch (the test
// runs one thread while it counts). The hooks stay installed: a process has
// one pair, and they count nothing between calls.
template <class Body>
HeapCalls heapCallsOf(Body&& body) {
  namespace d = heap_calls_detail;
  if (!d::installHooks()) return {~std::size_t{0}, 0};  // an impossible count: the test fails and says so
  d::mallocs = 0, d::frees = 0, d::counting = true;
  body();
  d::counting = false;
  return {d::mallocs.load(), d::frees.load()};
}

}  // namespace memconform::testing
#endif
