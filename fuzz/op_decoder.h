// Fuzz bytes -> an op sequence (ARCHITECTURE.md: the same Op form that vector
// files load into, run by the same executor). Every byte string decodes to a
// valid sequence: the decoder only refers to names it has bound, picks
// arguments from tables of values that matter to the rules (type limits,
// special doubles, the 96 MiB cap, page boundaries) or from raw bytes, and
// stops when the bytes run out. Small memories keep each execution cheap
// under ASan (poisoning costs 1/8 of the memory size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "conformance/runner/vector.h"

namespace memconform::fuzz {

struct DecoderLimits {
  std::size_t maxOps = 64;        // top-level and nested ops together
  std::size_t maxCallDepth = 4;
  std::uint32_t maxInitialPages = 4;
};

// The generated vector: id "fuzz/input", every op with anyOutcome set.
conformance::Vector decodeOps(std::span<const std::uint8_t> data, const DecoderLimits& limits = {});

}  // namespace memconform::fuzz
