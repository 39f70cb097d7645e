// Where the reference's and the invariant checker's map and set nodes come
// from: one pool for the process, shared by every instance, so that neither
// an op nor a run's start (an instance restarted or made, one per fuzz
// input) calls malloc once the pool has grown to the largest state seen.
// Nodes freed go back to the pool, not to the system. Not for use from two
// threads at once (memconform runs on one); never destroyed, so that an
// instance a static holds can still free its nodes at exit.
#pragma once

#include <memory_resource>

namespace memconform {
std::pmr::memory_resource* nodePool();
}  // namespace memconform
