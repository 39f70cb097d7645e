// PEEK-1..6: typed reads and writes. Expected values are ECMA-262's
// conversions worked out by hand (checked in Node, not in the reference).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/peek_poke.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;
using testing::smallConfig;
constexpr Address P = 4096;  // a fixed, in-bounds address

double num(const JsNumeric& v) { return std::get<double>(v); }
std::uint8_t byteAt(const Instance& inst, Address a) { return testing::byteAt(inst.memory(), a); }

class PeekPoke : public ::testing::Test {
 protected:
  Instance inst{smallConfig()};
};

// Rule PEEK-1.
TEST_F(PeekPoke, PEEK_1_TypesAliasesAndPointers) {
  EXPECT_EQ(parsePeekType("i1").value().element, ElementType::I8);
  EXPECT_EQ(parsePeekType("float").value().element, ElementType::F32);
  EXPECT_EQ(parsePeekType("double").value().element, ElementType::F64);
  const auto ptr = parsePeekType("char**").value();
  EXPECT_EQ(ptr.element, ElementType::I32);
  EXPECT_TRUE(ptr.pointer);
  EXPECT_EQ(parsePeekType("*").value().element, ElementType::I32);
  EXPECT_EQ(kDefaultPeekType, "i8");
}

// Rule PEEK-1.
TEST_F(PeekPoke, PEEK_1_UnknownTypeIsInvalidTypeAndTouchesNothing) {
  for (const char* bad : {"i128", "", "u8", "I32", "int", "f16", "*i32"})
    EXPECT_EQ(errorOf([&] { inst.poke(P, 1.0, bad).value(); }), ErrorKind::InvalidType) << bad;
  EXPECT_EQ(byteAt(inst, P), 0);
  EXPECT_EQ(errorOf([&] { inst.peek(P, "u32").value(); }), ErrorKind::InvalidType);
}

// Rule PEEK-2.
TEST_F(PeekPoke, PEEK_2_LittleEndianAndRoundedDownAddresses) {
  inst.poke(P, 0x01020304, "i32").value();
  EXPECT_EQ(byteAt(inst, P), 0x04);
  EXPECT_EQ(byteAt(inst, P + 3), 0x01);
  EXPECT_EQ(num(inst.peek(P + 1, "i32").value()), 0x01020304);  // P+1 rounds down to P
  EXPECT_EQ(num(inst.peek(P + 3, "i16").value()), 0x0102);      // P+3 rounds down to P+2
  inst.poke(P + 7, 0x0A0B, "i16").value();                       // writes P+6, P+7
  EXPECT_EQ(byteAt(inst, P + 6), 0x0B);
  EXPECT_EQ(byteAt(inst, P + 7), 0x0A);
  EXPECT_EQ(byteAt(inst, P + 8), 0);
  EXPECT_EQ(alignedAddress(-1, parsePeekType("i32").value()), -4);
}

// Rule PEEK-3.
TEST_F(PeekPoke, PEEK_3_SignedIntegersFloatsAsDoublesI64AsBigInt) {
  inst.poke(P, 255, "i8").value();
  EXPECT_EQ(num(inst.peek(P, "i8").value()), -1);
  inst.poke(P, 65535, "i16").value();
  EXPECT_EQ(num(inst.peek(P, "i16").value()), -1);
  inst.poke(P, 4294967295.0, "i32").value();
  EXPECT_EQ(num(inst.peek(P, "i32").value()), -1);
  EXPECT_EQ(num(inst.peek(P, "int*").value()), -1);  // pointers read as i32
  inst.poke(P, 0.1, "f32").value();
  EXPECT_EQ(num(inst.peek(P, "f32").value()), 0.10000000149011612);
  inst.poke(P, 0.1, "f64").value();
  EXPECT_EQ(num(inst.peek(P, "double").value()), 0.1);
  inst.poke(P, *BigInt::parse("-9223372036854775808n"), "i64").value();
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()).toString(), "-9223372036854775808n");
}

// Rule PEEK-4.
TEST_F(PeekPoke, PEEK_4_IntegerStoresTruncateAndWrap) {
  const struct {
    double in;
    const char* type;
    double out;
  } cases[] = {
      {300, "i8", 44},  {-129, "i8", 127}, {1.9, "i8", 1},          {-1.9, "i8", -1},
      {-0.0, "i8", 0},  {40000, "i16", -25536}, {4294967301.0, "i32", 5}, {2147483648.0, "i32", -2147483648.0},
      {1e300, "i32", 0}, {std::numeric_limits<double>::quiet_NaN(), "i32", 0},
      {std::numeric_limits<double>::infinity(), "i16", 0}, {-std::numeric_limits<double>::infinity(), "i8", 0},
  };
  for (const auto& c : cases) {
    inst.poke(P, 77, "i32").value();
    inst.poke(P, c.in, c.type).value();
    EXPECT_EQ(num(inst.peek(P, c.type).value()), c.out) << c.in << " as " << c.type;
  }
}

// Rule PEEK-4.
TEST_F(PeekPoke, PEEK_4_F32RoundsToNearestFloat) {
  inst.poke(P, 16777217, "f32").value();
  EXPECT_EQ(num(inst.peek(P, "f32").value()), 16777216);
  inst.poke(P, 1e40, "float").value();
  EXPECT_TRUE(std::isinf(num(inst.peek(P, "f32").value())));
  inst.poke(P, -0.0, "f32").value();
  EXPECT_TRUE(std::signbit(num(inst.peek(P, "f32").value())));
  inst.poke(P, std::numeric_limits<double>::quiet_NaN(), "f64").value();
  EXPECT_TRUE(std::isnan(num(inst.peek(P, "f64").value())));
}

// Rule PEEK-4.
TEST_F(PeekPoke, PEEK_4_I64TakesIntegralNumbersAndBigIntsModulo2To64) {
  inst.poke(P, -1, "i64").value();
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt::fromSigned(-1));
  inst.poke(P, 18446744073709551616.0, "i64").value();  // 2^64 -> 0
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt{});
  inst.poke(P, *BigInt::parse("18446744073709551615n"), "i64").value();
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt::fromSigned(-1));
  inst.poke(P, 9007199254740993.0, "i64").value();  // the double nearest 2^53 + 1 is 2^53
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt::fromSigned(9007199254740992));
}

// Rule PEEK-4.
TEST_F(PeekPoke, PEEK_4_ConversionErrorsWriteNothing) {
  inst.poke(P, 5, "i64").value();
  EXPECT_EQ(errorOf([&] { inst.poke(P, 1.5, "i64").value(); }), ErrorKind::RangeError);  // BigInt(1.5)
  EXPECT_EQ(errorOf([&] { inst.poke(P, std::nan(""), "i64").value(); }), ErrorKind::RangeError);
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt::fromSigned(5));
  EXPECT_EQ(errorOf([&] { inst.poke(P, BigInt::fromSigned(5), "i32").value(); }), ErrorKind::TypeError);
  EXPECT_EQ(errorOf([&] { inst.poke(P, BigInt::fromSigned(5), "f64").value(); }), ErrorKind::TypeError);
  EXPECT_EQ(errorOf([&] { inst.poke(P, BigInt::fromSigned(5), "i8*").value(); }), ErrorKind::TypeError);
  EXPECT_EQ(std::get<BigInt>(inst.peek(P, "i64").value()), BigInt::fromSigned(5));
}

// Rule PEEK-5.
TEST_F(PeekPoke, PEEK_5_ListsReadInOrderAndLeaveTheListAlone) {
  inst.poke(P, 1, "i32").value();
  inst.poke(P + 4, 2, "i32").value();
  inst.poke(P + 8, 3, "i32").value();
  const std::vector<std::int64_t> list{P + 8, P, P + 4, P};
  const auto copy = list;
  const auto values = peek(inst.memory(), list, parsePeekType("i32").value()).value();
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(num(values[0]), 3);
  EXPECT_EQ(num(values[1]), 1);
  EXPECT_EQ(num(values[2]), 2);
  EXPECT_EQ(num(values[3]), 1);
  EXPECT_EQ(list, copy);
  EXPECT_TRUE(peek(inst.memory(), std::vector<std::int64_t>{}, parsePeekType("i32").value()).value().empty());
}

// Rule PEEK-5.
TEST_F(PeekPoke, PEEK_5_PokeListWritesEveryAddressOrNone) {
  poke(inst.memory(), std::vector<std::int64_t>{P, P + 16, P + 32}, 9.0, parsePeekType("i8").value()).value();
  EXPECT_EQ(byteAt(inst, P), 9);
  EXPECT_EQ(byteAt(inst, P + 16), 9);
  EXPECT_EQ(byteAt(inst, P + 32), 9);
  const auto end = static_cast<std::int64_t>(inst.byteLength());
  const std::vector<std::int64_t> oneOutOfBounds{P + 48, end};
  EXPECT_EQ(errorOf([&] { poke(inst.memory(), oneOutOfBounds, 7.0, parsePeekType("i8").value()).value(); }), ErrorKind::OutOfBounds);
  EXPECT_EQ(byteAt(inst, P + 48), 0);  // the in-bounds address was not written either
  poke(inst.memory(), std::vector<std::int64_t>{}, 7.0, parsePeekType("i8").value()).value();  // writes nothing
  EXPECT_EQ(byteAt(inst, 0), 0);
}

// Rule PEEK-6.
TEST_F(PeekPoke, PEEK_6_EveryOutOfBoundsShapeIsAnError) {
  const auto end = static_cast<std::int64_t>(inst.byteLength());
  for (std::int64_t a : {std::int64_t{-1}, std::int64_t{-8}, end, end + 1, std::int64_t{1} << 32,
                         std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()})
    EXPECT_EQ(errorOf([&] { inst.peek(a, "i8").value(); }), ErrorKind::OutOfBounds) << a;
  EXPECT_EQ(errorOf([&] { inst.peek(end, "i64").value(); }), ErrorKind::OutOfBounds);
  const std::vector<std::int64_t> listWithOneOutside{P, end + 65536};  // past the end of memory
  EXPECT_EQ(errorOf([&] { peek(inst.memory(), listWithOneOutside, parsePeekType("i32").value()).value(); }), ErrorKind::OutOfBounds);
  // The bounds apply to the rounded-down access: these are in bounds.
  EXPECT_EQ(num(inst.peek(end - 1, "i8").value()), 0);
  EXPECT_EQ(num(inst.peek(end - 1, "i32").value()), 0);  // reads end-4 .. end-1
  EXPECT_EQ(std::get<BigInt>(inst.peek(end - 2, "i64").value()), BigInt{});
}

// Rule PEEK-6.
TEST_F(PeekPoke, PEEK_6_OutOfBoundsPokeWritesNothing) {
  const auto end = static_cast<std::int64_t>(inst.byteLength());
  EXPECT_EQ(errorOf([&] { inst.poke(end, 1, "i8").value(); }), ErrorKind::OutOfBounds);
  EXPECT_EQ(errorOf([&] { inst.poke(-4, 1, "i32").value(); }), ErrorKind::OutOfBounds);
  EXPECT_EQ(num(inst.peek(end - 4, "i32").value()), 0);
  EXPECT_EQ(num(inst.peek(0, "i32").value()), 0);
}

}  // namespace
}  // namespace memconform
