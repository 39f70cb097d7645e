// When behaviour changed across the releases of a package (`memconform matrix
// --releases`): each release's report is compared, vector by vector, with
// the report of the release before it in the same package's line; a vector
// that behaves otherwise (passes, is skipped and why, which ops fail and what
// they did) is a change, listed under each rule it concerns, at the first
// release that shows it. The memories a release's module takes (its memory
// import's limits, from the driver's hello) are compared too: the initial
// memory size a release needs is a behaviour of its own.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/report.h"

namespace memconform::conformance {

// One release of a package line: a column of the matrix.
struct Release {
  std::string package, version;
  std::string dir;         // where it is installed (left out of what is compared)
  std::size_t report = 0;  // its Report, by index
};

// A vector's behaviour in two consecutive releases, as text.
struct VectorChange {
  std::string id, before, after;
};

// What changed from one release to the next.
struct BehaviourChange {
  std::string package, from, to;  // versions
  std::vector<VectorChange> vectors;
};

struct ReleaseHistory {
  std::vector<Release> releases;  // each package's in version order, packages one after the other
  std::map<std::string, std::vector<BehaviourChange>> byRule;  // rule -> changes, in release order
  std::vector<BehaviourChange> memory;  // the memory import's limits ("vector" id: "memory import")
  std::size_t changes() const;      // how many (rule, release) changes, memory's included
};

// What a vector did, comparable across releases: "passes", "skipped: WHY",
// "error: WHY" or the failing ops with what each did ("ops/2 [RULE]: value
// 5n"), its blocks and installed slots named by role ("block#2+8", "slot#1":
// the k-th the vector allocated or installed, from its trace), not by the
// addresses a release's allocator and table gave them. `dir` (the release's
// install folder) is left out of reasons.
std::string behaviourOf(const VectorResult& v, const std::string& dir);

// Compares each release's report (reports[release.report]) with the one of
// the release before it in the same package; a change is listed under the
// rules of the failures that differ that are in `rules` (the spec's), or
// else under the vector's own rules.
ReleaseHistory buildHistory(const std::vector<Report>& reports, std::vector<Release> releases,
                            const std::vector<std::string>& rules);

void writeHistoryMarkdown(const ReleaseHistory& h, std::ostream& out);
void writeHistoryHtml(const ReleaseHistory& h, std::ostream& out);
nlohmann::json historyJson(const ReleaseHistory& h);

}  // namespace memconform::conformance
