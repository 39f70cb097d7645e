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

// What every target behind a driver process has: the process, what its
// hello said, and what the driver reported that the executor has not taken
// yet (events, SAFE-2 accesses, the memory's size, the caller's list after
// a peek).
class DriverTarget : public Target {
 public:
  DriverTarget(std::unique_ptr<DriverProcess> driver, protocol::Hello hello)
      : driver_(std::move(driver)), hello_(std::move(hello)) {}
  std::string name() const override { return "cmd:" + driver_->command(); }
  std::string implementation() const override { return hello_.implementation; }
  const std::set<std::string>& capabilities() const override { return hello_.capabilities; }
  std::uint32_t minimumPages() const override { return hello_.minimumPages; }
  std::uint32_t onlyMaximumPages() const override { return hello_.maximumPages; }
  bool wellBehavedCaller() const override { return hello_.wellBehavedCaller; }
  std::optional<MemoryConfig> fixedMemory() const override { return hello_.memory; }
  // The hello's "ops", if it lists them; `throw` ends a call's body, so it
  // goes with `call`.
  bool supports(OpKind kind) const override {
    return !hello_.ops || hello_.ops->count(kind == OpKind::Throw ? OpKind::Call : kind) > 0;
  }
  std::optional<Value> addressAfter() override { return addressAfter_; }
  void takeEvents(std::vector<Event>& into) override;
  void takeAccessViolations(std::vector<Violation>& into) override;
  std::uint64_t byteLength() override { return byteLength_; }
  std::optional<std::uint64_t> contentsVersion() override { return std::nullopt; }

 protected:
  // A vector starts: nothing reported is left over, its memory is the
  // setup's (or the driver's fixed one).
  void clearReported();
  void startAccounting(const Vector& vector);
  // A fresh driver, speaking `version`, if the last one is gone (after a
  // crash, a hang or a broken answer); one that cannot say hello makes the
  // vector an error (VectorError).
  void restartIfGone(int version);

  std::unique_ptr<DriverProcess> driver_;
  protocol::Hello hello_;
  std::vector<Event> events_;                // not yet taken
  std::vector<Violation> accessViolations_;  // not yet taken
  std::uint64_t byteLength_ = 0;
  std::optional<Value> addressAfter_;  // of the last op executed
};

// `cmd:COMMAND`: the driver started, as the target for the protocol its
// hello names.
std::unique_ptr<Target> makeDriverTarget(const std::string& command, const DriverLimits& limits);

}  // namespace memconform::conformance
