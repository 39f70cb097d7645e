// Alignment and zeroing (SEMANTICS.md section 3, ALIGN-1..3; ALIGN-4 is the
// allocator's, ALIGN-5 is about which memory is zeroed at all).
#pragma once

#include <cstdint>

#include "core/allocator.h"
#include "core/errors.h"
#include "core/memory.h"

namespace memconform {

// ALIGN-1: ceil(size / alignment) * alignment in double arithmetic, for any
// positive alignment; InvalidArgument for alignment <= 0 or not a number.
Result<double> alignMemory(double size, double alignment);

// ALIGN-2: sets [address, address + size) to 0 and returns address. An
// explicit access on the caller's behalf: OutOfBounds (nothing written) unless
// the whole range is in memory; size must be a non-negative integer.
Result<std::int64_t> zeroMemory(LinearMemory& memory, std::int64_t address, double size);

// ALIGN-3: aligned = alignMemory(size, 65536); ptr = memalign(65536, aligned);
// a non-zero ptr has [ptr, ptr + aligned) zeroed. Returns 0 on failure. An
// error only in a dialect whose mmapAlloc aborts (core/dialects.h).
Result<Address> mmapAlloc(Allocator& allocator, LinearMemory& memory, double size);

}  // namespace memconform
