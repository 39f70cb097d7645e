// The executor (docs/ARCHITECTURE.md): runs one vector's ops against a Target,
// binds `as` names, resolves symbolic addresses, runs call bodies inside the
// target's scopedAllocCall and unwinds `throw` frames, and after every op
// runs both checks: the vector's expectation and the LEAK/SAFE invariants.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/runner/checks.h"
#include "conformance/runner/target.h"
#include "conformance/runner/vector.h"

namespace memconform::conformance {

// One op as it ran, kept raw: it is formatted only when a report needs it.
struct OpRun {
  const Op* op;
  std::optional<Observed> observed;  // nullopt: the op did not run (see note)
  std::string note;
  std::size_t namesBefore = 0;  // how many of VectorRun::names were bound before the op
};

// VectorRun::ops: the records of the ops a run ran, in order, read as a
// vector is; past them, the records of longer runs before, which the next
// run into the same VectorRun fills in place (next()), so that keeping a
// trace input after input moves no record and, once the records' buffers
// have grown, allocates nothing (moving each record aside and back cost
// 4-6% of a differential fuzz run). A copy holds the run's records only.
class OpRecords {
 public:
  using iterator = std::vector<OpRun>::iterator;
  using const_iterator = std::vector<OpRun>::const_iterator;

  OpRecords() = default;
  OpRecords(std::initializer_list<OpRun> records) : records_(records), size_(records_.size()), filled_(size_) {}
  OpRecords(const OpRecords& other) : records_(other.begin(), other.end()), size_(other.size_), filled_(size_) {}
  OpRecords& operator=(const OpRecords& other);
  OpRecords(OpRecords&& other) noexcept;
  OpRecords& operator=(OpRecords&& other) noexcept;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  OpRun& operator[](std::size_t i) { return records_[i]; }
  const OpRun& operator[](std::size_t i) const { return records_[i]; }
  const OpRun& at(std::size_t i) const;  // std::out_of_range from size() on
  OpRun& back() { return records_[size_ - 1]; }
  const OpRun& back() const { return records_[size_ - 1]; }
  iterator begin() { return records_.begin(); }
  iterator end() { return records_.begin() + static_cast<std::ptrdiff_t>(size_); }
  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.begin() + static_cast<std::ptrdiff_t>(size_); }
  void push_back(OpRun record) { next() = std::move(record); }

  // The next op's record: the one in its place in a run before, its
  // contents as that run left them, or a new one.
  OpRun& next();
  void dropLast() { --size_; }  // the record next() gave last is not the run's after all
  void reserve(std::size_t n) { records_.reserve(n); }
  // None of the records is the run's any more; they are kept for the next.
  void restart() { size_ = 0; }
  // Empties the outcomes of every record filled since the last call
  // (keeping their buffers), and restarts.
  void emptyOutcomes();

 private:
  std::vector<OpRun> records_;
  std::size_t size_ = 0;    // records_[0, size_) are the run's
  std::size_t filled_ = 0;  // records_[0, filled_) were filled since emptyOutcomes()
};

// An op of the trace as reports print it.
struct OpTrace {
  std::string pointer;
  std::string op;
  std::string result;  // describe(Observed), or why it did not run
  std::string events;  // describeEvents
};

struct ExecutorState;  // executor.cpp
struct ExecutorStateDeleter {
  void operator()(ExecutorState* state) const;
};

struct VectorRun {
  enum class Status { Completed, Skipped, Error } status = Status::Completed;
  std::string reason;  // why skipped, or the vector error
  std::vector<Failure> failures;
  // With RunOptions::known: the failures of ops (and of the end state) that
  // failed exactly as the expectations file lists, which are not in
  // `failures`, and where each listed op failed as listed ("/ops/2", "/final").
  std::vector<Failure> knownFailures;
  std::set<std::string> failedAsListed;
  std::set<std::string> flags;  // implementation-defined outcomes taken
  OpRecords ops;                 // every op as it ran, for reports of failures
  std::vector<std::pair<std::string, Value>> names;  // with the trace: every name bound, in bind order
  std::optional<TargetState> endState;  // the target's state at the end, if asked for

  // A run into this one (runVector into a VectorRun): restart() empties
  // it but for the op records, which ops.next() fills again in order, so
  // that their buffers (events, values, messages) are reused rather than
  // allocated.
  void restart();
  // What `r` observed: a copy of `observed` into the buffers of the record
  // (or of one kept aside), or nothing (the op did not run), its buffers
  // then kept aside.
  void setObserved(OpRun& r, const Observed* observed);
  // The record's outcome, to fill in place: with the buffers of an earlier
  // run's outcome if there is one (contents not reset).
  Observed& observedOf(OpRun& r);
  // Empties the run as restart() does, and frees what its records hold of
  // this run (values, violations) while keeping their buffers. A
  // fuzz target calls it as each input ends, so that the input frees what
  // it allocated: libFuzzer runs an input that ends with more mallocs than
  // frees a second time (and scans for leaks if that run does too), which
  // records freed only by the next input make of every input that leaves
  // more in them than the input before.
  void emptyKeepingBuffers();
  // The executor's state for a run into this one: its checker, names and
  // buffers, kept from run to run (emptied with the rest).
  ExecutorState& executorState();

 private:
  // Outcomes of earlier runs, not carried by a copy of the run.
  struct Spare {
    std::vector<Observed> outcomes;  // of records whose op then did not run
    // emptyKeepingBuffers() left outcomes[0, emptyOutcomes) empty, and
    // empties only those above: the list is as long as the longest input's
    // run needed, most inputs are shorter.
    std::size_t emptyOutcomes = 0;
    std::unique_ptr<ExecutorState, ExecutorStateDeleter> executor;
    Spare() = default;
    Spare(const Spare&) {}
    Spare& operator=(const Spare&) { return *this; }
    Spare(Spare&&) = default;
    Spare& operator=(Spare&&) = default;
  } spare_;
};

std::vector<OpTrace> formatTrace(const VectorRun& run);

// What each op that ran observed, by op.
std::map<const Op*, const Observed*> observedByOp(const VectorRun& run);

struct RunOptions {
  bool keepEndState = false;  // VectorRun::endState
  // VectorRun::ops. A caller that only asks whether the run failed (a fuzz
  // target, which runs a failing input again for its report) leaves it out.
  bool keepTrace = true;
  // The messages of the reference's failing ops (Observed::message) and of
  // the invariant checker's violations (core/messages.h). Such a caller
  // leaves them out too: a failing op or a violation then allocates nothing
  // for its message; its error kind or rule is the same.
  bool messages = true;
  // What an expectations file knows of this vector's failures (per op): an
  // op that fails exactly as listed is a known failure, not a failure.
  const KnownFailures* known = nullptr;
};

// Runs `vector` on `target`. The target must declare every capability the
// vector requires (the caller skips it otherwise).
VectorRun runVector(const Vector& vector, Target& target, RunOptions options = {});
// The same into `run`, which is restarted first: a fuzz target that runs
// vector after vector into the same VectorRun allocates little per op.
void runVector(const Vector& vector, Target& target, VectorRun& run, RunOptions options = {});

// The capabilities `vector` needs that `target` lacks.
std::vector<std::string> missingCapabilities(const Vector& vector, const Target& target);

}  // namespace memconform::conformance
