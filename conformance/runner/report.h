// One result per vector (docs/ARCHITECTURE.md "Report") and the writers that
// render a run: a human-readable summary, JSON and JUnit XML for CI.
#pragma once

#include <iosfwd>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"

namespace memconform::conformance {

enum class Status { Pass, Fail, ExpectedFail, UnexpectedPass, Skipped, Error };
std::string_view statusName(Status s);  // "pass", "fail", "expected-fail", ...
// Whether a vector with this status fails the run: fail, unexpected-pass, error.
bool failsTheRun(Status s);

struct VectorResult {
  std::string id;
  std::string file;
  std::string area;
  std::vector<std::string> rules;
  Status status = Status::Pass;
  std::string reason;  // skip reason, vector error, or the expectation's reason
  std::vector<Failure> failures;
  std::set<std::string> flags;
  std::vector<OpTrace> trace;
  double seconds = 0;
};

struct Report {
  std::string target;
  std::string implementation;  // what the target says it is
  // What the target declares: its capabilities and the memories it can
  // start with (pages; `fixedMemory` set when it has one of its own).
  std::set<std::string> capabilities;
  std::uint32_t minimumPages = 0, maximumPages = 65536;
  std::optional<MemoryConfig> fixedMemory;
  std::vector<VectorResult> results;
  std::vector<std::string> warnings;  // e.g. expectations for ids not in the corpus
  std::size_t files = 0;
  double seconds = 0;
  // Why the run compared nothing, if it did not: no vector was selected (no
  // file, an empty one, a filter that matches none) or every one was
  // skipped. A run like that fails: a mistyped filter or a target that
  // skips everything must not pass CI. Empty if some vector reached a
  // verdict, or if a malformed vector already fails the run.
  std::string nothingCompared;
  // Set when the run stopped early (ReplayOptions::maxFailures): the
  // selected vector runs it did not make, and after how many failing vectors.
  std::size_t notRun = 0, stoppedAfter = 0;
  std::size_t failing() const;  // vectors that fail the run (failsTheRun)
  std::size_t count(Status s) const;
  // 0 unless a vector failed, unexpectedly passed or was malformed, or the
  // run compared nothing.
  int exitCode() const;
};

// Text as XML/HTML character data or attribute value (control characters
// other than tab and newlines become '?').
std::string xmlEscape(std::string_view s);
// Text for a Markdown table cell or list item: '|' escaped, newlines as spaces.
std::string markdownEscape(std::string_view s);

// Why an error result is one: "crash", "timeout" or "protocol-error" for a
// driver that failed (docs/DRIVER_PROTOCOL.md), "error" for anything else.
std::string_view errorType(const VectorResult& r);

void writeText(const Report& report, std::ostream& out, bool verbose);
void writeJson(const Report& report, std::ostream& out);
void writeJunit(const Report& report, std::ostream& out);

}  // namespace memconform::conformance
