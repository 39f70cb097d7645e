// SpinGate (conformance/targets/spin_gate.h): a wait for a driver spins
// only while its spins pay; each spin that did not (it came back empty, or
// was preempted) shuts the gate for twice as many waits as the one before
// (up to kMaxShut), and a spin that paid halves that.
#include "conformance/targets/spin_gate.h"

#include <gtest/gtest.h>

namespace memconform::conformance {
namespace {

// How many waits in a row the gate refuses, then opens for one.
unsigned shutWaits(SpinGate& gate) {
  unsigned shut = 0;
  while (!gate.open() && shut <= 2 * SpinGate::kMaxShut) ++shut;  // bounded: a gate that never opens fails, not hangs
  return shut;
}

TEST(SpinGate, OpenWhileItsSpinsPay) {
  SpinGate gate;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(gate.open());
    gate.spun(true);
  }
}

TEST(SpinGate, EachSpinThatDidNotPayShutsItForTwiceAsManyWaitsUpToTheLimit) {
  SpinGate gate;
  ASSERT_TRUE(gate.open());
  unsigned expected = 1;
  for (int i = 0; i < 14; ++i) {
    gate.spun(false);
    EXPECT_EQ(shutWaits(gate), expected) << "after unpaid spin " << i + 1;
    expected = std::min(expected * 2, SpinGate::kMaxShut);
  }
}

TEST(SpinGate, ASpinThatPaidHalvesTheShutAndOpensIt) {
  SpinGate gate;
  for (int i = 0; i < 4; ++i) {  // shut for 1, 2, 4, 8 waits
    gate.spun(false);
    shutWaits(gate);
  }
  gate.spun(true);  // 8 -> 4, open now
  EXPECT_TRUE(gate.open());
  gate.spun(false);  // 4 -> 8
  EXPECT_EQ(shutWaits(gate), 8u);
  for (int i = 0; i < 5; ++i) gate.spun(true);  // 8 -> 0
  gate.spun(false);
  EXPECT_EQ(shutWaits(gate), 1u);
}

TEST(SpinGate, ThisThreadsInvoluntarySwitchesAreCounted) {
  const long before = involuntaryContextSwitches();
  EXPECT_GE(before, 0);
  EXPECT_GE(involuntaryContextSwitches(), before);
}

}  // namespace
}  // namespace memconform::conformance
