// runVector into a VectorRun that holds an earlier run (executor.h): the
// fuzz targets run input after input into the same two runs, whose op
// records are filled again. What a run shows must not depend on what the
// run before it left there.
#include "conformance/runner/executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "conformance/runner/loader.h"
#include "conformance/targets/factory.h"
#include "fuzz/op_decoder.h"
#include "tests/fuzz_inputs.h"

namespace memconform::conformance {
namespace {

// Everything a run shows, as text: a difference names the op.
std::vector<std::string> shown(const VectorRun& run) {
  std::vector<std::string> out{"status " + std::to_string(static_cast<int>(run.status)) + " " + run.reason};
  for (const auto& t : formatTrace(run)) out.push_back(t.pointer + " " + t.op + ": " + t.result + " | " + t.events);
  for (const auto& r : run.ops)
    out.push_back(r.op->pointer + " names before " + std::to_string(r.namesBefore) + ", note " + r.note +
                  (r.observed ? ", byteLength " + std::to_string(r.observed->byteLength) +
                                    ", violations " + std::to_string(r.observed->violations.size()) +
                                    ", message " + r.observed->message
                              : ""));
  for (const auto& f : run.failures) out.push_back("failure " + f.pointer + " " + f.rule + ": " + f.actual);
  for (const auto& f : run.flags) out.push_back("flag " + f);
  for (const auto& [name, value] : run.names) out.push_back("name " + name + " = " + toText(value));
  return out;
}

TEST(Executor, ARunIntoTheRecordsOfEarlierRunsShowsWhatANewRunShows) {
  std::vector<Vector> vectors;
  for (const auto& bytes : testing::fuzzInputs()) {
    Vector v = fuzz::decodeOps(bytes);
    fuzz::numberOps(v);
    vectors.push_back(std::move(v));
  }
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors"});
  ASSERT_TRUE(corpus.errors.empty());
  for (const auto& file : corpus.files)
    for (const auto& v : file.vectors) vectors.push_back(v);
  // Long runs after short ones, failing ones between passing ones.
  std::shuffle(vectors.begin(), vectors.end(), std::mt19937(5));
  // Planted bugs that fail ops and leave scopes open, none that ASan stops
  // (cstring-no-nul-room writes past its block).
  const std::vector<std::string> specs{"reference", "reference?dialect=sqlite-wasm-3.54", "mutant:pop-fifo",
                                       "mutant:throw-skips-pop", "mutant:failed-alloc-recorded",
                                       "mutant:dealloc-owned-entry", "mutant:level-writable"};
  std::size_t failing = 0, notRun = 0;
  for (const auto& spec : specs) {
    SCOPED_TRACE(spec);
    const auto target = makeTarget(spec);
    VectorRun again;
    for (const auto& v : vectors) {
      runVector(v, *target, again);
      const VectorRun fresh = runVector(v, *target);
      ASSERT_EQ(shown(again), shown(fresh)) << v.id;
      failing += !fresh.failures.empty();
      notRun += std::any_of(fresh.ops.begin(), fresh.ops.end(), [](const OpRun& r) { return !r.observed; });
    }
  }
  EXPECT_GT(failing, 1000u);
  EXPECT_GT(notRun, 100u);  // records that held an op's outcome before
}

// A run that ends before its first op (a setup the target refuses) keeps
// nothing of the run before it.
TEST(Executor, ARunIntoAnEarlierRunThatEndsAtTheSetupShowsNoOpOrName) {
  const auto target = makeTarget("reference");
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors/scope"});
  ASSERT_TRUE(corpus.errors.empty());
  VectorRun again;
  for (const auto& file : corpus.files)
    for (const auto& v : file.vectors) {
      runVector(v, *target, again);
      ASSERT_FALSE(again.ops.empty()) << v.id;
      Vector refused = v;
      refused.setup.memory = {4, 2};  // initial > maximum: MEM-4
      runVector(refused, *target, again);
      EXPECT_EQ(again.status, VectorRun::Status::Error) << v.id;
      EXPECT_EQ(shown(again), shown(runVector(refused, *target))) << v.id;
      EXPECT_TRUE(again.ops.empty() && again.names.empty() && again.failures.empty()) << v.id;
    }
}

}  // namespace
}  // namespace memconform::conformance
