// What one fuzz_scope_ops execution costs, split into its parts, on the seed
// corpus (corpus/fuzz_scope_ops/): decoding the bytes into an op sequence,
// and decoding plus running it on the reference with the invariant checks.
// Items are inputs; the "ops" counter is ops run per second. Built in the
// release preset and, to measure under the fuzzers' own instrumentation, in
// the fuzz preset (ASan + UBSan + coverage) as well.
//
// BM_ReferencePop and BM_PluginPop compare a failing op with a succeeding
// one: errors are values (core/errors.h), so a failure should cost no more
// than a success.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "conformance/runner/executor.h"
#include "conformance/targets/plugin_target.h"
#include "conformance/targets/reference_target.h"
#include "core/errors.h"
#include "core/instance.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

namespace memconform {
namespace {

const std::vector<std::vector<std::uint8_t>>& seeds() {
  static const auto inputs = [] {
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto& entry : std::filesystem::directory_iterator(MEMCONFORM_SOURCE_DIR "/corpus/fuzz_scope_ops")) {
      std::ifstream file(entry.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    return out;
  }();
  return inputs;
}

void BM_FuzzScopeOpsDecode(benchmark::State& state) {
  std::size_t inputs = 0, ops = 0;
  for (auto _ : state)
    for (const auto& input : seeds()) {
      const auto vector = fuzz::decodeOps(input);
      ops += conformance::countOps(vector.ops);
      ++inputs;
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(inputs));
  state.counters["ops"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FuzzScopeOpsDecode)->Unit(benchmark::kMillisecond);

// What LLVMFuzzerTestOneInput does when there is no finding.
void BM_FuzzScopeOpsDecodeAndRun(benchmark::State& state) {
  conformance::ReferenceTarget target;
  std::size_t inputs = 0, ops = 0, failed = 0;
  for (auto _ : state)
    for (const auto& input : seeds()) {
      const auto vector = fuzz::decodeOps(input);
      const auto run = conformance::runVector(vector, target, fuzz::kSearchRun);
      failed += !run.failures.empty() || run.status != conformance::VectorRun::Status::Completed;
      ops += conformance::countOps(vector.ops);
      ++inputs;
    }
  if (failed) state.SkipWithError("a seed fails on the reference");
  state.SetItemsProcessed(static_cast<std::int64_t>(inputs));
  state.counters["ops"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FuzzScopeOpsDecodeAndRun)->Unit(benchmark::kMillisecond);

// One scopedAllocPop on the reference. succeeds:1 pushes a scope and pops
// it; succeeds:0 pops with no scope pushed and gets the InvalidState
// error (SCOPE-4). Items are pops.
void BM_ReferencePop(benchmark::State& state) {
  InstanceConfig config;
  config.memory = {1, 1};
  Instance instance(config);
  const bool succeeds = state.range(0) == 1;
  for (auto _ : state) {
    if (succeeds) instance.scopedAllocPush();
    const Result<void> popped = instance.scopedAllocPop();
    benchmark::DoNotOptimize(popped.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferencePop)->ArgName("succeeds")->Arg(1)->Arg(0);

// The same through the example C plugin (plugin: target): a failing status
// comes back as the op's Error, not as an exception. Items are pops.
void BM_PluginPop(benchmark::State& state) {
  conformance::PluginTarget target(MEMCONFORM_PLUGIN_DIR "/libmemconform_example_plugin.so");
  target.start(conformance::Vector{});
  const conformance::Op push{conformance::OpKind::Push, "/ops/0", {}, {}, {}, {}, {}};
  const conformance::Op pop{conformance::OpKind::Pop, "/ops/1", {}, {}, {}, {}, {}};
  const conformance::Args none;
  std::vector<Event> events;
  const bool succeeds = state.range(0) == 1;
  bool unexpected = false;
  for (auto _ : state) {
    if (succeeds) unexpected |= !target.execute(push, none).ok();
    unexpected |= target.execute(pop, none).ok() != succeeds;
    target.takeEvents(events);
  }
  if (unexpected) state.SkipWithError("a pop succeeded or failed otherwise than SCOPE-4 says");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PluginPop)->ArgName("succeeds")->Arg(1)->Arg(0);

}  // namespace
}  // namespace memconform
