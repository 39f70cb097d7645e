// The ops of earlier inputs, kept for the decoder to reuse (OpDecoder): an
// op taken from here keeps the buffers of its argument and name lists, so
// that decoding input after input allocates little. An execution must free
// what it allocates (libFuzzer runs one that ends with more mallocs than
// frees again, under a full leak check): ops are kept emptied, and all of
// them are made up front (make()).
//
// A sequence's own op list (reuseInPlace) keeps its ops where they are,
// emptied, and the next input's ops are made in them: no op is moved to the
// spare ones and back (two moves of 168 bytes per op, which ASan checks).
// Only the ops one input has more or fewer than the last come from or go to
// the spare ones.
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
  // Empties every op of `vector` in place (their bodies' ops are kept here)
  // and makes the rest of it new (whatever a caller changed) but for its
  // rules and tags, which stay as they are for the next decode to set again,
  // and the buffer of its setup's fault list (emptied). Whatever the
  // sequence's values allocated is freed. Its ops stay in its list, for
  // reuseInPlace.
  void empty(conformance::Vector& vector);
  // From now on add(ops) and append(ops, ...) take the ops already in `ops`
  // (emptied), first to last, before any kept one; finishInPlace() keeps
  // the ones not taken.
  void reuseInPlace(std::vector<conformance::Op>& ops);
  void finishInPlace();
  // Keeps the ops of `ops` from `first` on (and their bodies), emptied;
  // `ops` ends before `first`.
  void keep(std::vector<conformance::Op>& ops, std::size_t first);
  // A default op at the end of `out`: with a kept op's emptied buffers, if
  // there is one. In the list reused in place, its next op not taken, where
  // it is.
  conformance::Op& add(std::vector<conformance::Op>& out);
  // Moves the ops of `ops` to the end of `out`; `ops` ends empty.
  void append(std::vector<conformance::Op>& out, std::vector<conformance::Op>& ops);
  // An empty list of `size` items for an argument, in the buffer of a list
  // an earlier op had, if one is kept: ops give their arguments' lists back
  // as they are emptied. Kept lists are never freed, and there are at most
  // as many as one input had, so only an input with more lists than any
  // before allocates them (libFuzzer then runs it again to see that the
  // second run frees what it allocates).
  std::vector<conformance::Expr> list(std::size_t size);
  // An empty body for a call, in the buffer of a body an earlier call had,
  // if one is kept (kept as lists are).
  std::vector<conformance::Op> body();

 private:
  // Room for the names and arguments an op has at most.
  void makeRoom(conformance::Op& op) const;
  // An op as new, but for its name and argument buffers (and their room).
  void emptyOp(conformance::Op& op);
  // Keeps the buffer of `items` (emptied) in `kept`, if it has one; and
  // takes one back (or none: an empty list).
  template <class T>
  static void keepBuffer(std::vector<T>& items, std::vector<std::vector<T>>& kept);
  template <class T>
  static std::vector<T> takeBuffer(std::vector<std::vector<T>>& kept);
  // Whether `out` is the list reused in place, and it has an op not taken.
  bool hasOpInPlace(const std::vector<conformance::Op>& out) const { return &out == inPlace_ && taken_ < out.size(); }
  // One more op of `out` taken, if it is the list reused in place.
  void taken(const std::vector<conformance::Op>& out) { taken_ += &out == inPlace_; }

  std::size_t namesPerOp_;
  std::vector<conformance::Op> ops_;  // their bodies are empty
  std::vector<std::vector<conformance::Expr>> lists_;  // empty, with their buffers
  std::vector<std::vector<conformance::Op>> bodies_;   // the same
  std::vector<conformance::Op>* inPlace_ = nullptr;
  std::size_t taken_ = 0;  // of inPlace_'s ops
};

}  // namespace memconform::fuzz
