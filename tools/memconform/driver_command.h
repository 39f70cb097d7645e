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
  // "INITIAL/MAXIMUM" pages: serve as an implementation with one fixed
  // memory would (no memory-config; hello "memory"), every vector on it.
  std::string fixedMemory;
  int protocol = 1;  // or 2: op at a time (op_server.h)
};
int runDriver(const DriverCommand& c);

}  // namespace memconform::cli
