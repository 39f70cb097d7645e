#include "core/huge_pages.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>

#include "core/asan_poison.h"

#ifdef MEMCONFORM_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace memconform {

void adviseHugePages(void* p, std::size_t n) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(p) + n) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

namespace {
std::atomic<std::size_t> hugeBlockBytes{0};

#ifdef MEMCONFORM_ASAN
void adviseIfHuge(const volatile void* p, std::size_t n) { adviseIfHugeHeapBlock(const_cast<void*>(p), n); }
void noFreeHook(const volatile void*) {}  // ASan installs none without one
#endif
}  // namespace

void adviseIfHugeHeapBlock(void* p, std::size_t n) {
  const std::size_t from = hugeBlockBytes.load(std::memory_order_relaxed);
  if (from != 0 && n >= from) adviseHugePages(p, n);
}

void adviseHugePagesForHeapBlocksOf(std::size_t bytes) {
  std::size_t none = 0;
  if (bytes == 0 || !hugeBlockBytes.compare_exchange_strong(none, bytes)) return;
#ifdef MEMCONFORM_ASAN
  __sanitizer_install_malloc_and_free_hooks(adviseIfHuge, noFreeHook);
#endif
}

}  // namespace memconform
