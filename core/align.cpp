#include "core/align.h"

#include <cmath>

#include "core/errors.h"
#include "core/js_numbers.h"

namespace memconform {

namespace {
double ceilToMultiple(double size, double alignment) { return std::ceil(size / alignment) * alignment; }  // ALIGN-1
}  // namespace

Result<double> alignMemory(double size, double alignment) {
  if (!(alignment > 0))
    return fail(ErrorKind::InvalidArgument, "alignMemory(): alignment " + jsNumberToString(alignment) + " must be positive");
  return ceilToMultiple(size, alignment);
}

Result<Address> zeroMemory(LinearMemory& memory, std::int64_t address, double size) {
  if (!(size >= 0) || std::trunc(size) != size)
    return fail(ErrorKind::InvalidArgument, "zeroMemory(): size " + jsNumberToString(size) + " is not a non-negative integer");
  const auto bytes = size > 4294967296.0 ? std::uint64_t{1} << 33 : static_cast<std::uint64_t>(size);
  if (auto r = memory.checkAccess(address, bytes, "zeroMemory"); !r) return std::move(r).error();
  memory.callerFill(static_cast<Address>(address), 0, bytes);  // ALIGN-2
  return static_cast<Address>(address);
}

Address mmapAlloc(Allocator& allocator, LinearMemory& memory, double size) {
  const double aligned = ceilToMultiple(size, 65536);  // ALIGN-3
  if (!(aligned >= 0) || aligned > 4294967296.0) return 0;
  const auto bytes = static_cast<std::uint64_t>(aligned);
  const Address ptr = allocator.memalign(65536, bytes);
  if (ptr != 0) memory.internalFill(ptr, 0, static_cast<std::size_t>(bytes));  // the allocator's own block
  return ptr;
}

}  // namespace memconform
