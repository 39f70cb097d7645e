#include "conformance/targets/driver_hello.h"

#include <stdexcept>

#include "conformance/targets/cmd_target.h"
#include "conformance/targets/op_driver_target.h"

namespace memconform::conformance {

using nlohmann::json;

json parseLine(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) throw protocol::ProtocolError("", "not a JSON line: " + line.substr(0, 200));
  return j;
}

std::string withStderr(const std::string& what, const std::string& tail, const std::string& headline) {
  std::string out = what;
  if (!headline.empty() && tail.find(headline) == std::string::npos) out += "; its stderr says: " + headline;
  if (!tail.empty()) out += "; its stderr ends with: " + tail;
  return out;
}

std::string describeFailure(const DriverFailure& f, const std::string& where) {
  return withStderr(std::string(driverFailureKindName(f.kind())) + ": " + f.what() + (where.empty() ? "" : " (at " + where + ")"),
                    f.stderrTail(), f.stderrHeadline());
}

protocol::Hello startDriver(DriverProcess& driver, int version) {
  protocol::Hello hello;
  try {
    driver.start();
    hello = protocol::parseHello(parseLine(driver.readLine()));
  } catch (const DriverFailure& f) {
    throw std::runtime_error(withStderr(std::string(driverFailureKindName(f.kind())) + ": before its hello, " + f.what(),
                                        f.stderrTail(), f.stderrHeadline()));
  } catch (const protocol::ProtocolError& e) {
    driver.stop();
    throw std::runtime_error("protocol-error: driver `" + driver.command() + "`: its hello breaks the protocol at " + e.what());
  }
  if (version && hello.protocol != version) {
    driver.stop();
    throw std::runtime_error("protocol-error: driver `" + driver.command() + "`: restarted, it says protocol " +
                             std::to_string(hello.protocol) + ", not " + std::to_string(version) + " as before");
  }
  return hello;
}

void DriverTarget::takeEvents(std::vector<Event>& into) {
  into.assign(events_.begin(), events_.end());  // copied: each buffer stays with its owner (PluginTarget::takeEvents)
  events_.clear();
}

void DriverTarget::takeAccessViolations(std::vector<Violation>& into) {
  into.insert(into.end(), accessViolations_.begin(), accessViolations_.end());
  accessViolations_.clear();
}

void DriverTarget::clearReported() {
  events_.clear();
  accessViolations_.clear();
  addressAfter_.reset();
}

void DriverTarget::restartIfGone(int version) {
  if (driver_->running()) return;
  try {
    hello_ = startDriver(*driver_, version);
  } catch (const std::runtime_error& e) {
    throw VectorError(e.what());
  }
}

void DriverTarget::startAccounting(const Vector& vector) {
  byteLength_ = std::uint64_t{(hello_.memory ? *hello_.memory : vector.setup.memory).initialPages} * kPageSize;
}

std::unique_ptr<Target> makeDriverTarget(const std::string& command, const DriverLimits& limits) {
  auto driver = std::make_unique<DriverProcess>(command, limits);
  protocol::Hello hello = startDriver(*driver);
  if (hello.protocol == protocol::kOpAtATimeVersion) return std::make_unique<OpDriverTarget>(std::move(driver), std::move(hello));
  return std::make_unique<CmdTarget>(std::move(driver), std::move(hello));
}

}  // namespace memconform::conformance
