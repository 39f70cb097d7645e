// VIEW-1..3: typed views over the memory, detached by growth.
#include <cmath>
#include <gtest/gtest.h>

#include "core/views.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;
using testing::smallConfig;

// Rule VIEW-1.
TEST(Views, VIEW_1_LengthIsByteLengthOverElementSize) {
  Instance inst(smallConfig());  // 1 MiB
  for (ElementType t : {ElementType::I8, ElementType::U8, ElementType::I16, ElementType::U16, ElementType::I32,
                        ElementType::U32, ElementType::I64, ElementType::U64, ElementType::F32, ElementType::F64})
    EXPECT_EQ(inst.heap(t).length(), 1048576u / elementSize(t)) << elementTypeName(t);
}

// Rule VIEW-1.
TEST(Views, VIEW_1_ViewsShareTheMemoryLittleEndian) {
  Instance inst(smallConfig());
  View u8 = inst.heap(ElementType::U8);
  View i32 = inst.heap(ElementType::I32);
  i32.set(100, -2.0).value();  // bytes 400..403 = FE FF FF FF
  EXPECT_EQ(std::get<double>(*u8.get(400)), 0xFE);
  EXPECT_EQ(std::get<double>(*u8.get(403)), 0xFF);
  EXPECT_EQ(std::get<double>(*inst.heap(ElementType::U32).get(100)), 4294967294.0);
  EXPECT_EQ(std::get<BigInt>(*inst.heap(ElementType::U64).get(50)), BigInt::fromUnsigned(0xFFFFFFFEull));
}

// Rule VIEW-1.
TEST(Views, VIEW_1_InvalidIndicesReadUndefinedAndWritesAreIgnored) {
  Instance inst(smallConfig());
  View v = inst.heap(ElementType::I16);
  EXPECT_FALSE(v.get(-1));
  EXPECT_FALSE(v.get(1.5));
  EXPECT_FALSE(v.get(static_cast<double>(v.length())));
  EXPECT_FALSE(v.get(std::nan("")));
  v.set(static_cast<double>(v.length()), 1.0).value();  // no effect, no error
  EXPECT_TRUE(inst.events().events().empty());
}

// Rule VIEW-1: a Number index -0 is the property key "0".
TEST(Views, VIEW_1_MinusZeroIsIndexZero) {
  Instance inst(smallConfig());
  View v = inst.heap(ElementType::U8);
  v.set(-0.0, 7.0).value();
  ASSERT_TRUE(v.get(0.0));
  EXPECT_EQ(std::get<double>(*v.get(0.0)), 7.0);
  EXPECT_EQ(std::get<double>(*v.get(-0.0)), 7.0);
}

// Rule VIEW-2.
TEST(Views, VIEW_2_GrowthDetachesOldViewsAndRefreshesNewOnes) {
  Instance inst(smallConfig());
  View before = inst.heap(ElementType::I32);
  before.set(0, 7.0).value();
  inst.grow(1).value();
  EXPECT_TRUE(before.detached());
  EXPECT_EQ(before.length(), 0u);
  EXPECT_FALSE(before.get(0));  // undefined
  before.set(0, 9.0).value();           // ignored
  View after = inst.heap(ElementType::I32);
  EXPECT_EQ(after.length(), (1048576u + 65536u) / 4);
  EXPECT_EQ(std::get<double>(*after.get(0)), 7.0);  // the bytes survived (MEM-3), the write did not land
  // Both stale accesses were reported (SAFE-3).
  std::size_t stale = 0;
  for (const auto& e : inst.events().events()) stale += std::holds_alternative<StaleViewEvent>(e);
  EXPECT_EQ(stale, 2u);
}

// Rule VIEW-2.
TEST(Views, VIEW_2_GrowZeroDetachesAndAFailedGrowDoesNot) {
  InstanceConfig c;
  c.memory = {1, 1};
  Instance inst(c);
  View v = inst.heap(ElementType::U8);
  EXPECT_EQ(errorOf([&] { inst.grow(1).value(); }), ErrorKind::RangeError);
  EXPECT_FALSE(v.detached());
  inst.grow(0).value();  // the JS API refreshes the buffer on every successful grow
  EXPECT_TRUE(v.detached());
}

// Rule VIEW-2.
TEST(Views, VIEW_2_ConversionErrorsComeBeforeTheDetachCheck) {
  Instance inst(smallConfig());
  View v = inst.heap(ElementType::I64);
  inst.grow(1).value();
  EXPECT_EQ(errorOf([&] { v.set(0, 5.0).value(); }), ErrorKind::TypeError);  // a Number into a BigInt view
}

// Rule VIEW-3.
TEST(Views, VIEW_3_HeapForSizeSelectsByWidthAndSignedness) {
  Instance inst(smallConfig());
  EXPECT_EQ(inst.heapForSize(8).value().type(), ElementType::U8);  // unsigned by default
  EXPECT_EQ(inst.heapForSize(8, false).value().type(), ElementType::I8);
  EXPECT_EQ(inst.heapForSize(16, true).value().type(), ElementType::U16);
  EXPECT_EQ(inst.heapForSize(16, false).value().type(), ElementType::I16);
  EXPECT_EQ(inst.heapForSize(32, false).value().type(), ElementType::I32);
  EXPECT_EQ(inst.heapForSize(64, true).value().type(), ElementType::U64);
  EXPECT_EQ(inst.heapForSize(64, false).value().type(), ElementType::I64);
  EXPECT_EQ(heapForSize(inst.memory(), "Int16Array").value().type(), ElementType::I16);
  EXPECT_EQ(heapForSize(inst.memory(), "BigUint64Array").value().type(), ElementType::U64);
}

// Rule VIEW-3.
TEST(Views, VIEW_3_AnyOtherSizeIsInvalidArgument) {
  Instance inst(smallConfig());
  for (double bad : {0.0, 1.0, 12.0, 128.0, 8.5, -8.0})
    EXPECT_EQ(errorOf([&] { inst.heapForSize(bad).value(); }), ErrorKind::InvalidArgument) << bad;
  EXPECT_EQ(errorOf([&] { heapForSize(inst.memory(), "Int128Array").value(); }), ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace memconform
