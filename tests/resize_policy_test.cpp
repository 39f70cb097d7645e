// GROW-1..6: hand-worked cases of emscripten_resize_heap. The large table
// from the JavaScript oracle is in grow_oracle_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/resize_policy.h"
#include "support.h"

namespace memconform {
namespace {

// The attempts in order, to compare with a list written out.
std::vector<ResizeAttempt> listOf(const ResizeAttempts& attempts) { return {attempts.begin(), attempts.end()}; }
constexpr double MiB = 1048576;

struct Resized {
  ResizeOutcome outcome;
  std::vector<Event> events;
};
Resized resizeOn(MemoryConfig memory, double requested, GrowthFaults faults = {}, GrowthParams params = {}) {
  EventLog log;
  LinearMemory m(memory, std::move(faults), &log);
  Resized r{resizeHeap(m, params, requested, &log), log.events()};
  EXPECT_EQ(r.outcome.finalByteLength, m.byteLength());
  return r;
}

// Rule GROW-1.
TEST(ResizePolicy, GROW_1_RequestIsCoercedWithUnsignedShift) {
  // -1 >>> 0 is 4294967295, above the 2 GiB maximum: false, no attempt.
  auto negative = resizeOn({256, 32768}, -1);
  EXPECT_FALSE(negative.outcome.result);
  EXPECT_TRUE(negative.outcome.attempts.empty());
  // 2^32 + 65536 wraps to 65536, below the current size: the request is
  // dominated by 20% overgrowth, 16 MiB * 1.2 = 20132659.2, aligned up to
  // 308 pages = 20185088.
  auto wrapped = resizeOn({256, 32768}, 4294967296.0 + 65536);
  ASSERT_TRUE(wrapped.outcome.result);
  ASSERT_EQ(wrapped.outcome.attempts.size(), 1u);
  EXPECT_EQ(wrapped.outcome.attempts[0], (ResizeAttempt{20185088, true}));
  EXPECT_EQ(wrapped.outcome.finalByteLength, 20185088u);
}

// Rule GROW-2.
TEST(ResizePolicy, GROW_2_RequestAboveTheMaximumFailsWithoutAnAttempt) {
  auto r = resizeOn({256, 32768}, 2147483649.0);
  EXPECT_FALSE(r.outcome.result);
  EXPECT_TRUE(r.outcome.attempts.empty());
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.outcome.finalByteLength, 16 * MiB);
  // Exactly the maximum is allowed.
  EXPECT_TRUE(resizeOn({256, 32768}, 2147483648.0).outcome.result);
}

// Rule GROW-3.
TEST(ResizePolicy, GROW_3_AttemptsCutDown1Then2Then4) {
  // 16 MiB, request 16 MiB + 1; the first two attempts are made to fail.
  //   cutDown 1: 16 MiB * 1.2  = 20132659.2 -> 20185088 (52 pages more)
  //   cutDown 2: 16 MiB * 1.1  = 18454937.6 -> 18481152 (26 pages more)
  //   cutDown 4: 16 MiB * 1.05 = 17616076.8 -> 17629184 (13 pages more)
  GrowthFaults faults;
  faults.failAttempts = {1, 2};
  auto r = resizeOn({256, 32768}, 16 * MiB + 1, faults);
  EXPECT_TRUE(r.outcome.result);
  EXPECT_EQ(listOf(r.outcome.attempts),
            (std::vector<ResizeAttempt>{{20185088, false}, {18481152, false}, {17629184, true}}));
  EXPECT_EQ(r.outcome.finalByteLength, 17629184u);
  EXPECT_EQ(r.events, (std::vector<Event>{GrowEvent{52, false}, ResizeAttemptEvent{20185088, false},
                                          GrowEvent{26, false}, ResizeAttemptEvent{18481152, false},
                                          GrowEvent{13, true}, ResizeAttemptEvent{17629184, true}}));
}

// Rule GROW-3.
TEST(ResizePolicy, GROW_3_OvergrowthIsCappedAt96MiBPastTheRequest) {
  // 1 GiB, request 1 GiB + 1: 20% would be 1288490188.8, but the cap is
  // request + 96 MiB = 1174405121, aligned up to 17921 pages = 1174470656.
  auto r = resizeOn({16384, 32768}, 1073741825.0);
  ASSERT_TRUE(r.outcome.result);
  EXPECT_EQ(listOf(r.outcome.attempts), (std::vector<ResizeAttempt>{{1174470656, true}}));
  EXPECT_EQ(r.events.front(), Event(GrowEvent{1537, true}));
}

// Rule GROW-3.
TEST(ResizePolicy, GROW_3_NewSizeNeverExceedsTheMaximum) {
  // 32000 pages, one byte more: request + 96 MiB = 2197815297 is past 2 GiB,
  // so the attempt is clamped to exactly 2 GiB (768 pages more).
  auto r = resizeOn({32000, 32768}, 32000 * 65536.0 + 1);
  ASSERT_TRUE(r.outcome.result);
  EXPECT_EQ(listOf(r.outcome.attempts), (std::vector<ResizeAttempt>{{2147483648, true}}));
  EXPECT_EQ(r.events.front(), Event(GrowEvent{768, true}));
}

// Rule GROW-4.
TEST(ResizePolicy, GROW_4_ThreeFailedAttemptsReturnFalseAndChangeNothing) {
  GrowthFaults faults;
  faults.failAttempts = {1, 2, 3};
  auto r = resizeOn({256, 32768}, 16 * MiB + 1, faults);
  EXPECT_FALSE(r.outcome.result);
  EXPECT_EQ(r.outcome.attempts.size(), 3u);  // no fourth "exact size" attempt
  EXPECT_EQ(r.outcome.finalByteLength, 16 * MiB);
}

// Rule GROW-5.
TEST(ResizePolicy, GROW_5_SizeBelowByteLengthWrapsToAHugePageCount) {
  // At 96 MiB + 64 KiB, resize(0): every attempt asks for 96 MiB, so
  // (96 MiB - byteLength + 65535) is -1 and -1 >>> 16 is 65535 pages: fails.
  auto r = resizeOn({1537, 32768}, 0);
  EXPECT_FALSE(r.outcome.result);
  EXPECT_EQ(listOf(r.outcome.attempts),
            (std::vector<ResizeAttempt>{{100663296, false}, {100663296, false}, {100663296, false}}));
  EXPECT_EQ(r.events.front(), Event(GrowEvent{65535, false}));
}

// Rule GROW-5.
TEST(ResizePolicy, GROW_5_GrowMemoryRoundsThePageCountUp) {
  LinearMemory m({1, 10});
  EXPECT_TRUE(growMemory(m, 65537));  // (65537 - 65536 + 65535) >>> 16 = 1
  EXPECT_EQ(m.pages(), 2u);
  EXPECT_TRUE(growMemory(m, 131072));  // exactly the size: grow(0) succeeds
  EXPECT_EQ(m.pages(), 2u);
}

// Rule GROW-6.
TEST(ResizePolicy, GROW_6_GrowthParametersReplaceTheDefaults) {
  GrowthParams params;
  params.geometricStep = 0.5;  // 16 MiB * 1.5 = 24 MiB exactly
  auto r = resizeOn({256, 32768}, 16 * MiB + 1, {}, params);
  EXPECT_EQ(listOf(r.outcome.attempts), (std::vector<ResizeAttempt>{{25165824, true}}));
  params = {};
  params.overgrowthCap = 0;  // no overgrowth: the request aligned up
  r = resizeOn({256, 32768}, 16 * MiB + 1, {}, params);
  EXPECT_EQ(listOf(r.outcome.attempts), (std::vector<ResizeAttempt>{{16 * MiB + 65536, true}}));
  params = {};
  params.maxHeapSize = 64 * MiB;  // getHeapMax() lowered
  EXPECT_FALSE(resizeOn({256, 32768}, 64 * MiB + 1, {}, params).outcome.result);
}

// Rule GROW-6.
TEST(ResizePolicy, GROW_6_InvalidParametersAreRejected) {
  for (auto broken : {+[](GrowthParams& p) { p.alignment = 0; }, +[](GrowthParams& p) { p.geometricStep = -0.1; },
                      +[](GrowthParams& p) { p.overgrowthCap = std::nan(""); },
                      +[](GrowthParams& p) { p.maxHeapSize = 0; }}) {
    InstanceConfig c;
    broken(c.growth);
    EXPECT_EQ(testing::errorOf([&] { Instance inst(c); }), ErrorKind::InvalidArgument);
  }
  EXPECT_NO_THROW(checkGrowthParams(GrowthParams{}));
}

// Rule GROW-3.
TEST(ResizePolicy, GROW_3_AlignUpIsJavaScriptsFormula) {
  EXPECT_EQ(alignUp(0, 65536), 0);
  EXPECT_EQ(alignUp(1, 65536), 65536);
  EXPECT_EQ(alignUp(65536, 65536), 65536);
  EXPECT_EQ(alignUp(20132659.2, 65536), 20185088);
  EXPECT_EQ(alignUp(7, 3), 9);
}

}  // namespace
}  // namespace memconform
