// What both versions of the driver protocol share (docs/DRIVER_PROTOCOL.md):
// starting the driver and reading its hello, reading its lines as JSON, and
// wording what went wrong with the tail of its stderr. The hello says which
// version the driver speaks: CmdTarget serves version 1 (whole vectors),
// OpDriverTarget version 2 (op at a time); makeDriverTarget picks.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "conformance/runner/protocol.h"
#include "conformance/runner/target.h"
#include "conformance/targets/driver_process.h"

namespace memconform::conformance {

// (Re)starts `driver` and reads its hello. A driver that cannot say hello, or
// says it in another version than `protocol` (0: any), is a
// std::runtime_error naming what went wrong.
protocol::Hello startDriver(DriverProcess& driver, int protocol = 0);

// A line from the driver as JSON; anything else is a ProtocolError.
nlohmann::json parseLine(const std::string& line);

// "crash: ..." / "timeout: ..." with what the driver said on stderr: the
// line that names the error (an ASan report is longer than the tail), then
// the tail. `where`: what the runner was waiting for, if anything.
std::string describeFailure(const DriverFailure& f, const std::string& where = {});
std::string withStderr(const std::string& what, const std::string& tail, const std::string& headline = {});

// `cmd:COMMAND`: the driver started, as the target for the protocol its
// hello names.
std::unique_ptr<Target> makeDriverTarget(const std::string& command, const DriverLimits& limits);

}  // namespace memconform::conformance
