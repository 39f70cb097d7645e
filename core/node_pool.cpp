#include "core/node_pool.h"

#include <array>
#include <cstddef>
#include <new>

#include "core/asan_poison.h"

namespace memconform {
namespace {

// Free lists by size, 16 bytes apart, carved from 64-KiB chunks. A map or
// set node (32-64 bytes) and a small hash table's buckets take one pop or
// one push. libstdc++'s unsynchronized_pool_resource, which stood here
// before, searched its chunks for the one holding a freed node: a third of
// the reference's time per op (perf, BM_InstanceOps, docs/PERFORMANCE.md).
// Larger or over-aligned requests (a big table's buckets) go to new/delete.
// A node freed is poisoned under ASan until it is handed out again: a use
// of a freed map node is a report, as with malloc's blocks.
class FreeListPool final : public std::pmr::memory_resource {
 public:
  FreeListPool() = default;
  FreeListPool(const FreeListPool&) = delete;
  FreeListPool& operator=(const FreeListPool&) = delete;

 private:
  static constexpr std::size_t kGrain = 16;  // alignof(std::max_align_t): every class stays aligned
  static constexpr std::size_t kLargest = 1024;
  static constexpr std::size_t kChunk = 64 * 1024;

  struct Free {
    Free* next;
  };
  struct Chunk {
    Chunk* previous;  // every chunk stays reachable (LeakSanitizer)
  };
  static constexpr std::size_t kChunkHeader = (sizeof(Chunk) + kGrain - 1) / kGrain * kGrain;

  static bool pooled(std::size_t bytes, std::size_t alignment) { return bytes <= kLargest && alignment <= kGrain; }
  static std::size_t classOf(std::size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / kGrain; }
  static std::size_t sizeOf(std::size_t sizeClass) { return (sizeClass + 1) * kGrain; }

  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (!pooled(bytes, alignment)) return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    const std::size_t sizeClass = classOf(bytes), size = sizeOf(sizeClass);
    if (Free* node = free_[sizeClass]) {
      asan::unpoison(node, size);
      free_[sizeClass] = node->next;
      return node;
    }
    if (static_cast<std::size_t>(end_ - next_) < size) {  // what is left of the chunk stays unused
      auto* chunk = static_cast<std::byte*>(::operator new(kChunk));
      chunks_ = new (chunk) Chunk{chunks_};
      next_ = chunk + kChunkHeader;
      end_ = chunk + kChunk;
    }
    void* node = next_;
    next_ += size;
    return node;
  }

  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (!pooled(bytes, alignment)) return std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    const std::size_t sizeClass = classOf(bytes);
    free_[sizeClass] = new (p) Free{free_[sizeClass]};
    asan::poison(p, sizeOf(sizeClass));
  }

  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::array<Free*, kLargest / kGrain> free_{};
  Chunk* chunks_ = nullptr;
  std::byte* next_ = nullptr;
  std::byte* end_ = nullptr;
};

}  // namespace

std::pmr::memory_resource* nodePool() {
  static auto* const pool = new FreeListPool();  // never freed (see node_pool.h)
  return pool;
}

}  // namespace memconform
