// A conformance run: every vector of a corpus against one target, classified
// with the target's expectations into a Report. Load errors become `error`
// results that name the file, vector and JSON pointer; the rest still runs.
#pragma once

#include <functional>
#include <string>

#include "conformance/runner/executor.h"
#include "conformance/runner/expectations.h"
#include "conformance/runner/loader.h"
#include "conformance/runner/report.h"
#include "conformance/runner/target.h"

namespace memconform::conformance {

struct ReplayOptions {
  std::string filter;                     // glob over vector ids ("scope/*"); empty: all
  const Expectations* expectations = nullptr;
  std::size_t repeat = 1;                 // run the corpus this many times (throughput measurements)
  bool keepTrace = false;                 // keep every op's trace in the results
  // Stop after this many vectors fail, pass unexpectedly or are malformed
  // (what fails the run); the rest are counted in Report::notRun. 0: never.
  std::size_t maxFailures = 0;
  std::function<void(std::size_t done, std::size_t total)> progress;  // called now and then
  // Called with every vector run (with its trace and end state), e.g. to
  // write an expectations file from it.
  std::function<void(const Vector&, const VectorRun&)> onRun;
};

Report replay(const Corpus& corpus, Target& target, const ReplayOptions& options);

bool matchesFilter(const std::string& id, const std::string& glob);

}  // namespace memconform::conformance
