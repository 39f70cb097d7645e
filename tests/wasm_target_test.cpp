// The wasm: target (conformance/targets/wasm_target.h): the reference's glue
// over the allocators of wasm modules in wabt. The allocators of corpus/wasm/
// (compiled at build time) and small modules written here show that growth
// goes through the reference GROW policy and its faults (MEM-5), that a
// memory.grow the module makes itself is recorded, that a trap is the op's
// `Trap` error and the run goes on, that a module's memory limits are
// declared (a memory of its own is fixed; an imported one must fit), that a
// bad target name says what is wrong, and that the overlapping allocator is
// caught by SAFE-1 where the correct ones pass.
#include "conformance/targets/wasm_target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string_view>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/factory.h"
#include "fuzz/op_decoder.h"
#include "tests/wat.h"

namespace memconform::conformance {
namespace {

const std::string kWasmDir = MEMCONFORM_WASM_DIR;

// One vector from its JSON ("ops" and, if any, "setup").
Vector vectorOf(const std::string& json) {
  std::vector<LoadError> errors;
  VectorFile f = loadVectorFile(
      "test.json",
      R"({"schema":"memconform-vectors/1","area":"scope","description":"a test of SCOPE-3","vectors":[{"id":"scope/test","rules":["SCOPE-3"],"source":"decided",)" +
          json + "}]}",
      errors);
  for (const auto& e : errors) ADD_FAILURE() << describe(e);
  return f.vectors.at(0);
}

std::string failuresOf(const VectorRun& run) {
  std::string out = run.reason;
  for (const auto& f : run.failures) out += "\n" + f.pointer + " [" + f.rule + "]: expected " + f.expected + "; actual " + f.actual;
  return out;
}

// The events of every op of a run, in order.
std::vector<Event> eventsOf(const VectorRun& run) {
  std::vector<Event> out;
  for (const auto& op : run.ops)
    if (op.observed) out.insert(out.end(), op.observed->events.begin(), op.observed->events.end());
  return out;
}

TEST(WasmTarget, FreeListAllocatorGrowsItsImportedMemoryThroughTheGrowPolicy) {
  WasmTarget target("wasm:" + kWasmDir + "/freelist.wasm");
  EXPECT_EQ(target.exports().malloc, "malloc");
  EXPECT_EQ(target.exports().memalign, "memalign");
  EXPECT_TRUE(target.capabilities().count("memory-config"));
  EXPECT_EQ(target.minimumPages(), 1u);
  EXPECT_FALSE(target.fixedMemory());
  // 100,000 bytes do not fit in one page: the module's sbrk asks
  // emscripten_resize_heap, which the GROW policy serves (GROW-3 events).
  const VectorRun run = runVector(vectorOf(R"("setup":{"memory":{"initialPages":1,"maximumPages":8}},"ops":[
      {"op":"alloc","size":100000,"as":"big"},{"op":"alloc","size":8,"as":"small"},
      {"op":"poke","address":"small","value":7,"type":"i32"},{"op":"dealloc","ptr":"big"},
      {"op":"peek","address":"small","type":"i32","expect":{"value":7}},{"op":"dealloc","ptr":"small"}],
      "final":{"live":[]})"),
                                  target);
  EXPECT_TRUE(run.failures.empty()) << failuresOf(run);
  const auto events = eventsOf(run);
  const auto resize = std::find_if(events.begin(), events.end(), [](const Event& e) { return std::holds_alternative<ResizeAttemptEvent>(e); });
  ASSERT_NE(resize, events.end());
  EXPECT_TRUE(std::get<ResizeAttemptEvent>(*resize).ok);
  EXPECT_GE(run.ops.at(0).observed->byteLength, 101032u);
}

// Every allocator the project runs: corpus/wasm's, Emscripten's two, and
// sqlite3.wasm of both pinned releases (installed with the Node driver),
// with its plain allocator and with SQLite's own.
std::vector<std::string> allAllocators() {
  const std::string sqlite = std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/drivers/node/node_modules/";
  std::vector<std::string> out;
  for (const char* m : {"freelist", "bump", "dlmalloc", "emmalloc"}) out.push_back("wasm:" + kWasmDir + "/" + m + ".wasm");
  for (const char* release : {"@sqlite.org/sqlite-wasm/dist/sqlite3.wasm", "sqlite-wasm-3.41.2/sqlite-wasm/jswasm/sqlite3.wasm"}) {
    out.push_back("wasm:" + sqlite + release);
    out.push_back("wasm:" + sqlite + release + "?malloc=sqlite3_malloc&free=sqlite3_free");
  }
  return out;
}

TEST(WasmTarget, GrowthFaultsMakeEveryAllocatorsMallocFailCleanly) {
  // MEM-5: every grow past 256 pages fails, so a request larger than the
  // memory gets 0 from the module (AllocFailed), and the allocator still
  // works and keeps its blocks and their contents (grow/allocator-faults.json).
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors/grow/allocator-faults.json"});
  ASSERT_TRUE(corpus.errors.empty());
  for (const auto& spec : allAllocators()) {
    SCOPED_TRACE(spec);
    auto target = makeTarget(spec);
    ReplayOptions options;
    options.keepTrace = true;
    const Report report = replay(corpus, *target, options);
    ASSERT_EQ(report.results.size(), 2u);
    for (const auto& r : report.results) {
      EXPECT_EQ(r.status, Status::Pass) << r.id << " " << r.reason;
      // The module asked for memory and was refused (GROW-3 events).
      EXPECT_TRUE(std::any_of(r.trace.begin(), r.trace.end(), [](const OpTrace& t) {
        return t.result.find("AllocFailed") != std::string::npos && t.events.find("resizeAttempt(") != std::string::npos &&
               t.events.find(", failed)") != std::string::npos;
      })) << r.id;
    }
  }
}

TEST(WasmTarget, AMemoryGrowInsideTheModuleIsRecordedAsAGrow) {
  // A bump allocator that grows its memory itself (memory.grow), as a
  // standalone build's sbrk does: the glue sees the new size and the grow.
  const std::string path = compiledWat("grows-itself", R"((module
    (import "env" "memory" (memory 1 100))
    (global $break (mut i32) (i32.const 1024))
    (func (export "malloc") (param $n i32) (result i32) (local $p i32)
      (local.set $p (global.get $break))
      (global.set $break (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -8)))
      (if (i32.gt_u (global.get $break) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.const 2)))))
      (local.get $p))
    (func (export "free") (param i32))))");
  WasmTarget target("wasm:" + path);
  const VectorRun run = runVector(vectorOf(R"("setup":{"memory":{"initialPages":1,"maximumPages":100}},"ops":[
      {"op":"alloc","size":70000,"as":"a"},{"op":"byteLength","expect":{"value":196608}},
      {"op":"zeroMemory","address":"a","size":70000},{"op":"dealloc","ptr":"a"}])"),
                                  target);
  EXPECT_TRUE(run.failures.empty()) << failuresOf(run);
  const auto& events = run.ops.at(0).observed->events;
  ASSERT_FALSE(events.empty());
  ASSERT_TRUE(std::holds_alternative<GrowEvent>(events.front()));
  EXPECT_EQ(std::get<GrowEvent>(events.front()).pages, 2u);
}

TEST(WasmTarget, GrowthInTheConstructorsIsNotTheRuns) {
  // The constructors grow the memory from 1 to 3 pages through
  // emscripten_resize_heap, before the run: the run's first grow is still
  // its first (MEM-5's ordinals), its events start empty, on a new instance
  // and on a reused one alike.
  const std::string path = compiledWat("ctors-grow", R"((module
    (import "env" "memory" (memory 1 10))
    (import "env" "emscripten_resize_heap" (func $resize (param i32) (result i32)))
    (func (export "__wasm_call_ctors") (drop (call $resize (i32.const 196608))))
    (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "free") (param i32))))");
  for (bool reuse : {false, true}) {
    SCOPED_TRACE(reuse);
    WasmTarget target("wasm:" + path, reuse);
    for (int run = 0; run < 2; ++run) {
      const VectorRun r = runVector(vectorOf(R"("setup":{"memory":{"initialPages":1,"maximumPages":10},"growFaults":{"failAttempts":[1]}},"ops":[
          {"op":"byteLength","expect":{"value":196608,"events":[]}},
          {"op":"grow","pages":1,"expect":{"error":"RangeError","events":[{"grow":1,"ok":false}]}},
          {"op":"grow","pages":1,"expect":{"value":3,"events":[{"grow":1,"ok":true}]}}])"),
                                    target);
      EXPECT_TRUE(r.failures.empty()) << failuresOf(r);
    }
  }
}

TEST(WasmTarget, ATrapInTheModuleIsTheOpsTrapErrorAndTheRunGoesOn) {
  // malloc traps on a request of 13 bytes; free traps on every block above 1024.
  const std::string path = compiledWat("traps-on-13", R"((module
    (memory (export "memory") 1 10)
    (global $break (mut i32) (i32.const 1024))
    (func (export "malloc") (param $n i32) (result i32) (local $p i32)
      (if (i32.eq (local.get $n) (i32.const 13)) (then unreachable))
      (local.set $p (global.get $break))
      (global.set $break (i32.add (local.get $p) (i32.const 64)))
      (local.get $p))
    (func (export "free") (param $p i32)
      (if (i32.gt_u (local.get $p) (i32.const 1024)) (then (drop (i32.load (i32.const 0x7fffffff))))))))");
  WasmTarget target("wasm:" + path);
  EXPECT_FALSE(target.capabilities().count("memory-config"));  // its memory is its own
  ASSERT_TRUE(target.fixedMemory());
  EXPECT_EQ(*target.fixedMemory(), (MemoryConfig{1, 10}));
  const VectorRun run = runVector(vectorOf(R"("ops":[
      {"op":"alloc","size":13,"expect":{"error":"Trap"}},
      {"op":"alloc","size":8,"as":"a","expect":{"events":[{"alloc":"a","size":8}]}},
      {"op":"call","body":[{"op":"scopedAlloc","size":8}],"expect":{"error":"Trap"}},
      {"op":"level","expect":{"value":0}}])"),
                                  target);
  // The trap in the call's pop left the scope popped and its block not
  // freed: the op failed and changed the state (SAFE-4), which is reported.
  ASSERT_EQ(run.failures.size(), 1u) << failuresOf(run);
  EXPECT_EQ(run.failures.front().rule, "SAFE-4");
  ASSERT_EQ(run.ops.size(), 5u);
  EXPECT_NE(run.ops.at(0).observed->message.find("trap in malloc: unreachable"), std::string::npos)
      << run.ops.at(0).observed->message;
}

TEST(WasmTarget, ImportedMemoryLimitsDecideWhichVectorsRun) {
  const std::string path = compiledWat("limits-2-100", R"((module
    (import "env" "memory" (memory 2 100))
    (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "free") (param i32))))");
  WasmTarget target("wasm:" + path);
  EXPECT_EQ(target.minimumPages(), 2u);
  EXPECT_EQ(target.exports().memalign, "");
  EXPECT_FALSE(target.supports(OpKind::MmapAlloc));  // ALIGN-3 needs memalign
  // The default memory may grow to 32768 pages: more than the import takes.
  VectorRun run = runVector(vectorOf(R"("ops":[{"op":"byteLength"}])"), target);
  EXPECT_EQ(run.status, VectorRun::Status::Skipped);
  EXPECT_NE(run.reason.find("at most 100 pages"), std::string::npos) << run.reason;
  run = runVector(vectorOf(R"("setup":{"memory":{"initialPages":1,"maximumPages":50}},"ops":[{"op":"byteLength"}])"), target);
  EXPECT_EQ(run.status, VectorRun::Status::Skipped);
  EXPECT_NE(run.reason.find("at least 2 pages"), std::string::npos) << run.reason;
  run = runVector(vectorOf(R"("setup":{"memory":{"initialPages":3,"maximumPages":50}},"ops":[{"op":"byteLength","expect":{"value":196608}},{"op":"grow","pages":47,"expect":{"value":3}},{"op":"grow","pages":1,"expect":{"error":"RangeError"}}])"),
                  target);
  EXPECT_EQ(run.status, VectorRun::Status::Completed) << run.reason;
  EXPECT_TRUE(run.failures.empty()) << failuresOf(run);
  // A fuzzer's memories fit the import too.
  EXPECT_EQ(target.maximumPages(), 100u);
  fuzz::OpDecoder decoder(fuzz::limitsFor(target));
  std::mt19937 random(7);
  for (int i = 0; i < 500; ++i) {
    std::vector<std::uint8_t> bytes(64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    const auto sequence = decoder.decode(bytes);
    const MemoryConfig& m = sequence.vector().setup.memory;
    EXPECT_GE(m.initialPages, 2u);
    EXPECT_LE(m.maximumPages, 100u);
    EXPECT_LE(m.initialPages, m.maximumPages);
  }
}

TEST(WasmTarget, NamesThatDoNotWorkSayWhy) {
  auto why = [](const std::string& spec) {
    try {
      makeTarget(spec);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const std::string freelist = kWasmDir + "/freelist.wasm";
  EXPECT_NE(why("wasm:").find("needs the path of a module"), std::string::npos);
  EXPECT_NE(why("wasm:/nonexistent.wasm").find("/nonexistent.wasm: cannot read the file"), std::string::npos);
  EXPECT_NE(why("wasm:" + freelist + "?mallok=x").find("unknown parameter \"mallok\""), std::string::npos);
  EXPECT_NE(why("wasm:" + freelist + "?malloc").find("\"malloc\" is not NAME=VALUE"), std::string::npos);
  EXPECT_NE(why("wasm:" + freelist + "?malloc=x").find("exports no function \"x\" (named as malloc)"), std::string::npos);
  EXPECT_NE(why("wasm:" + freelist + "?malloc=free").find("free (malloc) is not (i32) -> i32"), std::string::npos);
  const std::string none = compiledWat("no-allocator", R"((module (memory (export "memory") 1)))");
  EXPECT_NE(why("wasm:" + none).find("exports no allocator"), std::string::npos);
  // sqlite3_malloc and sqlite3_free when there is no malloc.
  const std::string sqliteNamed = compiledWat("sqlite-named", R"((module (memory (export "memory") 1)
    (func (export "sqlite3_malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "sqlite3_free") (param i32))))");
  WasmTarget target("wasm:" + sqliteNamed);
  EXPECT_EQ(target.exports().malloc, "sqlite3_malloc");
  EXPECT_EQ(target.exports().free, "sqlite3_free");
}

TEST(WasmTarget, TheOverlappingAllocatorIsCaughtBySafe1WhereTheCorrectOnesPass) {
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors/safety/reuse.json"});
  ASSERT_TRUE(corpus.errors.empty());
  for (const char* module : {"freelist", "bump", "overlap"}) {
    SCOPED_TRACE(module);
    WasmTarget target("wasm:" + kWasmDir + "/" + module + ".wasm");
    const Report report = replay(corpus, target, {});
    ASSERT_EQ(report.results.size(), 3u);
    for (const auto& r : report.results) {
      if (std::string(module) != "overlap") {
        EXPECT_EQ(r.status, Status::Pass) << r.id;
        continue;
      }
      EXPECT_EQ(r.status, Status::Fail) << r.id;
      EXPECT_TRUE(std::any_of(r.failures.begin(), r.failures.end(), [](const Failure& f) { return f.rule == "SAFE-1"; }))
          << r.id;
    }
  }
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

// A run on an instance restored to its snapshot sees exactly what a run on a
// new instance sees: the same results, addresses and events for every op.
// One test per module: a new instance for every vector writes its whole
// memory (16 MiB for sqlite3.wasm), up to a minute per module on a busy
// machine.
class ReusedInstance : public ::testing::TestWithParam<const char*> {};

std::string moduleSpec(std::string_view name) {
  if (name == "sqlite3")
    return "wasm:" + std::string(MEMCONFORM_SOURCE_DIR) +
           "/conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm"
           "?malloc=sqlite3_malloc&free=sqlite3_free";
  return "wasm:" + kWasmDir + "/" + std::string(name) + ".wasm";
}

TEST_P(ReusedInstance, RunsEveryVectorAsANewOneDoes) {
  const std::string vectors = std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors/";
  const Corpus corpus = loadCorpus({vectors + "scope", vectors + "safety", vectors + "align", vectors + "call",
                                    vectors + "grow/allocator-faults.json"});
  ASSERT_TRUE(corpus.errors.empty());
  const std::string spec = moduleSpec(GetParam());
  ReplayOptions options;
  options.keepTrace = true;
  WasmTarget reused(spec, true), fresh(spec, false);
  const Report a = replay(corpus, reused, options), b = replay(corpus, fresh, options);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    const auto &x = a.results[i], &y = b.results[i];
    EXPECT_EQ(x.status, y.status) << x.id;
    ASSERT_EQ(x.trace.size(), y.trace.size()) << x.id;
    for (std::size_t k = 0; k < x.trace.size(); ++k)
      EXPECT_EQ(x.trace[k].result + " " + x.trace[k].events, y.trace[k].result + " " + y.trace[k].events)
          << x.id << " " << x.trace[k].pointer;
  }
}

INSTANTIATE_TEST_SUITE_P(WasmTarget, ReusedInstance, ::testing::Values("freelist", "dlmalloc", "sqlite3"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace memconform::conformance
