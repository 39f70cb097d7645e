// The divergence matrix (`memconform matrix`): rules x targets, each cell the
// vectors that cite the rule, counted by status, written as Markdown and as a
// self-contained HTML page. A planted-bug column says, per rule, how many of
// the mutants planted against it the corpus kills; with releases of a package
// as the targets, a section says when each rule's behaviour changed
// (release_history.h).
#pragma once

#include <array>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/release_history.h"
#include "conformance/runner/report.h"

namespace memconform::conformance {

struct MutantKill {
  std::string name, rule, description;
  bool killed = false;
  std::string by;  // the first vector that killed it, or "(crash)"
};

struct MatrixCell {
  std::array<std::size_t, 6> counts{};  // by Status
  std::vector<const VectorResult*> notable;  // every result that is not a plain pass
  std::size_t total() const;
  std::size_t count(Status s) const { return counts[static_cast<std::size_t>(s)]; }
};

struct Matrix {
  std::vector<std::string> rules;  // the spec's order
  std::vector<Report> reports;     // one column each
  std::map<std::string, std::vector<MatrixCell>> cells;  // rule -> one cell per report
  std::vector<MutantKill> mutants;  // empty: no mutants column
  std::optional<ReleaseHistory> history;  // matrix --releases: when behaviour changed
  std::string generated;            // when, for the page
  int exitCode() const;            // 0 unless a report's exit code is not
};

// Builds the cells: a vector counts in the row of every rule it cites.
Matrix buildMatrix(std::vector<std::string> rules, std::vector<Report> reports, std::vector<MutantKill> mutants);

void writeMarkdown(const Matrix& m, std::ostream& out);
void writeHtml(const Matrix& m, std::ostream& out);
void writeJson(const Matrix& m, std::ostream& out);

}  // namespace memconform::conformance
