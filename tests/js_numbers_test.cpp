// The ECMAScript conversions behind GROW-1 (ToUint32) and PEEK-4 (ToIntN,
// fround, BigInt). Expected values are ECMA-262's, worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/js_numbers.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Rule GROW-1.
TEST(JsNumbers, GROW_1_ToUint32WrapsModulo2To32AndTruncates) {
  EXPECT_EQ(toUint32(-1), 4294967295u);
  EXPECT_EQ(toUint32(4294967296.0), 0u);
  EXPECT_EQ(toUint32(4294967297.9), 1u);
  EXPECT_EQ(toUint32(1.9), 1u);
  EXPECT_EQ(toUint32(-1.9), 4294967295u);  // truncated to -1 first
  EXPECT_EQ(toUint32(std::nan("")), 0u);
  EXPECT_EQ(toUint32(kInf), 0u);
  EXPECT_EQ(toUint32(-kInf), 0u);
  EXPECT_EQ(toUint32(1e20), 1661992960u);  // 1e20 mod 2^32
  EXPECT_EQ(toUint32(-0.0), 0u);
}

// Rule PEEK-4.
TEST(JsNumbers, PEEK_4_ToIntNTruncatesAndWraps) {
  EXPECT_EQ(toInt8(300), 44);
  EXPECT_EQ(toInt8(128), -128);
  EXPECT_EQ(toInt8(-129), 127);
  EXPECT_EQ(toInt16(40000), -25536);
  EXPECT_EQ(toInt32(2147483648.0), -2147483647 - 1);
  EXPECT_EQ(toInt32(-2147483649.0), 2147483647);
  EXPECT_EQ(toInt32(4294967301.0), 5);
  EXPECT_EQ(toInt32(1e300), 0);  // a multiple of 2^32
  EXPECT_EQ(toInt32(-0.9), 0);
  EXPECT_EQ(toInt32(9007199254740994.0), 2);  // 2^53 + 2
  EXPECT_EQ(toInt8(std::nan("")), 0);
  EXPECT_EQ(toInt8(kInf), 0);
  EXPECT_EQ(toUint8(-1), 255);
  EXPECT_EQ(toUint16(-1), 65535);
}

// Rule PEEK-4.
TEST(JsNumbers, PEEK_4_FroundRoundsToNearestEven) {
  EXPECT_EQ(fround(16777217), 16777216.0f);
  EXPECT_EQ(static_cast<double>(fround(0.1)), 0.10000000149011612);
  EXPECT_EQ(fround(1 + std::ldexp(1, -24)), 1.0f);                        // tie -> even (1)
  EXPECT_EQ(fround(1 + 3 * std::ldexp(1, -24)), 1 + std::ldexp(1, -22));  // tie -> even
  EXPECT_TRUE(std::isinf(fround(1e40)));
  EXPECT_TRUE(std::isinf(fround(3.4028235677973366e38)));  // the midpoint past FLT_MAX
  EXPECT_TRUE(std::signbit(fround(-0.0)));
}

// Rule PEEK-4.
TEST(JsNumbers, PEEK_4_BigIntOfANumberNeedsAnInteger) {
  EXPECT_EQ(errorOf([] { bigIntFromNumber(1.5).value(); }), ErrorKind::RangeError);
  EXPECT_EQ(errorOf([] { bigIntFromNumber(std::nan("")).value(); }), ErrorKind::RangeError);
  EXPECT_EQ(errorOf([] { bigIntFromNumber(kInf).value(); }), ErrorKind::RangeError);
  EXPECT_EQ(bigIntFromNumber(-1).value().wrap64(), 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(bigIntFromNumber(9223372036854775808.0).value().wrap64(), 0x8000000000000000ull);
  EXPECT_EQ(bigIntFromNumber(18446744073709551616.0).value().wrap64(), 0u);  // 2^64 wraps to 0
  EXPECT_EQ(bigIntFromNumber(-0.0).value(), BigInt{});
}

// Rule PEEK-4.
TEST(JsNumbers, PEEK_4_BigIntLiteralsParseAndWrap) {
  EXPECT_EQ(BigInt::parse("18446744073709551617n")->wrap64(), 1u);
  EXPECT_EQ(BigInt::parse("-9223372036854775808n")->wrap64(), 0x8000000000000000ull);
  EXPECT_EQ(BigInt::parse("-0n"), BigInt{});
  EXPECT_EQ(BigInt::parse("-5n")->toString(), "-5n");
  for (const char* bad : {"5", "n", "-n", "1.5n", "0x10n", " 1n", ""}) EXPECT_FALSE(BigInt::parse(bad)) << bad;
}

TEST(JsNumbers, NumbersPrintAsJavaScriptDoes) {
  EXPECT_EQ(jsNumberToString(1), "1");
  EXPECT_EQ(jsNumberToString(-0.0), "0");
  EXPECT_EQ(jsNumberToString(0.1), "0.1");
  EXPECT_EQ(jsNumberToString(2147483648.0), "2147483648");
  EXPECT_EQ(jsNumberToString(-kInf), "-Infinity");
}

}  // namespace
}  // namespace memconform
