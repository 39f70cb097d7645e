// For the single-implementation fuzz targets (fuzz_resize, fuzz_peek_poke):
// MEMCONFORM_TARGET=mutant:NAME plants that bug in the reference, so that a
// run shows the target's checks catch it. Unset or `reference`: no bug.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/mutants.h"
#include "fuzz/findings.h"

namespace memconform::fuzz {

inline Mutant plantedFromEnvironment() {
  const char* spec = std::getenv("MEMCONFORM_TARGET");
  if (!spec || std::string(spec) == "reference") return Mutant::None;
  const std::string s(spec);
  const MutantInfo* m = s.rfind("mutant:", 0) == 0 ? findMutant(s.substr(7)) : nullptr;
  if (!m) {
    std::fprintf(stderr, "MEMCONFORM_TARGET=%s: this target takes reference or mutant:NAME\n", spec);
    std::exit(2);
  }
  return m->id;
}

// The target's name in finding signatures: reference or mutant:NAME.
inline std::string targetName() {
  const char* spec = std::getenv("MEMCONFORM_TARGET");
  return spec ? spec : "reference";
}

// A broken property: the finding's signature (target, area, rule), then abort.
[[noreturn]] inline void brokenProperty(const char* area, const char* rule, const std::string& what) {
  printFindingHead("memconform/" + targetName() + "/" + area + "/" + rule);
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

}  // namespace memconform::fuzz
