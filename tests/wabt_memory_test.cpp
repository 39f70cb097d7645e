// MEM-1..3 against an implementation written by others: wabt's interpreter
// memory (wabt::interp::Memory, the memory the wasm: targets will run
// modules over). Random grow sequences from random limits, deltas chosen at
// the edges (0, exact fit, one page over, 2^31, 2^32 - 1): each grow
// succeeds on both or fails on both, returns the same old page count, and
// leaves the same size; bytes written before a grow are kept and the new
// pages read zero on both.
#include <gtest/gtest.h>
#include <wabt/interp/interp.h>

#include <cstdint>
#include <map>
#include <random>

#include "core/memory.h"

namespace memconform {
namespace {

// A delta for a memory of `pages` pages with this maximum, at an edge or in
// between. With a large maximum only deltas that keep the memory small or
// fail are drawn: wabt's memory allocates its bytes when it grows.
std::uint64_t pickDelta(std::mt19937_64& rng, std::uint32_t pages, std::uint32_t maximum, bool small) {
  const std::uint64_t room = maximum - pages;
  switch (rng() % 7) {
    case 0: return 0;
    case 1: return 1;
    case 2: return small ? room : 2;                           // exactly to the maximum
    case 3: return room + 1;                                   // one page over
    case 4: return std::uint64_t{1} << 31;
    case 5: return 0xffffffffu;
    default: return rng() % (small ? room + 2 : 3);            // anywhere, or just over
  }
}

TEST(WabtMemory, MEM_1_2_3_RandomGrowSequencesAgreeWithWabtsInterpreterMemory) {
  std::mt19937_64 rng(20261203);
  std::size_t grows = 0, failures = 0;
  for (int run = 0; run < 200; ++run) {
    const bool small = run % 10 != 0;  // every tenth run: the 65536-page ceiling
    const std::uint32_t maximum = small ? static_cast<std::uint32_t>(rng() % 48) : 65536;
    const std::uint32_t initial = static_cast<std::uint32_t>(rng() % (std::min<std::uint32_t>(maximum, 16) + 1));
    wabt::interp::Store store;
    auto theirs = wabt::interp::Memory::New(store, wabt::interp::MemoryType(wabt::Limits(initial, maximum)));
    LinearMemory ours(MemoryConfig{initial, maximum});
    ASSERT_EQ(ours.byteLength(), theirs->ByteSize());
    std::map<std::uint64_t, std::uint8_t> written;  // address -> the last byte written there
    for (int step = 0; step < 12; ++step) {
      // A byte written on both at a random address, before the grow.
      if (const std::uint64_t size = ours.byteLength(); size > 0) {
        const std::uint64_t address = rng() % size;
        const auto byte = static_cast<std::uint8_t>(1 + rng() % 255);
        ours.callerWrite(address, &byte, 1);
        ASSERT_TRUE(wabt::Succeeded(theirs->Store<std::uint8_t>(address, 0, byte)));
        written[address] = byte;
      }
      const std::uint64_t delta = pickDelta(rng, ours.pages(), maximum, small);
      const std::uint64_t before = theirs->PageSize();
      const bool theyGrew = wabt::Succeeded(theirs->Grow(delta));
      // LinearMemory::grow takes the JS API's unsigned long; wider deltas fail on both.
      const auto old = delta <= 0xffffffffu ? ours.grow(static_cast<std::uint32_t>(delta)) : std::nullopt;
      ++grows;
      failures += !theyGrew;
      ASSERT_EQ(old.has_value(), theyGrew) << "grow(" << delta << ") from " << before << " pages, maximum " << maximum;
      if (old) EXPECT_EQ(*old, before);  // MEM-2: the old page count
      ASSERT_EQ(ours.pages(), theirs->PageSize());
      ASSERT_EQ(ours.byteLength(), theirs->ByteSize());  // MEM-1
      ASSERT_EQ(ours.byteLength() % 65536, 0u);
      // MEM-3: every byte written is kept; MEM-2: the new pages are zero.
      for (const auto& [address, byte] : written) {
        std::uint8_t mine = 0, their = 0;
        ours.callerRead(address, &mine, 1);
        ASSERT_TRUE(wabt::Succeeded(theirs->Load<std::uint8_t>(address, 0, &their)));
        ASSERT_EQ(mine, byte);
        ASSERT_EQ(their, byte);
      }
      if (theyGrew && delta > 0) {
        const std::uint64_t firstNew = before * 65536, probe = firstNew + rng() % (delta * 65536);
        std::uint8_t mine = 1, their = 1;
        ours.callerRead(probe, &mine, 1);
        ASSERT_TRUE(wabt::Succeeded(theirs->Load<std::uint8_t>(probe, 0, &their)));
        EXPECT_EQ(mine, 0);
        EXPECT_EQ(their, 0);
      }
    }
  }
  // The sequences reached both outcomes often.
  EXPECT_GT(failures, grows / 5);
  EXPECT_LT(failures, grows * 4 / 5);
}

}  // namespace
}  // namespace memconform
