#include "conformance/targets/cmd_target.h"

#include <algorithm>
#include <utility>

#include "conformance/targets/driver_hello.h"
#include "core/errors.h"

namespace memconform::conformance {

using nlohmann::json;

namespace {

void index(const std::vector<Op>& ops, const std::vector<std::optional<protocol::OpResult>>& results,
           std::map<const Op*, const protocol::OpResult*>& out) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!results[i]) continue;
    out[&ops[i]] = &*results[i];
    index(ops[i].body, results[i]->body, out);
  }
}

// The long strings written short in `j` ({"repeat", "count"}: Repeat),
// written out, for a driver without the capability repeat-strings.
void writeOutRepeats(json& j) {
  if (j.is_object() && j.size() == 2 && j.contains("repeat") && j.contains("count") && j["repeat"].is_string() &&
      j["count"].is_number_unsigned()) {
    j = Repeat{j["repeat"].get<std::string>(), j["count"].get<std::uint64_t>()}.expanded();
    return;
  }
  if (j.is_structured())
    for (auto& item : j) writeOutRepeats(item);
}

// The driver's answer as the op's outcome.
Result<Value> outcomeOf(const protocol::OpResult& r) {
  if (r.error) return fail(*r.error, r.message);
  return r.value;
}

}  // namespace

CmdTarget::CmdTarget(const std::string& command, DriverLimits limits)
    : DriverTarget(std::make_unique<DriverProcess>(command, limits), {}) {
  hello_ = startDriver(*driver_, protocol::kVersion);
}

CmdTarget::CmdTarget(std::unique_ptr<DriverProcess> driver, protocol::Hello hello)
    : DriverTarget(std::move(driver), std::move(hello)) {}

std::string CmdTarget::sentForm(const Vector& vector) const {
  json request = protocol::requestJson(0, vector);
  if (!hello_.capabilities.count("repeat-strings")) writeOutRepeats(request["vector"]["ops"]);
  // A fixed memory (hello "memory") is every vector's setup.
  if (hello_.memory)
    request["vector"]["setup"]["memory"] = {{"initialPages", hello_.memory->initialPages},
                                            {"maximumPages", hello_.memory->maximumPages}};
  return request["vector"].dump(-1, ' ', false, json::error_handler_t::replace);
}

static std::string requestLine(std::uint64_t id, const std::string& sentForm) {
  return "{\"id\":" + std::to_string(id) + ",\"vector\":" + sentForm + "}";
}

void CmdTarget::prepare(const Vector& vector) {
  dropPrepared();
  if (!driver_->running()) return;  // start() starts one, and says why if it cannot
  try {
    const std::uint64_t id = nextId_++;
    driver_->writeLine(requestLine(id, sentForm(vector)));
    prepared_ = Prepared{&vector, id};
  } catch (const DriverFailure&) {
    // The driver is gone: start() starts a fresh one and sends the vector.
  }
}

void CmdTarget::dropPrepared() {
  if (!prepared_) return;
  prepared_.reset();
  try {
    driver_->readLine();
  } catch (const DriverFailure&) {
    // Gone: the next start() starts a fresh driver.
  }
}

void CmdTarget::start(const Vector& vector) {
  finish();
  if (prepared_ && prepared_->vector != &vector) dropPrepared();
  try {
    if (!driver_->running()) prepared_.reset();  // sent to the driver that is gone
    restartIfGone(protocol::kVersion);
    const std::optional<Prepared> prepared = std::exchange(prepared_, std::nullopt);
    const std::uint64_t id = prepared ? prepared->id : nextId_++;
    if (!prepared) driver_->writeLine(requestLine(id, sentForm(vector)));
    response_ = protocol::parseResponse(parseLine(driver_->readLine()), id, vector);
  } catch (const DriverFailure& f) {
    throw VectorError(describeFailure(f));
  } catch (const protocol::ProtocolError& e) {
    // The driver's state is unknown after a broken response: start afresh.
    const std::string tail = driver_->stderrTail(), headline = driver_->stderrHeadline();
    driver_->stop();
    throw VectorError(withStderr("protocol-error: driver `" + driver_->command() + "`: response " + e.what(), tail, headline));
  }
  if (response_.error) throw VectorError("the driver could not run the vector: " + *response_.error);
  if (response_.skipped) throw Unsupported("the driver cannot set it up: " + *response_.skipped);
  index(vector.ops, response_.results, results_);
  startAccounting(vector);
}

void CmdTarget::finish() {
  results_.clear();
  clearReported();
  response_ = {};
}

const protocol::OpResult& CmdTarget::resultOf(const Op& op) {
  const auto it = results_.find(&op);
  if (it == results_.end())
    throw VectorError("protocol-error: the driver reported that " + (op.pointer.empty() ? std::string(opSpec(op.kind).name) : op.pointer) +
                      " did not run (null), but the runner ran it");
  return *it->second;
}

void CmdTarget::took(const protocol::OpResult& r, std::size_t firstEvent, std::size_t endEvent, bool opDone) {
  events_.insert(events_.end(), r.events.begin() + static_cast<std::ptrdiff_t>(firstEvent),
                 r.events.begin() + static_cast<std::ptrdiff_t>(endEvent));
  // The size after the op, once it is done (a call's push comes before its
  // body, which may grow the memory).
  if (opDone && r.byteLength) byteLength_ = *r.byteLength;
  // What its helper touched that it may not: SAFE-2, once the op is done.
  if (opDone)
    for (const auto& access : r.accesses) accessViolations_.push_back({"SAFE-2", access});
}

Result<Value> CmdTarget::execute(const Op& op, const Args&) {
  const protocol::OpResult& r = resultOf(op);
  took(r, 0, r.events.size(), true);
  addressAfter_ = r.addressAfter;
  return outcomeOf(r);
}

// A call's own events are its scope's push, then (after the body's ops) its
// pop and what the pop released: the push goes with the start of the body.
Result<Value> CmdTarget::call(const Op& op, const std::function<Value()>& body) {
  const protocol::OpResult& r = resultOf(op);
  const auto push = std::find_if(r.events.begin(), r.events.end(), [](const Event& e) { return std::holds_alternative<PushEvent>(e); });
  const std::size_t split = push == r.events.end() ? 0 : static_cast<std::size_t>(push - r.events.begin()) + 1;
  took(r, 0, split, false);
  try {
    body();
  } catch (const VectorThrow&) {
    took(r, split, r.events.size(), true);
    // The call's own finally may fail (its scope popped by the body,
    // SCOPE-5): that error replaces the exception in flight.
    if (r.error && *r.error != ErrorKind::Thrown) return outcomeOf(r);
    throw;
  }
  took(r, split, r.events.size(), true);
  return outcomeOf(r);
}

}  // namespace memconform::conformance
