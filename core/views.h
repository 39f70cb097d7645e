// Heap views (SEMANTICS.md section 4, VIEW-1..3): typed arrays over the whole
// memory. A view remembers the memory generation it was made in; once the
// memory has grown it is detached (length 0, reads give undefined, writes are
// ignored) and every access through it is reported as a StaleViewEvent, which
// the invariant checker turns into a SAFE-3 violation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "core/errors.h"
#include "core/events.h"
#include "core/js_numbers.h"
#include "core/memory.h"

namespace memconform {

// The element types of the typed-array views (Int8Array ... Float64Array).
enum class ElementType { I8, U8, I16, U16, I32, U32, I64, U64, F32, F64 };

std::uint32_t elementSize(ElementType t);
bool isBigIntElement(ElementType t);  // BigInt64Array, BigUint64Array
std::string_view elementTypeName(ElementType t);      // "i8", "u8", ..., "f64"
std::optional<ElementType> elementTypeFromTypedArrayName(std::string_view name);  // "Int8Array"...

// The typed-array element store conversion ([[Set]] on an integer-indexed
// exotic object): ToBigInt for the BigInt views (a Number is a TypeError),
// ToNumber + ToIntN / fround for the others (a BigInt is a TypeError).
// Returns the little-endian bits to store.
Result<std::uint64_t> elementBits(ElementType t, const JsNumeric& value);

// The value of stored bits, as the typed array's [[Get]] returns it.
JsNumeric elementValue(ElementType t, std::uint64_t bits);

// Loads / stores one element at an in-bounds, element-aligned address on the
// caller's behalf (explicit access, legal on any in-bounds byte).
JsNumeric loadElement(const LinearMemory& memory, Address address, ElementType t);
void storeElement(LinearMemory& memory, Address address, ElementType t, std::uint64_t bits);

class View {
 public:
  View(LinearMemory& memory, ElementType type, EventLog* log = nullptr);
  // The runtime's own view (Emscripten's HEAPU8, which zeroMemory's fill
  // returns in zero-memory-returns-heap): of the buffer the runtime last
  // renewed its views for, not through the glue's accessors (VIEW-2).
  static View runtimeView(LinearMemory& memory, ElementType type, EventLog* log = nullptr);

  ElementType type() const { return type_; }
  std::uint64_t generation() const { return generation_; }
  bool detached() const { return generation_ != memory_->generation(); }
  // VIEW-1: byteLength / elementSize; 0 once detached (VIEW-2).
  std::uint64_t length() const;

  // view[index]: undefined (nullopt) for a non-integral, negative or
  // out-of-range index, and on a detached view (which also reports stale use).
  std::optional<JsNumeric> get(double index) const;
  // view[index] = value: the value is converted first (TypeError as for
  // elementBits, even on a detached view), then the store is ignored if the
  // index is not valid or the view is detached (stale use reported).
  Result<void> set(double index, const JsNumeric& value);

 private:
  View(LinearMemory& memory, ElementType type, EventLog* log, std::uint64_t generation)
      : memory_(&memory), type_(type), log_(log), generation_(generation) {}
  std::optional<std::uint64_t> validIndex(double index) const;
  void reportStale() const;

  LinearMemory* memory_;
  ElementType type_;
  EventLog* log_;
  std::uint64_t generation_;
};

// VIEW-3: heapForSize(n, unsigned = true): 8, 16, 32 and 64 select the view of
// that width (signed or unsigned); anything else is InvalidArgument.
Result<View> heapForSize(LinearMemory& memory, double bits, bool isUnsigned = true, EventLog* log = nullptr);
// VIEW-3: a typed-array constructor (by its name, "Int16Array") selects that view.
Result<View> heapForSize(LinearMemory& memory, std::string_view typedArrayConstructor, EventLog* log = nullptr);

}  // namespace memconform
