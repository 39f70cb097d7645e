// core/errors.h: a failing operation's message is built only while messages
// are wanted (ErrorMessages; RunOptions::errorMessages turns them off for a
// fuzzer's search runs). Its kind, which vectors and drivers compare, is the
// same either way.
#include "core/errors.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "core/instance.h"
#include "tests/heap_calls.h"
#include "tests/support.h"

namespace memconform {
namespace {

TEST(ErrorMessages, AMessageIsBuiltOnlyWhileMessagesAreWanted) {
  int built = 0;
  auto make = [&] {
    ++built;
    return std::string("dealloc(8): not a live allocation");
  };
  EXPECT_EQ(fail(ErrorKind::InvalidArgument, make).message, "dealloc(8): not a live allocation");
  EXPECT_EQ(built, 1);
  {
    const ErrorMessages off(false);
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

TEST(ErrorMessages, ASettingLastsAsLongAsItsObjectThenTheOneBeforeIsBack) {
  EXPECT_TRUE(ErrorMessages::wanted());
  {
    const ErrorMessages off(false);
    EXPECT_FALSE(ErrorMessages::wanted());
    {
      const ErrorMessages on(true);
      EXPECT_TRUE(ErrorMessages::wanted());
    }
    EXPECT_FALSE(ErrorMessages::wanted());
  }
  EXPECT_TRUE(ErrorMessages::wanted());
}

// A refused setup is not an op of a run: its GlueError says why whatever
// the setting (the executor reports it as the run's error).
TEST(ErrorMessages, ARefusedSetupSaysWhyWithMessagesOff) {
  const ErrorMessages off(false);
  InstanceConfig config;
  config.memory = {4, 2};
  try {
    Instance instance(config);
    FAIL() << "initial > maximum was accepted";
  } catch (const GlueError& e) {
    EXPECT_NE(std::string(e.what()).find("memory limits initial=4 maximum=2"), std::string::npos) << e.what();
  }
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

TEST(ErrorMessages, WithMessagesOffTheReferencesFailingOpsHaveTheirKindsAndAllocateNothing) {
  Instance instance(testing::smallConfig());
  const auto withMessages = failingOps(instance);  // also grows the event log's buffer
  for (ErrorKind k : withMessages) EXPECT_NE(k, ErrorKind::Thrown);
  instance.events().clear();
  const ErrorMessages off(false);
  std::array<ErrorKind, 10> without{};
#ifdef MEMCONFORM_ASAN
  const testing::HeapCalls calls = testing::heapCallsOf([&] { without = failingOps(instance); });
  EXPECT_EQ(calls.mallocs, 0u);
  // The same ops with messages: each builds one, too long to fit in a string's own bytes.
  instance.events().clear();
  const testing::HeapCalls loud = testing::heapCallsOf([&] {
    const ErrorMessages on(true);
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
