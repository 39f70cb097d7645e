// Targets by name, as `--target` spells them: `reference`, `mutant:NAME`.
#pragma once

#include <memory>
#include <string>

#include "conformance/runner/target.h"

namespace memconform::conformance {

// Throws std::invalid_argument naming the accepted forms.
std::unique_ptr<Target> makeTarget(const std::string& spec);

// The same for a command line: prints "memconform COMMAND: why" and returns
// null for an unknown target.
std::unique_ptr<Target> makeTargetOrReport(const std::string& command, const std::string& spec);

}  // namespace memconform::conformance
