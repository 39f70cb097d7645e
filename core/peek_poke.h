// Peek and poke (SEMANTICS.md section 5, PEEK-1..6): typed reads and writes
// at caller-chosen addresses, with the ECMAScript conversions of the typed
// arrays they go through and a bounds check that, unlike upstream, reports an
// OutOfBounds error instead of returning undefined.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/js_numbers.h"
#include "core/memory.h"
#include "core/views.h"

namespace memconform {

// PEEK-1: i8 i16 i32 i64 f32 f64, aliases i1=i8, float=f32, double=f64, and
// any type ending in `*` is a pointer (i32 on wasm32).
struct PeekType {
  ElementType element;  // I8, I16, I32, I64, F32 or F64
  bool pointer = false;
};
// InvalidType for anything else.
Result<PeekType> parsePeekType(std::string_view name);
inline constexpr std::string_view kDefaultPeekType = "i8";  // PEEK-1

// PEEK-2: the address is rounded down to a multiple of the type's size.
std::int64_t alignedAddress(std::int64_t address, PeekType type);

// PEEK-3 / PEEK-6: the value at `address` (i64 as a BigInt, others as Numbers);
// OutOfBounds unless all bytes of the (rounded-down) access are in memory.
Result<JsNumeric> peek(const LinearMemory& memory, std::int64_t address, PeekType type);
// PEEK-5: one value per address, in order; an empty list reads nothing. The
// caller's list is a read-only view and is never modified.
Result<std::vector<JsNumeric>> peek(const LinearMemory& memory, std::span<const std::int64_t> addresses, PeekType type);

// Peek as the spoken dialect has it (core/dialects.h): a value, or
// undefined (nullopt) where upstream's typed-array read gives undefined:
// out of range with peek-poke-unchecked, or through the glue's detached
// cached views with views-cached-by-length. In the specified behaviour it is
// peek() above and never undefined. The list form reads address 0 for an
// empty list with peek-empty-list-reads-zero.
using PeekedValue = std::optional<JsNumeric>;
Result<PeekedValue> peekValue(const LinearMemory& memory, std::int64_t address, PeekType type);
Result<std::vector<PeekedValue>> peekValues(const LinearMemory& memory, std::span<const std::int64_t> addresses,
                                            PeekType type);

// PEEK-4 / PEEK-6: converts `value` (i64: BigInt(value) for a Number, so a
// fraction is a RangeError; a BigInt into another type is a TypeError), then
// writes it. Conversion errors come first, then bounds; on any error nothing
// is written.
Result<void> poke(LinearMemory& memory, std::int64_t address, const JsNumeric& value, PeekType type);
// PEEK-5: writes the value at every address; if any address is out of bounds
// nothing at all is written (SAFE-4).
Result<void> poke(LinearMemory& memory, std::span<const std::int64_t> addresses, const JsNumeric& value, PeekType type);

}  // namespace memconform
