// The ops of earlier inputs, kept for the decoder to reuse (OpDecoder): an
// op taken from here keeps the buffers of its argument and name lists, so
// that decoding input after input allocates little. An execution must free
// what it allocates (libFuzzer runs one that ends with more mallocs than
// frees again, under a full leak check): ops are kept emptied, and all of
// them are made up front (make()).
//
// Outside the coverage allowlist, as is the whole decoder: whether an op is
// reused or new, and how many are kept, depends on the inputs decoded
// before, not on this one. Counted as coverage, it gave the same input
// different features from one execution to the next, and libFuzzer took
// longer to find planted bugs.
#pragma once

#include <cstddef>
#include <vector>

#include "conformance/runner/vector.h"

namespace memconform::fuzz {

class SpareOps {
 public:
  // Ops bind at most `namesPerOp` names: each new op gets room for that
  // many, so that binding never grows a list whose size depends on history.
  explicit SpareOps(std::size_t namesPerOp) : namesPerOp_(namesPerOp) {}
  // Makes `count` ops to keep, each with room for the names and arguments
  // an op has at most.
  void make(std::size_t count);
  // Keeps every op of `vector` and of their bodies, emptied, and makes the
  // rest of it new (whatever a caller changed) but for its rules and tags,
  // which stay as they are for the next decode to set again; its op list
  // stays, empty, with its capacity. Whatever the sequence's values
  // allocated is freed.
  void keep(conformance::Vector& vector);
  // Keeps the ops of `ops` from `first` on (and their bodies), emptied;
  // `ops` ends before `first`.
  void keep(std::vector<conformance::Op>& ops, std::size_t first);
  // A default op at the end of `out`: with a kept op's emptied buffers, if
  // there is one.
  conformance::Op& add(std::vector<conformance::Op>& out);

 private:
  // Room for the names and arguments an op has at most.
  void makeRoom(conformance::Op& op) const;

  std::size_t namesPerOp_;
  std::vector<conformance::Op> ops_;  // their bodies are empty
};

}  // namespace memconform::fuzz
