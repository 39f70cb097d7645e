// The transport of the driver protocol (docs/DRIVER_PROTOCOL.md): a
// driver is any program that reads one JSON object per line on stdin and
// writes one per line on stdout. This class starts it, exchanges lines with
// a deadline and a size limit, and keeps the tail of its stderr for reports.
// Whatever the driver does wrong (dies, hangs, floods a line, closes its
// input) becomes a DriverFailure naming what happened; the process is then
// gone, and start() runs a fresh one. It knows nothing about JSON.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "conformance/targets/spin_gate.h"

namespace memconform::conformance {

struct DriverLimits {
  std::chrono::milliseconds timeout{5000};   // for one line, either way
  std::size_t maxLineBytes = 64 << 20;        // a longer response line is a protocol error
  std::size_t stderrTailBytes = 4096;         // how much of stderr reports quote
};

class DriverFailure : public std::runtime_error {
 public:
  enum class Kind { Crash, Timeout, Protocol };
  DriverFailure(Kind kind, const std::string& what, std::string stderrTail, std::string stderrHeadline = {})
      : std::runtime_error(what), kind_(kind), stderrTail_(std::move(stderrTail)), stderrHeadline_(std::move(stderrHeadline)) {}
  Kind kind() const { return kind_; }
  const std::string& stderrTail() const { return stderrTail_; }
  const std::string& stderrHeadline() const { return stderrHeadline_; }

 private:
  Kind kind_;
  std::string stderrTail_;
  std::string stderrHeadline_;
};

std::string_view driverFailureKindName(DriverFailure::Kind kind);  // crash, timeout, protocol-error

class DriverProcess {
 public:
  // `command` runs with /bin/sh -c, so it may carry arguments and quoting.
  explicit DriverProcess(std::string command, DriverLimits limits = {});
  ~DriverProcess();
  DriverProcess(const DriverProcess&) = delete;
  DriverProcess& operator=(const DriverProcess&) = delete;

  // Starts the driver (stopping a previous one). A command that cannot be
  // started shows up as a Crash on the first read.
  void start();
  void stop();  // kills the driver and reaps it
  // Closes the driver's stdin and gives it kFinishMs to exit before stop():
  // the end of a run (protocol: "End").
  void finish();
  static constexpr int kFinishMs = 1000;
  bool running() const { return pid_ > 0; }

  void writeLine(const std::string& line);  // adds the newline
  // Without the newline. `spin`: how long to keep reading before waiting
  // to be woken: a driver that answers within microseconds (protocol 2, an
  // op at a time) is read at once, instead of after the wake-up of a
  // process that slept (tens of microseconds between cores of a VM); not
  // while its spins do not pay (SpinGate).
  std::string readLine(std::chrono::microseconds spin = std::chrono::microseconds{0});

  std::string stderrTail() const { return stderr_; }
  // The first stderr line that reports an error the way sanitizers and
  // runtimes do ("ERROR: AddressSanitizer: ...", "runtime error:",
  // "Error:"), which a long report pushes out of the tail.
  const std::string& stderrHeadline() const { return headline_; }
  const std::string& command() const { return command_; }

 private:
  [[noreturn]] void failed(DriverFailure::Kind kind, const std::string& what);
  void drainStderr();
  std::string exitDescription();
  using Clock = std::chrono::steady_clock;
  // Waits until `fd` is ready for `events` (POLLIN/POLLOUT), reading stderr
  // meanwhile; false at the deadline.
  bool waitFor(int fd, short events, Clock::time_point deadline);

  std::string command_;
  DriverLimits limits_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;  // the driver's stdin, stdout, stderr (our ends)
  std::string pending_;                // stdout bytes after the last line read
  SpinGate spinGate_;                  // whether readLine spins (shut while spins do not pay)
  std::string stderr_;                 // the last limits_.stderrTailBytes of stderr
  std::string line_;                   // the stderr line being read, for the headline
  std::string headline_;
};

}  // namespace memconform::conformance
