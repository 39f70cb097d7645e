#include "core/views.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/mutants.h"

namespace memconform {
namespace {
struct ElementInfo {
  ElementType type;
  std::uint32_t size;
  std::string_view name;
  std::string_view typedArray;
};
constexpr std::array<ElementInfo, 10> kElements{{
    {ElementType::I8, 1, "i8", "Int8Array"},
    {ElementType::U8, 1, "u8", "Uint8Array"},
    {ElementType::I16, 2, "i16", "Int16Array"},
    {ElementType::U16, 2, "u16", "Uint16Array"},
    {ElementType::I32, 4, "i32", "Int32Array"},
    {ElementType::U32, 4, "u32", "Uint32Array"},
    {ElementType::I64, 8, "i64", "BigInt64Array"},
    {ElementType::U64, 8, "u64", "BigUint64Array"},
    {ElementType::F32, 4, "f32", "Float32Array"},
    {ElementType::F64, 8, "f64", "Float64Array"},
}};
const ElementInfo& info(ElementType t) { return kElements[static_cast<std::size_t>(t)]; }
}  // namespace

std::uint32_t elementSize(ElementType t) { return info(t).size; }
bool isBigIntElement(ElementType t) { return t == ElementType::I64 || t == ElementType::U64; }
std::string_view elementTypeName(ElementType t) { return info(t).name; }

std::optional<ElementType> elementTypeFromTypedArrayName(std::string_view name) {
  for (const auto& e : kElements)
    if (e.typedArray == name) return e.type;
  return std::nullopt;
}

Result<std::uint64_t> elementBits(ElementType t, const JsNumeric& value) {
  if (isBigIntElement(t)) {
    if (const auto* b = std::get_if<BigInt>(&value)) return b->wrap64();  // ToBigInt64 / ToBigUint64
    return fail(ErrorKind::TypeError,
                [&] { return "Cannot convert " + jsNumberToString(std::get<double>(value)) + " to a BigInt"; });
  }
  if (const auto* b = std::get_if<BigInt>(&value))
    return fail(ErrorKind::TypeError,
                [&] { return "Cannot convert a BigInt value (" + b->toString() + ") to a number"; });
  const double x = std::get<double>(value);
  switch (t) {
    case ElementType::I8: return static_cast<std::uint8_t>(toInt8(x));
    case ElementType::U8: return toUint8(x);
    case ElementType::I16: return static_cast<std::uint16_t>(toInt16(x));
    case ElementType::U16: return toUint16(x);
    case ElementType::I32: return static_cast<std::uint32_t>(toInt32(x));
    case ElementType::U32: return toUint32(x);
    case ElementType::F32: return std::bit_cast<std::uint32_t>(fround(x));
    case ElementType::F64: return std::bit_cast<std::uint64_t>(x);
    default: break;
  }
  return 0;  // unreachable: BigInt types handled above
}

JsNumeric elementValue(ElementType t, std::uint64_t bits) {
  switch (t) {
    case ElementType::I8: return static_cast<double>(static_cast<std::int8_t>(bits));
    case ElementType::U8: return static_cast<double>(static_cast<std::uint8_t>(bits));
    case ElementType::I16: return static_cast<double>(static_cast<std::int16_t>(bits));
    case ElementType::U16: return static_cast<double>(static_cast<std::uint16_t>(bits));
    case ElementType::I32: return static_cast<double>(static_cast<std::int32_t>(bits));
    case ElementType::U32: return static_cast<double>(static_cast<std::uint32_t>(bits));
    case ElementType::I64: return BigInt::fromSigned(static_cast<std::int64_t>(bits));
    case ElementType::U64: return BigInt::fromUnsigned(bits);
    case ElementType::F32: return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
    case ElementType::F64: return std::bit_cast<double>(bits);
  }
  return 0.0;
}

JsNumeric loadElement(const LinearMemory& memory, Address address, ElementType t) {
  std::uint8_t bytes[8] = {};
  const std::uint32_t n = elementSize(t);
  memory.callerRead(address, bytes, n);
  std::uint64_t bits = 0;
  for (std::uint32_t i = 0; i < n; ++i) bits |= std::uint64_t{bytes[i]} << (8 * i);  // little-endian (PEEK-2)
  return elementValue(t, bits);
}

void storeElement(LinearMemory& memory, Address address, ElementType t, std::uint64_t bits) {
  std::uint8_t bytes[8];
  const std::uint32_t n = elementSize(t);
  for (std::uint32_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(bits >> (8 * i));
  memory.callerWrite(address, bytes, n);
}

View::View(LinearMemory& memory, ElementType type, EventLog* log)
    : memory_(&memory), type_(type), log_(log),
      // The mutant hands out a view as it was when the module started (generation 0).
      generation_(planted(Mutant::ViewsNotRefreshed) ? 0 : memory.accessorGeneration()) {}

View View::runtimeView(LinearMemory& memory, ElementType type, EventLog* log) {
  return View(memory, type, log, memory.runtimeViewsGeneration());
}

std::uint64_t View::length() const { return detached() ? 0 : memory_->byteLength() / elementSize(type_); }

void View::reportStale() const {
  if (log_) log_->record(StaleViewEvent{generation_, memory_->generation()});
}

std::optional<std::uint64_t> View::validIndex(double index) const {
  // IsValidIntegerIndex of the property key: integral and inside [0, length).
  // A Number index -0 is the key "0" (ToPropertyKey), so it is index 0.
  if (!std::isfinite(index) || std::trunc(index) != index || index < 0) return std::nullopt;
  if (index >= static_cast<double>(length())) return std::nullopt;
  return static_cast<std::uint64_t>(index);
}

std::optional<JsNumeric> View::get(double index) const {
  if (detached()) {
    reportStale();  // SAFE-3
    return std::nullopt;
  }
  const auto i = validIndex(index);
  if (!i) return std::nullopt;
  return loadElement(*memory_, static_cast<Address>(*i * elementSize(type_)), type_);
}

Result<void> View::set(double index, const JsNumeric& value) {
  const auto bits = elementBits(type_, value);  // converts (and may fail) before the index check
  if (!bits) return bits.error();
  if (detached()) {
    reportStale();  // SAFE-3; the write is ignored (VIEW-2)
    return {};
  }
  if (const auto i = validIndex(index)) storeElement(*memory_, static_cast<Address>(*i * elementSize(type_)), type_, *bits);
  return {};
}

Result<View> heapForSize(LinearMemory& memory, double bits, bool isUnsigned, EventLog* log) {
  ElementType t;
  if (bits == 8) t = isUnsigned ? ElementType::U8 : ElementType::I8;
  else if (bits == 16) t = isUnsigned ? ElementType::U16 : ElementType::I16;
  else if (bits == 32) t = isUnsigned ? ElementType::U32 : ElementType::I32;
  else if (bits == 64) t = isUnsigned ? ElementType::U64 : ElementType::I64;
  else
    return fail(ErrorKind::InvalidArgument, [&] {
      return "Invalid heapForSize() size " + jsNumberToString(bits) + ": expecting 8, 16, 32, or 64";
    });
  return View(memory, t, log);
}

Result<View> heapForSize(LinearMemory& memory, std::string_view typedArrayConstructor, EventLog* log) {
  const auto t = elementTypeFromTypedArrayName(typedArrayConstructor);
  if (!t)
    return fail(ErrorKind::InvalidArgument, [&] {
      return "heapForSize(): \"" + std::string(typedArrayConstructor) + "\" is not a typed-array constructor";
    });
  if ((*t == ElementType::F32 || *t == ElementType::F64) && speaks(Variant::NoFloatViews))
    return fail(ErrorKind::InvalidArgument, [&] {
      return "Invalid heapForSize() size: " + std::string(typedArrayConstructor) +
             " (upstream takes the integer typed arrays only)";
    });
  return View(memory, *t, log);
}

}  // namespace memconform
