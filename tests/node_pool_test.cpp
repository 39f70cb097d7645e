// The shared pool of map and set nodes (core/node_pool.h): blocks of a size
// are handed out again after they are freed, never overlap while live, stay
// aligned, and a freed one is poisoned under ASan (a use of a freed node of
// the reference's or the checker's books is a report).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/asan_poison.h"
#include "core/node_pool.h"

namespace memconform {
namespace {

struct Block {
  std::uintptr_t at;
  std::size_t size;
};

// Allocates 200 blocks of each size (pooled, and larger ones passed on),
// fills each with its own byte, and checks that no two overlap and every
// byte is still its block's.
TEST(NodePool, LiveBlocksOfEverySizeAreDistinctAlignedAndKeepTheirBytes) {
  std::pmr::memory_resource& pool = *nodePool();
  const std::vector<std::size_t> sizes = {1, 8, 16, 17, 24, 32, 40, 48, 64, 100, 1000, 1024, 1025, 5000};
  std::vector<Block> live;
  for (int round = 0; round < 200; ++round)
    for (std::size_t size : sizes) {
      void* p = pool.allocate(size, alignof(std::max_align_t));
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t), 0u) << size;
      std::memset(p, static_cast<int>(live.size() % 251), size);
      live.push_back({reinterpret_cast<std::uintptr_t>(p), size});
    }
  std::vector<Block> sorted = live;
  std::sort(sorted.begin(), sorted.end(), [](const Block& a, const Block& b) { return a.at < b.at; });
  for (std::size_t i = 1; i < sorted.size(); ++i) ASSERT_LE(sorted[i - 1].at + sorted[i - 1].size, sorted[i].at);
  for (std::size_t i = 0; i < live.size(); ++i) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(live[i].at);
    for (std::size_t j = 0; j < live[i].size; ++j) ASSERT_EQ(bytes[j], i % 251) << "block " << i << " byte " << j;
  }
  for (const Block& b : live) pool.deallocate(reinterpret_cast<void*>(b.at), b.size, alignof(std::max_align_t));
}

TEST(NodePool, AFreedBlockIsHandedOutAgainForTheSameSize) {
  std::pmr::memory_resource& pool = *nodePool();
  void* a = pool.allocate(48, 8);
  pool.deallocate(a, 48, 8);
  void* b = pool.allocate(41, 8);  // rounds to the same 48 bytes
  EXPECT_EQ(a, b);
  pool.deallocate(b, 41, 8);
}

TEST(NodePool, AFreedBlockIsPoisonedUntilHandedOutAgain) {
  if (!asan::enabled()) GTEST_SKIP() << "poisoning is AddressSanitizer's: build with the asan preset";
  std::pmr::memory_resource& pool = *nodePool();
  void* a = pool.allocate(64, 8);
  EXPECT_FALSE(asan::anyPoisoned(a, 64));
  pool.deallocate(a, 64, 8);
  EXPECT_TRUE(asan::anyPoisoned(a, 64));
  EXPECT_TRUE(asan::isPoisoned(static_cast<char*>(a) + 63));
  void* b = pool.allocate(64, 8);
  ASSERT_EQ(a, b);
  EXPECT_FALSE(asan::anyPoisoned(b, 64));
  pool.deallocate(b, 64, 8);
}

TEST(NodePool, AUseOfAFreedNodeIsAnAsanReport) {
  if (!asan::enabled()) GTEST_SKIP() << "poisoning is AddressSanitizer's: build with the asan preset";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        std::pmr::memory_resource& pool = *nodePool();
        auto* node = static_cast<volatile std::uint64_t*>(pool.allocate(32, 8));
        pool.deallocate(const_cast<std::uint64_t*>(node), 32, 8);
        node[2] = 7;
      },
      "AddressSanitizer: use-after-poison");
}

}  // namespace
}  // namespace memconform
