// The driver transport (VECTORS.md "The driver protocol"): whatever a driver
// process does wrong ends as a DriverFailure of the right kind, with its
// stderr, and a fresh start works again. The drivers here are shell one-liners.
#include "conformance/targets/driver_process.h"

#include <gtest/gtest.h>

#include <chrono>

namespace memconform::conformance {
namespace {

using namespace std::chrono_literals;

DriverFailure::Kind failureOf(DriverProcess& driver, const std::string& send) {
  try {
    if (!send.empty()) driver.writeLine(send);
    driver.readLine();
  } catch (const DriverFailure& f) {
    return f.kind();
  }
  ADD_FAILURE() << "expected a DriverFailure";
  return DriverFailure::Kind::Protocol;
}

TEST(DriverProcess, ExchangesLinesInOrder) {
  DriverProcess echo("while read -r line; do echo \"got $line\"; done");
  echo.start();
  echo.writeLine("{\"id\":1}");
  echo.writeLine("{\"id\":2}");
  EXPECT_EQ(echo.readLine(), "got {\"id\":1}");
  EXPECT_EQ(echo.readLine(), "got {\"id\":2}");
}

TEST(DriverProcess, ADriverThatDiesIsACrashWithItsExitStatusAndStderr) {
  DriverProcess dies("read -r line; echo 'driver: out of memory' >&2; exit 3");
  dies.start();
  try {
    dies.writeLine("{}");
    dies.readLine();
    FAIL() << "no failure";
  } catch (const DriverFailure& f) {
    EXPECT_EQ(f.kind(), DriverFailure::Kind::Crash);
    EXPECT_NE(std::string(f.what()).find("exited with status 3"), std::string::npos) << f.what();
    EXPECT_NE(f.stderrTail().find("driver: out of memory"), std::string::npos) << f.stderrTail();
  }
  EXPECT_FALSE(dies.running());
}

TEST(DriverProcess, ADriverKilledBySignalSaysWhichSignal) {
  DriverProcess killed("kill -KILL $$");
  killed.start();
  try {
    killed.readLine();
    FAIL() << "no failure";
  } catch (const DriverFailure& f) {
    EXPECT_EQ(f.kind(), DriverFailure::Kind::Crash);
    EXPECT_NE(std::string(f.what()).find("killed by signal 9"), std::string::npos) << f.what();
  }
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

TEST(DriverProcess, ACommandThatDoesNotExistIsACrashWithTheShellsMessage) {
  DriverProcess missing("/nonexistent/driver --flag");
  missing.start();
  try {
    missing.readLine();
    FAIL() << "no failure";
  } catch (const DriverFailure& f) {
    EXPECT_EQ(f.kind(), DriverFailure::Kind::Crash);
    EXPECT_NE(std::string(f.what()).find("exited with status 127"), std::string::npos) << f.what();
    EXPECT_NE(f.stderrTail().find("/nonexistent/driver"), std::string::npos) << f.stderrTail();
  }
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
