#include "core/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/asan_poison.h"
#include "core/errors.h"

namespace memconform {
namespace {

// Address-space reservations kept for reuse. A conformance run creates one
// memory per vector and a fuzzer one per input; mapping a 2 GiB range,
// committing its pages and writing its ASan shadow each time costs more than
// the ops themselves. A returned range keeps its committed pages, zeroed
// where they were written, and its shadow poisoned (nothing is allocated in
// it), so that a reused reservation is indistinguishable from a fresh one
// and, when it has the same size, needs no system call at all.
struct Reservation {
  std::uint8_t* base = nullptr;
  std::size_t bytes = 0;      // reserved address space
  std::size_t committed = 0;  // [0, committed) is readable, writable, zero and poisoned
  std::size_t poisoned = 0;   // the shadow is poisoned below this (committed at some time)
};

// Under ASan the bytes past a memory's end are poisoned, which stops every
// access the implementation makes there (SAFE-2), so their pages stay open:
// closing them when a smaller memory reuses the range, and opening them again
// when it grows, cost a system call each (an mprotect was 2% of a fuzzer's
// time). Without ASan they are closed, so that a stray access faults.
constexpr bool kKeepPagesOpen = asan::enabled();

class ReservationCache {
 public:
  std::optional<Reservation> take(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->bytes == bytes) {
        const Reservation r = *it;
        free_.erase(it);
        return r;
      }
    return std::nullopt;
  }
  void give(const Reservation& r) {
    std::unique_lock lock(mutex_);
    if (free_.size() < kKept) {
      free_.push_back(r);
      return;
    }
    lock.unlock();
    release(r);
  }
  // Unmaps a range for good: its shadow must not stay poisoned for whatever
  // is mapped there next.
  static void release(const Reservation& r) {
    asan::unpoison(r.base, r.poisoned);
    munmap(r.base, r.bytes);
  }

 private:
  static constexpr std::size_t kKept = 32;  // fuzzers cycle through a few dozen memory sizes
  std::mutex mutex_;
  std::vector<Reservation> free_;
};

ReservationCache& reservations() {
  static auto* cache = new ReservationCache;  // never destroyed: memories may outlive static destruction
  return *cache;
}

bool setAccess(std::uint8_t* p, std::size_t n, int protection) { return n == 0 || mprotect(p, n, protection) == 0; }

// Zeroes bytes that may be poisoned (the memory's own cleanup, not an access
// on anybody's behalf): uninstrumented, a word at a time.
MEMCONFORM_CALLER_ACCESS void zeroUnchecked(std::uint8_t* p, std::size_t n) {
  volatile std::uint8_t* b = p;
  while (n > 0 && reinterpret_cast<std::uintptr_t>(b) % 8 != 0) *b++ = 0, --n;
  volatile std::uint64_t* w = reinterpret_cast<volatile std::uint64_t*>(const_cast<std::uint8_t*>(b));
  for (; n >= 8; n -= 8) *w++ = 0;
  b = reinterpret_cast<volatile std::uint8_t*>(w);
  while (n > 0) *b++ = 0, --n;
}

}  // namespace

LinearMemory::LinearMemory(MemoryConfig config, GrowthFaults faults, EventLog* log)
    : config_(config), faults_(std::move(faults)), log_(log) {
  if (config_.maximumPages > kWasm32MaxPages || config_.initialPages > config_.maximumPages)
    raise(fail(ErrorKind::InvalidArgument, "memory limits initial=" + std::to_string(config_.initialPages) +
                                               " maximum=" + std::to_string(config_.maximumPages) +
                                               " pages: need initial <= maximum <= 65536"));
  reserved_ = static_cast<std::size_t>(config_.maximumPages) * kPageSize;
  if (reserved_ == 0) return;
  const std::size_t initial = std::size_t{config_.initialPages} * kPageSize;
  std::optional<Reservation> reused = reservations().take(reserved_);
  if (!reused) {
    // Reserve address space only; mprotect commits pages as the memory grows,
    // and the kernel backs them with RAM only when they are first touched.
    void* p = mmap(nullptr, reserved_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw std::runtime_error("cannot reserve " + std::to_string(reserved_) + " bytes: " + std::strerror(errno));
    reused = Reservation{static_cast<std::uint8_t*>(p), reserved_, 0, 0};
  }
  base_ = reused->base;
  poisonedBelow_ = reused->poisoned;
  // Missing pages are opened, zero; pages above the initial size are closed
  // unless they stay open (kKeepPagesOpen).
  const std::size_t was = reused->committed;
  open_ = initial < was && kKeepPagesOpen ? was : initial;
  const bool ok = initial < was ? setAccess(base_ + open_, was - open_, PROT_NONE)
                                : setAccess(base_ + was, initial - was, PROT_READ | PROT_WRITE);
  if (!ok) {
    ReservationCache::release(*reused);
    throw std::runtime_error(std::string("cannot commit the initial memory: ") + std::strerror(errno));
  }
  pages_ = config_.initialPages;
  poisonFresh(0, initial);  // nothing is allocated yet (SAFE-2)
}

void LinearMemory::poisonFresh(std::size_t from, std::size_t to) {
  // Below poisonedBelow_ the shadow is still poisoned: nothing was allocated
  // past the end of the memory since.
  from = std::max(from, poisonedBelow_);
  if (to > from) poison(from, to - from);
}

LinearMemory::~LinearMemory() {
  if (base_ == nullptr) return;
  // Back to "zero and poisoned" where this memory changed it.
  const std::size_t committed = static_cast<std::size_t>(byteLength());
  if (dirtyEnd_ > dirtyBegin_) {
    if (dirtyEnd_ - dirtyBegin_ <= kZeroInPlace) {
      zeroUnchecked(base_ + dirtyBegin_, dirtyEnd_ - dirtyBegin_);
    } else {
      const std::size_t from = dirtyBegin_ / kPageSize * kPageSize;
      if (madvise(base_ + from, committed - from, MADV_DONTNEED) != 0) {  // hands back zero pages
        ReservationCache::release({base_, reserved_, open_, std::max(poisonedBelow_, open_)});
        return;
      }
    }
  }
  if (unpoisonedEnd_ > unpoisonedBegin_) asan::poison(base_ + unpoisonedBegin_, unpoisonedEnd_ - unpoisonedBegin_);
  reservations().give({base_, reserved_, open_, std::max(poisonedBelow_, open_)});
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
    const std::size_t to = from + std::size_t{deltaPages} * kPageSize;
    // An engine refusing memory is a failed grow, exactly like MEM-5's faults.
    if (to > open_) {
      ok = setAccess(base_ + open_, to - open_, PROT_READ | PROT_WRITE);
      if (ok) open_ = to;
    }
    if (ok) {
      pages_ = old + deltaPages;
      poisonFresh(from, to);  // fresh bytes belong to no allocation (SAFE-2)
    }
  }
  if (ok) ++generation_;  // every successful grow refreshes the buffer (VIEW-2)
  if (log_) log_->record(GrowEvent{deltaPages, ok});
  if (!ok) return std::nullopt;
  return old;
}

Result<void> LinearMemory::checkAccess(std::int64_t address, std::uint64_t length, const char* what) const {
  if (address >= 0 && contains(static_cast<std::uint64_t>(address), length)) return {};
  return fail(ErrorKind::OutOfBounds, std::string("out of bounds ") + what + ": access at " + std::to_string(address) +
                                          "+" + std::to_string(length) + " > byteLength " + std::to_string(byteLength()));
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerRead(Address address, void* out, std::size_t n) const {
  const volatile std::uint8_t* src = base_ + address;
  auto* dst = static_cast<std::uint8_t*>(out);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

void LinearMemory::written(Address address, std::uint64_t n) {
  if (n == 0) return;
  dirtyBegin_ = std::min<std::size_t>(dirtyBegin_, address);
  dirtyEnd_ = std::max<std::size_t>(dirtyEnd_, address + n);
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerWrite(Address address, const void* in, std::size_t n) {
  callerWrites_ += n != 0;
  written(address, n);
  volatile std::uint8_t* dst = base_ + address;
  const auto* src = static_cast<const std::uint8_t*>(in);
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

MEMCONFORM_CALLER_ACCESS void LinearMemory::callerFill(Address address, std::uint8_t byte, std::uint64_t n) {
  callerWrites_ += n != 0;
  written(address, n);
  volatile std::uint8_t* dst = base_ + address;
  for (std::uint64_t i = 0; i < n; ++i) dst[i] = byte;
}

void LinearMemory::internalWrite(Address address, const void* in, std::size_t n) {
  written(address, n);
  std::memcpy(base_ + address, in, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::internalFill(Address address, std::uint8_t byte, std::size_t n) {
  // Bytes outside the range written so far are still zero (a reused
  // reservation comes back zeroed): zeroing them again would only commit
  // pages that the destructor then has to clear. Only the written part of the
  // range is zeroed, after the same SAFE-2 check the full memset would make;
  // a poisoned byte takes the full memset, so that ASan reports it.
  if (byte == 0 && !asan::anyPoisoned(base_ + address, n)) {
    const std::size_t from = std::max<std::size_t>(address, dirtyBegin_), to = std::min(address + n, dirtyEnd_);
    if (from < to) std::memset(base_ + from, 0, to - from);
    return;
  }
  written(address, n);
  std::memset(base_ + address, byte, n);  // ASan checks the range (SAFE-2)
}

void LinearMemory::poison(Address address, std::uint64_t n) {
  asan::poison(base_ + address, static_cast<std::size_t>(n));
}
void LinearMemory::unpoison(Address address, std::uint64_t n) {
  if (n == 0) return;
  unpoisonedBegin_ = std::min<std::size_t>(unpoisonedBegin_, address);
  unpoisonedEnd_ = std::max<std::size_t>(unpoisonedEnd_, address + n);
  asan::unpoison(base_ + address, static_cast<std::size_t>(n));
}
bool LinearMemory::isPoisoned(Address address) const { return asan::isPoisoned(base_ + address); }

}  // namespace memconform
