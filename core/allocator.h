// The reference allocator over linear memory (ALIGN-4, SCOPE-3, SAFE-1/2).
//
// Block bookkeeping lives outside linear memory, so no caller poke can corrupt
// it. Every block is at least 8-byte aligned (ALIGN-4) and followed by a
// redzone that is never handed out, so that an overflow of a block lands on
// poisoned bytes under ASan (SAFE-2) instead of in its neighbour. When no free
// range fits, the break moves up and, past the end of memory, the memory grows
// through the resize policy, as Emscripten's sbrk calls emscripten_resize_heap.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory_resource>
#include <optional>

#include "core/errors.h"
#include "core/events.h"
#include "core/memory.h"
#include "core/node_pool.h"

namespace memconform {

// SCOPE-3: whether alloc(0) fails (like sqlite3_malloc(0)) or returns a
// unique pointer (like Emscripten's malloc(0)); allocator-defined.
enum class ZeroSizeAlloc { Fails, UniquePointer };

// Where blocks go when they are not the reference's to place (SCOPE-3): a
// wasm module's malloc / free / memalign exports (conformance/targets/
// wasm_module.h). The Allocator keeps the glue's bookkeeping (live blocks,
// events, a free of what is not live refused); the heap decides addresses
// and sizes it accepts, and the bytes around its blocks are its own (no
// redzones, no ASan poisoning: SAFE-2 by poisoning is the reference's).
class ExternalHeap {
 public:
  virtual ~ExternalHeap() = default;
  // The address of a new block, or 0 if the heap cannot make it.
  virtual Address malloc(std::uint64_t size) = 0;
  virtual Address memalign(std::uint64_t alignment, std::uint64_t size) = 0;
  virtual void free(Address ptr) = 0;
};

struct AllocatorConfig {
  Address heapBase = 1024;  // lowest address handed out; 0 is never returned
  ZeroSizeAlloc zeroSize = ZeroSizeAlloc::Fails;
  std::uint32_t redzone = 16;  // poisoned bytes after each block (a multiple of 8)
  // Written over a block's bytes when it is freed, as dlmalloc's free-list
  // links overwrite a freed chunk (a caller reading freed memory reads
  // these); none by default.
  std::optional<std::uint8_t> freedFill;
  // Set: blocks come from this heap; heapBase, zeroSize, redzone and
  // freedFill are the heap's business and not used.
  ExternalHeap* heap = nullptr;
};

inline constexpr std::uint64_t kMinAlignment = 8;  // ALIGN-4

class Allocator {
 public:
  // `resize(newBreak)` makes the memory at least `newBreak` bytes long or
  // returns false (emscripten_resize_heap's contract).
  using ResizeFn = std::function<bool(double newBreak)>;

  Allocator(LinearMemory& memory, ResizeFn resize, EventLog* log, AllocatorConfig config = {});

  // C malloc / memalign: the address, or 0 when the request cannot be met.
  // `alignment` must be a power of two; it is raised to at least 8 (ALIGN-4).
  Address malloc(std::uint64_t size);
  Address memalign(std::uint64_t alignment, std::uint64_t size);
  // memalign as upstream's JavaScript calls the wasm export
  // (mmap-alloc-size-wraps, core/dialects.h): `size` reaches its i32
  // parameter modulo 2^32, and 0 bytes get a block, as dlmalloc's memalign
  // gives one; the event records the size the caller asked for, as a hook on
  // the call sees it.
  Address memalignFromJs(std::uint64_t alignment, double size);
  // malloc as upstream's alloc calls sqlite3_malloc (alloc-size-wraps): the
  // size modulo 2^32, failing from 2^31 (a negative int); the event records
  // the size the caller asked for.
  Address mallocFromJs(std::uint64_t size);

  // SCOPE-3: alloc(n) fails with AllocFailed when the allocator returns 0.
  Result<Address> alloc(std::uint64_t size);

  // Releases a live block. dealloc(0) does nothing (free(NULL)); any other
  // address that is not a live block is an InvalidArgument error and changes
  // nothing: the reference refuses a double free instead of corrupting itself.
  Result<void> dealloc(Address ptr);

  bool isLive(Address ptr) const { return blocks_.count(ptr) != 0; }
  std::optional<std::uint64_t> sizeOf(Address ptr) const;
  std::size_t liveCount() const { return blocks_.size(); }
  std::map<Address, std::uint64_t> live() const;  // ptr -> requested size

  // Back to a new allocator with `config`: no blocks, the break at its
  // heapBase (Instance::restart). InvalidArgument as the constructor.
  void restart(AllocatorConfig config);
  // The run's blocks and free ranges go, nothing else (Instance::release).
  void release();

 private:
  struct Block {
    std::uint64_t size;       // requested bytes
    std::uint64_t footprint;  // bytes reserved from ptr on: payload + redzone
  };
  // A block of `size` bytes (0: a block of its own) at `alignment`; the
  // event says `loggedSize`.
  Address place(std::uint64_t alignment, std::uint64_t size, std::uint64_t loggedSize);
  // A block `ptr` of `size` bytes made (0: none): recorded and logged.
  Address placed(Address ptr, std::uint64_t size, std::uint64_t footprint, std::uint64_t loggedSize);
  std::optional<Address> carveFromFreeList(std::uint64_t alignment, std::uint64_t footprint);
  std::optional<Address> extendBreak(std::uint64_t alignment, std::uint64_t footprint);
  void takeRange(std::pmr::map<Address, std::uint64_t>::iterator range, Address ptr, std::uint64_t footprint);
  void releaseRange(Address start, std::uint64_t length);

  LinearMemory& memory_;
  ResizeFn resize_;
  EventLog* log_;
  AllocatorConfig config_;
  Address break_;
  // Nodes from the shared pool (node_pool.h): an alloc or dealloc calls no
  // malloc once it has grown (bench/ops_bench.cpp).
  std::pmr::map<Address, Block> blocks_{nodePool()};              // live blocks by address
  std::pmr::map<Address, std::uint64_t> freeRanges_{nodePool()};  // start -> length, inside [heapBase, break)
};

}  // namespace memconform
