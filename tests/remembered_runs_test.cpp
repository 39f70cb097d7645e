// fuzz_differential's remembered runs (fuzz/remembered_runs.h): a vector
// like one run before gets the run remembered, without running the target;
// a different one (other ops, or only another memory) runs; the oldest run
// is forgotten first; a run that ended in an error is never remembered; and
// a remembered run's ops outlive the vector it was made from (ASan would
// see a read through a dangling pointer).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "conformance/runner/executor.h"
#include "conformance/targets/reference_target.h"
#include "fuzz/remembered_runs.h"
#include "vector_support.h"

namespace memconform::fuzz {
namespace {

using conformance::Vector;
using conformance::VectorRun;

// The reference, counting the vectors it starts; "broken" is an error.
class CountingTarget : public conformance::ReferenceTarget {
 public:
  void start(const Vector& vector) override {
    ++starts;
    if (vector.id == "broken") throw conformance::VectorError("broken");
    ReferenceTarget::start(vector);
  }
  int starts = 0;
};

Vector byteLength(const std::string& id, int pages) {
  return testing::vectorWithMemory(id, pages, R"({"op":"byteLength"})");
}

// How fuzz_differential runs the other target: the remembered run, or a run
// now, remembered.
VectorRun run(RememberedRuns& runs, const Vector& vector, CountingTarget& target) {
  const std::string form = RememberedRuns::formOf(vector);
  if (const VectorRun* before = runs.find(form)) return *before;
  VectorRun now = conformance::runVector(vector, target);
  runs.remember(form, vector, now);
  return now;
}

TEST(RememberedRuns, AVectorRunBeforeGetsTheRememberedRunAndTheOldestIsForgottenFirst) {
  RememberedRuns runs(2);
  CountingTarget target;
  const Vector a = byteLength("a", 1), b = byteLength("a", 2), c = byteLength("c", 1);
  run(runs, a, target);
  run(runs, a, target);
  EXPECT_EQ(target.starts, 1);
  run(runs, b, target);  // same id, another memory: another vector
  run(runs, b, target);
  EXPECT_EQ(target.starts, 2);
  run(runs, c, target);  // a is forgotten (two are kept)
  run(runs, a, target);
  EXPECT_EQ(target.starts, 4);
  EXPECT_EQ(runs.hits(), 2u);
}

TEST(RememberedRuns, ARunThatEndedInAnErrorIsNeverRemembered) {
  RememberedRuns runs(8);
  CountingTarget target;
  const Vector broken = byteLength("broken", 1);
  EXPECT_EQ(run(runs, broken, target).status, VectorRun::Status::Error);
  EXPECT_EQ(run(runs, broken, target).status, VectorRun::Status::Error);
  EXPECT_EQ(target.starts, 2);
  EXPECT_EQ(runs.hits(), 0u);
}

TEST(RememberedRuns, ARememberedRunsOpsOutliveTheVectorItWasMadeFrom) {
  RememberedRuns runs(4);
  CountingTarget target;
  const std::string ops = R"({"op":"push"},{"op":"call","body":[{"op":"byteLength"}]},{"op":"pop"})";
  auto first = std::make_unique<Vector>(testing::vectorWithMemory("a", 1, ops));
  std::vector<conformance::OpKind> kinds;
  for (const auto& opRun : run(runs, *first, target).ops) kinds.push_back(opRun.op->kind);
  ASSERT_EQ(kinds.size(), 4u);  // the call's body included
  first.reset();
  const Vector again = testing::vectorWithMemory("a", 1, ops);
  const VectorRun* remembered = runs.find(RememberedRuns::formOf(again));
  ASSERT_NE(remembered, nullptr);
  ASSERT_EQ(remembered->ops.size(), kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(remembered->ops[i].op->kind, kinds[i]);
  EXPECT_EQ(target.starts, 1);
}

}  // namespace
}  // namespace memconform::fuzz
