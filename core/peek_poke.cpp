#include "core/peek_poke.h"

#include <algorithm>
#include <cmath>

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

// PEEK-4: the bits a poke stores for `value`.
Result<std::uint64_t> pokeBits(const JsNumeric& value, PeekType type) {
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

}  // namespace

Result<PeekType> parsePeekType(std::string_view name) {
  if (!name.empty() && name.back() == '*') return PeekType{ElementType::I32, true};  // wasm32 pointer
  if (name == "i8" || name == "i1") return PeekType{ElementType::I8};
  if (name == "i16") return PeekType{ElementType::I16};
  if (name == "i32") return PeekType{ElementType::I32};
  if (name == "i64") return PeekType{ElementType::I64};
  if (name == "f32" || name == "float") return PeekType{ElementType::F32};
  if (name == "f64" || name == "double") return PeekType{ElementType::F64};
  return fail(ErrorKind::InvalidType, "Invalid type for peek/poke: \"" + std::string(name) + "\"");
}

std::int64_t alignedAddress(std::int64_t address, PeekType type) {
  if (planted(Mutant::PeekNoRoundDown)) return address;
  // ptr >> log2(size) then back to bytes: a floor, also for negative addresses.
  const auto size = static_cast<std::int64_t>(elementSize(type.element));
  return address & ~(size - 1);
}

Result<JsNumeric> peek(const LinearMemory& memory, std::int64_t address, PeekType type) {
  if (planted(Mutant::PeekNoBoundsCheck) && !memory.contains(static_cast<std::uint64_t>(alignedAddress(address, type)),
                                                             elementSize(type.element)))
    return elementValue(type.element, 0);  // reads as if the memory went on with zeros
  if (auto r = checkPeekAccess(memory, address, type, "peek"); !r) return std::move(r).error();
  return loadElement(memory, static_cast<Address>(alignedAddress(address, type)), type.element);
}

Result<std::vector<JsNumeric>> peek(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type) {
  if (planted(Mutant::PeekNoBoundsCheck)) {
    std::vector<JsNumeric> values;
    for (std::int64_t a : addresses) values.push_back(peek(memory, a, type).value());  // the mutant never fails
    return values;
  }
  if (auto r = checkPeekAccess(memory, addresses, type, "peek"); !r) return std::move(r).error();
  std::vector<JsNumeric> values;
  values.reserve(addresses.size());
  for (std::int64_t a : addresses)
    values.push_back(loadElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element));  // checked above
  return values;
}

Result<void> poke(LinearMemory& memory, std::int64_t address, const JsNumeric& value, PeekType type) {
  return poke(memory, std::span(&address, 1), value, type);
}

Result<void> poke(LinearMemory& memory, std::span<const std::int64_t> addresses, const JsNumeric& value, PeekType type) {
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
