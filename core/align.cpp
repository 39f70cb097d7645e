#include "core/align.h"

#include <algorithm>
#include <cmath>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/js_numbers.h"

namespace memconform {

namespace {
double ceilToMultiple(double size, double alignment) { return std::ceil(size / alignment) * alignment; }  // ALIGN-1

// ALIGN-2 as upstream writes it (zero-memory-fill): HEAPU8.fill(0, ptr,
// ptr + size), which converts both ends to integers, counts negative ones
// from the end and clamps them to the view (a detached one is a TypeError).
Result<void> fillLikeUpstream(LinearMemory& memory, double start, double end) {
  if (memory.runtimeViewsDetached())
    return fail(ErrorKind::TypeError, "Cannot perform %TypedArray%.prototype.fill on a detached ArrayBuffer");
  const double length = static_cast<double>(memory.byteLength());
  auto relative = [&](double x) {
    x = std::isnan(x) ? 0 : std::trunc(x);  // ToIntegerOrInfinity
    return x < 0 ? std::max(length + x, 0.0) : std::min(x, length);
  };
  const double from = relative(start), to = relative(end);
  if (to > from) memory.callerFill(static_cast<Address>(from), 0, static_cast<std::uint64_t>(to - from));
  return {};
}
}  // namespace

Result<double> alignMemory(double size, double alignment) {
  if (!(alignment > 0) && !speaks(Variant::AlignUnchecked))
    return fail(ErrorKind::InvalidArgument,
                [&] { return "alignMemory(): alignment " + jsNumberToString(alignment) + " must be positive"; });
  return ceilToMultiple(size, alignment);
}

Result<std::int64_t> zeroMemory(LinearMemory& memory, std::int64_t address, double size) {
  if (speaks(Variant::ZeroMemoryFill)) {
    const double ptr = static_cast<double>(address);
    if (auto r = fillLikeUpstream(memory, ptr, ptr + size); !r) return std::move(r).error();
    return address;  // upstream returns ptr as given (or, zero-memory-returns-heap, HEAPU8)
  }
  if (!(size >= 0) || std::trunc(size) != size)
    return fail(ErrorKind::InvalidArgument,
                [&] { return "zeroMemory(): size " + jsNumberToString(size) + " is not a non-negative integer"; });
  const auto bytes = size > 4294967296.0 ? std::uint64_t{1} << 33 : static_cast<std::uint64_t>(size);
  if (auto r = memory.checkAccess(address, bytes, "zeroMemory"); !r) return std::move(r).error();
  memory.callerFill(static_cast<Address>(address), 0, bytes);  // ALIGN-2
  return address;
}

Result<Address> mmapAlloc(Allocator& allocator, LinearMemory& memory, double size) {
  if (speaks(Variant::MmapAllocAborts)) return fail(ErrorKind::InvalidArgument, "Aborted(): mmapAlloc is a stub");
  const double aligned = ceilToMultiple(size, 65536);  // ALIGN-3
  if (speaks(Variant::MmapAllocSizeWraps)) {
    // Upstream: memalign(65536, aligned) unchecked, then zeroMemory(ptr, aligned).
    const Address ptr = allocator.memalignFromJs(65536, aligned);
    if (ptr != 0)
      if (auto r = fillLikeUpstream(memory, ptr, ptr + aligned); !r) return std::move(r).error();  // the block leaks
    return ptr;
  }
  if (!(aligned >= 0) || aligned > 4294967296.0) return 0;
  const auto bytes = static_cast<std::uint64_t>(aligned);
  const Address ptr = allocator.memalign(65536, bytes);
  if (ptr != 0) memory.internalFill(ptr, 0, static_cast<std::size_t>(bytes));  // the allocator's own block
  return ptr;
}

}  // namespace memconform
