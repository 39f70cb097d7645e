#include "conformance/targets/op_driver_target.h"

#include <utility>

#include "conformance/targets/driver_hello.h"
#include "core/errors.h"

namespace memconform::conformance {

using nlohmann::json;

namespace {
// How long to read an answer before sleeping until it comes: most ops take
// a driver a few microseconds, and a sleeping process wakes tens of
// microseconds after the driver writes (docs/PERFORMANCE.md).
constexpr std::chrono::microseconds kSpin{200};
}  // namespace

OpDriverTarget::OpDriverTarget(std::unique_ptr<DriverProcess> driver, protocol::Hello hello)
    : DriverTarget(std::move(driver), std::move(hello)), repeatStrings_(hello_.capabilities.count("repeat-strings") != 0) {}

json OpDriverTarget::ask(const std::string& line, const std::string& about) {
  announced_.clear();  // never written
  announcedBytes_ = 0;
  discardOwedAnswers();
  try {
    driver_->writeLine(line);
    return parseLine(driver_->readLine(kSpin));
  } catch (const DriverFailure& f) {
    throw VectorError(describeFailure(f, about));
  } catch (const protocol::ProtocolError& e) {
    broken(about, e);
  }
}

bool OpDriverTarget::announce(const Op& op, const Args& args) {
  std::string line = protocol::opLine(op, args, repeatStrings_);
  if (announcedBytes_ + line.size() > kAheadBytes) return false;
  announcedBytes_ += line.size();
  announced_.push_back({&op, std::move(line)});
  return true;
}

json OpDriverTarget::answerTo(const Op& op, const Args& args) {
  if (!written_.empty() && written_.front() != &op) {
    // The executor executes another op than it announced (Target::announce).
    const std::string expected = written_.front()->pointer;
    written_.clear();
    driver_->stop();
    throw VectorError("internal error: " + op.pointer + " runs where the runner announced " + expected);
  }
  // One write: the op's line unless it was announced, then the announced.
  std::string lines;
  const bool own = written_.empty() && (announced_.empty() || announced_.front().op != &op);
  if (own) {
    lines = protocol::opLine(op, args, repeatStrings_);
    written_.push_back(&op);
  }
  for (Announced& a : announced_) {
    if (!lines.empty()) lines += '\n';
    lines += a.line;
    written_.push_back(a.op);
  }
  announced_.clear();
  announcedBytes_ = 0;
  try {
    if (!lines.empty()) driver_->writeLine(lines);
    written_.pop_front();
    return parseLine(driver_->readLine(kSpin));
  } catch (const DriverFailure& f) {
    written_.clear();  // the driver is stopped
    throw VectorError(describeFailure(f, op.pointer));
  } catch (const protocol::ProtocolError& e) {
    broken(op.pointer, e);
  }
}

void OpDriverTarget::discardOwedAnswers() {
  try {
    for (; !written_.empty(); written_.pop_front()) driver_->readLine(kSpin);
  } catch (const DriverFailure&) {
    written_.clear();  // the driver is stopped: the next start() runs a fresh one
  }
}

void OpDriverTarget::broken(const std::string& about, const protocol::ProtocolError& e) {
  // The driver's state is unknown after a broken answer: start afresh.
  const std::string tail = driver_->stderrTail(), headline = driver_->stderrHeadline();
  written_.clear();
  announced_.clear();
  announcedBytes_ = 0;
  driver_->stop();
  // "its answer to /vectors/3/ops/2 at /events/0/push: expected ..."
  const std::string field = e.pointer().empty() ? "" : " at " + e.pointer();
  throw VectorError(withStderr("protocol-error: driver `" + driver_->command() + "`: its answer to " + about + field + ": " + e.message(),
                               tail, headline));
}

protocol::OpResult OpDriverTarget::resultOf(const json& j, const Op& op) {
  const std::string about = op.pointer.empty() ? std::string(opSpec(op.kind).name) : op.pointer;
  if (j.is_object() && j.contains("unsupported") && j["unsupported"].is_string())
    throw Unsupported("the driver cannot run " + std::string(opSpec(op.kind).name) + ": " + j["unsupported"].get<std::string>());
  // The op's arguments do not fit its implementation (a view of another run).
  if (j.is_object() && j.contains("invalid") && j["invalid"].is_string())
    throw VectorError("the driver says " + about + " is invalid: " + j["invalid"].get<std::string>());
  try {
    return protocol::parseOpResult(j, "", op);
  } catch (const protocol::ProtocolError& e) {
    broken(about, e);
  }
}

void OpDriverTarget::start(const Vector& vector) {
  finish();
  restartIfGone(protocol::kOpAtATimeVersion);
  const json answer = ask(protocol::startLine(vector, hello_.memory), "the start of " + vector.id);
  for (const char* key : {"skipped", "error"})
    if (answer.is_object() && answer.contains(key)) {
      if (!answer[key].is_string()) broken("the start of " + vector.id, protocol::ProtocolError(std::string("/") + key, "expected a string"));
      const std::string why = answer[key].get<std::string>();
      if (key == std::string("skipped")) throw Unsupported("the driver cannot set it up: " + why);
      throw VectorError("the driver could not set it up: " + why);
    }
  if (!answer.is_object() || answer.value("started", false) != true)
    broken("the start of " + vector.id, protocol::ProtocolError("", "expected {\"started\": true}, {\"skipped\": WHY} or {\"error\": WHY}"));
  startAccounting(vector);
  started_ = true;
}

// The vector is over: the driver answers at once and then releases its
// instance (resets it for the next vector) while the runner goes on.
void OpDriverTarget::finish() {
  if (std::exchange(started_, false) && driver_->running()) {
    try {
      const json answer = ask(protocol::endLine(), "the end of the vector");
      if (!answer.is_object() || answer.value("ended", false) != true)
        broken("the end of the vector", protocol::ProtocolError("", "expected {\"ended\": true}"));
    } catch (const VectorError&) {
      // The driver is gone or stopped: the next start() starts a fresh one.
    }
  }
  written_.clear();  // answered, or owed by a driver that is gone
  announced_.clear();
  announcedBytes_ = 0;
  clearReported();
}

void OpDriverTarget::took(protocol::OpResult& r, bool opDone) {
  events_.insert(events_.end(), r.events.begin(), r.events.end());
  if (r.byteLength) byteLength_ = *r.byteLength;
  // What its helper touched that it may not: SAFE-2, once the op is done.
  if (opDone)
    for (auto& access : r.accesses) accessViolations_.push_back({"SAFE-2", std::move(access)});
}

namespace {
Result<Value> outcomeOf(protocol::OpResult& r) {
  if (r.error) return fail(*r.error, std::move(r.message));
  return std::move(r.value);
}
}  // namespace

Result<Value> OpDriverTarget::execute(const Op& op, const Args& args) {
  protocol::OpResult r = resultOf(answerTo(op, args), op);
  took(r, true);
  addressAfter_ = std::move(r.addressAfter);
  return outcomeOf(r);
}

// The driver's scopedAllocCall runs the body: it says so (with the push's
// events), the body's ops go to it one by one, and then the runner says how
// the body ends (CALL-1, CALL-2). A call that fails before its body (its
// push) answers with its result at once.
Result<Value> OpDriverTarget::call(const Op& op, const std::function<Value()>& body) {
  json answer = ask(protocol::opLine(op, Args{}, repeatStrings_), op.pointer);
  if (answer.is_object() && answer.contains("body")) {
    if (answer["body"] != true) broken(op.pointer, protocol::ProtocolError("/body", "expected true"));
    answer.erase("body");
    if (!answer.contains("value")) answer["value"] = "undefined";  // the push's events and byteLength are all it has
    protocol::OpResult pushed = resultOf(answer, op);
    took(pushed, false);
    std::optional<VectorThrow> thrown;
    std::string end;
    try {
      end = protocol::returnLine(body());
    } catch (const VectorThrow& t) {
      thrown = t;
      end = protocol::throwLine();
    } catch (...) {
      // The vector cannot go on (a driver failure inside the body, a bad
      // argument): the driver is inside the call, so it starts afresh.
      driver_->stop();
      throw;
    }
    answer = ask(end, op.pointer + " (its end)");
    protocol::OpResult r = resultOf(answer, op);
    took(r, true);
    // The call's own finally may fail (its scope popped by the body,
    // SCOPE-5): that error replaces the exception in flight.
    if (thrown && !(r.error && *r.error != ErrorKind::Thrown)) throw *thrown;
    return outcomeOf(r);
  }
  protocol::OpResult r = resultOf(answer, op);
  took(r, true);
  return outcomeOf(r);
}

TargetState OpDriverTarget::state() {
  const json answer = ask(protocol::stateLine(), "the state at the end");
  try {
    return protocol::parseState(answer, "");
  } catch (const protocol::ProtocolError& e) {
    broken("the state at the end", e);
  }
}

}  // namespace memconform::conformance
