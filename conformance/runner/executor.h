// The executor (docs/ARCHITECTURE.md): runs one vector's ops against a Target,
// binds `as` names, resolves symbolic addresses, runs call bodies inside the
// target's scopedAllocCall and unwinds `throw` frames, and after every op
// runs both checks: the vector's expectation and the LEAK/SAFE invariants.
#pragma once

#include <map>
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

// An op of the trace as reports print it.
struct OpTrace {
  std::string pointer;
  std::string op;
  std::string result;  // describe(Observed), or why it did not run
  std::string events;  // describeEvents
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
  std::vector<OpRun> ops;        // every op as it ran, for reports of failures
  std::vector<std::pair<std::string, Value>> names;  // with the trace: every name bound, in bind order
  std::optional<TargetState> endState;  // the target's state at the end, if asked for

  // A run into this one (runVector into a VectorRun): restart() empties
  // it but for the op records, which addOp() fills again in order, so that
  // their buffers (events, values, messages) are reused rather than
  // allocated; endOps() then keeps those the run did not need aside.
  void restart();
  OpRun& addOp();
  // What `r` observed: a copy of `observed` into the buffers of the record
  // (or of one kept aside), or nothing (the op did not run), its buffers
  // then kept aside.
  void setObserved(OpRun& r, const Observed* observed);
  // The record's outcome, to fill in place: with the buffers of an earlier
  // run's outcome if there is one (contents not reset).
  Observed& observedOf(OpRun& r);
  // Takes back the record addOp() gave last (its op threw before it ended).
  void dropLastOp();
  void endOps();
  // Empties the run as restart() does, and frees what its records hold of
  // this run (values, violations) while keeping their buffers. A
  // fuzz target calls it as each input ends, so that the input frees what
  // it allocated: libFuzzer runs an input that ends with more mallocs than
  // frees a second time (and scans for leaks if that run does too), which
  // records freed only by the next input make of every input that leaves
  // more in them than the input before.
  void emptyKeepingBuffers();

 private:
  // Records of earlier runs, not carried by a copy of the run.
  struct Spare {
    std::size_t used = 0;         // records of `ops` this run filled
    std::vector<OpRun> records;  // past the end of `ops`, the next first (at the back)
    std::vector<Observed> outcomes;  // of records whose op then did not run
    // emptyKeepingBuffers() left records[0, emptyRecords) and
    // outcomes[0, emptyOutcomes) empty, and empties only those above: the
    // lists are as long as the longest input's run, most inputs are shorter.
    std::size_t emptyRecords = 0, emptyOutcomes = 0;
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
