// What a fuzz target prints when it finds something, before it aborts: a
// short stable signature (target, op, rule) on its own line, so that findings
// deduplicate, then the op sequence with each side's outcome.
#pragma once

#include <optional>
#include <string>

#include "conformance/runner/executor.h"

namespace memconform::fuzz {

struct Finding {
  std::string target;
  std::string op;
  std::string rule;
  std::string detail;
  std::string aspect;  // what differed (fuzz/differential.h), if known
  std::string signature() const {
    return "memconform/" + target + "/" + op + "/" + rule + (aspect.empty() ? "" : "/" + aspect);
  }
};

// How fuzz_scope_ops runs an input while it searches: without the per-op
// trace or error messages, which only a finding's report needs (that input
// then runs again, numbered, with both). The benchmark of a fuzz execution
// runs the same way.
inline constexpr conformance::RunOptions kSearchRun{.keepTrace = false, .messages = false};
// How fuzz_differential runs both sides while it searches: with the trace,
// which compareRuns reads, and without error messages (it compares kinds).
inline constexpr conformance::RunOptions kCompareRun{.messages = false};

// The first failure of a single run (an invariant violation or a malformed
// generated sequence), if any.
std::optional<Finding> findingOf(const std::string& target, const conformance::VectorRun& run);

// The report's first lines: its banner, the wall clock at the finding
// ("found at: SECONDS.NANOSECONDS"), then "signature: SIGNATURE".
void printFindingHead(const std::string& signature);

[[noreturn]] void reportAndAbort(const Finding& finding, const conformance::VectorRun& run,
                                 const conformance::VectorRun* reference = nullptr);

}  // namespace memconform::fuzz
