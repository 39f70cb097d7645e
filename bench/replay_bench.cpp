// Replay throughput of the reference target (issue 3: at least 50,000
// vectors per second on one core). Items are vectors: read items_per_second.
// Compare the areas with the one-op baseline in the same run (the machines
// are noisy; ratios are what to report).
#include <benchmark/benchmark.h>

#include <string>

#include "conformance/runner/loader.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/reference_target.h"

namespace memconform::conformance {
namespace {

const Corpus& corpus() {
  static const Corpus c = loadCorpus({MEMCONFORM_SOURCE_DIR "/conformance/vectors"});
  return c;
}

void replayFiltered(benchmark::State& state, const std::string& filter) {
  ReferenceTarget target;
  ReplayOptions options;
  options.filter = filter;
  std::size_t vectors = 0, failed = 0;
  for (auto _ : state) {
    const Report report = replay(corpus(), target, options);
    vectors += report.results.size();
    failed += report.count(Status::Fail) + report.count(Status::Error);
  }
  if (failed) state.SkipWithError("the reference failed vectors");
  state.SetItemsProcessed(static_cast<std::int64_t>(vectors));
}

// Per-vector fixed cost: a fresh instance and one `level` op.
void BM_OneOpVectorBaseline(benchmark::State& state) {
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("baseline.json", R"({"schema":"memconform-vectors/1","area":"b","description":"d",
    "vectors":[{"id":"b/level","rules":["SCOPE-7"],"source":"seed","ops":[{"op":"level","expect":{"value":0}}]}]})",
                                         errors);
  ReferenceTarget target;
  for (auto _ : state) benchmark::DoNotOptimize(runVector(file.vectors.at(0), target));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OneOpVectorBaseline);

void BM_ReplayCorpus(benchmark::State& state) { replayFiltered(state, ""); }
BENCHMARK(BM_ReplayCorpus)->Unit(benchmark::kMillisecond);

const bool kAreas = [] {
  for (const char* area : {"align", "call", "grow", "mem", "peek", "safety", "scope", "view"})
    benchmark::RegisterBenchmark((std::string("BM_ReplayArea/") + area).c_str(),
                                 [area](benchmark::State& s) { replayFiltered(s, std::string(area) + "/*"); })
        ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
}  // namespace memconform::conformance

BENCHMARK_MAIN();
