#include "core/peek_poke.h"

#include "core/errors.h"

namespace memconform {
namespace {

void checkPeekAccess(const LinearMemory& memory, std::int64_t address, PeekType type, const char* what) {
  memory.checkAccess(alignedAddress(address, type), elementSize(type.element), what);  // PEEK-6
}

// PEEK-4: the bits a poke stores for `value`.
std::uint64_t pokeBits(const JsNumeric& value, PeekType type) {
  if (type.element == ElementType::I64) {
    if (const auto* n = std::get_if<double>(&value)) return elementBits(type.element, bigIntFromNumber(*n));
  }
  return elementBits(type.element, value);
}

}  // namespace

PeekType parsePeekType(std::string_view name) {
  if (!name.empty() && name.back() == '*') return {ElementType::I32, true};  // wasm32 pointer
  if (name == "i8" || name == "i1") return {ElementType::I8};
  if (name == "i16") return {ElementType::I16};
  if (name == "i32") return {ElementType::I32};
  if (name == "i64") return {ElementType::I64};
  if (name == "f32" || name == "float") return {ElementType::F32};
  if (name == "f64" || name == "double") return {ElementType::F64};
  fail(ErrorKind::InvalidType, "Invalid type for peek/poke: \"" + std::string(name) + "\"");
}

std::int64_t alignedAddress(std::int64_t address, PeekType type) {
  // ptr >> log2(size) then back to bytes: a floor, also for negative addresses.
  const auto size = static_cast<std::int64_t>(elementSize(type.element));
  return address & ~(size - 1);
}

JsNumeric peek(const LinearMemory& memory, std::int64_t address, PeekType type) {
  checkPeekAccess(memory, address, type, "peek");
  return loadElement(memory, static_cast<Address>(alignedAddress(address, type)), type.element);
}

std::vector<JsNumeric> peek(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type) {
  for (std::int64_t a : addresses) checkPeekAccess(memory, a, type, "peek");
  std::vector<JsNumeric> values;
  values.reserve(addresses.size());
  for (std::int64_t a : addresses)
    values.push_back(loadElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element));  // checked above
  return values;
}

void poke(LinearMemory& memory, std::int64_t address, const JsNumeric& value, PeekType type) {
  poke(memory, std::span(&address, 1), value, type);
}

void poke(LinearMemory& memory, std::span<const std::int64_t> addresses, const JsNumeric& value, PeekType type) {
  const std::uint64_t bits = pokeBits(value, type);
  for (std::int64_t a : addresses) checkPeekAccess(memory, a, type, "poke");
  for (std::int64_t a : addresses)
    storeElement(memory, static_cast<Address>(alignedAddress(a, type)), type.element, bits);
}

}  // namespace memconform
