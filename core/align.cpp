#include "core/align.h"

#include <cmath>

#include "core/errors.h"
#include "core/js_numbers.h"

namespace memconform {

double alignMemory(double size, double alignment) {
  if (!(alignment > 0))
    fail(ErrorKind::InvalidArgument, "alignMemory(): alignment " + jsNumberToString(alignment) + " must be positive");
  return std::ceil(size / alignment) * alignment;  // ALIGN-1
}

Address zeroMemory(LinearMemory& memory, std::int64_t address, double size) {
  if (!(size >= 0) || std::trunc(size) != size)
    fail(ErrorKind::InvalidArgument, "zeroMemory(): size " + jsNumberToString(size) + " is not a non-negative integer");
  const auto bytes = size > 4294967296.0 ? std::uint64_t{1} << 33 : static_cast<std::uint64_t>(size);
  memory.checkAccess(address, bytes, "zeroMemory");
  memory.callerFill(static_cast<Address>(address), 0, bytes);  // ALIGN-2
  return static_cast<Address>(address);
}

Address mmapAlloc(Allocator& allocator, LinearMemory& memory, double size) {
  const double aligned = alignMemory(size, 65536);  // ALIGN-3
  if (!(aligned >= 0) || aligned > 4294967296.0) return 0;
  const auto bytes = static_cast<std::uint64_t>(aligned);
  const Address ptr = allocator.memalign(65536, bytes);
  if (ptr != 0) memory.internalFill(ptr, 0, static_cast<std::size_t>(bytes));  // the allocator's own block
  return ptr;
}

}  // namespace memconform
