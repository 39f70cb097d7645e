// CALL-1..3: scopedAllocCall with real C++ exceptions in its body.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/scoped_call.h"
#include "support.h"

namespace memconform {
namespace {
using testing::smallConfig;

struct BodyError : std::runtime_error {
  using std::runtime_error::runtime_error;
  int tag = 7;
};

class ScopedCall : public ::testing::Test {
 protected:
  Instance inst{smallConfig()};
};

// Rule CALL-1.
TEST_F(ScopedCall, CALL_1_ReturnsTheResultAndFreesTheCallsScope) {
  Address inside = 0;
  const int result = inst.scopedAllocCall([&] {
                         inside = inst.scopedAlloc(32).value();
                         EXPECT_EQ(inst.level(), 1u);
                         return 42;
                       }).value();
  EXPECT_EQ(result, 42);
  EXPECT_EQ(inst.level(), 0u);
  EXPECT_FALSE(inst.allocator().isLive(inside));
}

// Rule CALL-1.
TEST_F(ScopedCall, CALL_1_RethrowsTheBodysExceptionUnchanged) {
  try {
    static_cast<void>(inst.scopedAllocCall([&] {
      inst.scopedAlloc(8).value();
      BodyError e("boom");
      e.tag = 99;
      throw e;
    }));
    FAIL() << "no exception";
  } catch (const BodyError& e) {
    EXPECT_STREQ(e.what(), "boom");
    EXPECT_EQ(e.tag, 99);
  }
  EXPECT_EQ(inst.level(), 0u);
  EXPECT_EQ(inst.allocator().liveCount(), 0u);
}

// Rule CALL-1.
TEST_F(ScopedCall, CALL_1_PopsTheScopeItPushedNotTheTop) {
  Address callsOwn = 0, leftOpen = 0;
  ScopeHandle pushedInside = 0;
  inst.scopedAllocCall([&] {
        callsOwn = inst.scopedAlloc(8).value();
        pushedInside = inst.scopedAllocPush();  // the body leaves this scope pushed
        leftOpen = inst.scopedAlloc(8).value();
      }).value();
  EXPECT_EQ(inst.level(), 1u);
  EXPECT_EQ(inst.scopes().top(), pushedInside);
  EXPECT_FALSE(inst.allocator().isLive(callsOwn));
  EXPECT_TRUE(inst.allocator().isLive(leftOpen));
}

// Rule CALL-1.
TEST_F(ScopedCall, CALL_1_OnAThrowPopsItsOwnScopeNotTheTop) {
  Address callsOwn = 0, leftOpen = 0;
  ScopeHandle pushedInside = 0;
  EXPECT_THROW(inst.scopedAllocCall([&] {
    callsOwn = inst.scopedAlloc(8).value();
    pushedInside = inst.scopedAllocPush();
    leftOpen = inst.scopedAlloc(8).value();
    if (leftOpen != 0) throw BodyError("after pushing a scope");
    return 1;  // a value-returning body
  }).value(),
               BodyError);
  EXPECT_EQ(inst.level(), 1u);
  EXPECT_EQ(inst.scopes().top(), pushedInside);
  EXPECT_FALSE(inst.allocator().isLive(callsOwn));
  EXPECT_TRUE(inst.allocator().isLive(leftOpen));
}

// Rule CALL-1.
TEST_F(ScopedCall, CALL_1_ABodyThatPopsTheCallsScopeGetsInvalidState) {
  EXPECT_EQ(testing::errorOf([&] { return inst.scopedAllocCall([&] { inst.scopedAllocPop().value(); }); }),
            ErrorKind::InvalidState);
  EXPECT_EQ(inst.level(), 0u);
}

// Rule CALL-1: like an exception thrown in a JS `finally`, the failed pop of
// the call's own scope replaces the exception the body threw.
TEST_F(ScopedCall, CALL_1_AFailedOwnPopReplacesTheBodysException) {
  Result<void> call;
  EXPECT_NO_THROW(call = inst.scopedAllocCall([&] {
                    inst.scopedAllocPop().value();
                    throw BodyError("after popping the call's scope");
                  }));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().kind, ErrorKind::InvalidState);
  EXPECT_EQ(inst.level(), 0u);
}

// Rule CALL-2.
TEST_F(ScopedCall, CALL_2_AThrowUnwindsEveryNestedCallEachPoppingItsOwn) {
  std::vector<Address> allocations;
  inst.events().clear();
  EXPECT_THROW(inst.scopedAllocCall([&] {
    allocations.push_back(inst.scopedAlloc(8).value());
    inst.scopedAllocCall([&] {
          allocations.push_back(inst.scopedAlloc(8).value());
          inst.scopedAllocCall([&] {
                allocations.push_back(inst.scopedAlloc(8).value());
                throw BodyError("deep");
              }).value();
        }).value();
  }).value(),
               BodyError);
  EXPECT_EQ(inst.level(), 0u);
  EXPECT_EQ(inst.allocator().liveCount(), 0u);
  std::vector<Event> frees;
  for (const auto& e : inst.events().events())
    if (std::holds_alternative<DeallocEvent>(e)) frees.push_back(e);
  EXPECT_EQ(frees, (std::vector<Event>{DeallocEvent{allocations[2]}, DeallocEvent{allocations[1]},
                                       DeallocEvent{allocations[0]}}));
}

// Rule CALL-2.
TEST_F(ScopedCall, CALL_2_AHandlerInsideStopsTheUnwindThere) {
  inst.scopedAllocCall([&] {
        const Address kept = inst.scopedAlloc(8).value();
        try {
          inst.scopedAllocCall([&] {
                inst.scopedAlloc(8).value();
                throw BodyError("inner");
              }).value();
        } catch (const BodyError&) {
        }
        EXPECT_EQ(inst.level(), 1u);
        EXPECT_TRUE(inst.allocator().isLive(kept));
      }).value();
  EXPECT_EQ(inst.allocator().liveCount(), 0u);
}

// Rule CALL-3.
TEST_F(ScopedCall, CALL_3_APlainPushIsNotPoppedByAnException) {
  Address leaked = 0;
  try {
    inst.scopedAllocPush();
    leaked = inst.scopedAlloc(8).value();
    throw BodyError("outside any call");
  } catch (const BodyError&) {
  }
  EXPECT_EQ(inst.level(), 1u);
  EXPECT_TRUE(inst.allocator().isLive(leaked));
}

}  // namespace
}  // namespace memconform
