#include "core/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "core/asan_poison.h"
#include "core/errors.h"

namespace memconform {
namespace {

// Address-space reservations kept for reuse. A conformance run creates one
// memory per vector, and mapping and unmapping a 2 GiB range each time costs
// more than the vector itself. A returned range is decommitted first
// (MADV_DONTNEED hands back zero pages, PROT_NONE closes it), so a reused
// reservation is indistinguishable from a fresh one.
class ReservationCache {
 public:
  std::uint8_t* take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second == bytes) {
        auto* p = it->first;
        free_.erase(it);
        return p;
      }
    return nullptr;
  }
  void give(std::uint8_t* p, std::size_t bytes, std::size_t committed) {
    const bool clean = committed == 0 || (madvise(p, committed, MADV_DONTNEED) == 0 &&
                                          mprotect(p, committed, PROT_NONE) == 0);
    std::lock_guard lock(mutex_);
    if (clean && free_.size() < kKept) free_.emplace_back(p, bytes);
    else munmap(p, bytes);
  }

 private:
  static constexpr std::size_t kKept = 32;  // fuzzers cycle through a few dozen memory sizes
  std::mutex mutex_;
  std::vector<std::pair<std::uint8_t*, std::size_t>> free_;
};

ReservationCache& reservations() {
  static auto* cache = new ReservationCache;  // never destroyed: memories may outlive static destruction
  return *cache;
}

}  // namespace

LinearMemory::LinearMemory(MemoryConfig config, GrowthFaults faults, EventLog* log)
    : config_(config), faults_(std::move(faults)), log_(log) {
  if (config_.maximumPages > kWasm32MaxPages || config_.initialPages > config_.maximumPages)
    fail(ErrorKind::InvalidArgument, "memory limits initial=" + std::to_string(config_.initialPages) +
                                         " maximum=" + std::to_string(config_.maximumPages) +
                                         " pages: need initial <= maximum <= 65536");
  reserved_ = static_cast<std::size_t>(config_.maximumPages) * kPageSize;
  if (reserved_ > 0) base_ = reservations().take(reserved_);
  if (reserved_ > 0 && base_ == nullptr) {
    // Reserve address space only; mprotect commits pages as the memory grows,
    // and the kernel backs them with RAM only when they are first touched.
    void* p = mmap(nullptr, reserved_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw std::runtime_error("cannot reserve " + std::to_string(reserved_) + " bytes: " + std::strerror(errno));
    base_ = static_cast<std::uint8_t*>(p);
  }
  const std::uint32_t initial = config_.initialPages;
  if (initial > 0) {
    if (mprotect(base_, std::size_t{initial} * kPageSize, PROT_READ | PROT_WRITE) != 0)
      throw std::runtime_error(std::string("cannot commit the initial memory: ") + std::strerror(errno));
    pages_ = initial;
    poison(0, byteLength());  // nothing is allocated yet (SAFE-2)
  }
}

LinearMemory::~LinearMemory() {
  if (base_ == nullptr) return;
  asan::unpoison(base_, static_cast<std::size_t>(byteLength()));  // the address range may be reused
  reservations().give(base_, reserved_, static_cast<std::size_t>(byteLength()));
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
    const std::size_t from = std::size_t{old} * kPageSize;
    const std::size_t bytes = std::size_t{deltaPages} * kPageSize;
    // An engine refusing memory is a failed grow, exactly like MEM-5's faults.
    ok = mprotect(base_ + from, bytes, PROT_READ | PROT_WRITE) == 0;
    if (ok) {
      pages_ = old + deltaPages;
      asan::poison(base_ + from, bytes);  // fresh bytes belong to no allocation (SAFE-2)
    }
  }
  if (ok) ++generation_;  // every successful grow refreshes the buffer (VIEW-2)
  if (log_) log_->record(GrowEvent{deltaPages, ok});
  if (!ok) return std::nullopt;
  return old;
}

void LinearMemory::checkAccess(std::int64_t address, std::uint64_t length, const char* what) const {
  if (address >= 0 && contains(static_cast<std::uint64_t>(address), length)) return;
  fail(ErrorKind::OutOfBounds, std::string("out of bounds ") + what + ": access at " + std::to_string(address) + "+" +
                                   std::to_string(length) + " > byteLength " + std::to_string(byteLength()));
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerRead(Address address, void* out, std::size_t n) const {
  const volatile std::uint8_t* src = base_ + address;
  auto* dst = static_cast<std::uint8_t*>(out);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerWrite(Address address, const void* in, std::size_t n) {
  callerWrites_ += n != 0;
  volatile std::uint8_t* dst = base_ + address;
  const auto* src = static_cast<const std::uint8_t*>(in);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerFill(Address address, std::uint8_t byte, std::uint64_t n) {
  callerWrites_ += n != 0;
  volatile std::uint8_t* dst = base_ + address;
  for (std::uint64_t i = 0; i < n; ++i) dst[i] = byte;
}

void LinearMemory::internalWrite(Address address, const void* in, std::size_t n) {
  std::memcpy(base_ + address, in, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::internalFill(Address address, std::uint8_t byte, std::size_t n) {
  std::memset(base_ + address, byte, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::poison(Address address, std::uint64_t n) {
  asan::poison(base_ + address, static_cast<std::size_t>(n));
}
void LinearMemory::unpoison(Address address, std::uint64_t n) {
  asan::unpoison(base_ + address, static_cast<std::size_t>(n));
}
bool LinearMemory::isPoisoned(Address address) const { return asan::isPoisoned(base_ + address); }

}  // namespace memconform
