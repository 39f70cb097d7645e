// Target `cmd:COMMAND` for a driver that speaks version 2 of the driver
// protocol, op at a time (docs/DRIVER_PROTOCOL.md): the executor interprets
// the vector as it does for every other target, and each op it executes,
// with its names resolved, is one line to the driver and one line back
// (with hello "opsAhead", the lines of the ops announced after it go with
// it, and their answers are read when they are executed: Target::announce). A
// `call` makes the driver enter its implementation's scopedAllocCall, whose
// body asks for the body's ops until the runner says return or throw. The
// driver is then an adapter that maps ops to its implementation's API, not
// an interpreter of vectors. Whatever goes wrong with the driver (a crash, a
// hang, a broken line) makes the vector an error naming it; the next vector
// starts a fresh driver.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/protocol.h"
#include "conformance/runner/target.h"
#include "conformance/targets/driver_hello.h"
#include "conformance/targets/driver_process.h"

namespace memconform::conformance {

class OpDriverTarget : public DriverTarget {
 public:
  // A driver started already, whose hello says protocol 2 (driver_hello.h).
  OpDriverTarget(std::unique_ptr<DriverProcess> driver, protocol::Hello hello);

  void start(const Vector& vector) override;
  void finish() override;
  Result<Value> execute(const Op& op, const Args& args) override;
  bool announces() const override { return hello_.opsAhead; }
  // The op's line, written with the next op executed (hello "opsAhead"),
  // while announced lines add up to at most kAheadBytes: what the driver
  // has not read yet stays well below a pipe's buffer, so that it never
  // waits to write answers while the runner waits to write lines.
  bool announce(const Op& op, const Args& args) override;
  static constexpr std::size_t kAheadBytes = 16 << 10;
  Result<Value> call(const Op& op, const std::function<Value()>& body) override;
  TargetState state() override;

 private:
  // Writes `line` and reads the answer as JSON. A driver that fails, or an
  // answer that is not JSON, is a VectorError naming what (`about`: the op's
  // pointer, or the message); the driver is stopped, so that the next
  // start() runs a fresh one.
  nlohmann::json ask(const std::string& line, const std::string& about);
  // The answer `j` to the op `op` as its result; a broken one stops the
  // driver and is a VectorError naming the field.
  protocol::OpResult resultOf(const nlohmann::json& j, const Op& op);
  [[noreturn]] void broken(const std::string& about, const protocol::ProtocolError& e);
  void took(protocol::OpResult& r, bool opDone);

  // The answer to `op`: its line written if it was not announced, and the
  // announced lines after it; the answers to ops written before are read
  // first (only after a failed run, which finish() ends).
  nlohmann::json answerTo(const Op& op, const Args& args);
  // Reads the answers the driver still owes (a run that failed with ops
  // written ahead); a driver that does not give them is stopped.
  void discardOwedAnswers();

  struct Announced {
    const Op* op;
    std::string line;
  };
  std::deque<Announced> announced_;  // not written yet
  std::size_t announcedBytes_ = 0;
  std::deque<const Op*> written_;    // written, their answers not read yet, in order
  bool repeatStrings_ = false;
  bool started_ = false;  // a vector's start was answered and its end not sent
};

}  // namespace memconform::conformance
