#include "fuzz/findings.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace memconform::fuzz {

using namespace memconform::conformance;

std::optional<Finding> findingOf(const std::string& target, const VectorRun& run) {
  if (run.status == VectorRun::Status::Error) return Finding{target, "sequence", "decoder", run.reason, {}};
  if (run.failures.empty()) return std::nullopt;
  const Failure& f = run.failures.front();
  return Finding{target, f.op, f.rule, f.pointer + ": expected " + f.expected + "; actual " + f.actual, {}};
}

void printFindingHead(const std::string& signature) {
  // The wall clock at the finding, before the report and the abort's stack
  // trace (symbolizing it takes tenths of a second): scripts/fuzz.sh's time
  // to find subtracts the time it started the process.
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  std::fprintf(stderr, "\n== memconform finding ==\nfound at: %lld.%09ld (seconds since the epoch)\nsignature: %s\n",
               static_cast<long long>(now.tv_sec), now.tv_nsec, signature.c_str());
}

void reportAndAbort(const Finding& finding, const VectorRun& run, const VectorRun* reference) {
  printFindingHead(finding.signature());
  std::fprintf(stderr, "%s\n", finding.detail.c_str());
  const auto ours = formatTrace(run);
  const auto theirs = reference ? formatTrace(*reference) : std::vector<OpTrace>{};
  std::fprintf(stderr, "ops (%s%s):\n", finding.target.c_str(), reference ? " | reference" : "");
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto& t = ours[i];
    std::fprintf(stderr, "  %-28s %-22s -> %s %s", t.pointer.c_str(), t.op.c_str(), t.result.c_str(), t.events.c_str());
    if (i < theirs.size() && (theirs[i].result != t.result || theirs[i].events != t.events))
      std::fprintf(stderr, "  | reference: %s %s", theirs[i].result.c_str(), theirs[i].events.c_str());
    std::fprintf(stderr, "\n");
  }
  std::fprintf(stderr, "signature: %s\n", finding.signature().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace memconform::fuzz
