// Wasm modules in wabt's interpreter (conformance/targets/wasm_module.h), with
// the allocators of corpus/wasm/ compiled by wat2wasm at build time: the
// free-list allocator keeps its live blocks disjoint and reuses freed ones,
// growing its imported memory through env.emscripten_resize_heap; the bump
// allocator never reuses; the broken one hands out overlapping blocks
// (SAFE-1). Modules that call an import memconform does not provide, trap,
// are invalid or do not fit the memory asked for fail with a message that
// names the file and the reason, never a crash.
#include "conformance/targets/wasm_module.h"
#include "tests/wat.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

namespace memconform::conformance {
namespace {

const std::string kWasmDir = MEMCONFORM_WASM_DIR;

// A module loaded with a resize callback that grows its memory (counted).
struct Loaded {
  std::unique_ptr<WasmModule> module;
  std::string failure;
  int resizes = 0;
  bool refuseGrowth = false;
};

std::unique_ptr<Loaded> load(const std::string& path, std::optional<MemoryConfig> memory = std::nullopt) {
  auto l = std::make_unique<Loaded>();
  WasmModule::Options options;
  options.memory = memory;
  Loaded* self = l.get();
  options.resizeHeap = [self](std::uint32_t size) {
    ++self->resizes;
    if (self->refuseGrowth || !self->module) return false;
    const std::uint64_t bytes = self->module->memoryPages() * 65536;
    if (size <= bytes) return true;
    return self->module->growMemory((size - bytes + 65535) / 65536).has_value();
  };
  auto made = WasmModule::load(path, options);
  if (auto* m = std::get_if<std::unique_ptr<WasmModule>>(&made)) l->module = std::move(*m);
  else l->failure = std::get<WasmModule::Failure>(made).message;
  return l;
}

std::uint32_t callOne(WasmModule& m, const char* name, std::vector<std::uint32_t> args) {
  auto r = m.call(name, args);
  if (auto* f = std::get_if<WasmModule::Failure>(&r)) ADD_FAILURE() << name << ": " << f->message;
  const auto* values = std::get_if<std::vector<std::uint32_t>>(&r);
  return values && !values->empty() ? values->front() : 0;
}

// Random malloc/free of sizes up to 4 KiB: whether any two live blocks
// ever overlapped, and the addresses handed out (with repeats).
struct Churn {
  bool overlapped = false;
  std::size_t failed = 0;
  std::vector<std::uint32_t> addresses;
};
Churn churn(WasmModule& m, int ops, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::uint32_t, std::uint32_t> live;  // address -> size
  Churn out;
  for (int i = 0; i < ops; ++i) {
    if (!live.empty() && rng() % 3 == 0) {
      auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
      callOne(m, "free", {it->first});
      live.erase(it);
      continue;
    }
    const auto size = static_cast<std::uint32_t>(1 + rng() % 4096);
    const std::uint32_t p = callOne(m, "malloc", {size});
    if (p == 0) {
      ++out.failed;
      continue;
    }
    out.addresses.push_back(p);
    for (const auto& [q, n] : live)
      if (p < q + n && q < p + size) out.overlapped = true;
    EXPECT_EQ(p % 8, 0u) << "ALIGN-4";
    live[p] = size;
  }
  return out;
}

TEST(WasmModule, SAFE_1_TheFreeListAllocatorKeepsBlocksApartReusesFreedOnesAndGrowsThroughResizeHeap) {
  auto l = load(kWasmDir + "/freelist.wasm", MemoryConfig{1, 64});
  ASSERT_TRUE(l->module) << l->failure;
  EXPECT_TRUE(l->module->memoryImported());
  EXPECT_EQ(l->module->declaredMemory(), (MemoryConfig{1, 65536}));
  const Churn c = churn(*l->module, 2000, 1);
  EXPECT_FALSE(c.overlapped);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_GT(l->resizes, 0);  // 1 page does not hold it
  EXPECT_GT(l->module->memoryPages(), 1u);
  EXPECT_LT(std::set<std::uint32_t>(c.addresses.begin(), c.addresses.end()).size(), c.addresses.size());  // reused
}

TEST(WasmModule, SCOPE_3_TheBumpAllocatorNeverReusesAndItsMemoryIsItsOwn) {
  auto l = load(kWasmDir + "/bump.wasm");
  ASSERT_TRUE(l->module) << l->failure;
  EXPECT_FALSE(l->module->memoryImported());
  EXPECT_EQ(l->module->declaredMemory(), (MemoryConfig{2, 65536}));
  const Churn c = churn(*l->module, 500, 2);
  EXPECT_FALSE(c.overlapped);
  EXPECT_EQ(std::set<std::uint32_t>(c.addresses.begin(), c.addresses.end()).size(), c.addresses.size());
  // An exported memory cannot start at another size.
  EXPECT_NE(load(kWasmDir + "/bump.wasm", MemoryConfig{4, 8})->failure.find("its memory is its own (2..65536 pages)"),
            std::string::npos);
}

TEST(WasmModule, SAFE_1_TheBrokenAllocatorHandsOutOverlappingBlocks) {
  auto l = load(kWasmDir + "/overlap.wasm", MemoryConfig{1, 64});
  ASSERT_TRUE(l->module) << l->failure;
  EXPECT_TRUE(churn(*l->module, 200, 1).overlapped);
  // The smallest case: a freed 8-byte block handed out for 64 bytes runs
  // into the next block.
  auto m = load(kWasmDir + "/overlap.wasm", MemoryConfig{1, 64});
  callOne(*m->module, "free", {callOne(*m->module, "malloc", {8})});
  const std::uint32_t large = callOne(*m->module, "malloc", {64}), next = callOne(*m->module, "malloc", {8});
  EXPECT_TRUE(next > large && next < large + 64) << large << ", " << next;
  // freelist.wasm, the same allocator without the bug, keeps them apart.
  auto good = load(kWasmDir + "/freelist.wasm", MemoryConfig{1, 64});
  callOne(*good->module, "free", {callOne(*good->module, "malloc", {8})});
  const std::uint32_t apart = callOne(*good->module, "malloc", {64}), reused = callOne(*good->module, "malloc", {8});
  EXPECT_TRUE(reused + 8 <= apart || reused >= apart + 64) << apart << ", " << reused;
}

TEST(WasmModule, MEM_5_WhenTheMemoryCannotGrowMallocFailsCleanly) {
  auto l = load(kWasmDir + "/freelist.wasm", MemoryConfig{1, 64});
  ASSERT_TRUE(l->module) << l->failure;
  const std::uint32_t small = callOne(*l->module, "malloc", {100});
  l->refuseGrowth = true;
  EXPECT_EQ(callOne(*l->module, "malloc", {1 << 20}), 0u);
  EXPECT_EQ(l->module->memoryPages(), 1u);
  // The allocator still works, its blocks apart.
  const std::uint32_t next = callOne(*l->module, "malloc", {100});
  EXPECT_NE(next, 0u);
  EXPECT_TRUE(next >= small + 100 || next + 100 <= small);
  callOne(*l->module, "free", {small});
  EXPECT_EQ(callOne(*l->module, "malloc", {100}), small);
}

// A module compiled from `wat` by wat2wasm into a temporary file.
std::string compiled(const std::string& name, const std::string& wat) { return compiledWat("module-" + name, wat); }

TEST(WasmModule, ImportsTrapsAndBadModulesAreErrorsNamingWhatFailed) {
  // An import memconform does not provide traps when called, naming it.
  const std::string calls = compiled("calls-abort", R"((module
    (import "env" "abort" (func $abort))
    (memory (export "memory") 1)
    (func (export "malloc") (param i32) (result i32) (call $abort) (i32.const 0))))");
  auto l = load(calls);
  ASSERT_TRUE(l->module) << l->failure;
  auto r = l->module->call("malloc", {8});
  ASSERT_TRUE(std::holds_alternative<WasmModule::Failure>(r));
  EXPECT_NE(std::get<WasmModule::Failure>(r).message.find("env.abort, which memconform does not provide"),
            std::string::npos) << std::get<WasmModule::Failure>(r).message;
  // A trap in the module: its message.
  const std::string traps = compiled("traps", R"((module (memory (export "memory") 1)
    (func (export "malloc") (param i32) (result i32) (i32.load (i32.const 70000)))))");
  auto t = load(traps);
  ASSERT_TRUE(t->module) << t->failure;
  r = t->module->call("malloc", {8});
  ASSERT_TRUE(std::holds_alternative<WasmModule::Failure>(r));
  EXPECT_NE(std::get<WasmModule::Failure>(r).message.find("trap in malloc: out of bounds"), std::string::npos)
      << std::get<WasmModule::Failure>(r).message;
  EXPECT_NE(std::get<WasmModule::Failure>(t->module->call("malloc", {})).message.find("takes 1 argument(s), not 0"),
            std::string::npos);
  EXPECT_NE(std::get<WasmModule::Failure>(t->module->call("free", {1})).message.find("exports no function free"),
            std::string::npos);
  // A trap in __wasm_call_ctors fails the load.
  const std::string ctors = compiled("ctors-trap", R"((module (memory (export "memory") 1)
    (func (export "__wasm_call_ctors") unreachable)))");
  const std::string ctorsFailure = load(ctors)->failure;
  EXPECT_NE(ctorsFailure.find("__wasm_call_ctors: trap in __wasm_call_ctors: unreachable"), std::string::npos)
      << ctorsFailure;
  // Not a module; a missing file; a memory below the declared minimum.
  const auto garbage = testing::scratchDir() / "garbage.wasm";
  std::ofstream(garbage) << "not wasm";
  EXPECT_NE(load(garbage.string())->failure.find("not a valid wasm module"), std::string::npos);
  EXPECT_NE(load("/nonexistent.wasm")->failure.find("/nonexistent.wasm: cannot read the file"), std::string::npos);
  EXPECT_NE(load(kWasmDir + "/freelist.wasm", MemoryConfig{0, 4})->failure.find(
                "import env.memory declares 1..65536 pages; a memory of 0..4 does not fit"),
            std::string::npos);
  const std::string noMemory = compiled("no-memory", R"((module (func (export "malloc") (param i32) (result i32) (i32.const 0))))");
  EXPECT_NE(load(noMemory)->failure.find("neither imports nor defines a memory"), std::string::npos);
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

// The real thing: sqlite3.wasm of both pinned @sqlite.org/sqlite-wasm
// releases (installed by the Node driver's npm ci) validates and starts in
// wabt with memconform's imports, and its allocator works: sqlite3_malloc's
// blocks are 8-aligned and apart, sqlite3_free gives them back for reuse,
// and a request it cannot meet without growth asks
// env.emscripten_resize_heap.
TEST(WasmModule, SCOPE_3_SqliteWasmStartsInWabtAndItsAllocatorWorks) {
  for (const std::string path :
       {"/conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm",
        "/conformance/drivers/node/node_modules/sqlite-wasm-3.41.2/sqlite-wasm/jswasm/sqlite3.wasm"}) {
    SCOPED_TRACE(path);
    auto l = load(std::string(MEMCONFORM_SOURCE_DIR) + path);
    ASSERT_TRUE(l->module) << l->failure;
    EXPECT_TRUE(l->module->memoryImported());
    EXPECT_TRUE(l->module->exportsFunction("sqlite3_malloc"));
    std::set<std::uint32_t> seen;
    std::uint32_t previous = 0;
    for (int i = 0; i < 100; ++i) {
      const std::uint32_t p = callOne(*l->module, "sqlite3_malloc", {static_cast<std::uint32_t>(8 + i * 24)});
      ASSERT_NE(p, 0u);
      EXPECT_EQ(p % 8, 0u);
      EXPECT_TRUE(previous == 0 || p >= previous + 8 + (i - 1) * 24 || p + 8 + i * 24 <= previous);
      previous = p;
      seen.insert(p);
    }
    const std::uint32_t block = callOne(*l->module, "sqlite3_malloc", {1000});
    callOne(*l->module, "sqlite3_free", {block});
    EXPECT_EQ(callOne(*l->module, "sqlite3_malloc", {1000}), block);  // dlmalloc hands the freed chunk back
    const int before = l->resizes;
    EXPECT_NE(callOne(*l->module, "sqlite3_malloc", {64 << 20}), 0u);  // 64 MiB: past the initial memory
    EXPECT_GT(l->resizes, before);
  }
}

}  // namespace
}  // namespace memconform::conformance
