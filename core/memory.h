// Linear memory (SEMANTICS.md section 1, MEM-1..5).
//
// A byte array of `pages * 65536` bytes that only grows. The whole maximum is
// reserved as address space up front and pages are committed by the kernel
// only when first touched, so growing to the 2 GiB maximum costs no RAM until
// the bytes are used. Bytes outside live allocations are poisoned under ASan
// (SAFE-2); the allocator unpoisons what it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/address_space.h"
#include "core/errors.h"
#include "core/events.h"
#include "core/memory_storage.h"

namespace memconform {

inline constexpr std::uint64_t kPageSize = 65536;          // MEM-1
inline constexpr std::uint32_t kWasm32MaxPages = 65536;    // 4 GiB, the wasm32 limit
inline constexpr std::uint32_t kDefaultMaximumPages = 32768;  // MEM-4: 2 GiB
inline constexpr std::uint32_t kDefaultInitialPages = 256;    // MEM-4: 16 MiB

struct MemoryConfig {
  std::uint32_t initialPages = kDefaultInitialPages;
  std::uint32_t maximumPages = kDefaultMaximumPages;
  bool operator==(const MemoryConfig&) const = default;
};

// Injected growth faults (MEM-5), described as data so that the same fault
// plays out identically in every implementation. A grow call fails if its
// 1-based ordinal among all memory.grow calls of the run is in `failAttempts`,
// or if the page count it would reach exceeds `failAbovePages`.
struct GrowthFaults {
  std::vector<std::uint64_t> failAttempts;
  std::optional<std::uint32_t> failAbovePages;
  bool empty() const { return failAttempts.empty() && !failAbovePages; }
  bool operator==(const GrowthFaults&) const = default;
};

class LinearMemory {
 public:
  // InvalidArgument unless initialPages <= maximumPages <= 65536.
  explicit LinearMemory(MemoryConfig config = {}, GrowthFaults faults = {}, EventLog* log = nullptr);
  // Over bytes that live elsewhere (a wasm module's memory): `storage`
  // already holds config.initialPages pages.
  LinearMemory(MemoryConfig config, std::unique_ptr<MemoryStorage> storage, GrowthFaults faults, EventLog* log);
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  // Whether the bytes are this memory's own (the first constructor).
  bool ownsStorage() const { return ownsStorage_; }
  // Only a memory that owns its bytes: back to what LinearMemory(config,
  // faults, log) starts as. Its bytes go back zeroed and poisoned, and the
  // new ones come from the same kept range when the maximum is the same
  // (address_space.h). InvalidArgument for bad limits, as the constructor
  // (the memory is unusable then).
  // The faults are copied into the buffer the last ones left.
  void restart(MemoryConfig config, const GrowthFaults& faults);
  // Its bytes go back as restart() gives them back, and its faults (their
  // list's buffer is kept): the memory is unusable until restart().
  void release();

  std::uint64_t byteLength() const { return std::uint64_t{pages_} * kPageSize; }  // MEM-1
  std::uint32_t pages() const { return pages_; }
  std::uint32_t maximumPages() const { return config_.maximumPages; }
  // Incremented by every successful grow, grow(0) included: the JS API
  // refreshes (and so detaches) the buffer on each one (VIEW-2).
  std::uint64_t generation() const { return generation_; }

  // The views that glue code keeps over this memory (VIEW-2). In the
  // specified behaviour every accessor hands out a view of the current
  // buffer; the dialects of core/dialects.h keep older ones:
  // - the generation of the views the glue's accessors (heap8u(),
  //   heapForSize(), and through them peek, poke and the string helpers)
  //   hand out now: this memory's, or with views-cached-by-length that of
  //   upstream's cache, renewed only when it sees byteLength change, or
  //   with heap-views-are-runtimes the runtime's (below);
  std::uint64_t accessorGeneration() const;
  // - whether the runtime's own views (Emscripten's HEAPU8, which
  //   emscripten_resize_heap and zeroMemory use) are detached: the runtime
  //   renews them only when its resize policy grows the memory
  //   (runtimeViewsRenewed), not after a raw memory.grow.
  bool runtimeViewsDetached() const { return runtimeViews_ != generation_; }
  std::uint64_t runtimeViewsGeneration() const { return runtimeViews_; }
  void runtimeViewsRenewed() { runtimeViews_ = generation_; }

  // MEM-2/3: adds `deltaPages` zero-filled pages and returns the old page
  // count, or nullopt (wasm's -1) if the maximum or an injected fault (MEM-5)
  // forbids it; then nothing changes. Records a GrowEvent.
  std::optional<std::uint32_t> grow(std::uint32_t deltaPages);
  // The storage grew to `pages` without this memory's grow (a wasm module's
  // own memory.grow instruction): recorded as that grow (MEM-2), with no
  // fault injected (the engine made it).
  void grewOutside(std::uint32_t pages);

  // True if [address, address + length) lies inside [0, byteLength).
  // Overflow-proof: compares each term with the size before adding.
  bool contains(std::uint64_t address, std::uint64_t length) const {
    const std::uint64_t size = byteLength();
    return address <= size && length <= size - address;
  }
  // OutOfBounds (PEEK-6) naming the access and the limit.
  Result<void> checkAccess(std::int64_t address, std::uint64_t length, const char* what) const;

  // The caller's explicit accesses (peek, poke, views, zeroMemory): legal at
  // any in-bounds address, poisoned or not. Preconditions: contains(...).
  void callerRead(Address address, void* out, std::size_t n) const;
  void callerWrite(Address address, const void* in, std::size_t n);
  void callerFill(Address address, std::uint8_t byte, std::uint64_t n);
  // How many caller writes changed memory so far: a failed op must not move
  // it (SAFE-4, "same contents"); the implementation's own writes into its
  // fresh allocations do not count.
  std::uint64_t callerWrites() const { return callerWrites_; }

  // Accesses the implementation makes on its own behalf (filling its own
  // allocations): instrumented, so under ASan touching a byte that is not
  // inside a live allocation stops with a use-after-poison report (SAFE-2).
  // Over a module's storage, bytes past the memory's end are dropped, as a
  // TypedArray drops them: its malloc may hand out a block past the end,
  // which the invariant checker reports (SAFE-1), and the glue's writes into
  // it must not overflow wabt's buffer. Over the reference's own memory a
  // write there is the reference's bug, which ASan stops (guardedPastTheEnd).
  void internalWrite(Address address, const void* in, std::size_t n);
  void internalFill(Address address, std::uint8_t byte, std::size_t n);

  // SAFE-2 bookkeeping for the allocator.
  void poison(Address address, std::uint64_t n);
  void unpoison(Address address, std::uint64_t n);
  bool isPoisoned(Address address) const;

 private:
  void openOwnStorage();  // config_'s maximum reserved, its initial pages open
  void startCounting();   // a new memory's pages, generations and counts
  bool faultInjected(std::uint64_t ordinal, std::uint64_t newPages) const;
  void written(Address address, std::uint64_t n);
  std::size_t insideMemory(Address address, std::size_t n) const;  // how much of [address, +n) is inside
  // The part of [address, +n) that may be nonzero: what lies in the range
  // written so far (the rest is zero, as the storage came: a fill of zeroes
  // need not touch it); `address` and length 0 if none of it was written.
  std::pair<Address, std::uint64_t> writtenPart(Address address, std::uint64_t n) const;

  MemoryConfig config_;
  GrowthFaults faults_;
  EventLog* log_;
  // The bytes: another's (foreign_, a wasm module's), or the memory's own
  // address space, made in place: restarting the memory makes no object
  // (a fuzzer restarts one per input).
  std::unique_ptr<MemoryStorage> foreign_;
  std::optional<AddressSpace> own_;
  MemoryStorage* storage_ = nullptr;  // whichever is there; none after release()
  bool ownsStorage_ = false;
  std::uint32_t pages_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t runtimeViews_ = 0;  // the generation of the runtime's views
  // views-cached-by-length: the generation and byteLength of upstream's cache.
  mutable std::optional<std::pair<std::uint64_t, std::uint64_t>> accessorCache_;  // always set
  std::uint64_t growCalls_ = 0;
  std::uint64_t callerWrites_ = 0;
};

}  // namespace memconform
