// Target `cmd:COMMAND`: another implementation behind a driver process that
// speaks the driver protocol (conformance/runner/protocol.h). start() sends
// the whole vector and reads the driver's results; the executor then runs the
// ops as usual and this target answers each op with what the driver reported
// for it, so that the runner, not the driver, checks expectations and
// invariants. A driver that crashes, hangs or breaks the protocol makes that
// vector an error naming what happened, with the driver's stderr; the next
// vector starts a fresh driver.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "conformance/runner/protocol.h"
#include "conformance/runner/target.h"
#include "conformance/targets/driver_hello.h"
#include "conformance/targets/driver_process.h"

namespace memconform::conformance {

class CmdTarget : public DriverTarget {
 public:
  // Starts the driver and reads its hello; a driver that cannot say hello is
  // a std::runtime_error naming what went wrong.
  explicit CmdTarget(const std::string& command, DriverLimits limits = {});
  // A driver started already, whose hello says protocol 1 (driver_hello.h).
  CmdTarget(std::unique_ptr<DriverProcess> driver, protocol::Hello hello);

  void prepare(const Vector& vector) override;
  void start(const Vector& vector) override;
  void finish() override;
  Result<Value> execute(const Op& op, const Args& args) override;
  Result<Value> call(const Op& op, const std::function<Value()>& body) override;
  TargetState state() override { return response_.final; }

 private:
  // The request's vector as it is sent.
  std::string sentForm(const Vector& vector) const;
  // Reads and drops the response to a vector prepare() sent that start()
  // did not get.
  void dropPrepared();
  const protocol::OpResult& resultOf(const Op& op);
  void took(const protocol::OpResult& r, std::size_t firstEvent, std::size_t endEvent, bool opDone);

  std::uint64_t nextId_ = 1;
  protocol::Response response_;
  std::map<const Op*, const protocol::OpResult*> results_;
  struct Prepared {
    const Vector* vector;
    std::uint64_t id;
  };
  std::optional<Prepared> prepared_;  // sent by prepare(), its response not read yet
};

}  // namespace memconform::conformance
