// `memconform driver`: the reference (or a planted bug) behind the driver
// protocol (conformance/runner/protocol.h), as any other implementation's
// driver would be. It shows implementers what a driver answers, and lets the
// runner's `cmd:` target be tested against an implementation whose results
// are known.
#pragma once

#include <string>

namespace memconform::cli {

struct DriverCommand {
  std::string target = "reference";
};
int runDriver(const DriverCommand& c);

}  // namespace memconform::cli
