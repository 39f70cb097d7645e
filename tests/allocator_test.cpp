// The reference allocator: SCOPE-3 (alloc failure and alloc(0)), SAFE-1
// (disjoint, in-bounds blocks), growth through the resize policy.
#include <gtest/gtest.h>

#include <random>

#include "core/allocator.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;
using testing::smallConfig;

// Rule SCOPE-3.
TEST(Allocator, SCOPE_3_AllocThrowsAllocFailedWhenTheAllocatorReturnsZero) {
  InstanceConfig c;
  c.memory = {1, 1};  // 64 KiB that cannot grow
  Instance inst(c);
  EXPECT_EQ(inst.allocator().malloc(65536), 0u);
  EXPECT_EQ(errorOf([&] { inst.alloc(65536).value(); }), ErrorKind::AllocFailed);
  EXPECT_EQ(inst.allocator().liveCount(), 0u);
  EXPECT_NE(inst.alloc(1000).value(), 0u);  // a fitting request still works
}

// Rule SCOPE-3.
TEST(Allocator, SCOPE_3_AllocZeroFailsOrIsUniqueAsConfigured) {
  Instance fails(smallConfig());
  EXPECT_EQ(errorOf([&] { fails.alloc(0).value(); }), ErrorKind::AllocFailed);
  InstanceConfig c = smallConfig();
  c.allocator.zeroSize = ZeroSizeAlloc::UniquePointer;
  Instance unique(c);
  const Address a = unique.alloc(0).value(), b = unique.alloc(0).value();
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(a, b);
}

// Rule SCOPE-3.
TEST(Allocator, SCOPE_3_HugeRequestsFailCleanly) {
  Instance inst(smallConfig());
  EXPECT_EQ(inst.allocator().malloc(std::uint64_t{1} << 40), 0u);
  EXPECT_EQ(inst.allocator().malloc(std::uint64_t{1} << 31 | 1), 0u);
  EXPECT_EQ(inst.byteLength(), 16u * 65536);
}

// Rule GROW-3.
TEST(Allocator, GROW_3_RunningOutOfMemoryResizesThroughThePolicy) {
  InstanceConfig c;
  c.memory = {1, 100};
  Instance inst(c);
  inst.events().clear();
  const Address p = inst.alloc(100000).value();
  ASSERT_NE(p, 0u);
  // The break passes the end of memory: resize(newBreak) grows by policy.
  EXPECT_GE(inst.byteLength(), std::uint64_t{p} + 100000);
  bool resized = false;
  for (const auto& e : inst.events().events()) resized |= std::holds_alternative<ResizeAttemptEvent>(e);
  EXPECT_TRUE(resized);
}

// Rule SAFE-1.
TEST(Allocator, SAFE_1_RandomWorkloadKeepsBlocksDisjointAndInBounds) {
  InstanceConfig c;
  c.memory = {1, 64};
  Instance inst(c);
  std::mt19937 rng(12345);
  std::vector<Address> live;
  for (int step = 0; step < 3000; ++step) {
    if (live.empty() || rng() % 3 != 0) {
      const std::uint64_t size = rng() % 5 == 0 ? rng() % 70000 : rng() % 200;
      const std::uint64_t alignment = std::uint64_t{1} << (rng() % 17);
      const Address p = inst.allocator().memalign(alignment, size);
      if (p != 0) {
        EXPECT_EQ(p % std::max<std::uint64_t>(alignment, 8), 0u);
        live.push_back(p);
      }
    } else {
      const std::size_t i = rng() % live.size();
      inst.dealloc(live[i]).value();
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  const auto blocks = inst.allocator().live();
  std::uint64_t end = 0;
  for (const auto& [p, size] : blocks) {
    EXPECT_GE(p, end) << "block " << p << " overlaps the previous one";
    end = std::uint64_t{p} + std::max<std::uint64_t>(size, 1);
    EXPECT_LE(end, inst.byteLength());
  }
  EXPECT_EQ(blocks.size(), live.size());
}

// Rule SAFE-4.
TEST(Allocator, SAFE_4_DoubleFreeIsRefusedAndChangesNothing) {
  Instance inst(smallConfig());
  const Address p = inst.alloc(32).value();
  inst.dealloc(p).value();
  const auto events = inst.events().size();
  EXPECT_EQ(errorOf([&] { inst.dealloc(p).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { inst.dealloc(p + 8).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(inst.events().size(), events);
  inst.dealloc(0).value();  // free(NULL)
}

// Rule ALIGN-4.
TEST(Allocator, ALIGN_4_FreedSpaceIsReusedAndCoalesced) {
  Instance inst(smallConfig());
  const Address a = inst.alloc(100).value(), b = inst.alloc(100).value(), c = inst.alloc(100).value();
  inst.dealloc(a).value();
  inst.dealloc(b).value();
  const Address d = inst.alloc(200).value();  // fits only in a and b merged
  EXPECT_EQ(d, a);
  EXPECT_LT(d, c);
}

}  // namespace
}  // namespace memconform
