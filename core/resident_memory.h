// The process's resident memory, to measure MEM-4's claim that growing a
// memory to its maximum commits no RAM until the bytes are touched.
#pragma once

#include <cstdint>

namespace memconform {
// VmRSS of this process in bytes (0 where /proc is not available).
std::uint64_t residentBytes();
}  // namespace memconform
