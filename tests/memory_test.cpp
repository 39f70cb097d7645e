// MEM-1..5: linear memory.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/address_space.h"
#include "core/asan_poison.h"
#include "core/memory.h"
#include "core/memory_storage.h"
#include "core/resident_memory.h"
#include "core/resize_policy.h"
#include "support.h"

namespace memconform {
namespace {
using testing::byteAt;
using testing::errorOf;

// A memory over bytes of its own as LinearMemory(config) makes them
// (memory.cpp's ownAddressSpace), and where they start.
std::unique_ptr<LinearMemory> memoryAt(const MemoryConfig& config, const std::uint8_t*& base) {
  auto storage = std::make_unique<AddressSpace>(std::size_t{config.maximumPages} * kPageSize,
                                                std::size_t{config.initialPages} * kPageSize);
  base = storage->base();
  return std::make_unique<LinearMemory>(config, std::move(storage), GrowthFaults{}, nullptr);
}

// Runs `dirty` on a memory, drops it, and runs `check` on the next memory
// of `config`, which must get the dropped one's range back: a test of reuse
// that did not reuse would test nothing.
template <class Dirty, class Check>
void reuseAfter(const MemoryConfig& config, Dirty&& dirty, Check&& check, const std::string& what = "") {
  const std::uint8_t *first = nullptr, *second = nullptr;
  dirty(*memoryAt(config, first));
  const auto next = memoryAt(config, second);
  ASSERT_EQ(second, first) << what << "the second memory did not get the first one's range back";
  check(*next);
}

// Rule MEM-1.
TEST(Memory, MEM_1_ByteLengthIsPagesTimes65536) {
  LinearMemory m({3, 10});
  EXPECT_EQ(m.byteLength(), 196608u);
  ASSERT_TRUE(m.grow(2));
  EXPECT_EQ(m.byteLength(), 327680u);
  EXPECT_EQ(m.byteLength() % 65536, 0u);
}

// Rule MEM-1.
TEST(Memory, MEM_1_LimitsAreValidated) {
  EXPECT_EQ(errorOf([] { LinearMemory m({11, 10}); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([] { LinearMemory m({1, 65537}); }), ErrorKind::InvalidArgument);
  LinearMemory empty({0, 0});
  EXPECT_EQ(empty.byteLength(), 0u);
}

// Rule MEM-2.
TEST(Memory, MEM_2_GrowReturnsOldPageCountAndAddsZeroedPages) {
  EventLog log;
  LinearMemory m({1, 4}, {}, &log);
  auto old = m.grow(2);
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, 1u);
  EXPECT_EQ(m.pages(), 3u);
  for (Address a : {65536u, 100000u, 196607u}) EXPECT_EQ(byteAt(m, a), 0);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(std::get<GrowEvent>(log.events()[0]), (GrowEvent{2, true}));
}

// Rule MEM-2.
TEST(Memory, MEM_2_GrowPastTheMaximumFailsAndChangesNothing) {
  EventLog log;
  LinearMemory m({1, 2}, {}, &log);
  const auto generation = m.generation();
  EXPECT_FALSE(m.grow(2));
  EXPECT_FALSE(m.grow(4294967295u));
  EXPECT_EQ(m.pages(), 1u);
  EXPECT_EQ(m.generation(), generation);
  EXPECT_EQ(std::get<GrowEvent>(log.events()[0]), (GrowEvent{2, false}));
}

// Rule MEM-2.
TEST(Memory, MEM_2_GrowZeroSucceedsAndChangesNothing) {
  LinearMemory m({2, 2});
  auto old = m.grow(0);
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, 2u);
  EXPECT_EQ(m.byteLength(), 131072u);
}

// Rule MEM-2.
TEST(Memory, MEM_2_JsGrowThrowsRangeErrorAndTypeError) {
  InstanceConfig c;
  c.memory = {1, 2};
  Instance inst(c);
  EXPECT_EQ(inst.grow(1).value(), 1u);
  EXPECT_EQ(errorOf([&] { inst.grow(1).value(); }), ErrorKind::RangeError);
  EXPECT_EQ(errorOf([&] { inst.grow(-1).value(); }), ErrorKind::TypeError);           // [EnforceRange]
  EXPECT_EQ(errorOf([&] { inst.grow(4294967296.0).value(); }), ErrorKind::TypeError);  // > 2^32 - 1
  EXPECT_EQ(errorOf([&] { inst.grow(std::nan("")).value(); }), ErrorKind::TypeError);
  EXPECT_EQ(inst.grow(0.7).value(), 2u);  // the integer part: grow(0)
  EXPECT_EQ(inst.byteLength(), 131072u);
}

// Rule MEM-3.
TEST(Memory, MEM_3_GrowthPreservesEveryByte) {
  LinearMemory m({1, 8});
  for (Address a = 0; a < 65536; a += 997) {
    const auto b = static_cast<std::uint8_t>(a * 7 + 1);
    m.callerWrite(a, &b, 1);
  }
  ASSERT_TRUE(m.grow(7));
  for (Address a = 0; a < 65536; a += 997) EXPECT_EQ(byteAt(m, a), static_cast<std::uint8_t>(a * 7 + 1)) << a;
}

// Rule MEM-2 (fresh pages are zero) and ALIGN-3 / SCOPE-9 (the
// implementation's zero fills): a zero fill skips the bytes never written, so
// it must still clear every byte that was, through any path, and a memory
// that reuses the address space of a dropped one starts all zero.
TEST(Memory, MEM_2_AZeroFillClearsEveryWrittenByteAndReusedMemoryStartsZero) {
  const MemoryConfig config{2, 3};
  const std::array<Address, 5> spots{0, 100, 65535, 65536, 131071};
  auto dirty = [&](LinearMemory& m) {
    m.unpoison(0, m.byteLength());  // as if one live block covered it (SAFE-2)
    const std::uint8_t b = 0x5a;
    m.callerWrite(100, &b, 1);
    m.callerWrite(131071, &b, 1);
    m.internalFill(65535, 0xee, 2);
    m.internalFill(0, 0, m.byteLength());
    for (Address a : spots) EXPECT_EQ(byteAt(m, a), 0) << a;
    m.internalWrite(0, &b, 1);
    m.internalFill(0, 0, 1);
    EXPECT_EQ(byteAt(m, 0), 0);
    for (Address a : spots) m.callerWrite(a, &b, 1);  // left dirty for the next memory
  };
  reuseAfter(config, dirty, [&](LinearMemory& again) {
    for (Address a : spots) EXPECT_EQ(byteAt(again, a), 0) << a;
    again.unpoison(0, again.byteLength());
    again.internalFill(0, 0, again.byteLength());
    for (Address a : spots) EXPECT_EQ(byteAt(again, a), 0) << a;
  });
}

// Rule MEM-2 (fresh pages are zero) for a memory that reuses the address
// space of a dropped one, whatever that one wrote: bytes far apart (more
// places than the memory keeps apart), a fill too long to zero in place,
// and many memories' writes at different places (past what a range keeps
// of its pages: handed back to the kernel).
TEST(Memory, MEM_2_AReusedMemoryStartsZeroWhereverTheOneBeforeWrote) {
  const MemoryConfig config{512, 512};  // 32 MiB
  constexpr Address kMiB = 1 << 20;
  using Writes = std::vector<std::pair<Address, std::size_t>>;  // where, how many bytes
  // A memory fills `writes`; the next one reads zero at each's first, middle and last byte.
  auto dirtyThenReuse = [&](const Writes& writes, const std::string& what) {
    auto dirty = [&](LinearMemory& m) {
      m.unpoison(0, m.byteLength());  // as if one live block covered it (SAFE-2)
      for (const auto& [at, n] : writes) m.internalFill(at, 0xa5, n);
    };
    reuseAfter(config, dirty, [&](LinearMemory& m) {
      for (const auto& [at, n] : writes)
        for (const Address a : {at, static_cast<Address>(at + n / 2), static_cast<Address>(at + n - 1)})
          ASSERT_EQ(byteAt(m, a), 0) << what << ": byte " << a;
    }, what + ": ");
  };
  Writes apart;
  for (Address i = 0; i < 15; ++i) apart.push_back({i * 2 * kMiB + i, 1 + i});
  dirtyThenReuse(apart, "bytes 2 MiB apart");
  dirtyThenReuse({{3 * kMiB + 5, 9 * kMiB}}, "a 9-MiB fill");
  for (Address i = 0; i < 40; ++i) dirtyThenReuse({{(i * 7 % 31) * kMiB, kMiB}}, "a 1-MiB fill");
}

// Rule MEM-2 (grown pages are zero) for a smaller memory that reuses the
// range of a larger one: the pages past its end stay open (address_space.cpp)
// with what the larger one wrote zeroed, and growing into them reads zero.
TEST(Memory, MEM_2_GrowingIntoPagesALargerMemoryWroteReadsZero) {
  const std::array<Address, 4> spots{65536, 65537, 3 * 65536 + 100, 4 * 65536 - 1};
  const std::uint8_t *first = nullptr, *second = nullptr;
  {
    const auto large = memoryAt({4, 4}, first);
    large->unpoison(0, large->byteLength());  // as if one live block covered it (SAFE-2)
    for (Address a : spots) large->internalFill(a, 0xa5, 1);
  }
  const auto small = memoryAt({1, 4}, second);
  ASSERT_EQ(second, first) << "the smaller memory did not get the larger one's range back";
  EXPECT_EQ(small->byteLength(), 65536u);
  ASSERT_TRUE(small->grow(3));
  for (Address a : spots) EXPECT_EQ(byteAt(*small, a), 0) << a;
}

// Rule SAFE-2: a memory that reuses the address space of a dropped one is
// poisoned everywhere, also next to a byte the caller poked at an odd
// address outside any block (the shadow describes 8 bytes at a time).
TEST(Memory, SAFE_2_AReusedMemoryIsPoisonedNextToWhatTheOneBeforeWrote) {
  if (!asan::enabled()) GTEST_SKIP() << "poisoning is AddressSanitizer's";
  const MemoryConfig config{3, 3};
  const std::uint8_t b = 0x5a;
  auto dirty = [&](LinearMemory& m) {
    m.callerWrite(1001, &b, 1);
    m.callerWrite(70003, &b, 2);
  };
  reuseAfter(config, dirty, [](LinearMemory& again) {
    for (const Address a : {1000u, 1001u, 1002u, 1007u, 70000u, 70003u, 70005u})
      EXPECT_TRUE(again.isPoisoned(a)) << a;
  });
}

// The pages a range keeps by zeroing in place (instead of handing them
// back, so that the next memory's writes do not fault) are bounded: a
// hundred memories that each write a MiB somewhere else in 128 MiB leave
// no more than about 16 MiB of them (AddressSpace::kKeptResident).
TEST(Memory, MEM_2_ZeroingInPlaceKeepsABoundedNumberOfPages) {
  const MemoryConfig config{2048, 2048};  // 128 MiB
  constexpr Address kMiB = 1 << 20;
  { LinearMemory first(config); }  // the range and its shadow, before measuring
  const std::uint64_t before = residentBytes();
  for (Address i = 0; i < 100; ++i) {
    LinearMemory m(config);
    m.unpoison(0, m.byteLength());
    m.internalFill((i * 37 % 127) * kMiB, 0x5a, kMiB);
  }
  const std::uint64_t after = residentBytes();
  const std::uint64_t grown = after > before ? after - before : 0;
  // The kept pages, the last memory's MiB, and the shadow of what was unpoisoned.
  const std::uint64_t budget = 16 * kMiB + kMiB + (asan::enabled() ? 16 * kMiB : 0) + 8 * kMiB;
  RecordProperty("rss_growth_bytes", std::to_string(grown));
  EXPECT_LT(grown, budget) << "RSS grew by " << grown / kMiB << " MiB";
}

// Rule MEM-4.
TEST(Memory, MEM_4_DefaultsAre16MiBGrowableTo2GiB) {
  LinearMemory m;
  EXPECT_EQ(m.byteLength(), 16u * 1024 * 1024);
  EXPECT_EQ(m.maximumPages(), 32768u);
  EXPECT_EQ(GrowthParams{}.maxHeapSize, 2147483648.0);
}

// Rule MEM-4.
TEST(Memory, MEM_4_GrowingToTheMaximumDoesNotCommitIt) {
  const std::uint64_t before = residentBytes();
  LinearMemory m({256, kDefaultMaximumPages});
  ASSERT_TRUE(m.grow(kDefaultMaximumPages - 256));
  ASSERT_EQ(m.byteLength(), 2147483648u);
  const std::uint8_t one = 1;
  m.callerWrite(0, &one, 1);
  m.callerWrite(2147483647u, &one, 1);  // the last byte is really there
  EXPECT_EQ(byteAt(m, 2147483647u), 1);
  const std::uint64_t after = residentBytes();
  const std::uint64_t grown = after > before ? after - before : 0;
  // Under ASan the poisoned shadow of the memory (1 byte per 8) is committed.
  const std::uint64_t budget = (asan::enabled() ? 2147483648u / 8 : 0) + 64u * 1024 * 1024;
  RecordProperty("rss_growth_bytes", std::to_string(grown));
  std::printf("RSS grew by %.1f MiB after growing to 2 GiB (ASan %s)\n", grown / 1048576.0,
              asan::enabled() ? "on" : "off");
  EXPECT_LT(grown, budget);
}

// Rule MEM-5.
TEST(Memory, MEM_5_InjectedFaultFailsTheChosenGrowCalls) {
  GrowthFaults faults;
  faults.failAttempts = {2, 4};
  LinearMemory m({1, 100}, faults);
  EXPECT_TRUE(m.grow(1));   // call 1
  EXPECT_FALSE(m.grow(1));  // call 2: injected
  EXPECT_TRUE(m.grow(0));   // call 3
  EXPECT_FALSE(m.grow(0));  // call 4: injected, even grow(0)
  EXPECT_EQ(m.pages(), 2u);
}

// Rule MEM-5.
TEST(Memory, MEM_5_FailAbovePagesRefusesGrowthPastALimit) {
  GrowthFaults faults;
  faults.failAbovePages = 4;
  LinearMemory m({2, 100}, faults);
  EXPECT_TRUE(m.grow(2));
  EXPECT_FALSE(m.grow(1));
  EXPECT_TRUE(m.grow(0));
  EXPECT_EQ(m.pages(), 4u);
}

// Bytes on the heap, exactly as many as the memory has (as wabt keeps a
// module's memory): a write past the end overflows it, which ASan reports.
class HeapStorage : public MemoryStorage {
 public:
  explicit HeapStorage(std::size_t size) : bytes_(size) {}
  std::uint8_t* base() const override { return const_cast<std::uint8_t*>(bytes_.data()); }
  bool grow(std::size_t to) override {
    bytes_.resize(to);
    return true;
  }
  void written(std::size_t, std::size_t) override {}
  void unpoisoned(std::size_t, std::size_t) override {}
  std::pair<std::size_t, std::size_t> writtenRange() const override { return {0, bytes_.size()}; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// SAFE-1: a wasm module's malloc may hand out a block past the memory's end
// (corpus/wasm/overlap.wat does); the glue's own writes into it (a C string,
// zeroing) keep to the memory, as a TypedArray drops writes past its buffer,
// and the checker reports the block. Without that, the fuzzer stopped on a
// heap-buffer-overflow in wabt's storage instead of the SAFE-1 finding.
TEST(Memory, SAFE_1_TheGluesWritesIntoABlockPastTheEndKeepToTheMemory) {
  LinearMemory m({1, 2}, std::make_unique<HeapStorage>(kPageSize), {}, nullptr);
  const std::uint8_t text[] = {'a', 'b', 'c', 'd'};
  m.internalWrite(kPageSize - 2, text, sizeof text);
  m.internalFill(kPageSize - 1, 0x7f, 1024);
  m.internalWrite(kPageSize + 100, text, sizeof text);
  m.internalFill(kPageSize, 0, 1u << 20);
  std::uint8_t last[2] = {};
  m.callerRead(kPageSize - 2, last, sizeof last);
  EXPECT_EQ(last[0], 'a');
  EXPECT_EQ(last[1], 0x7f);
  ASSERT_TRUE(m.grow(1));
  m.callerRead(kPageSize, last, sizeof last);  // the new page: nothing leaked into it
  EXPECT_EQ(last[0], 0);
  EXPECT_EQ(last[1], 0);
}

}  // namespace
}  // namespace memconform
