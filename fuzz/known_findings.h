// The fuzz findings a target is known to give (the "fuzz" section of its
// expectations file, SEMANTICS.md section 11): fuzz_differential counts an
// input whose first difference is one of them and goes on, so that a glue
// layer with triaged bugs can still be fuzzed for new ones. Only the first
// difference of an input is judged: what follows a known one is not compared.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations.h"
#include "fuzz/differential.h"

namespace memconform::fuzz {

class KnownFindings {
 public:
  KnownFindings() = default;
  explicit KnownFindings(conformance::Expectations expectations) : expectations_(std::move(expectations)) {}

  bool empty() const { return expectations_.findings.empty(); }
  // Whether `d` is a known finding, by its signature OP/RULE/ASPECT or, in
  // the older coarse form, OP/RULE (which tolerates every aspect: it can
  // hide a new bug); if so, it is counted under the key that matched.
  bool tolerate(const Difference& d);
  // The coarse keys (OP/RULE) of the file.
  std::vector<std::string> coarseKeys() const;
  // How many inputs ended at each known finding, and the ones never seen;
  // under a coarse key, the signatures it tolerated (to replace it with):
  //   peek/PEEK-1: 312 inputs (upstream's peek has no bounds check)
  //     peek/PEEK-1/error:OutOfBounds>value:undefined: 300 inputs
  //     peek/PEEK-1/value:list>value:list0: 12 inputs
  //   zeroMemory/ALIGN-2: not seen
  std::string summary() const;
  // The same as JSON: {SIGNATURE: {"inputs": N, "reason": TEXT, "under":
  // {FINE: N}}}, for scripts and CI (scripts/fuzz.sh's summary.json).
  nlohmann::json summaryJson() const;

 private:
  conformance::Expectations expectations_;
  std::map<std::string, std::size_t> seen_;  // "pop/SCOPE-5" -> inputs that ended there
  std::map<std::string, std::map<std::string, std::size_t>> underCoarse_;  // "pop/SCOPE-5" -> signature -> inputs
};

}  // namespace memconform::fuzz
