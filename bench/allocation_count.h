// How many times the benchmarks' process called operator new: the global
// operator new of memconform_bench counts (allocation_count.cpp), so that a
// benchmark can report heap allocations per op beside its time.
#pragma once

#include <cstdint>

namespace memconform::bench {
std::uint64_t allocations();
}  // namespace memconform::bench
