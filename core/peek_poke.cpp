#include "core/peek_poke.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/mutants.h"

namespace memconform {
namespace {

Result<void> checkPeekAccess(const LinearMemory& memory, std::int64_t address, PeekType type, const char* what) {
  return memory.checkAccess(alignedAddress(address, type), elementSize(type.element), what);  // PEEK-6
}

// PEEK-6 for every address before anything is read or written (PEEK-5, SAFE-4).
Result<void> checkPeekAccess(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type,
                             const char* what) {
  for (std::int64_t a : addresses)
    if (auto r = checkPeekAccess(memory, a, type, what); !r) return r;
  return {};
}

// Whether peek and poke go the way upstream's code goes: an index into a
// typed-array view with no bounds check (peek-poke-unchecked), or through
// the glue's cached views while they are detached (views-cached-by-length).
bool upstreamAccess(const LinearMemory& memory) {
  return speaks(Variant::PeekPokeUnchecked) || memory.accessorGeneration() != memory.generation();
}

// The element upstream's `view[ToInt32(ptr) >> log2(size)]` reaches, as a
// byte address, or nullopt where the view has no such element (a negative
// or too large index, a detached view).
std::optional<Address> upstreamElement(const LinearMemory& memory, std::int64_t address, PeekType type) {
  if (memory.accessorGeneration() != memory.generation()) return std::nullopt;  // detached: length 0
  const std::uint32_t size = elementSize(type.element);
  const std::int32_t index = toInt32(static_cast<double>(address)) >> std::countr_zero(size);  // C++20: arithmetic
  if (index < 0 || !memory.contains(std::uint64_t(index) * size, size)) return std::nullopt;
  return static_cast<Address>(std::uint64_t(index) * size);
}

// peek's read as upstream makes it; an undefined f64 goes through Number()
// (NaN), an undefined i64 through BigInt():
// BigInt(undefined) is a TypeError, BigInt(undefined || 0) is 0n
// (i64-bigint-or-zero).
Result<PeekedValue> upstreamPeek(const LinearMemory& memory, std::int64_t address, PeekType type) {
  const auto at = upstreamElement(memory, address, type);
  if (at) return PeekedValue(loadElement(memory, *at, type.element));
  if (type.element == ElementType::F64) return PeekedValue(std::nan(""));  // Number(undefined)
  if (type.element != ElementType::I64) return PeekedValue();
  if (speaks(Variant::I64BigIntOrZero)) return PeekedValue(BigInt{});
  return fail(ErrorKind::TypeError, "Cannot convert undefined to a BigInt");
}

// PEEK-4: the bits a poke stores for `value`.
Result<std::uint64_t> pokeBits(const JsNumeric& value, PeekType type) {
  if (speaks(Variant::I64BigIntOrZero) && type.element == ElementType::I64)
    if (const auto* n = std::get_if<double>(&value); n && (std::isnan(*n) || *n == 0))  // BigInt(v || 0)
      return std::uint64_t{0};
  if (planted(Mutant::PokeSaturates) && std::holds_alternative<double>(value)) {
    const double x = std::get<double>(value);
    const int bits = static_cast<int>(elementSize(type.element)) * 8;
    if (type.element != ElementType::F32 && type.element != ElementType::F64 && std::isfinite(x) && bits < 64) {
      const double hi = std::ldexp(1.0, bits - 1) - 1, lo = -std::ldexp(1.0, bits - 1);
      return elementBits(type.element, std::clamp(std::trunc(x), lo, hi));
    }
  }
  if (planted(Mutant::I64ThroughDouble) && type.element == ElementType::I64) {
    if (const auto* b = std::get_if<BigInt>(&value)) {
      const double d = static_cast<double>(static_cast<std::int64_t>(b->wrap64()));
      return elementBits(type.element, bigIntFromNumber(d).value());  // an integral double: never fails
    }
  }
  if (type.element == ElementType::I64) {
    if (const auto* n = std::get_if<double>(&value)) {
      auto b = bigIntFromNumber(*n);
      if (!b) return std::move(b).error();
      return elementBits(type.element, *b);
    }
  }
  return elementBits(type.element, value);
}

// PEEK-5: the whole list checked, then one value per address, in order,
// into `values` (empty; JsNumeric or PeekedValue): peek() and peekValues()
// fill their results here, with no list in between.
template <class T>
Result<void> peekInto(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type,
                      std::vector<T>& values) {
  if (planted(Mutant::PeekNoBoundsCheck)) {
    for (std::int64_t a : addresses) values.emplace_back(peek(memory, a, type).value());  // the mutant never fails
    return {};
  }
  if (auto r = checkPeekAccess(memory, addresses, type, "peek"); !r) return std::move(r).error();
  values.reserve(addresses.size());  // one allocation, not one per doubling
  for (std::int64_t a : addresses)
    values.emplace_back(loadElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element));  // checked
  return {};
}

}  // namespace

Result<PeekType> parsePeekType(std::string_view name) {
  if (!name.empty() && name.back() == '*') return PeekType{ElementType::I32, true};  // wasm32 pointer
  if (name == "i8" || name == "i1") return PeekType{ElementType::I8};
  if (name == "i16") return PeekType{ElementType::I16};
  if (name == "i32") return PeekType{ElementType::I32};
  if (name == "i64") return PeekType{ElementType::I64};
  if (name == "f32" || name == "float") return PeekType{ElementType::F32};
  if (name == "f64" || name == "double") return PeekType{ElementType::F64};
  return fail(ErrorKind::InvalidType, [&] { return "Invalid type for peek/poke: \"" + std::string(name) + "\""; });
}

std::int64_t alignedAddress(std::int64_t address, PeekType type) {
  if (planted(Mutant::PeekNoRoundDown)) return address;
  // ptr >> log2(size) then back to bytes: a floor, also for negative addresses.
  const auto size = static_cast<std::int64_t>(elementSize(type.element));
  return address & ~(size - 1);
}

Result<PeekedValue> peekValue(const LinearMemory& memory, std::int64_t address, PeekType type) {
  if (upstreamAccess(memory)) return upstreamPeek(memory, address, type);
  auto v = peek(memory, address, type);
  if (!v) return std::move(v).error();
  return PeekedValue(std::move(*v));
}

Result<std::vector<PeekedValue>> peekValues(const LinearMemory& memory, std::span<const std::int64_t> addresses,
                                            PeekType type) {
  // do { ptr = list.shift(); ... } while (list.length): an empty list reads
  // `undefined >> n`, address 0.
  static constexpr std::int64_t kZero = 0;
  if (addresses.empty() && speaks(Variant::PeekEmptyListReadsZero)) addresses = std::span(&kZero, 1);
  std::vector<PeekedValue> values;
  if (!upstreamAccess(memory)) {
    if (auto r = peekInto(memory, addresses, type, values); !r) return std::move(r).error();
    return values;
  }
  values.reserve(addresses.size());  // one allocation, not one per doubling
  for (std::int64_t a : addresses) {
    auto v = upstreamPeek(memory, a, type);
    if (!v) return std::move(v).error();
    values.push_back(std::move(*v));
  }
  return values;
}

Result<JsNumeric> peek(const LinearMemory& memory, std::int64_t address, PeekType type) {
  if (planted(Mutant::PeekNoBoundsCheck) && !memory.contains(static_cast<std::uint64_t>(alignedAddress(address, type)),
                                                             elementSize(type.element)))
    return elementValue(type.element, 0);  // reads as if the memory went on with zeros
  if (auto r = checkPeekAccess(memory, address, type, "peek"); !r) return std::move(r).error();
  return loadElement(memory, static_cast<Address>(alignedAddress(address, type)), type.element);
}

Result<std::vector<JsNumeric>> peek(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type) {
  std::vector<JsNumeric> values;
  if (auto r = peekInto(memory, addresses, type, values); !r) return std::move(r).error();
  return values;
}

Result<void> poke(LinearMemory& memory, std::int64_t address, const JsNumeric& value, PeekType type) {
  return poke(memory, std::span(&address, 1), value, type);
}

Result<void> poke(LinearMemory& memory, std::span<const std::int64_t> addresses, const JsNumeric& value, PeekType type) {
  if (upstreamAccess(memory)) {
    // for (const p of list) view[p >> n] = value: each store converts, then
    // drops an index the view does not have; an empty list converts nothing.
    for (std::int64_t a : addresses) {
      const auto bits = pokeBits(value, type);
      if (!bits) return bits.error();
      if (const auto at = upstreamElement(memory, a, type)) storeElement(memory, *at, type.element, *bits);
    }
    return {};
  }
  const auto bits = pokeBits(value, type);  // PEEK-4: conversion errors first
  if (!bits) return bits.error();
  if (planted(Mutant::PokePartialOnOutOfBounds)) {
    for (std::int64_t a : addresses) {
      if (auto r = checkPeekAccess(memory, a, type, "poke"); !r) return r;
      storeElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element, *bits);
    }
    return {};
  }
  if (auto r = checkPeekAccess(memory, addresses, type, "poke"); !r) return r;
  for (std::int64_t a : addresses)
    storeElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element, *bits);
  return {};
}

}  // namespace memconform
