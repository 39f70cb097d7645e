// sqlite3.wasm's own allocator through the harness (issue 19: at least
// 150,000 sqlite3_malloc + sqlite3_free pairs a second), against a bare loop
// of the same calls through wabt's API (one thread, as fast as wabt goes),
// in one run. Through the harness is the wasm: target running alloc and
// dealloc ops as the executor does (arguments, the glue's books and events,
// the module's memory checked for growth after each call); through
// WasmModule::call is the layer under it. Items are malloc + free pairs:
// read items_per_second, and the ratios.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "conformance/targets/wasm_module.h"
#include "conformance/targets/wasm_target.h"

namespace memconform::conformance {
namespace {

constexpr const char* kSqliteWasm =
    MEMCONFORM_SOURCE_DIR "/conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm";

std::unique_ptr<WasmModule> sqliteWasm(benchmark::State& state) {
  WasmModule::Options options;
  options.resizeHeap = [](std::uint32_t) { return false; };  // the sizes asked for fit its first memory
  auto made = WasmModule::load(kSqliteWasm, options);
  if (auto* failure = std::get_if<WasmModule::Failure>(&made)) {
    state.SkipWithError(failure->message.c_str());
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<WasmModule>>(made));
}

// Sizes from 8 to 4,096 bytes, cycling.
std::uint32_t sizeAt(std::uint64_t i) { return 8 + static_cast<std::uint32_t>((i * 104729) % 4089); }

void BM_SqliteMallocFreeThroughTheWasmTarget(benchmark::State& state) {
  WasmTarget target(std::string("wasm:") + kSqliteWasm + "?malloc=sqlite3_malloc&free=sqlite3_free");
  Vector vector;  // the default memory: 256 pages, more than the module's 128
  target.start(vector);
  Op alloc, dealloc;
  alloc.kind = OpKind::Alloc;
  dealloc.kind = OpKind::Dealloc;
  Args allocArgs, deallocArgs;
  std::vector<Event> events;
  std::uint64_t i = 0;
  for (auto _ : state) {
    allocArgs.clear();
    allocArgs.add("size", Value(double(sizeAt(i++))));
    const auto block = target.execute(alloc, allocArgs);
    if (!block) state.SkipWithError("alloc failed");
    deallocArgs.clear();
    deallocArgs.add("ptr", *block);
    benchmark::DoNotOptimize(target.execute(dealloc, deallocArgs));
    target.takeEvents(events);
  }
  target.finish();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SqliteMallocFreeThroughTheWasmTarget);

void BM_SqliteMallocFreeThroughWasmModuleCall(benchmark::State& state) {
  auto m = sqliteWasm(state);
  if (!m) return;
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto p = m->call("sqlite3_malloc", {sizeAt(i++)});
    const std::uint32_t block = std::get<std::vector<std::uint32_t>>(p).front();
    if (block == 0) state.SkipWithError("sqlite3_malloc returned 0");
    benchmark::DoNotOptimize(m->call("sqlite3_free", {block}));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SqliteMallocFreeThroughWasmModuleCall);

void BM_SqliteMallocFreeBareWabtLoop(benchmark::State& state) {
  auto m = sqliteWasm(state);
  if (!m) return;
  wabt::interp::Thread thread(m->store());
  auto malloc = m->function("sqlite3_malloc"), free = m->function("sqlite3_free");
  wabt::interp::Values params(1), results;
  wabt::interp::Trap::Ptr trap;
  std::uint64_t i = 0;
  for (auto _ : state) {
    params[0] = wabt::interp::Value::Make(sizeAt(i++));
    results.clear();
    malloc->Call(thread, params, results, &trap);
    const std::uint32_t block = results[0].Get<std::uint32_t>();
    if (block == 0) state.SkipWithError("sqlite3_malloc returned 0");
    params[0] = wabt::interp::Value::Make(block);
    results.clear();
    free->Call(thread, params, results, &trap);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SqliteMallocFreeBareWabtLoop);

}  // namespace
}  // namespace memconform::conformance
