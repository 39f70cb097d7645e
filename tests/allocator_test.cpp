// The reference allocator: SCOPE-3 (alloc failure and alloc(0)), SAFE-1
// (disjoint, in-bounds blocks), growth through the resize policy; and the
// glue's bookkeeping over an external heap (a wasm module's exports).
#include <gtest/gtest.h>

#include <random>
#include <vector>

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

// A heap that hands out the addresses it is given, in order, and records the
// calls it gets (what a wasm module's exports would see).
struct ScriptedHeap final : ExternalHeap {
  std::vector<Address> next;
  std::vector<std::string> calls;
  Address take() {
    if (next.empty()) return 0;
    const Address p = next.front();
    next.erase(next.begin());
    return p;
  }
  Address malloc(std::uint64_t size) override {
    calls.push_back("malloc " + std::to_string(size));
    return take();
  }
  Address memalign(std::uint64_t alignment, std::uint64_t size) override {
    calls.push_back("memalign " + std::to_string(alignment) + " " + std::to_string(size));
    return take();
  }
  void free(Address ptr) override { calls.push_back("free " + std::to_string(ptr)); }
};

// Rules SCOPE-3, SAFE-4: over an external heap, the heap places blocks and
// decides what it can give (0 bytes included); the allocator logs them,
// frees only live ones, and refuses the rest without calling the heap.
TEST(Allocator, SCOPE_3_AnExternalHeapPlacesTheBlocksAndTheGlueKeepsTheBooks) {
  ScriptedHeap heap;
  heap.next = {4096, 8192, 0, 65536};
  InstanceConfig c = smallConfig();
  c.allocator.heap = &heap;
  Instance inst(c);
  EXPECT_EQ(inst.alloc(100).value(), 4096u);
  EXPECT_EQ(inst.alloc(0).value(), 8192u);  // the heap's malloc(0) gave a block
  EXPECT_EQ(errorOf([&] { inst.alloc(7).value(); }), ErrorKind::AllocFailed);
  EXPECT_EQ(inst.allocator().memalign(65536, 10), 65536u);
  EXPECT_EQ(inst.allocator().memalign(3, 10), 0u);  // not a power of two: never asked
  EXPECT_EQ(inst.allocator().sizeOf(4096), 100u);
  inst.dealloc(4096).value();
  EXPECT_EQ(errorOf([&] { inst.dealloc(4096).value(); }), ErrorKind::InvalidArgument);  // not live: the heap never sees it
  EXPECT_EQ(heap.calls, (std::vector<std::string>{"malloc 100", "malloc 0", "malloc 7", "memalign 65536 10", "free 4096"}));
  EXPECT_EQ(inst.allocator().liveCount(), 2u);
  EXPECT_EQ(inst.events().size(), 4u);  // three allocs and one dealloc
}

}  // namespace
}  // namespace memconform
