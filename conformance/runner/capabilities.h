// The capabilities of docs/VECTORS.md "Capabilities": what a target
// declares and what a vector requires. The runner infers a vector's
// requirements from its setup and ops; a fuzzer leaves out of a generated
// sequence what its target lacks (fuzz/op_decoder.h). One bit each, so that
// a generated op is checked without allocating.
#pragma once

#include <set>
#include <string>

#include "conformance/runner/vector.h"

namespace memconform::conformance {

enum Capability : unsigned {
  kMemoryConfig = 1u << 0,   // setup.memory (MEM-4)
  kGrowFaults = 1u << 1,     // setup.growFaults (MEM-5)
  kGrowthParams = 1u << 2,   // setup.growth other than the defaults (GROW-6)
  kRawGrow = 1u << 3,        // the grow op
  kViews = 1u << 4,          // heap, heapForSize, viewLength, viewGet, viewSet
  kFunctionTable = 1u << 5,  // installFunction, scopedInstallFunction, uninstallFunction
  kI64 = 1u << 6,            // i64/u64 types and BigInt values
  kTableSlotReuse = 1u << 7, // the most recently freed table slot is handed out first (SCOPE-11)
  // A driver that takes a long string written short ({"repeat", "count"},
  // Repeat in vector.h) as it is. No vector requires it: for a driver
  // without it, the runner sends the string written out.
  kRepeatStrings = 1u << 8,
  kCallerList = 1u << 9,     // a peek of a list says the caller's list after the call (PEEK-5, expect.addressAfter)
};
using Capabilities = unsigned;  // Capability bits
inline constexpr Capabilities kAllCapabilities = (1u << 10) - 1;

// Every capability name of docs/VECTORS.md "Capabilities".
const std::set<std::string>& knownCapabilities();
// The bits of `names` (names that are not capabilities have none).
Capabilities capabilityBits(const std::set<std::string>& names);
std::set<std::string> capabilityNames(Capabilities bits);

// What `op` itself needs: its kind and argument values, not its call body.
Capabilities opNeeds(const Op& op);
// What `setup` needs. `statesMemory`: the vector says which memory it wants,
// so it depends on the memory's size even if that is the default one.
Capabilities setupNeeds(const Setup& setup, bool statesMemory);
// What `vector` needs: its setup and every op, in call bodies too.
Capabilities vectorNeeds(const Vector& vector, bool statesMemory);
// `setup` for a target that has only `have`: the parts it cannot take get
// their defaults (MEM-4, GROW-6, no faults), the memory the target's fixed
// one if it has one (Target::fixedMemory).
void fitSetup(Setup& setup, Capabilities have, std::optional<MemoryConfig> fixedMemory = std::nullopt);

}  // namespace memconform::conformance
