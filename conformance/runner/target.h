// The one interface through which every implementation is reached
// (docs/ARCHITECTURE.md "Target"): the reference, each mutant and, later, driver
// processes and plugins. A target executes single ops with resolved
// arguments, runs call bodies inside its own scopedAllocCall, reports the
// events each op caused, and describes its state. It knows nothing about
// vectors, names or expectations: the executor and the checks do.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conformance/runner/ops.h"
#include "conformance/runner/value.h"
#include "conformance/runner/vector.h"
#include "core/events.h"
#include "core/invariants.h"

namespace memconform::conformance {

// The resolved arguments of one op, by parameter name; a parameter that the
// vector leaves out is absent and takes its default. Ops have at most
// kMax parameters (ops.cpp), so they are kept in place: the executor builds
// one Args per op, and a map would allocate for every argument. The names
// point into the op's own argument names, which outlive the call.
class Args {
 public:
  static constexpr std::size_t kMax = 4;
  void add(std::string_view name, Value value);
  // Adds `name` and returns its slot, which holds what an earlier op left in
  // it (to overwrite, reusing its buffers).
  // A list that addSlot() overwrites leaves its buffer with the slot.
  Value& addSlot(std::string_view name);
  // addSlot() for a list: the slot holds one, in the buffer of the last
  // list the slot held (lists come and go as ops change: no malloc each
  // time).
  Value& addListSlot(std::string_view name);
  // Empties the list; the slots keep their old values until add() replaces them.
  void clear() { size_ = 0; }
  // Empties the list and frees the slots' values (a run frees what it
  // allocated), keeping a list buffer per slot for the next run.
  void clearValues();
  const Value* find(std::string_view name) const;
  Value* find(std::string_view name) { return const_cast<Value*>(std::as_const(*this).find(name)); }
  std::size_t size() const { return size_; }
  // The arguments in the order add() gave them.
  const std::pair<std::string_view, Value>* begin() const { return items_.data(); }
  const std::pair<std::string_view, Value>* end() const { return items_.data() + size_; }

 private:
  std::array<std::pair<std::string_view, Value>, kMax> items_;
  // Slot i's list buffer, while the slot holds no list: at most one per
  // slot, so that a run ends with as many as the runs before left.
  void keepList(std::size_t i);
  std::array<std::vector<Value>, kMax> spareLists_;  // empty
  std::size_t size_ = 0;
};

// The target cannot perform this op at all (distinct from an error result):
// the vector is reported as skipped.
class Unsupported : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A problem with the vector itself found while running it (an argument of the
// wrong kind once names are resolved): the vector is reported as an error.
class VectorError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The exception a vector's `throw` raises. Targets must let it propagate
// through their scopedAllocCall unchanged (CALL-1, CALL-2).
struct VectorThrow {
  std::size_t frames;  // calls it still has to unwind
};

struct TargetState {
  std::size_t level = 0;
  std::vector<Address> live;          // live allocations
  std::vector<TableIndex> installed;  // installed function-table slots (not reserved ones)
  std::uint64_t byteLength = 0;
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  // What the target says it is ("@sqlite.org/sqlite-wasm 3.41.2"), for reports.
  virtual std::string implementation() const { return name(); }
  virtual const std::set<std::string>& capabilities() const = 0;
  // Whether execute() can run ops of this kind at all (a plugin's NULL slot
  // cannot); a vector with such an op is skipped, and a fuzzer leaves them out.
  virtual bool supports(OpKind) const { return true; }
  // The smallest initial memory, in pages, that start() can set up (a
  // driver's hello "minimumPages": its module's memory import minimum); 0
  // for none. A vector below it is skipped; a fuzzer starts there.
  virtual std::uint32_t minimumPages() const { return 0; }
  // The largest maximum, in pages, that start() can set up (a wasm module's
  // memory import's declared maximum); wasm32's 65536 if it does not say.
  // A vector above it is skipped.
  virtual std::uint32_t maximumPages() const { return 65536; }
  // The one maximum, in pages, its memory can have, if it has one (a
  // driver's hello "maximumPages": an Emscripten module's fixed heap
  // maximum), else 0. A vector with another is skipped; a fuzzer generates
  // only memories with it, starting at minimumPages.
  virtual std::uint32_t onlyMaximumPages() const { return 0; }
  // Whether generated sequences must keep to a well-behaved caller (a
  // driver's hello "wellBehavedCaller": an allocator that a double free or a
  // write outside its blocks corrupts; fuzz/op_decoder.h).
  virtual bool wellBehavedCaller() const { return false; }
  // The one memory a target without memory-config has, if it says so (a
  // driver's hello "memory"): vectors that state no memory run on it.
  virtual std::optional<MemoryConfig> fixedMemory() const { return std::nullopt; }

  // The vector the next start() gets (the same object, unchanged): a target
  // that runs whole vectors in another process may send it now and read
  // what happened in start(), so that the caller works meanwhile
  // (fuzz_differential runs the reference). Nothing is lost if start()
  // gets another vector.
  virtual void prepare(const Vector&) {}
  // A fresh instance as the vector's `setup` describes it, before its ops. A
  // target that runs whole vectors elsewhere (a driver) runs it here.
  virtual void start(const Vector& vector) = 0;
  // The vector is over: release what start() made. (A fuzzer counts the
  // allocations of each run; whatever outlives it looks like a leak.)
  virtual void finish() {}
  // One op other than call and throw (one of the vector's, or of a call
  // body's): `args` are its arguments with names resolved. The op's value,
  // or its Error (errors.h).
  virtual Result<Value> execute(const Op& op, const Args& args) = 0;
  // Whether the target takes announcements (a driver whose hello says
  // "opsAhead").
  virtual bool announces() const { return false; }
  // The executor's promise, made before it executes an op, that the next
  // execute() calls after it are for this op, then the next announced, in
  // order, with exactly these arguments: what the op before does cannot
  // change them. A target in another process may send them with that op,
  // so that it runs them while the runner concludes the ones before. False
  // (the default) if the target takes no more announcements now.
  virtual bool announce(const Op&, const Args&) { return false; }
  // Right after an execute() of a peek of a list that succeeded, while its
  // arguments live: the caller's list as the call left it (PEEK-5: as it
  // was), if the target can tell (capability caller-list); nullopt
  // otherwise. A run that keeps no trace asks only if the op expects it.
  virtual std::optional<Value> addressAfter() { return std::nullopt; }
  // scopedAllocCall(body) for the call op `op`: the body's exceptions (a
  // VectorThrow) pass through the target's own finally; the call's own
  // failure (its pop) is an Error that replaces the body's outcome.
  virtual Result<Value> call(const Op& op, const std::function<Value()>& body) = 0;
  // Replaces `into`'s contents with the events recorded since the previous
  // call. The executor passes the same buffer for every op and keeps it from
  // run to run, so that a target that copies into it allocates nothing once
  // it has grown. Copy, do not swap: a buffer swapped in stays with the
  // executor past the run, and one swapped out leaves it with none.
  virtual void takeEvents(std::vector<Event>& into) = 0;
  // Appends what the implementation's own access check saw the op just
  // executed (or the call just ended) touch outside what it may (SAFE-2; a
  // driver's "accesses"): one SAFE-2 violation per access, which the
  // executor counts with the invariant checker's. Natively, ASan stops the
  // run instead.
  virtual void takeAccessViolations(std::vector<Violation>&) {}
  virtual std::uint64_t byteLength() = 0;
  // A number that changes whenever memory contents change (SAFE-4), if the
  // target can tell; nullopt otherwise.
  virtual std::optional<std::uint64_t> contentsVersion() = 0;
  virtual TargetState state() = 0;
};

}  // namespace memconform::conformance
