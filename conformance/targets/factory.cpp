#include "conformance/targets/factory.h"

#include <iostream>
#include <stdexcept>

#include "conformance/targets/reference_target.h"

namespace memconform::conformance {

std::unique_ptr<Target> makeTarget(const std::string& spec) {
  if (spec == "reference") return std::make_unique<ReferenceTarget>();
  if (spec.rfind("mutant:", 0) == 0) {
    const std::string name = spec.substr(7);
    if (const MutantInfo* m = findMutant(name)) return std::make_unique<ReferenceTarget>(m->id);
    std::string known;
    for (const auto& m : allMutants()) known += (known.empty() ? "" : ", ") + std::string(m.name);
    throw std::invalid_argument("unknown mutant \"" + name + "\" (known: " + known + ")");
  }
  throw std::invalid_argument("unknown target \"" + spec + "\" (use reference or mutant:NAME; `memconform mutants --list`)");
}

std::unique_ptr<Target> makeTargetOrReport(const std::string& command, const std::string& spec) {
  try {
    return makeTarget(spec);
  } catch (const std::invalid_argument& e) {
    std::cerr << "memconform " << command << ": " << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace memconform::conformance
