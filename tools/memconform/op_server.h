// `memconform driver --protocol 2`: a target (the reference, a planted bug)
// behind version 2 of the driver protocol, op at a time
// (docs/DRIVER_PROTOCOL.md): it answers each op the runner sends with what
// the target did, enters the target's scopedAllocCall for a call and asks
// the runner for the body's ops. It interprets nothing: what a driver built
// on the JavaScript kit does for its implementation, this does for a Target,
// so that the runner's side of the protocol is tested against results that
// are known.
#pragma once

#include <ostream>
#include <optional>

#include "conformance/runner/protocol.h"
#include "conformance/runner/target.h"

namespace memconform::cli {

// Writes the hello and answers lines from the descriptor `in` until it ends. 0, or 1 if a
// line broke the protocol (said on stderr; the answer was an error).
int serveOpAtATime(conformance::Target& target, conformance::protocol::Hello hello,
                   const std::optional<MemoryConfig>& fixedMemory, int in, std::ostream& out);

}  // namespace memconform::cli
