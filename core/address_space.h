// The address space behind a LinearMemory (memory.h, MEM-1..3): the
// memory's maximum reserved up front, pages opened as it grows, and the
// range kept for the next memory of the same size when it goes (a
// conformance run makes one memory per vector, a fuzzer one per input):
// zeroed where it was written and poisoned (SAFE-2), so that a reused range
// is indistinguishable from a fresh one.
//
// Not counted as fuzz coverage (fuzz/coverage_ignorelist.txt): what a range
// needs here (reserving, opening pages, poisoning shadow) depends on the
// memories that had it before, not on this memory's ops. Counted, it gave
// the same input different coverage from one execution to the next.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/memory_storage.h"

namespace memconform {

// The pages of a range that its memories zeroed in place since its pages
// were last handed back to the kernel: at most `sum` bytes, all inside
// [begin, end).
struct KeptPages {
  std::size_t begin = SIZE_MAX, end = 0, sum = 0;
  std::size_t bound() const { return end > begin ? std::min(sum, end - begin) : 0; }
};

class AddressSpace final : public MemoryStorage {
 public:
  // `reserved` bytes of address space, [0, initial) readable, writable,
  // zero and poisoned. Throws std::runtime_error if the system refuses.
  AddressSpace(std::size_t reserved, std::size_t initial);
  // Zeroes what was written, poisons again what was unpoisoned, and keeps
  // the range for the next memory (or unmaps it).
  ~AddressSpace() override;
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  std::uint8_t* base() const override { return base_; }
  // The memory is now `to` bytes long (a grow): its new bytes are readable,
  // writable, zero and poisoned. False, and nothing changes, if the system
  // refuses to open the pages.
  bool grow(std::size_t to) override;

  // What the next memory must get back: bytes written and bytes unpoisoned.
  void written(std::size_t from, std::size_t n) override;
  void unpoisoned(std::size_t from, std::size_t n) override;
  // [begin, end) covers every byte written so far (empty: begin >= end).
  std::pair<std::size_t, std::size_t> writtenRange() const override { return {writtenBegin_, writtenEnd_}; }
  bool guardedPastTheEnd() const override { return true; }

 private:
  // Poisons [from, to) where its shadow may not be poisoned yet.
  void poisonFresh(std::size_t from, std::size_t to);

  // Puts back what this memory wrote: zero, poisoned. False if the system
  // refused (the range is unmapped then).
  bool zeroWritten();

  // Up to this many written bytes are zeroed in place when the memory goes,
  // their pages kept: a fuzzer's next input writes there again, and a page
  // handed back costs a fault when it does. More, and the range's pages are
  // handed back to the kernel.
  static constexpr std::size_t kZeroInPlace = 8 * 1024 * 1024;
  // What the pages a range keeps may add up to (zeroing in place keeps
  // pages wherever each memory wrote) before they are all handed back: the
  // reservations kept (address_space.cpp) keep a fuzzer's RSS bounded.
  static constexpr std::size_t kKeptResident = 16 * 1024 * 1024;
  // The written bytes as a few disjoint spans (a string at the bottom of a
  // 2 GiB memory and another at its top are two), so that what is zeroed
  // in place is what was written, not everything between.
  struct Span {
    std::size_t begin, end;
  };
  static constexpr std::size_t kSpans = 8;

  std::uint8_t* base_ = nullptr;
  std::size_t reserved_ = 0;
  std::size_t length_ = 0;  // the memory's byteLength
  std::size_t open_ = 0;    // [0, open_) is readable and writable: length_, or more (address_space.cpp)
  std::size_t writtenBegin_ = SIZE_MAX, writtenEnd_ = 0;  // the spans' hull
  std::array<Span, kSpans> spans_{};
  std::size_t spanCount_ = 0;
  KeptPages kept_;  // the range's, kept with it
  std::size_t unpoisonedBegin_ = SIZE_MAX, unpoisonedEnd_ = 0;
  std::size_t poisonedBelow_ = 0;  // the shadow was poisoned below this before this memory
};

}  // namespace memconform
