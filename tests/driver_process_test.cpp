// The driver transport (docs/DRIVER_PROTOCOL.md): whatever a driver
// process does wrong ends as a DriverFailure of the right kind, with its
// stderr, and a fresh start works again. The drivers here are shell one-liners.
#include "conformance/targets/driver_process.h"

#include <gtest/gtest.h>

#include <chrono>

namespace memconform::conformance {
namespace {

using namespace std::chrono_literals;

// What the driver's failure was, after sending `send` (if any) and reading a line.
DriverFailure failureFrom(DriverProcess& driver, const std::string& send) {
  try {
    if (!send.empty()) driver.writeLine(send);
    const std::string line = driver.readLine();
    ADD_FAILURE() << "expected a DriverFailure, read: " << line.substr(0, 80);
  } catch (const DriverFailure& f) {
    return f;
  }
  return DriverFailure(DriverFailure::Kind::Protocol, "no failure", "");
}

DriverFailure::Kind failureOf(DriverProcess& driver, const std::string& send) { return failureFrom(driver, send).kind(); }

void expectContains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "\"" << part << "\" not in: " << text;
}

TEST(DriverProcess, ExchangesLinesInOrder) {
  DriverProcess echo("while read -r line; do echo \"got $line\"; done");
  echo.start();
  echo.writeLine("{\"id\":1}");
  echo.writeLine("{\"id\":2}");
  EXPECT_EQ(echo.readLine(), "got {\"id\":1}");
  EXPECT_EQ(echo.readLine(), "got {\"id\":2}");
}

// Runs `command`, sends `send`, and expects a crash whose message and stderr
// tail say what happened.
void expectCrash(const std::string& command, const std::string& send, const std::string& says, const std::string& stderrSays) {
  DriverProcess driver(command);
  driver.start();
  const DriverFailure f = failureFrom(driver, send);
  EXPECT_EQ(f.kind(), DriverFailure::Kind::Crash);
  expectContains(f.what(), says);
  expectContains(f.stderrTail(), stderrSays);
  EXPECT_FALSE(driver.running());
}

TEST(DriverProcess, ADriverThatDiesIsACrashWithItsExitStatusAndStderr) {
  expectCrash("read -r line; echo 'driver: out of memory' >&2; exit 3", "{}", "exited with status 3", "driver: out of memory");
}

TEST(DriverProcess, ADriverKilledBySignalSaysWhichSignal) {
  expectCrash("kill -KILL $$", "", "killed by signal 9", "");
}

TEST(DriverProcess, ACommandThatDoesNotExistIsACrashWithTheShellsMessage) {
  expectCrash("/nonexistent/driver --flag", "", "exited with status 127", "/nonexistent/driver");
}

TEST(DriverProcess, ADriverThatHangsIsATimeoutAndIsKilled) {
  DriverProcess hangs("sleep 100", {200ms});
  hangs.start();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(failureOf(hangs, "{}"), DriverFailure::Kind::Timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_FALSE(hangs.running());
}

TEST(DriverProcess, AHalfWrittenLineIsATimeoutToo) {
  DriverProcess half("printf '{\"id\":1'; sleep 100", {200ms});
  half.start();
  EXPECT_EQ(failureOf(half, ""), DriverFailure::Kind::Timeout);
}

TEST(DriverProcess, AnOverlongLineIsAProtocolErrorWithoutReadingItAll) {
  // 100 MB of 'a' without a newline, against a 1 MB limit.
  DriverProcess floods("head -c 100000000 /dev/zero | tr '\\0' a", {10000ms, 1 << 20});
  floods.start();
  EXPECT_EQ(failureOf(floods, ""), DriverFailure::Kind::Protocol);
  EXPECT_FALSE(floods.running());
}

TEST(DriverProcess, ADriverThatStopsReadingIsATimeoutOnWrite) {
  DriverProcess deaf("sleep 100", {300ms});
  deaf.start();
  const std::string big(1 << 20, 'x');  // more than a pipe holds
  EXPECT_EQ(failureOf(deaf, big), DriverFailure::Kind::Timeout);
}

TEST(DriverProcess, StartsAgainAfterAFailure) {
  DriverProcess flaky("read -r line; if [ \"$line\" = crash ]; then exit 1; fi; echo ok; sleep 100");
  flaky.start();
  EXPECT_EQ(failureOf(flaky, "crash"), DriverFailure::Kind::Crash);
  flaky.start();
  flaky.writeLine("fine");
  EXPECT_EQ(flaky.readLine(), "ok");
}

TEST(DriverProcess, StderrKeepsOnlyItsTail) {
  DriverProcess chatty("i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; echo done", {5000ms, 1 << 20, 64});
  chatty.start();
  EXPECT_EQ(chatty.readLine(), "done");
  EXPECT_LE(chatty.stderrTail().size(), 64u);
}

TEST(DriverProcess, FailureKindsHaveReportNames) {
  EXPECT_EQ(driverFailureKindName(DriverFailure::Kind::Crash), "crash");
  EXPECT_EQ(driverFailureKindName(DriverFailure::Kind::Timeout), "timeout");
  EXPECT_EQ(driverFailureKindName(DriverFailure::Kind::Protocol), "protocol-error");
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

TEST(DriverProcess, TheErrorLineOfALongReportIsKeptBeyondTheTail) {
  DriverProcess asan("echo '==1==ERROR: AddressSanitizer: use-after-poison' >&2; i=0; while [ $i -lt 300 ]; do echo \"  #$i frame\" >&2; "
                     "i=$((i+1)); done; exit 1",
                     {5000ms, 1 << 20, 256});
  asan.start();
  const DriverFailure f = failureFrom(asan, "");
  EXPECT_EQ(f.stderrHeadline(), "==1==ERROR: AddressSanitizer: use-after-poison");
  EXPECT_EQ(f.stderrTail().find("AddressSanitizer"), std::string::npos);
}

}  // namespace
}  // namespace memconform::conformance
