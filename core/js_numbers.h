// The ECMAScript number conversions that the glue code relies on, reproduced
// exactly: ToUint32 (GROW-1, `>>> 0`), ToInt8/16/32 and ToUint8/16/32 (typed
// array stores, PEEK-4), Math.fround (f32 stores, PEEK-4), BigInt creation and
// ToBigInt64 (i64 stores, PEEK-4), and WebIDL [EnforceRange] unsigned long
// (the argument of WebAssembly.Memory.prototype.grow, MEM-2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/errors.h"

namespace memconform {

// A JavaScript BigInt. Exact for |value| < 2^64, which covers every value a
// 64-bit view can hold; a larger literal is kept modulo 2^64 (with its sign),
// which is all a 64-bit store keeps of it (ToBigInt64 / ToBigUint64).
struct BigInt {
  bool negative = false;
  std::uint64_t magnitude = 0;

  static BigInt fromSigned(std::int64_t v);
  static BigInt fromUnsigned(std::uint64_t v);
  // "123n", "-9223372036854775808n" (the `n` is required); nullopt if malformed.
  static std::optional<BigInt> parse(std::string_view text);

  std::uint64_t wrap64() const;  // the value modulo 2^64 (ToBigUint64 bits)
  std::string toString() const;  // "-5n"
  friend bool operator==(const BigInt& a, const BigInt& b) {
    return a.magnitude == b.magnitude && (a.negative == b.negative || a.magnitude == 0);
  }
};

// A value that JavaScript code passes to a store: a Number or a BigInt.
using JsNumeric = std::variant<double, BigInt>;

std::uint32_t toUint32(double x);  // ECMA-262 7.1.7
std::int32_t toInt32(double x);    // ECMA-262 7.1.6
std::int16_t toInt16(double x);
std::uint16_t toUint16(double x);
std::int8_t toInt8(double x);
std::uint8_t toUint8(double x);
float fround(double x);  // Math.fround: round to nearest float32, ties to even

// BigInt(x) for a Number: a RangeError unless x is integral (PEEK-4).
Result<BigInt> bigIntFromNumber(double x);

// WebIDL [EnforceRange] unsigned long: TypeError for NaN, +-Infinity, or an
// integer part outside [0, 2^32 - 1]; otherwise the integer part.
Result<std::uint32_t> enforceRangeUint32(double x);

// How JavaScript prints a Number (Number.prototype.toString), for messages.
std::string jsNumberToString(double x);

}  // namespace memconform
