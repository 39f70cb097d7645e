#include "core/js_numbers.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/errors.h"

namespace memconform {
namespace {

// The integer part of x modulo 2^64, for finite x; the common step of every
// ToIntN (ECMA-262: "int = truncate(x); int modulo 2^N"). Exact: a double with
// |x| >= 2^53 is an integer m * 2^e, and its residue is (m << e) mod 2^64.
std::uint64_t truncatedModulo2To64(double x) {
  if (!std::isfinite(x)) return 0;
  const double t = std::trunc(x);
  const double a = std::fabs(t);
  std::uint64_t residue;
  if (a < 18446744073709551616.0) {  // 2^64: fits exactly
    residue = static_cast<std::uint64_t>(a);
  } else {
    int exponent = 0;
    const double mantissa = std::frexp(a, &exponent);  // a = mantissa * 2^exponent
    const auto m = static_cast<std::uint64_t>(std::ldexp(mantissa, 53));
    const int shift = exponent - 53;  // >= 12 here
    residue = shift >= 64 ? 0 : (m << shift);
  }
  return t < 0 ? (~residue + 1) : residue;
}

}  // namespace

BigInt BigInt::fromSigned(std::int64_t v) {
  BigInt b;
  b.negative = v < 0;
  b.magnitude = v < 0 ? (~static_cast<std::uint64_t>(v) + 1) : static_cast<std::uint64_t>(v);
  return b;
}

BigInt BigInt::fromUnsigned(std::uint64_t v) { return BigInt{false, v}; }

std::optional<BigInt> BigInt::parse(std::string_view text) {
  if (text.size() < 2 || text.back() != 'n') return std::nullopt;
  text.remove_suffix(1);
  BigInt b;
  if (!text.empty() && text.front() == '-') {
    b.negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    b.magnitude = b.magnitude * 10 + static_cast<std::uint64_t>(c - '0');  // mod 2^64
  }
  if (b.magnitude == 0) b.negative = false;
  return b;
}

std::uint64_t BigInt::wrap64() const { return negative ? (~magnitude + 1) : magnitude; }

std::string BigInt::toString() const {
  return (negative && magnitude != 0 ? "-" : "") + std::to_string(magnitude) + "n";
}

std::uint32_t toUint32(double x) { return static_cast<std::uint32_t>(truncatedModulo2To64(x)); }
std::int32_t toInt32(double x) { return static_cast<std::int32_t>(toUint32(x)); }
std::uint16_t toUint16(double x) { return static_cast<std::uint16_t>(truncatedModulo2To64(x)); }
std::int16_t toInt16(double x) { return static_cast<std::int16_t>(toUint16(x)); }
std::uint8_t toUint8(double x) { return static_cast<std::uint8_t>(truncatedModulo2To64(x)); }
std::int8_t toInt8(double x) { return static_cast<std::int8_t>(toUint8(x)); }

float fround(double x) {
  // IEEE 754 binary64 -> binary32 conversion under round-to-nearest-even,
  // which is what C++ performs; values beyond the float range become +-Inf.
  return static_cast<float>(x);
}

Result<BigInt> bigIntFromNumber(double x) {
  if (!std::isfinite(x) || std::trunc(x) != x)
    return fail(ErrorKind::RangeError, [&] {
      return "The number " + jsNumberToString(x) + " cannot be converted to a BigInt because it is not an integer";
    });
  if (std::fabs(x) < 18446744073709551616.0) {
    BigInt b;
    b.negative = x < 0;
    b.magnitude = static_cast<std::uint64_t>(std::fabs(x));
    return b;
  }
  // |x| >= 2^64: only the residue modulo 2^64 is representable here, and it is
  // all that a 64-bit store keeps.
  BigInt b;
  b.negative = x < 0;
  b.magnitude = truncatedModulo2To64(std::fabs(x));
  return b;
}

Result<std::uint32_t> enforceRangeUint32(double x) {
  if (!std::isfinite(x))
    return fail(ErrorKind::TypeError,
                [&] { return "value " + jsNumberToString(x) + " is not a finite number (EnforceRange)"; });
  const double t = std::trunc(x);
  if (t < 0 || t > 4294967295.0)
    return fail(ErrorKind::TypeError,
                [&] { return "value " + jsNumberToString(x) + " is outside the range of unsigned long"; });
  return static_cast<std::uint32_t>(t);
}

std::string jsNumberToString(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x < 0 ? "-Infinity" : "Infinity";
  if (x == 0) return "0";
  if (std::trunc(x) == x && std::fabs(x) < 1e21) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 0);
    return std::string(buf, r.ptr);
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

}  // namespace memconform
