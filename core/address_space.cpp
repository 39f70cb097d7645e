#include "core/address_space.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/asan_poison.h"
#include "core/memory.h"

namespace memconform {
namespace {

// A range kept for reuse. Mapping a 2 GiB range, committing its pages and
// writing its ASan shadow for every memory costs more than the ops
// themselves. A returned range keeps its committed pages, zeroed where they
// were written, and its shadow poisoned (nothing is allocated in it); with
// the same size it needs no system call at all.
struct Reservation {
  std::uint8_t* base = nullptr;
  std::size_t bytes = 0;      // reserved address space
  std::size_t committed = 0;  // [0, committed) is readable, writable, zero and poisoned
  std::size_t poisoned = 0;   // the shadow is poisoned below this (committed at some time)
  KeptPages kept;  // AddressSpace::kept_
};

// ASan's shadow byte describes 8 bytes: open from the first, up to a count.
constexpr std::size_t kShadowGranule = 8;

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

}  // namespace

AddressSpace::AddressSpace(std::size_t reserved, std::size_t initial) : reserved_(reserved) {
  if (reserved_ == 0) return;
  std::optional<Reservation> reused = reservations().take(reserved_);
  if (!reused) {
    // Reserve address space only; mprotect commits pages as the memory grows,
    // and the kernel backs them with RAM only when they are first touched.
    void* p = mmap(nullptr, reserved_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw std::runtime_error("cannot reserve " + std::to_string(reserved_) + " bytes: " + std::strerror(errno));
    reused = Reservation{static_cast<std::uint8_t*>(p), reserved_, 0, 0, {}};
  }
  base_ = reused->base;
  poisonedBelow_ = reused->poisoned;
  kept_ = reused->kept;
  // Missing pages are opened, zero. The pages past the initial size stay
  // open: closing them, and opening them again when the memory grows, cost a
  // system call each (an mprotect was 2% of a fuzzer's time), and closing
  // pages that were in use flushes them from every core's TLB. Without ASan,
  // that was 59% of the time of a fuzz input (docs/PERFORMANCE.md,
  // 2026-12-07, late night). Under ASan the bytes past the end are poisoned,
  // which stops every access the implementation makes there (SAFE-2);
  // without it, there as inside freed blocks, the reference's own bounds
  // checks stand alone (a release build is for speed, an ASan build for
  // finding bugs).
  const std::size_t was = reused->committed;
  open_ = std::max(initial, was);
  if (!setAccess(base_ + was, open_ - was, PROT_READ | PROT_WRITE)) {
    ReservationCache::release(*reused);
    throw std::runtime_error(std::string("cannot commit the initial memory: ") + std::strerror(errno));
  }
  poisonFresh(0, initial);  // nothing is allocated yet (SAFE-2)
  length_ = initial;
}

AddressSpace::~AddressSpace() {
  if (base_ == nullptr) return;
  // Back to "zero and poisoned" where this memory changed it.
  if (!zeroWritten()) return;
  if (unpoisonedEnd_ > unpoisonedBegin_) asan::poison(base_ + unpoisonedBegin_, unpoisonedEnd_ - unpoisonedBegin_);
  reservations().give({base_, reserved_, open_, std::max(poisonedBelow_, open_), kept_});
}

bool AddressSpace::zeroWritten() {
  KeptPages kept = kept_;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < spanCount_; ++i) {
    bytes += spans_[i].end - spans_[i].begin;
    kept = {std::min(kept.begin, spans_[i].begin), std::max(kept.end, spans_[i].end), kept.sum + spans_[i].end - spans_[i].begin};
  }
  if (bytes <= kZeroInPlace && kept.bound() <= kKeptResident) {
    kept_ = kept;
    for (std::size_t i = 0; i < spanCount_; ++i) {
      // The memory's own cleanup, not an access on anybody's behalf: what
      // was freed is poisoned, so it is opened for the fill and closed again,
      // in whole shadow granules: poisoning from inside one would leave its
      // first bytes open for the next memory (a caller's poke at an odd
      // address outside any block), where nothing is allocated (SAFE-2).
      const std::size_t from = spans_[i].begin / kShadowGranule * kShadowGranule;
      const std::size_t to = (spans_[i].end + kShadowGranule - 1) / kShadowGranule * kShadowGranule;
      std::uint8_t* p = base_ + from;
      const std::size_t n = to - from;
      asan::unpoison(p, n);
      std::memset(p, 0, n);
      asan::poison(p, n);
    }
    return true;
  }
  // Every page this range has open, handed back as zero pages: those that
  // earlier memories kept too.
  kept_ = {};
  if (open_ == 0 || madvise(base_, open_, MADV_DONTNEED) == 0) return true;
  ReservationCache::release({base_, reserved_, open_, std::max(poisonedBelow_, open_), {}});
  return false;
}

bool AddressSpace::grow(std::size_t to) {
  if (to > open_) {
    if (!setAccess(base_ + open_, to - open_, PROT_READ | PROT_WRITE)) return false;
    open_ = to;
  }
  poisonFresh(length_, to);  // fresh bytes belong to no allocation (SAFE-2)
  length_ = to;
  return true;
}

void AddressSpace::poisonFresh(std::size_t from, std::size_t to) {
  // Below poisonedBelow_ the shadow is still poisoned: nothing was allocated
  // past the end of a memory since.
  from = std::max(from, poisonedBelow_);
  if (to > from) asan::poison(base_ + from, to - from);
}

void AddressSpace::written(std::size_t from, std::size_t n) {
  if (n == 0) return;
  const std::size_t to = from + n;
  writtenBegin_ = std::min(writtenBegin_, from);
  writtenEnd_ = std::max(writtenEnd_, to);
  // Into the span it touches or comes within a page of; a new one if there
  // is none; into the nearest if all are taken. Spans may come to overlap:
  // zeroed twice, no harm.
  std::size_t nearest = 0, gap = SIZE_MAX;
  for (std::size_t i = 0; i < spanCount_; ++i) {
    const Span& s = spans_[i];
    const std::size_t apart = to < s.begin ? s.begin - to : from > s.end ? from - s.end : 0;
    if (apart < gap) nearest = i, gap = apart;
  }
  if (gap > kPageSize && spanCount_ < kSpans) {
    spans_[spanCount_++] = {from, to};
    return;
  }
  Span& s = spans_[nearest];
  s.begin = std::min(s.begin, from);
  s.end = std::max(s.end, to);
}

void AddressSpace::unpoisoned(std::size_t from, std::size_t n) {
  if (n == 0) return;
  unpoisonedBegin_ = std::min(unpoisonedBegin_, from);
  unpoisonedEnd_ = std::max(unpoisonedEnd_, from + n);
}

}  // namespace memconform
