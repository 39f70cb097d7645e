// core/messages.h: a failing operation's message (errors.h) and an
// invariant violation's (invariants.h) are built only while messages are
// wanted (RunOptions::messages turns them off for a fuzzer's search runs).
// The error's kind, which vectors and drivers compare, and the violation's
// rule are the same either way.
#include "core/errors.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "core/instance.h"
#include "core/invariants.h"
#include "tests/heap_calls.h"
#include "tests/support.h"

namespace memconform {
namespace {

TEST(Messages, AMessageIsBuiltOnlyWhileMessagesAreWanted) {
  int built = 0;
  auto make = [&] {
    ++built;
    return std::string("dealloc(8): not a live allocation");
  };
  EXPECT_EQ(fail(ErrorKind::InvalidArgument, make).message, "dealloc(8): not a live allocation");
  EXPECT_EQ(built, 1);
  {
    const Messages off(false);
    const Error e = fail(ErrorKind::InvalidArgument, make);
    EXPECT_EQ(e.kind, ErrorKind::InvalidArgument);
    EXPECT_EQ(e.message, "");
    EXPECT_EQ(fail(ErrorKind::InvalidState, "scopedAllocPop(): no active scope").message, "");
    // Built already (a driver's answer, a trap): kept.
    EXPECT_EQ(fail(ErrorKind::Trap, std::string("out of bounds memory access")).message, "out of bounds memory access");
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(fail(ErrorKind::InvalidState, "scopedAllocPop(): no active scope").message,
            "scopedAllocPop(): no active scope");
}

TEST(Messages, ASettingLastsAsLongAsItsObjectThenTheOneBeforeIsBack) {
  EXPECT_TRUE(Messages::wanted());
  {
    const Messages off(false);
    EXPECT_FALSE(Messages::wanted());
    {
      const Messages on(true);
      EXPECT_TRUE(Messages::wanted());
    }
    EXPECT_FALSE(Messages::wanted());
  }
  EXPECT_TRUE(Messages::wanted());
}

// A refused setup is not an op of a run: its GlueError says why whatever
// the setting (the executor reports it as the run's error).
TEST(Messages, ARefusedSetupSaysWhyWithMessagesOff) {
  const Messages off(false);
  InstanceConfig config;
  config.memory = {4, 2};
  try {
    Instance instance(config);
    FAIL() << "initial > maximum was accepted";
  } catch (const GlueError& e) {
    EXPECT_NE(std::string(e.what()).find("memory limits initial=4 maximum=2"), std::string::npos) << e.what();
  }
}

// LEAK-1: a pop of a scope that is not on the stack.
TEST(Messages, AViolationKeepsItsRuleAndBuildsItsMessageOnlyWhileMessagesAreWanted) {
  const std::vector<Event> events{PopEvent{7}};
  const OpRecord pop{"scopedAllocPop", Attribution::Caller, false, events, 65536, {}, {}, {}};
  InvariantChecker loud(65536);
  ASSERT_EQ(loud.observe(pop).size(), 1u);
  EXPECT_EQ(loud.violations().at(0), (Violation{"LEAK-1", "scopedAllocPop: scope 7 popped but not on the stack"}));
  const Messages off(false);
  InvariantChecker quiet(65536);
  ASSERT_EQ(quiet.observe(pop).size(), 1u);
  EXPECT_EQ(quiet.violations().at(0), (Violation{"LEAK-1", ""}));
}

// One failing op of each kind the reference's ops fail with in fuzzing
// (SCOPE-4, SCOPE-2, PEEK-6, PEEK-1, MEM-2, SCOPE-7 and argument checks);
// their kinds, in a buffer that allocates nothing.
std::array<ErrorKind, 10> failingOps(Instance& instance) {
  const auto past = static_cast<std::int64_t>(instance.byteLength());
  auto kind = [](const auto& r) { return r ? ErrorKind::Thrown : r.error().kind; };  // Thrown: it succeeded
  return {kind(instance.scopedAllocPop()),
          kind(instance.scopedAllocPop(99)),
          kind(instance.scopedAlloc(8)),
          kind(instance.dealloc(8)),
          kind(instance.uninstallFunction(5)),
          kind(instance.peek(past, "i32")),
          kind(instance.peek(0, "i31")),
          kind(instance.grow(1e6)),
          kind(instance.scopes().setLevel(3)),
          kind(instance.zeroMemory(past, 8))};
}

TEST(Messages, WithMessagesOffTheReferencesFailingOpsHaveTheirKindsAndAllocateNothing) {
  Instance instance(testing::smallConfig());
  const auto withMessages = failingOps(instance);  // also grows the event log's buffer
  for (ErrorKind k : withMessages) EXPECT_NE(k, ErrorKind::Thrown);
  instance.events().clear();
  const Messages off(false);
  std::array<ErrorKind, 10> without{};
#ifdef MEMCONFORM_ASAN
  const testing::HeapCalls calls = testing::heapCallsOf([&] { without = failingOps(instance); });
  EXPECT_EQ(calls.mallocs, 0u);
  // The same ops with messages: each builds one, too long to fit in a string's own bytes.
  instance.events().clear();
  const testing::HeapCalls loud = testing::heapCallsOf([&] {
    const Messages on(true);
    (void)failingOps(instance);
  });
  EXPECT_GE(loud.mallocs, withMessages.size());
#else
  without = failingOps(instance);
#endif
  EXPECT_EQ(without, withMessages);
}

}  // namespace
}  // namespace memconform
