// Reference ops against a raw baseline (issue 22), at 10^3..10^6 ops per
// sequence. Every sequence repeats one round of eight ops a glue caller
// makes: push a scope (SCOPE-1), scopedAlloc 24 bytes into it (SCOPE-2),
// poke and peek an i32 there (PEEK-1), alloc 40 bytes (SCOPE-3), poke an
// f64 into it, dealloc it, pop the scope (SCOPE-4), which frees its block.
//
//   BM_RawBaseline      the same bookkeeping with std::vector and malloc: a
//                       scope stack of block lists, a set of live blocks
//                       (what the invariant checker keeps), a table of the
//                       addresses the ops named
//   BM_InstanceOps      the reference (core/instance.h) called directly,
//                       its event log emptied after each round
//   BM_ExecutorOps      the sequence as a vector through the executor and the
//                       reference target, with the invariant checker on
//                       (LEAK-1..2, SAFE-1..4) and each address bound to a
//                       name of its own, as a fuzz run searches (no trace)
//   BM_PluginBare       the example C plugin (conformance/plugins/example)
//                       called through its table directly, events counted
//   BM_PluginExecutorOps  the vector through the executor and the plugin:
//                       target, checker on
//   BM_NodeDriverOps    the vector through the executor and a cmd: target,
//                       the Node driver over a sqlite-wasm release (named
//                       by MEMCONFORM_BENCH_NODE_TARGET, which
//                       scripts/bench.sh sets); its bare baseline is the
//                       release's helpers called in a plain Node loop
//                       (conformance/drivers/node/bench.mjs --rounds OPS)
//
// Items are ops: ns/op is 10^9 / items_per_second; allocs/op is how many
// times operator new was called per op. scripts/bench.sh prints
// the ratios to the baseline and of 10^6 ops to 10^3 ops, from one run.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "bench/allocation_count.h"
#include "conformance/runner/executor.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/plugin_target.h"
#include "conformance/targets/reference_target.h"
#include "memconform/target.h"
#include "core/instance.h"
#include "fuzz/findings.h"

namespace memconform {
namespace {

constexpr std::int64_t kOpsPerRound = 8;

void opsPerSequence(benchmark::internal::Benchmark* b) {
  b->ArgName("ops");
  for (std::int64_t n = 1000; n <= 1000000; n *= 10) b->Arg(n);
}

// Items are ops; "allocs/op" counts operator new calls (not malloc) since
// `allocationsBefore`, per op.
void reportOps(benchmark::State& state, std::uint64_t allocationsBefore) {
  const auto ops = state.iterations() * state.range(0);
  state.SetItemsProcessed(ops);
  state.counters["allocs/op"] = double(bench::allocations() - allocationsBefore) / double(ops);
}

void BM_RawBaseline(benchmark::State& state) {
  const std::uint64_t allocationsBefore = bench::allocations();
  const std::int64_t rounds = state.range(0) / kOpsPerRound;
  for (auto _ : state) {
    std::vector<std::vector<void*>> scopes;
    std::unordered_set<void*> live;
    std::vector<void*> named;
    for (std::int64_t r = 0; r < rounds; ++r) {
      scopes.emplace_back();
      void* s = std::calloc(1, 24);
      scopes.back().push_back(s);
      live.insert(s);
      named.push_back(s);
      const std::int32_t i32 = static_cast<std::int32_t>(r);
      std::memcpy(s, &i32, sizeof i32);
      std::int32_t read;
      std::memcpy(&read, s, sizeof read);
      benchmark::DoNotOptimize(read);
      void* p = std::calloc(1, 40);
      live.insert(p);
      named.push_back(p);
      const double f64 = 0.5 * static_cast<double>(r);
      std::memcpy(static_cast<char*>(p) + 8, &f64, sizeof f64);
      live.erase(p);
      std::free(p);
      for (void* block : scopes.back()) {
        live.erase(block);
        std::free(block);
      }
      scopes.pop_back();
    }
    benchmark::DoNotOptimize(named.data());
  }
  reportOps(state, allocationsBefore);
}
BENCHMARK(BM_RawBaseline)->Apply(opsPerSequence)->Unit(benchmark::kMicrosecond);

void BM_InstanceOps(benchmark::State& state) {
  const std::uint64_t allocationsBefore = bench::allocations();
  const std::int64_t rounds = state.range(0) / kOpsPerRound;
  bool failed = false;
  for (auto _ : state) {
    Instance instance;
    for (std::int64_t r = 0; r < rounds; ++r) {
      instance.scopedAllocPush();
      const auto s = instance.scopedAlloc(24);
      failed |= !s.ok() || !instance.poke(s.value(), static_cast<double>(r), "i32").ok();
      const auto read = instance.peek(s.value(), "i32");
      benchmark::DoNotOptimize(read);
      const auto p = instance.alloc(40);
      failed |= !p.ok() || !instance.poke(p.value() + 8, 0.5 * static_cast<double>(r), "f64").ok() ||
                !instance.dealloc(p.value()).ok() || !instance.scopedAllocPop().ok();
      instance.events().clear();
    }
  }
  if (failed) state.SkipWithError("an op of the round failed on the reference");
  reportOps(state, allocationsBefore);
}
BENCHMARK(BM_InstanceOps)->Apply(opsPerSequence)->Unit(benchmark::kMicrosecond);

// The round as a vector's ops, `ops` of them, each address a name of its own
// (s0, p0, s1, p1, ...): a vector binds a name once.
const conformance::Vector& roundsVector(std::int64_t ops) {
  static std::map<std::int64_t, std::unique_ptr<conformance::Vector>> made;
  auto& v = made[ops];
  if (v) return *v;
  using conformance::Expr;
  using conformance::NameRef;
  using conformance::OpKind;
  using conformance::Value;
  v = std::make_unique<conformance::Vector>();
  v->id = "bench/rounds";
  auto add = [&](OpKind kind, std::vector<std::pair<const char*, Expr>> args, std::string as = {}) {
    conformance::Op op{kind, "/ops/" + std::to_string(v->ops.size()), {}, {}, {}, {}, {}};
    for (auto& [name, value] : args) op.args.emplace(name, std::move(value));
    if (!as.empty()) op.as.push_back(std::move(as));
    v->ops.push_back(std::move(op));
  };
  for (std::int64_t r = 0; r < ops / kOpsPerRound; ++r) {
    const std::string s = "s" + std::to_string(r), p = "p" + std::to_string(r);
    const Value i32(std::string("i32")), f64(std::string("f64"));
    add(OpKind::Push, {});
    add(OpKind::ScopedAlloc, {{"size", Expr{Value(24.0)}}}, s);
    add(OpKind::Poke, {{"address", Expr{NameRef{s}}}, {"value", Expr{Value(double(r))}}, {"type", Expr{i32}}});
    add(OpKind::Peek, {{"address", Expr{NameRef{s}}}, {"type", Expr{i32}}});
    add(OpKind::Alloc, {{"size", Expr{Value(40.0)}}}, p);
    add(OpKind::Poke, {{"address", Expr{NameRef{p, 8}}}, {"value", Expr{Value(0.5 * double(r))}}, {"type", Expr{f64}}});
    add(OpKind::Dealloc, {{"ptr", Expr{NameRef{p}}}});
    add(OpKind::Pop, {});
  }
  return *v;
}

void runRounds(benchmark::State& state, conformance::Target& target) {
  const conformance::Vector& vector = roundsVector(state.range(0));
  const std::uint64_t allocationsBefore = bench::allocations();
  bool failed = false;
  for (auto _ : state) {
    const auto run = conformance::runVector(vector, target, fuzz::kSearchRun);
    failed |= !run.failures.empty() || run.status != conformance::VectorRun::Status::Completed;
  }
  if (failed) state.SkipWithError(("the rounds fail on " + target.name()).c_str());
  reportOps(state, allocationsBefore);
}

void BM_ExecutorOps(benchmark::State& state) {
  conformance::ReferenceTarget target;
  runRounds(state, target);
}
BENCHMARK(BM_ExecutorOps)->Apply(opsPerSequence)->Unit(benchmark::kMicrosecond);

constexpr const char* kExamplePlugin = MEMCONFORM_PLUGIN_DIR "/libmemconform_example_plugin.so";

void BM_PluginBare(benchmark::State& state) {
  const std::uint64_t allocationsBefore = bench::allocations();
  void* library = dlopen(kExamplePlugin, RTLD_NOW | RTLD_LOCAL);
  auto* entry = library ? reinterpret_cast<memconform_target_v1_fn>(dlsym(library, "memconform_target_v1")) : nullptr;
  if (!entry) {
    state.SkipWithError((std::string("cannot load ") + kExamplePlugin).c_str());
    return;
  }
  const memconform_target& t = *entry();
  std::uint64_t events = 0;
  const memconform_host host{&events, [](void* n, const memconform_event*) { ++*static_cast<std::uint64_t*>(n); },
                             [](void*, const char*) {}};
  const conformance::Setup defaults;
  const memconform_setup setup{defaults.memory.initialPages, defaults.memory.maximumPages,
                               defaults.growth.geometricStep, defaults.growth.overgrowthCap,
                               defaults.growth.alignment, defaults.growth.maxHeapSize, nullptr, 0, 0, 0};
  const std::int64_t rounds = state.range(0) / kOpsPerRound;
  int failed = 0;
  for (auto _ : state) {
    char why[256] = "";
    memconform_instance* instance = t.create(&setup, &host, why, sizeof why);
    for (std::int64_t r = 0; r < rounds; ++r) {
      std::uint64_t scope;
      std::uint32_t s, p;
      failed |= t.push(instance, &scope) | t.scoped_alloc(instance, 24, &s);
      const double sAt = s;
      memconform_number read{};
      failed |= t.poke(instance, &sAt, 1, 0, memconform_number{0, double(r), 0, 0}, "i32") |
                t.peek(instance, &sAt, 1, 0, "i32", &read) | t.alloc(instance, 40, &p);
      benchmark::DoNotOptimize(read);
      const double pAt = p + 8.0;
      failed |= t.poke(instance, &pAt, 1, 0, memconform_number{0, 0.5 * double(r), 0, 0}, "f64") |
                t.dealloc(instance, p) | t.pop(instance, 0, 0);
    }
    t.destroy(instance);
  }
  benchmark::DoNotOptimize(events);
  if (failed) state.SkipWithError("an op of the round failed on the plugin");
  reportOps(state, allocationsBefore);
}
BENCHMARK(BM_PluginBare)->Apply(opsPerSequence)->Unit(benchmark::kMicrosecond);

void BM_PluginExecutorOps(benchmark::State& state) {
  conformance::PluginTarget target(kExamplePlugin);
  runRounds(state, target);
}
BENCHMARK(BM_PluginExecutorOps)->Apply(opsPerSequence)->Unit(benchmark::kMicrosecond);

void BM_NodeDriverOps(benchmark::State& state) {
  const char* spec = std::getenv("MEMCONFORM_BENCH_NODE_TARGET");
  if (!spec || !*spec) {
    state.SkipWithError("MEMCONFORM_BENCH_NODE_TARGET is not set: a cmd: target, as scripts/bench.sh sets it");
    return;
  }
  const auto target = conformance::makeTarget(spec);
  runRounds(state, *target);
}
// 10^6 ops would be a 100 MB JSON line each way.
// Real time: the driver works in its own process.
BENCHMARK(BM_NodeDriverOps)->ArgName("ops")->Arg(1000)->Arg(100000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace memconform
