// What one fuzz_scope_ops execution costs, split into its parts, on the seed
// corpus (corpus/fuzz_scope_ops/) or MEMCONFORM_BENCH_INPUTS's: decoding the
// bytes into an op sequence, decoding plus running it on the reference with
// the invariant checks, and what fuzz_differential does with the same input.
// Items are inputs; the "ops" counter is ops run per second. Built in the
// release preset and, to measure under the fuzzers' own instrumentation, in
// the fuzz preset (ASan + UBSan + coverage) as well.
//
// BM_ReferencePop and BM_PluginPop compare a failing op with a succeeding
// one: errors are values (core/errors.h), so a failure should cost no more
// than a success.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "bench/allocation_count.h"
#include "conformance/runner/executor.h"
#include "conformance/targets/plugin_target.h"
#include "conformance/targets/reference_target.h"
#include "core/errors.h"
#include "core/instance.h"
#include "fuzz/checked_types.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

namespace memconform {
namespace {

// The seed corpus, or the inputs in MEMCONFORM_BENCH_INPUTS (a directory: a
// corpus a fuzz run grew, whose inputs run more ops than the seeds do).
const std::vector<std::vector<std::uint8_t>>& benchInputs() {
  static const auto inputs = [] {
    const char* dir = std::getenv("MEMCONFORM_BENCH_INPUTS");
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir && *dir ? dir : MEMCONFORM_SOURCE_DIR "/corpus/fuzz_scope_ops")) {
      std::ifstream file(entry.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    return out;
  }();
  return inputs;
}

// Calls `each` (bytes -> the ops they decoded to, or nullopt if the input
// failed) for every input, pass after pass. Items are inputs; the "ops"
// counter is ops per second, and "allocs/input" how many times an input
// called operator new (allocation_count.h): issue 22 asks for no heap
// allocation per op. Under ASan a process's first passes run into
// a fresh heap (page faults) and take two to three times as long as the
// later ones, which a long fuzz run does not pay: scripts/bench.sh warms
// up first (--benchmark_min_warmup_time).
template <class Each>
void eachInput(benchmark::State& state, Each each, const char* ifFailed) {
  std::size_t inputs = 0, ops = 0, failed = 0;
  const auto& all = benchInputs();  // read before counting
  const std::uint64_t allocationsBefore = bench::allocations();
  for (auto _ : state)
    for (const auto& input : all) {
      const std::optional<std::size_t> decoded = each(input);
      failed += !decoded.has_value();
      ops += decoded.value_or(0);
      ++inputs;
    }
  if (failed) state.SkipWithError(ifFailed);
  state.SetItemsProcessed(static_cast<std::int64_t>(inputs));
  state.counters["ops"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
  state.counters["allocs/input"] =
      static_cast<double>(bench::allocations() - allocationsBefore) / static_cast<double>(std::max<std::size_t>(inputs, 1));
}

// Every benchmark below decodes as the fuzz targets do: with one OpDecoder
// kept across inputs, whose ops keep their buffers from one input to the next.
void BM_FuzzScopeOpsDecode(benchmark::State& state) {
  fuzz::OpDecoder decoder;
  eachInput(
      state,
      [&](const auto& input) -> std::optional<std::size_t> {
        return conformance::countOps(decoder.decode(input).vector().ops);
      },
      "");
}
BENCHMARK(BM_FuzzScopeOpsDecode)->Unit(benchmark::kMillisecond);

// What LLVMFuzzerTestOneInput does when there is no finding.
void BM_FuzzScopeOpsDecodeAndRun(benchmark::State& state) {
  conformance::ReferenceTarget target;
  fuzz::OpDecoder decoder;
  conformance::VectorRun run;
  eachInput(
      state,
      [&](const auto& input) -> std::optional<std::size_t> {
        fuzz::forgetCheckedTypes();
        const auto sequence = decoder.decode(input);
        const conformance::Vector& vector = sequence.vector();
        conformance::runVector(vector, target, run, fuzz::kSearchRun);
        const bool failed = !run.failures.empty() || run.status != conformance::VectorRun::Status::Completed;
        run.emptyKeepingBuffers();
        if (failed) return std::nullopt;
        return conformance::countOps(vector.ops);
      },
      "an input fails on the reference");
}
BENCHMARK(BM_FuzzScopeOpsDecodeAndRun)->Unit(benchmark::kMillisecond);

// What fuzz_differential does with the same inputs when the reference is
// compared with itself and nothing differs: both runs keep their trace, and
// compareRuns reads them op by op. Against BM_FuzzScopeOpsDecodeAndRun it is
// issue 22's second mark (at least half of fuzz_scope_ops's exec/s) on the
// same inputs, without the noise of two live runs growing corpora of their own.
void BM_FuzzDifferentialDecodeRunCompare(benchmark::State& state) {
  conformance::ReferenceTarget reference, other;
  conformance::VectorRun expected, actual;
  fuzz::OpDecoder decoder;
  eachInput(
      state,
      [&](const auto& input) -> std::optional<std::size_t> {
        fuzz::forgetCheckedTypes();
        const auto sequence = decoder.decode(input);
        const conformance::Vector& vector = sequence.vector();
        conformance::runVector(vector, reference, expected, fuzz::kCompareRun);
        conformance::runVector(vector, other, actual, fuzz::kCompareRun);
        const bool differed = fuzz::compareRuns(expected, actual).has_value();
        expected.emptyKeepingBuffers();
        actual.emptyKeepingBuffers();
        if (differed) return std::nullopt;
        return conformance::countOps(vector.ops);
      },
      "the reference differs from itself on an input");
}
BENCHMARK(BM_FuzzDifferentialDecodeRunCompare)->Unit(benchmark::kMillisecond);

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
