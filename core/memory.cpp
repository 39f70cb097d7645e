#include "core/memory.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/asan_poison.h"
#include "core/dialects.h"
#include "core/errors.h"
#include "core/run_buffers.h"

namespace memconform {
namespace {

MemoryConfig checked(MemoryConfig config) {
  if (config.maximumPages > kWasm32MaxPages || config.initialPages > config.maximumPages)
    raise(Error{ErrorKind::InvalidArgument, "memory limits initial=" + std::to_string(config.initialPages) +
                                                " maximum=" + std::to_string(config.maximumPages) +
                                                " pages: need initial <= maximum <= 65536"});
  return config;
}

}  // namespace

LinearMemory::LinearMemory(MemoryConfig config, GrowthFaults faults, EventLog* log)
    : config_(checked(config)), faults_(std::move(faults)), log_(log), ownsStorage_(true) {
  openOwnStorage();
  startCounting();
}

LinearMemory::LinearMemory(MemoryConfig config, std::unique_ptr<MemoryStorage> storage, GrowthFaults faults,
                           EventLog* log)
    : config_(checked(config)), faults_(std::move(faults)), log_(log), foreign_(std::move(storage)) {
  storage_ = foreign_.get();
  startCounting();
}

void LinearMemory::restart(MemoryConfig config, const GrowthFaults& faults) {
  if (!ownsStorage_) throw std::logic_error("LinearMemory::restart over bytes it does not own");
  release();  // first: its range is kept for the new bytes (address_space.h)
  config_ = checked(config);  // a bad maximum reserves nothing
  copyKeepingBuffers(faults_, faults);
  openOwnStorage();
  startCounting();
}

void LinearMemory::release() {
  storage_ = nullptr;
  own_.reset();
  foreign_.reset();
  copyKeepingBuffers(faults_, GrowthFaults{});
}

// The reference's own bytes (MEM-1..3): the maximum reserved, the initial
// pages open.
void LinearMemory::openOwnStorage() {
  own_.emplace(std::size_t{config_.maximumPages} * kPageSize, std::size_t{config_.initialPages} * kPageSize);
  storage_ = &*own_;
}

void LinearMemory::startCounting() {
  pages_ = config_.initialPages;
  generation_ = 0;
  runtimeViews_ = 0;
  // The glue fills its cache while the module starts, from the initial buffer.
  accessorCache_.emplace(0, byteLength());
  growCalls_ = 0;
  callerWrites_ = 0;
}

bool LinearMemory::faultInjected(std::uint64_t ordinal, std::uint64_t newPages) const {
  if (faults_.failAbovePages && newPages > *faults_.failAbovePages) return true;
  return std::find(faults_.failAttempts.begin(), faults_.failAttempts.end(), ordinal) != faults_.failAttempts.end();
}

std::optional<std::uint32_t> LinearMemory::grow(std::uint32_t deltaPages) {
  const std::uint64_t ordinal = ++growCalls_;
  const std::uint32_t old = pages_;
  // wabt's CanGrow shape: max >= delta && old <= max - delta, no overflow.
  const bool fits = config_.maximumPages >= deltaPages && old <= config_.maximumPages - deltaPages;
  bool ok = fits && !faultInjected(ordinal, std::uint64_t{old} + deltaPages);
  if (ok && deltaPages > 0) {
    // An engine refusing memory is a failed grow, exactly like MEM-5's faults.
    ok = storage_->grow((std::size_t{old} + deltaPages) * kPageSize);
    if (ok) pages_ = old + deltaPages;
  }
  if (ok) ++generation_;  // every successful grow refreshes the buffer (VIEW-2)
  if (log_) log_->record(GrowEvent{deltaPages, ok});
  if (!ok) return std::nullopt;
  return old;
}

void LinearMemory::grewOutside(std::uint32_t pages) {
  if (pages <= pages_) return;
  ++growCalls_;
  const std::uint32_t delta = pages - pages_;
  pages_ = pages;
  ++generation_;
  if (log_) log_->record(GrowEvent{delta, true});
}

std::uint64_t LinearMemory::accessorGeneration() const {
  if (speaks(Variant::HeapViewsAreRuntimes)) return runtimeViews_;  // Emscripten's HEAP8 ... (VIEW-2)
  if (!speaks(Variant::ViewsCachedByLength)) return generation_;
  // upstream's heapWrappers(): new views only when byteLength changed.
  if (accessorCache_->second != byteLength()) accessorCache_.emplace(generation_, byteLength());
  return accessorCache_->first;
}

Result<void> LinearMemory::checkAccess(std::int64_t address, std::uint64_t length, const char* what) const {
  if (address >= 0 && contains(static_cast<std::uint64_t>(address), length)) return {};
  return fail(ErrorKind::OutOfBounds, [&] {
    return std::string("out of bounds ") + what + ": access at " + std::to_string(address) + "+" +
           std::to_string(length) + " > byteLength " + std::to_string(byteLength());
  });
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerRead(Address address, void* out, std::size_t n) const {
  const volatile std::uint8_t* src = storage_->base() + address;
  auto* dst = static_cast<std::uint8_t*>(out);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

void LinearMemory::written(Address address, std::uint64_t n) { storage_->written(address, static_cast<std::size_t>(n)); }

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerWrite(Address address, const void* in, std::size_t n) {
  callerWrites_ += n != 0;
  written(address, n);
  volatile std::uint8_t* dst = storage_->base() + address;
  const auto* src = static_cast<const std::uint8_t*>(in);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerFill(Address address, std::uint8_t byte, std::uint64_t n) {
  callerWrites_ += n != 0;
  // Zeroes outside the range written so far are there already: an
  // mmapAlloc'd megabyte (ALIGN-2) would otherwise touch every page of it,
  // a byte at a time.
  if (byte == 0) std::tie(address, n) = writtenPart(address, n);
  written(address, n);
  volatile std::uint8_t* dst = storage_->base() + address;
  for (std::uint64_t i = 0; i < n; ++i) dst[i] = byte;
}

std::pair<Address, std::uint64_t> LinearMemory::writtenPart(Address address, std::uint64_t n) const {
  const auto [writtenBegin, writtenEnd] = storage_->writtenRange();
  const std::uint64_t from = std::max<std::uint64_t>(address, writtenBegin), to = std::min<std::uint64_t>(address + n, writtenEnd);
  if (to <= from) return {address, 0};  // nothing written there (from may be past the memory)
  return {from, to - from};
}

std::size_t LinearMemory::insideMemory(Address address, std::size_t n) const {
  if (storage_->guardedPastTheEnd()) return n;  // ASan stops the reference there (SAFE-2)
  const std::uint64_t size = byteLength();
  return address >= size ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(n, size - address));
}

void LinearMemory::internalWrite(Address address, const void* in, std::size_t n) {
  n = insideMemory(address, n);
  written(address, n);
  std::memcpy(storage_->base() + address, in, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::internalFill(Address address, std::uint8_t byte, std::size_t n) {
  // Bytes outside the range written so far are still zero (a reused
  // reservation comes back zeroed): zeroing them again would only commit
  // pages that the destructor then has to clear. Only the written part of the
  // range is zeroed, after the same SAFE-2 check the full memset would make;
  // a poisoned byte takes the full memset, so that ASan reports it.
  n = insideMemory(address, n);
  if (byte == 0 && !asan::anyPoisoned(storage_->base() + address, n)) {
    const auto [from, length] = writtenPart(address, n);
    std::memset(storage_->base() + from, 0, length);
    return;
  }
  written(address, n);
  std::memset(storage_->base() + address, byte, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::poison(Address address, std::uint64_t n) {
  asan::poison(storage_->base() + address, static_cast<std::size_t>(n));
}
void LinearMemory::unpoison(Address address, std::uint64_t n) {
  storage_->unpoisoned(address, static_cast<std::size_t>(n));
  asan::unpoison(storage_->base() + address, static_cast<std::size_t>(n));
}
bool LinearMemory::isPoisoned(Address address) const { return asan::isPoisoned(storage_->base() + address); }

}  // namespace memconform
