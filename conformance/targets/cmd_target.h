// Target `cmd:COMMAND`: another implementation behind a driver process that
// speaks the driver protocol (conformance/runner/protocol.h). start() sends
// the whole vector and reads the driver's results; the executor then runs the
// ops as usual and this target answers each op with what the driver reported
// for it, so that the runner, not the driver, checks expectations and
// invariants. A driver that crashes, hangs or breaks the protocol makes that
// vector an error naming what happened, with the driver's stderr; the next
// vector starts a fresh driver.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

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

  // Answers a vector sent before with the driver's response to it, without
  // asking the driver again (at most `entries` vectors are remembered, the
  // oldest forgotten first). Only for a driver whose response depends on
  // nothing but the vector (the Node driver's ctest
  // NodeDriver.ResultsDoNotDependOnVectorOrder shows its does): a fuzzer's
  // mutations often decode to a vector it ran already (29% of the inputs of
  // a fuzz_differential run against sqlite-wasm). Errors are never kept.
  void rememberResponses(std::size_t entries) { cacheEntries_ = entries; }
  // How many vectors were answered from what was remembered.
  std::size_t rememberedAnswers() const { return cacheHits_; }

 private:
  // The request's vector as it is sent: also the key of what is remembered.
  std::string sentForm(const Vector& vector) const;
  // Reads and drops the response to a vector prepare() sent that start()
  // did not get.
  void dropPrepared();
  const protocol::OpResult& resultOf(const Op& op);
  void took(const protocol::OpResult& r, std::size_t firstEvent, std::size_t endEvent, bool opDone);

  std::uint64_t nextId_ = 1;
  protocol::Response response_;
  std::map<const Op*, const protocol::OpResult*> results_;
  std::size_t cacheEntries_ = 0, cacheHits_ = 0;
  std::unordered_map<std::string, protocol::Response> cache_;  // the request's vector, as sent -> response
  std::deque<std::string> cacheOrder_;                          // its keys, oldest first
  struct Prepared {
    const Vector* vector;
    std::uint64_t id;  // if sent
    std::string key;   // sentForm(*vector)
    bool sent;         // false: the cache answers it
  };
  std::optional<Prepared> prepared_;  // by prepare(); if sent, its response is not read yet
};

}  // namespace memconform::conformance
