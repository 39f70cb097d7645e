// LEAK-1..2 and SAFE-1..4: the invariant checker. Each planted bug below is
// the event stream a broken glue layer would produce; the checker must name
// the rule it breaks. A long random workload on the reference must stay clean.
#include <gtest/gtest.h>

#include <random>

#include "core/invariants.h"
#include "support.h"

namespace memconform {
namespace {
using testing::CheckedRun;
using testing::describeAll;

constexpr std::uint64_t kMemory = 1048576;

// An op's record together with the events it points to.
struct RecordedOp {
  std::vector<Event> events;
  OpRecord record;
  operator const OpRecord&() const { return record; }
};

RecordedOp op(std::string_view name, std::vector<Event> events, Attribution a = Attribution::Caller, bool failed = false,
              std::uint64_t byteLength = kMemory) {
  RecordedOp r{std::move(events), {}};
  r.record = OpRecord{name, a, failed, r.events, byteLength, {}, {}, {}};
  return r;
}

std::vector<std::string> rules(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.rule);
  return out;
}

// A scope (handle 1) holding allocations 1024 and 2048.
InvariantChecker withScopeOfTwo() {
  InvariantChecker c(kMemory);
  EXPECT_TRUE(c.observe(op("push", {PushEvent{1}})).empty());
  EXPECT_TRUE(c.observe(op("scopedAlloc", {AllocEvent{1024, 16}}, Attribution::TopScope)).empty());
  EXPECT_TRUE(c.observe(op("scopedAlloc", {AllocEvent{2048, 16}}, Attribution::TopScope)).empty());
  return c;
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_CorrectPopIsClean) {
  auto c = withScopeOfTwo();
  EXPECT_TRUE(c.observe(op("pop", {PopEvent{1}, DeallocEvent{2048}, DeallocEvent{1024}})).empty());
  EXPECT_TRUE(c.finish().empty());
}

// Rule CALL-1: the end of a scopedAllocCall pops the scope its start pushed,
// not the one a body left on top (upstream's scopedAllocPop() with no
// argument pops the top).
TEST(Invariants, CALL_1_ACallThatPopsAnotherScopeThanItsOwnIsCaught) {
  InvariantChecker c(kMemory);
  EXPECT_TRUE(c.observe(op("call (push)", {PushEvent{1}})).empty());
  EXPECT_TRUE(c.observe(op("push", {PushEvent{2}})).empty());
  auto end = op("call (pop)", {PopEvent{2}});
  end.record.mustPop = OpRecord::ScopeToPop{1, "CALL-1"};
  const auto v = c.observe(end);
  ASSERT_EQ(rules(v), std::vector<std::string>{"CALL-1"}) << describeAll(v);
  EXPECT_NE(v[0].message.find("popped scope 2, not scope 1"), std::string::npos);
  InvariantChecker right(kMemory);
  EXPECT_TRUE(right.observe(op("call (push)", {PushEvent{1}})).empty());
  EXPECT_TRUE(right.observe(op("push", {PushEvent{2}})).empty());
  auto ownPop = op("call (pop)", {PopEvent{1}});
  ownPop.record.mustPop = OpRecord::ScopeToPop{1, "CALL-1"};
  EXPECT_TRUE(right.observe(ownPop).empty());
}

// Rule SCOPE-5: scopedAllocPop(scope) pops the scope it names, not the top.
TEST(Invariants, SCOPE_5_APopOfAnotherScopeThanTheNamedOneIsCaught) {
  auto c = withScopeOfTwo();
  EXPECT_TRUE(c.observe(op("push", {PushEvent{2}})).empty());
  auto pop = op("pop", {PopEvent{2}});
  pop.record.mustPop = OpRecord::ScopeToPop{1, "SCOPE-5"};
  const auto v = c.observe(pop);
  ASSERT_EQ(rules(v), std::vector<std::string>{"SCOPE-5"}) << describeAll(v);
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_AnEntryNotReleasedByItsPopIsALeak) {
  auto c = withScopeOfTwo();
  const auto v = c.observe(op("pop", {PopEvent{1}, DeallocEvent{2048}}));
  ASSERT_EQ(rules(v), std::vector<std::string>{"LEAK-1"}) << describeAll(v);
  EXPECT_NE(v[0].message.find("allocation 1024"), std::string::npos);
  EXPECT_NE(v[0].message.find("leaked"), std::string::npos);
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_ReleasingTwiceIsCaught) {
  auto c = withScopeOfTwo();
  const auto v = c.observe(op("pop", {PopEvent{1}, DeallocEvent{2048}, DeallocEvent{1024}, DeallocEvent{1024}}));
  EXPECT_EQ(rules(v), std::vector<std::string>{"LEAK-1"}) << describeAll(v);
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_ReleasingBeforeTheScopePopsIsCaught) {
  auto c = withScopeOfTwo();
  const auto v = c.observe(op("dealloc", {DeallocEvent{1024}}));
  ASSERT_EQ(rules(v), std::vector<std::string>{"LEAK-1"}) << describeAll(v);
  EXPECT_NE(v[0].message.find("still on the stack"), std::string::npos);
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_AFunctionOfAPoppedScopeMustBeUninstalled) {
  InvariantChecker c(kMemory);
  c.observe(op("push", {PushEvent{1}}));
  c.observe(op("scopedInstallFunction", {InstallEvent{3}}, Attribution::TopScope));
  // A pop that frees the slot index as if it were memory leaves the slot live.
  const auto v = c.observe(op("pop", {PopEvent{1}, DeallocEvent{3}}));
  EXPECT_EQ(rules(v), (std::vector<std::string>{"LEAK-1", "LEAK-1"})) << describeAll(v);
}

// Rule LEAK-1.
TEST(Invariants, LEAK_1_AScopedEntryWithNoScopeCanNeverBeReleased) {
  InvariantChecker c(kMemory);
  EXPECT_EQ(rules(c.observe(op("scopedAlloc", {AllocEvent{1024, 8}}, Attribution::TopScope))),
            std::vector<std::string>{"LEAK-1"});
}

// Rule SCOPE-6.
TEST(Invariants, SCOPE_6_FirstInFirstOutReleaseIsCaught) {
  auto c = withScopeOfTwo();
  const auto v = c.observe(op("pop", {PopEvent{1}, DeallocEvent{1024}, DeallocEvent{2048}}));
  EXPECT_EQ(rules(v), std::vector<std::string>{"SCOPE-6"}) << describeAll(v);
}

// Rule LEAK-2.
TEST(Invariants, LEAK_2_ScopesStillOpenAtTheEndAreReportedWithTheirEntries) {
  auto c = withScopeOfTwo();
  const auto v = c.finish();
  ASSERT_EQ(rules(v), std::vector<std::string>{"LEAK-2"});
  EXPECT_NE(v[0].message.find("allocation 1024, allocation 2048"), std::string::npos) << v[0].message;
}

// Rule SAFE-1.
TEST(Invariants, SAFE_1_OverlappingAllocationsAreCaught) {
  InvariantChecker c(kMemory);
  c.observe(op("alloc", {AllocEvent{1024, 16}}));
  EXPECT_EQ(rules(c.observe(op("alloc", {AllocEvent{1032, 8}}))), std::vector<std::string>{"SAFE-1"});
  EXPECT_EQ(rules(c.observe(op("alloc", {AllocEvent{1000, 25}}))), std::vector<std::string>{"SAFE-1"});
  EXPECT_TRUE(c.observe(op("alloc", {AllocEvent{1040, 8}})).empty());  // adjacent is fine
}

// Rule SAFE-1.
TEST(Invariants, SAFE_1_AllocationsOutsideTheMemoryAreCaught) {
  InvariantChecker c(kMemory);
  EXPECT_EQ(rules(c.observe(op("alloc", {AllocEvent{kMemory - 4, 8}}))), std::vector<std::string>{"SAFE-1"});
  // After a grow event the same block fits.
  c.observe(op("grow", {GrowEvent{1, true}}, Attribution::Caller, false, kMemory + 65536));
  EXPECT_TRUE(c.observe(op("alloc", {AllocEvent{kMemory + 8, 8}}, Attribution::Caller, false, kMemory + 65536))
                  .empty());
}

// Rule SAFE-1.
TEST(Invariants, SAFE_1_MemoryThatChangesSizeWithoutAGrowEventIsCaught) {
  InvariantChecker c(kMemory);
  EXPECT_EQ(rules(c.observe(op("poke", {}, Attribution::Caller, false, kMemory + 65536))),
            std::vector<std::string>{"SAFE-1"});
}

// Rule SAFE-3.
TEST(Invariants, SAFE_3_UseOfADetachedViewIsReported) {
  CheckedRun run;
  View view = run.instance.heap(ElementType::I32);
  EXPECT_TRUE(run.op("grow", Attribution::Caller, [&] { run.instance.grow(1).value(); }).empty());
  const auto v = run.op("viewGet", Attribution::Caller, [&] { (void)view.get(0); });
  EXPECT_EQ(rules(v), std::vector<std::string>{"SAFE-3"}) << describeAll(v);
}

// Rule SAFE-4.
TEST(Invariants, SAFE_4_AFailedOpThatLeavesAnAllocationIsCaught) {
  auto c = withScopeOfTwo();
  // A MainArgv that fails half-way and keeps what it allocated.
  const auto v = c.observe(op("scopedAllocMainArgv", {AllocEvent{4096, 16}}, Attribution::TopScope, true));
  EXPECT_EQ(rules(v), std::vector<std::string>{"SAFE-4"}) << describeAll(v);
}

// Rule SAFE-4.
TEST(Invariants, SAFE_4_AFailedOpThatChangesTheLevelOrContentsIsCaught) {
  InvariantChecker c(kMemory);
  EXPECT_EQ(rules(c.observe(op("pop", {PushEvent{5}}, Attribution::Caller, true))), std::vector<std::string>{"SAFE-4"});
  RecordedOp partialPoke = op("poke", {}, Attribution::Caller, true);
  partialPoke.record.contentsBefore = 1;
  partialPoke.record.contentsAfter = 2;
  EXPECT_EQ(rules(c.observe(partialPoke)), std::vector<std::string>{"SAFE-4"});
}

// Rule SAFE-4.
TEST(Invariants, SAFE_4_TheReferenceRollsBackAFailedMainArgv) {
  InstanceConfig config;
  config.memory = {1, 1};
  CheckedRun run(config);
  run.op("push", Attribution::Caller, [&] { run.instance.scopedAllocPush(); });
  const std::string big(40000, 'x');
  const auto v = run.op("scopedAllocMainArgv", Attribution::TopScope,
                        [&] { run.instance.scopes().scopedAllocMainArgv({"a", big, big}).value(); });
  EXPECT_TRUE(v.empty()) << describeAll(v);
}

// The reference under a long random mix of every API call, nested calls and
// throws: no invariant may ever be violated. Each call is checked as its own
// op, nested calls included: events are read from a cursor, and the push and
// pop of a scopedAllocCall are checked as ops of their own.
class RandomWork {
 public:
  explicit RandomWork(std::uint32_t seed) : rng_(seed), run_(config()) {}

  void step(int depth) {
    const auto pick = rng_() % 14;
    switch (pick) {
      case 0: leaf("push", Attribution::Caller, [&] { handles_.push_back(inst().scopedAllocPush()); }); break;
      case 1: leaf("pop", Attribution::Caller, [&] { inst().scopedAllocPop().value(); }); break;
      case 2: {
        const ScopeHandle h = handles_.empty() ? 12345 : handles_[rng_() % handles_.size()];
        leaf("pop(handle)", Attribution::Caller, [&] { inst().scopedAllocPop(h).value(); });
        break;
      }
      case 3: leaf("scopedAlloc", Attribution::TopScope, [&] { inst().scopedAlloc(size()).value(); }); break;
      case 4: leaf("alloc", Attribution::Caller, [&] { plain_.push_back(inst().alloc(size()).value()); }); break;
      case 5:
        if (!plain_.empty()) {
          const std::size_t i = rng_() % plain_.size();
          leaf("dealloc", Attribution::Caller, [&] { inst().dealloc(plain_[i]).value(); });
          plain_.erase(plain_.begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      case 6: {
        const std::string s(rng_() % 30, 'c');
        leaf("scopedAllocCString", Attribution::TopScope, [&] { inst().scopes().scopedAllocCString(s).value(); });
        break;
      }
      case 7: {
        const auto n = 1 + static_cast<std::uint32_t>(rng_() % 4);
        const bool safe = rng_() % 2 == 0;
        leaf("scopedAllocPtr", Attribution::TopScope, [&] { inst().scopes().scopedAllocPtr(n, safe).value(); });
        break;
      }
      case 8: {
        const std::string longest(rng_() % 30000, 'y');
        leaf("scopedAllocMainArgv", Attribution::TopScope, [&] { inst().scopes().scopedAllocMainArgv({"x", longest}).value(); });
        break;
      }
      case 9: leaf("scopedInstallFunction", Attribution::TopScope, [&] { inst().scopes().scopedInstallFunction({"f", "v(i)"}).value(); }); break;
      case 10: leaf("installFunction", Attribution::Caller, [&] { functions_.push_back(inst().installFunction({"g", "i"}).value()); }); break;
      case 11: {
        const double request = static_cast<double>(inst().byteLength() + rng_() % 300000);
        leaf("resize", Attribution::Caller, [&] { inst().resize(request); });
        break;
      }
      case 12:
        if (depth < 3) call(depth);
        break;
      case 13:
        if (!functions_.empty()) {
          leaf("uninstallFunction", Attribution::Caller, [&] { inst().uninstallFunction(functions_.back()).value(); });
          functions_.pop_back();
        }
        break;
    }
  }

  void finish() {
    while (inst().level() > 0) leaf("drain", Attribution::Caller, [&] { inst().scopedAllocPop().value(); });
    expectClean("finish", run_.checker.finish());
  }

  std::size_t ops() const { return ops_; }
  std::size_t failures() const { return failures_ + run_.failedOps; }
  Instance& inst() { return run_.instance; }

 private:
  static InstanceConfig config() {
    InstanceConfig c;
    c.memory = {1, 64};
    return c;
  }
  std::uint64_t size() { return rng_() % 4 == 0 ? rng_() % 40000 : rng_() % 64; }

  void flush(const std::string& name, Attribution attribution, bool failed) {
    ++ops_;
    expectClean(name, run_.flush(name, attribution, failed));
  }

  template <class Fn>
  void leaf(const std::string& name, Attribution attribution, Fn&& body) {
    ++ops_;
    expectClean(name, run_.op(name, attribution, body));
  }

  // scopedAllocCall with a random body that may throw through several frames.
  void call(int depth) {
    try {
      inst().scopedAllocCall([&] {
        flush("call: push", Attribution::Caller, false);
        for (int i = 0, n = static_cast<int>(rng_() % 4); i < n; ++i) step(depth + 1);
        if (rng_() % 3 == 0) throw GlueError(ErrorKind::Thrown, "the vector throws");
      }).value();  // a failed pop of the call's own scope raises its Error
    } catch (const GlueError& e) {
      // A body that popped the call's own scope makes the call's final pop
      // fail with InvalidState (CALL-1); anything else must be the throw.
      if (e.kind() != ErrorKind::Thrown) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidState) << e.what();
        ++failures_;
      } else if (depth > 0 && rng_() % 2 == 0) {  // unwind one more frame
        flush("call: pop", Attribution::Caller, false);
        throw;
      }
    }
    flush("call: pop", Attribution::Caller, false);
  }

  void expectClean(const std::string& name, const std::vector<Violation>& v) {
    EXPECT_TRUE(v.empty()) << name << " (op " << ops_ << "):\n" << describeAll(v);
  }

  std::mt19937 rng_;
  CheckedRun run_;
  std::size_t ops_ = 0, failures_ = 0;
  std::vector<Address> plain_;
  std::vector<TableIndex> functions_;
  std::vector<ScopeHandle> handles_;
};

// Rules LEAK-1, LEAK-2, SAFE-1, SAFE-4.
TEST(Invariants, LEAK_1_LEAK_2_SAFE_1_SAFE_4_ReferenceStaysCleanUnderRandomWork) {
  for (std::uint32_t seed : {1u, 2u, 3u, 2026u}) {
    RandomWork work(seed);
    for (int i = 0; i < 600; ++i) {
      try {
        work.step(0);
      } catch (const GlueError& e) {
        ADD_FAILURE() << "unexpected error escaped: " << e.what();
      }
      if (HasFailure()) return;
    }
    work.finish();
    std::printf("seed %u: %zu ops checked, %zu refused with an error, %zu bytes of memory\n", seed, work.ops(),
                work.failures(), static_cast<std::size_t>(work.inst().byteLength()));
    EXPECT_GT(work.ops(), 600u);
  }
}

}  // namespace
}  // namespace memconform
