// A fuzz finding's report (fuzz/findings.h): its head gives the wall clock
// at the finding, which scripts/fuzz.sh turns into the time to find it
// (start-up included, the report and its symbolized stack trace not).
#include "fuzz/findings.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

namespace memconform::fuzz {
namespace {

double secondsSinceTheEpoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(Findings, TheReportsHeadGivesTheWallClockAtTheFindingThenTheSignature) {
  const double before = secondsSinceTheEpoch();
  testing::internal::CaptureStderr();
  printFindingHead("memconform/mutant:pop-fifo/pop/SCOPE-6");
  const std::string head = testing::internal::GetCapturedStderr();
  const double after = secondsSinceTheEpoch();
  // What scripts/fuzz.sh's run() greps: '^found at: [0-9.]+', nanoseconds in nine digits.
  const std::regex form("\n== memconform finding ==\nfound at: ([0-9]+\\.[0-9]{9}) \\(seconds since the epoch\\)\n"
                        "signature: memconform/mutant:pop-fifo/pop/SCOPE-6\n");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(head, m, form)) << head;
  const double foundAt = std::stod(m[1].str());
  EXPECT_GE(foundAt, before - 0.001) << head;
  EXPECT_LE(foundAt, after + 0.001) << head;
}

}  // namespace
}  // namespace memconform::fuzz
