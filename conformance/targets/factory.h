// Targets by name, as `--target` spells them: `reference`, `mutant:NAME`.
#pragma once

#include <memory>
#include <string>

#include "conformance/runner/target.h"

namespace memconform::conformance {

// Throws std::invalid_argument naming the accepted forms.
std::unique_ptr<Target> makeTarget(const std::string& spec);

}  // namespace memconform::conformance
