// Targets by name, as `--target` spells them: `reference`, `mutant:NAME`,
// `wasm:PATH.wasm` (wasm_target.h),
// `cmd:COMMAND` (a driver process; `limits` bound each exchange with it).
#pragma once

#include "conformance/targets/driver_process.h"

#include <memory>
#include <string>

#include "conformance/runner/target.h"

namespace memconform::conformance {

// Throws std::invalid_argument naming the accepted forms.
std::unique_ptr<Target> makeTarget(const std::string& spec, const DriverLimits& limits = {});

// The same for a command line: prints "memconform COMMAND: why" and returns
// null for an unknown target.
std::unique_ptr<Target> makeTargetOrReport(const std::string& command, const std::string& spec, const DriverLimits& limits = {});

}  // namespace memconform::conformance
