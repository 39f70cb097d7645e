#include "core/allocator.h"

#include "core/dialects.h"
#include "core/errors.h"
#include "core/js_numbers.h"

namespace memconform {
namespace {
constexpr std::uint64_t kAddressSpace = std::uint64_t{1} << 32;  // wasm32
constexpr std::uint64_t kMaxRequest = std::uint64_t{1} << 31;     // sqlite3_malloc takes an int

std::uint64_t roundUp(std::uint64_t x, std::uint64_t multiple) { return (x + multiple - 1) / multiple * multiple; }
bool isPowerOfTwo(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }
}  // namespace

Allocator::Allocator(LinearMemory& memory, ResizeFn resize, EventLog* log, AllocatorConfig config)
    : memory_(memory), resize_(std::move(resize)), log_(log) {
  restart(config);
}

void Allocator::restart(AllocatorConfig config) {
  if (config.heapBase == 0 || config.heapBase % kMinAlignment != 0 || config.redzone % kMinAlignment != 0)
    raise(Error{ErrorKind::InvalidArgument,
                "allocator heapBase must be a non-zero multiple of 8 and redzone a multiple of 8"});
  config_ = config;
  break_ = config_.heapBase;
  release();
}

void Allocator::release() {
  blocks_.clear();
  freeRanges_.clear();
}

Address Allocator::malloc(std::uint64_t size) {
  if (config_.heap) return placed(config_.heap->malloc(size), size, size, size);
  return memalign(kMinAlignment, size);
}

Address Allocator::memalign(std::uint64_t alignment, std::uint64_t size) {
  if (!isPowerOfTwo(alignment)) return 0;
  if (config_.heap) return placed(config_.heap->memalign(alignment, size), size, size, size);
  if (size > kMaxRequest) return 0;
  if (size == 0 && config_.zeroSize == ZeroSizeAlloc::Fails) return 0;
  return place(alignment, size, size);
}

Address Allocator::memalignFromJs(std::uint64_t alignment, double size) {
  const std::uint64_t wrapped = toUint32(size);  // the i32 parameter, read as size_t
  const bool representable = size >= 0 && size < 18446744073709551616.0;
  const std::uint64_t logged = representable ? static_cast<std::uint64_t>(size) : wrapped;
  if (!isPowerOfTwo(alignment)) return 0;
  if (config_.heap) return placed(config_.heap->memalign(alignment, wrapped), wrapped, wrapped, logged);
  if (wrapped > kMaxRequest) return 0;
  return place(alignment, wrapped, logged);
}

Address Allocator::place(std::uint64_t alignment, std::uint64_t size, std::uint64_t loggedSize) {
  alignment = std::max(alignment, kMinAlignment);
  // A zero-size block still takes 8 bytes, so its pointer is unique.
  const std::uint64_t footprint = roundUp(std::max<std::uint64_t>(size, 1), kMinAlignment) + config_.redzone;
  std::optional<Address> ptr = carveFromFreeList(alignment, footprint);
  if (!ptr) ptr = extendBreak(alignment, footprint);
  if (!ptr) return 0;
  memory_.unpoison(*ptr, size);  // only the requested bytes become addressable (SAFE-2)
  return placed(*ptr, size, footprint, loggedSize);
}

Address Allocator::placed(Address ptr, std::uint64_t size, std::uint64_t footprint, std::uint64_t loggedSize) {
  if (ptr == 0) return 0;
  blocks_[ptr] = Block{size, footprint};
  if (log_) log_->record(AllocEvent{ptr, loggedSize});
  return ptr;
}

Address Allocator::mallocFromJs(std::uint64_t size) {
  const std::uint64_t wrapped = size % 4294967296u;  // the i32 parameter
  if (wrapped >= 2147483648u) return 0;              // a negative int: sqlite3_malloc returns NULL
  if (wrapped == 0 && config_.zeroSize == ZeroSizeAlloc::Fails) return 0;
  if (config_.heap) return placed(config_.heap->malloc(wrapped), wrapped, wrapped, size);
  return place(kMinAlignment, wrapped, size);
}

Result<Address> Allocator::alloc(std::uint64_t size) {
  const Address p = speaks(Variant::AllocSizeWraps) ? mallocFromJs(size) : malloc(size);
  if (p == 0)
    return fail(ErrorKind::AllocFailed, [&] { return "allocation of " + std::to_string(size) + " bytes failed"; });
  return p;
}

std::optional<Address> Allocator::carveFromFreeList(std::uint64_t alignment, std::uint64_t footprint) {
  for (auto it = freeRanges_.begin(); it != freeRanges_.end(); ++it) {  // first fit
    const std::uint64_t start = it->first, end = start + it->second;
    const std::uint64_t ptr = roundUp(start, alignment);
    if (ptr <= end && footprint <= end - ptr) {
      takeRange(it, static_cast<Address>(ptr), footprint);
      return static_cast<Address>(ptr);
    }
  }
  return std::nullopt;
}

std::optional<Address> Allocator::extendBreak(std::uint64_t alignment, std::uint64_t footprint) {
  // Start from the free range that ends at the break, if any, so it is not wasted.
  std::uint64_t start = break_;
  if (!freeRanges_.empty()) {
    auto last = std::prev(freeRanges_.end());
    if (std::uint64_t{last->first} + last->second == break_) start = last->first;
  }
  const std::uint64_t ptr = roundUp(start, alignment);
  const std::uint64_t newBreak = ptr + footprint;
  if (newBreak >= kAddressSpace) return std::nullopt;
  if (newBreak > memory_.byteLength()) {
    if (!resize_ || !resize_(static_cast<double>(newBreak))) return std::nullopt;
    if (newBreak > memory_.byteLength()) return std::nullopt;  // a resize that claimed success but did not grow
  }
  // No free range could hold the block, so newBreak is past the old break.
  releaseRange(break_, newBreak - break_);  // the new bytes join the free list ...
  break_ = static_cast<Address>(newBreak);
  auto range = std::prev(freeRanges_.upper_bound(static_cast<Address>(ptr)));
  takeRange(range, static_cast<Address>(ptr), footprint);  // ... and are carved at once
  return static_cast<Address>(ptr);
}

void Allocator::takeRange(std::pmr::map<Address, std::uint64_t>::iterator range, Address ptr, std::uint64_t footprint) {
  const std::uint64_t start = range->first, end = start + range->second;
  freeRanges_.erase(range);
  if (ptr > start) freeRanges_[static_cast<Address>(start)] = ptr - start;  // alignment gap stays free
  const std::uint64_t tail = std::uint64_t{ptr} + footprint;
  if (tail < end) freeRanges_[static_cast<Address>(tail)] = end - tail;
}

void Allocator::releaseRange(Address start, std::uint64_t length) {
  std::uint64_t s = start, e = std::uint64_t{start} + length;
  auto next = freeRanges_.lower_bound(start);
  if (next != freeRanges_.begin()) {
    auto prev = std::prev(next);
    if (std::uint64_t{prev->first} + prev->second == s) {
      s = prev->first;
      freeRanges_.erase(prev);
    }
  }
  if (next != freeRanges_.end() && next->first == e) {
    e += next->second;
    freeRanges_.erase(next);
  }
  freeRanges_[static_cast<Address>(s)] = e - s;
}

Result<void> Allocator::dealloc(Address ptr) {
  if (ptr == 0) return {};
  auto it = blocks_.find(ptr);
  if (it == blocks_.end() && speaks(Variant::DeallocUnchecked)) {
    // Upstream's sqlite3_free of a block that is not live: dlmalloc's own
    // business (a double free corrupts its heap); this allocator keeps its
    // state and only reports the call (a module's heap gets the call).
    if (log_) log_->record(DeallocEvent{ptr});
    if (config_.heap) config_.heap->free(ptr);
    return {};
  }
  if (it == blocks_.end())
    return fail(ErrorKind::InvalidArgument,
                [&] { return "dealloc(" + std::to_string(ptr) + "): not a live allocation"; });
  const Block block = it->second;
  blocks_.erase(it);
  if (config_.heap) {
    if (log_) log_->record(DeallocEvent{ptr});
    config_.heap->free(ptr);
    return {};
  }
  if (config_.freedFill) memory_.internalFill(ptr, *config_.freedFill, static_cast<std::size_t>(block.size));
  memory_.poison(ptr, block.footprint);  // freed bytes are no longer addressable (SAFE-2)
  releaseRange(ptr, block.footprint);
  if (log_) log_->record(DeallocEvent{ptr});
  return {};
}

std::optional<std::uint64_t> Allocator::sizeOf(Address ptr) const {
  auto it = blocks_.find(ptr);
  if (it == blocks_.end()) return std::nullopt;
  return it->second.size;
}

std::map<Address, std::uint64_t> Allocator::live() const {
  std::map<Address, std::uint64_t> out;
  for (const auto& [p, b] : blocks_) out[p] = b.size;
  return out;
}

}  // namespace memconform
