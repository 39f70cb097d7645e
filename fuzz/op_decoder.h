// Fuzz bytes -> an op sequence (docs/ARCHITECTURE.md: the same Op form that vector
// files load into, run by the same executor). Every byte string decodes to a
// valid sequence: the decoder only refers to names it has bound, picks
// arguments from tables of values that matter to the rules (type limits,
// special doubles, the 96 MiB cap, page boundaries) or from raw bytes, and
// stops when the bytes run out. Small memories keep each execution cheap
// under ASan (poisoning costs 1/8 of the memory size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "conformance/runner/target.h"
#include "conformance/runner/vector.h"

namespace memconform::fuzz {

struct DecoderLimits {
  std::size_t maxOps = 64;        // top-level and nested ops together
  std::size_t maxCallDepth = 4;
  // Generated memories start with minInitialPages + 0 to maxInitialPages - 1
  // pages.
  std::uint32_t minInitialPages = 1;
  std::uint32_t maxInitialPages = 4;
  // No memory may grow past this (Target::maximumPages: a wasm module's
  // memory import's declared maximum).
  std::uint32_t maxMaximumPages = 65536;
  // Every memory has this maximum and minInitialPages pages, if not 0
  // (Target::onlyMaximumPages: a module whose heap maximum is fixed).
  std::uint32_t onlyMaximumPages = 0;
  // A well-behaved caller, for an allocator that a caller's misuse corrupts
  // (Target::wellBehavedCaller, dlmalloc): it reads and writes only inside
  // blocks it owns and knows to be live, each zeroed when it allocates it
  // (their first bytes are otherwise the allocator's leftovers), or at
  // addresses that no allocator owns (out of bounds, including after the
  // int32 wrap of upstream's `ptr >> n`); it frees only its own plain blocks,
  // once, and uninstalls only its own plain functions, once (or slot 0). It
  // allocates no 0-byte blocks (allocator-defined, SCOPE-3).
  // Its memories have room to grow (128 MiB, more than its allocations of at
  // most 1 MiB can take; larger ones fit no memory) and no injected faults: how
  // much a real allocator has free and how it grows decide whether an
  // allocation fails, not the rules (SCOPE-3). Growth, scopes, calls,
  // throws and bad arguments stay as they are.
  bool wellBehaved = false;
  // Whether the target runs zeroMemory, with which a well-behaved caller
  // zeroes each block it allocates; without it, it never reads them.
  bool zeroes = true;
};

// The limits for sequences that `target` can be set up for: memories from its
// minimumPages up (a driver's module may need 128 pages or more) to its
// maximumPages, and a well-behaved caller if it needs one.
DecoderLimits limitsFor(const conformance::Target& target);

// The generated vector: id "fuzz/input", every op with anyOutcome set. Its
// ops have no JSON pointers yet (building them costs more than running a
// short sequence): numberOps adds them where a report or a file needs them.
conformance::Vector decodeOps(std::span<const std::uint8_t> data, const DecoderLimits& limits = {});

// decodeOps for input after input, as a fuzzer decodes millions: each
// sequence is made in the storage of the one before (its ops, their argument
// and name lists, the decoder's own lists), all made when the decoder is, so
// that decoding allocates little. The sequences are the same as decodeOps
// makes.
class OpDecoder {
 public:
  // A decoded sequence; when it goes, its ops go back to the decoder,
  // emptied, so that an execution frees what it allocated (libFuzzer runs
  // one that ends with more mallocs than frees again, under a full leak
  // check).
  class Sequence {
   public:
    ~Sequence();
    Sequence(const Sequence&) = delete;
    Sequence& operator=(const Sequence&) = delete;
    conformance::Vector& vector() const;
    // fitToTarget, with the ops left out going back to the decoder.
    void fitTo(const conformance::Target& target) const;

   private:
    friend class OpDecoder;
    explicit Sequence(OpDecoder& decoder) : decoder_(decoder) {}
    OpDecoder& decoder_;
  };

  explicit OpDecoder(const DecoderLimits& limits = {});
  ~OpDecoder();
  OpDecoder(const OpDecoder&) = delete;
  OpDecoder& operator=(const OpDecoder&) = delete;
  // The sequence of `data`: one at a time.
  Sequence decode(std::span<const std::uint8_t> data);

 private:
  class Decoder;
  friend conformance::Vector decodeOps(std::span<const std::uint8_t>, const DecoderLimits&);
  std::unique_ptr<Decoder> decoder_;
};

// Makes `vector` one that `target` can run, as a generated sequence for a
// target that implements part of the API: leaves out the ops it cannot run
// at all (Target::supports) or that need a capability it does not declare
// (docs/VECTORS.md "Capabilities"), in bodies too, and gives the setup
// parts it cannot take their defaults. Ops that used the names of an op left
// out are then skipped as unbound, on both sides of a differential run.
void fitToTarget(conformance::Vector& vector, const conformance::Target& target);

// Gives every op the pointer it will have as vector 0 of a file:
// "/vectors/0/ops/3/body/1".
void numberOps(conformance::Vector& vector);

}  // namespace memconform::fuzz
