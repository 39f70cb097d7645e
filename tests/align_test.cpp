// ALIGN-1..5: alignment, zeroing, mmapAlloc and which memory is zeroed.
#include <gtest/gtest.h>

#include <cmath>

#include "core/align.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;
using testing::smallConfig;

std::uint8_t byteAt(const Instance& inst, Address a) { return testing::byteAt(inst.memory(), a); }
void dirty(Instance& inst, Address a, std::uint64_t n) { inst.memory().callerFill(a, 0xAB, n); }

// Rule ALIGN-1.
TEST(Align, ALIGN_1_RoundsUpToAMultipleOfAnyPositiveAlignment) {
  EXPECT_EQ(alignMemory(13, 8).value(), 16);
  EXPECT_EQ(alignMemory(16, 8).value(), 16);
  EXPECT_EQ(alignMemory(0, 8).value(), 0);
  EXPECT_EQ(alignMemory(10, 3).value(), 12);  // not a power of two
  EXPECT_EQ(alignMemory(1, 65536).value(), 65536);
  EXPECT_EQ(alignMemory(7, 2.5).value(), 7.5);  // ceil(2.8) * 2.5
  EXPECT_EQ(alignMemory(100, 1).value(), 100);
  const double negative = alignMemory(-5, 8).value();  // ceil(-0.625) * 8 is -0
  EXPECT_EQ(negative, 0);
  EXPECT_TRUE(std::signbit(negative));
}

// Rule ALIGN-1.
TEST(Align, ALIGN_1_NonPositiveAlignmentIsInvalid) {
  EXPECT_EQ(errorOf([] { alignMemory(8, 0).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([] { alignMemory(8, -8).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([] { alignMemory(8, std::nan("")).value(); }), ErrorKind::InvalidArgument);
}

// Rule ALIGN-2.
TEST(Align, ALIGN_2_ZeroMemoryClearsExactlyTheRangeAndReturnsTheAddress) {
  Instance inst(smallConfig());
  dirty(inst, 5000, 20);
  EXPECT_EQ(inst.zeroMemory(5005, 5).value(), 5005);
  EXPECT_EQ(byteAt(inst, 5004), 0xAB);
  for (Address a = 5005; a < 5010; ++a) EXPECT_EQ(byteAt(inst, a), 0) << a;
  EXPECT_EQ(byteAt(inst, 5010), 0xAB);
  EXPECT_EQ(inst.zeroMemory(5000, 0).value(), 5000);
  EXPECT_EQ(byteAt(inst, 5000), 0xAB);
}

// Rule ALIGN-2.
TEST(Align, ALIGN_2_ZeroMemoryOutOfBoundsWritesNothing) {
  Instance inst(smallConfig());
  const auto end = static_cast<std::int64_t>(inst.byteLength());
  dirty(inst, static_cast<Address>(end - 4), 4);
  EXPECT_EQ(errorOf([&] { inst.zeroMemory(end - 4, 5).value(); }), ErrorKind::OutOfBounds);
  EXPECT_EQ(byteAt(inst, static_cast<Address>(end - 4)), 0xAB);
  EXPECT_EQ(errorOf([&] { inst.zeroMemory(-1, 1).value(); }), ErrorKind::OutOfBounds);
  EXPECT_EQ(errorOf([&] { inst.zeroMemory(0, 1.5).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(inst.zeroMemory(end - 4, 4).value(), std::int64_t{end} - 4);
}

// Rule ALIGN-3.
TEST(Align, ALIGN_3_MmapAllocIsPageAlignedPageSizedAndZeroed) {
  Instance inst(smallConfig());
  const Address first = inst.mmapAlloc(65537).value();  // aligned up to 131072
  ASSERT_NE(first, 0u);
  EXPECT_EQ(first % 65536, 0u);
  EXPECT_EQ(inst.allocator().sizeOf(first), 131072u);
  // Dirty it, free it, and map again over the same bytes: zeroed again.
  dirty(inst, first, 131072);
  inst.dealloc(first).value();
  const Address second = inst.mmapAlloc(100).value();
  ASSERT_NE(second, 0u);
  EXPECT_EQ(second % 65536, 0u);
  EXPECT_EQ(inst.allocator().sizeOf(second), 65536u);
  for (Address a = second; a < second + 65536; a += 4099) EXPECT_EQ(byteAt(inst, a), 0) << a;
  EXPECT_EQ(byteAt(inst, second + 65535), 0);
}

// Rule ALIGN-3.
TEST(Align, ALIGN_3_MmapAllocReturnsZeroOnFailure) {
  InstanceConfig c;
  c.memory = {2, 2};  // cannot grow
  Instance inst(c);
  EXPECT_EQ(inst.mmapAlloc(4 * 65536).value(), 0u);
  EXPECT_EQ(inst.allocator().liveCount(), 0u);
}

// Rule ALIGN-4.
TEST(Align, ALIGN_4_EveryAllocationIsAMultipleOf8) {
  Instance inst(smallConfig());
  for (std::uint64_t n = 1; n <= 100; ++n) EXPECT_EQ(inst.alloc(n).value() % 8, 0u) << n;
}

// Rule ALIGN-5.
TEST(Align, ALIGN_5_ZeroedOnlyWhereTheRulesPromiseIt) {
  // Reused memory keeps old bytes for plain alloc (not guaranteed zeroed),
  // but pointer slots (SCOPE-9) and mmapAlloc (ALIGN-3) are always zeroed.
  Instance inst(smallConfig());
  const Address a = inst.alloc(64).value();
  dirty(inst, a, 64);
  inst.dealloc(a).value();
  const auto slots = inst.allocPtr(8, true).value();
  ASSERT_EQ(slots.front(), a);  // first fit hands the same bytes back
  for (Address s : slots)
    for (Address b = s; b < s + 8; ++b) EXPECT_EQ(byteAt(inst, b), 0) << b;
}

}  // namespace
}  // namespace memconform
