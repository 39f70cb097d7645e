// runVector into a VectorRun that holds an earlier run (executor.h): the
// fuzz targets run input after input into the same two runs, whose op
// records are filled again. What a run shows must not depend on what the
// run before it left there.
#include "conformance/runner/executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "conformance/runner/loader.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "core/asan_poison.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"
#include "tests/fuzz_inputs.h"
#include "tests/heap_calls.h"

#ifdef MEMCONFORM_ASAN
#include <sanitizer/allocator_interface.h>
#endif

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

// The fuzz inputs' vectors and the corpus's, shuffled: long runs after
// short ones, failing ones between passing ones, setups of every size.
std::vector<Vector> shuffledVectors() {
  std::vector<Vector> vectors;
  for (const auto& bytes : testing::fuzzInputs()) {
    Vector v = fuzz::decodeOps(bytes);
    fuzz::numberOps(v);
    vectors.push_back(std::move(v));
  }
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors"});
  EXPECT_TRUE(corpus.errors.empty());
  for (const auto& file : corpus.files)
    for (const auto& v : file.vectors) vectors.push_back(v);
  std::shuffle(vectors.begin(), vectors.end(), std::mt19937(5));
  return vectors;
}

TEST(Executor, ARunIntoTheRecordsOfEarlierRunsShowsWhatANewRunShows) {
  const std::vector<Vector> vectors = shuffledVectors();
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
    for (std::size_t i = 0; i < vectors.size(); ++i) {
      const Vector& v = vectors[i];
      runVector(v, *target, again);
      const VectorRun fresh = runVector(v, *target);
      ASSERT_EQ(shown(again), shown(fresh)) << v.id;
      // As a fuzz target ends an input, every other time: the run is empty,
      // and the next run into it shows what a new run shows all the same.
      if (i % 2 == 1) {
        again.emptyKeepingBuffers();
        ASSERT_EQ(shown(again), shown(VectorRun{})) << v.id;
      }
      failing += !fresh.failures.empty();
      notRun += std::any_of(fresh.ops.begin(), fresh.ops.end(), [](const OpRun& r) { return !r.observed; });
    }
  }
  EXPECT_GT(failing, 1000u);
  EXPECT_GT(notRun, 100u);  // records that held an op's outcome before
}

// The reference starts each run on the instance of the run before, started
// again in place (Instance::restart): a fuzzer starts one per input. A run
// on it shows what a run on a target made for it shows, to the end state,
// whatever the run before left: open scopes (LEAK-2), a grown memory (MEM-2),
// written bytes, installed functions, freed ranges, other limits and faults.
TEST(Executor, ARunOnAnInstanceStartedAgainShowsWhatARunOnANewOneShows) {
  const std::vector<Vector> vectors = shuffledVectors();
  // throw-skips-pop leaves scopes open where the reference pops them.
  const std::vector<std::string> specs{"reference", "reference?dialect=sqlite-wasm-3.54", "mutant:throw-skips-pop"};
  std::size_t leftOpen = 0, grown = 0;
  for (const auto& spec : specs) {
    SCOPED_TRACE(spec);
    const auto kept = makeTarget(spec);
    for (const Vector& v : vectors) {
      const VectorRun again = runVector(v, *kept, {.keepEndState = true});
      const VectorRun fresh = runVector(v, *makeTarget(spec), {.keepEndState = true});
      ASSERT_EQ(shown(again), shown(fresh)) << v.id;
      ASSERT_EQ(again.endState.has_value(), fresh.endState.has_value()) << v.id;
      if (!fresh.endState) continue;
      const TargetState &a = *again.endState, &f = *fresh.endState;
      ASSERT_EQ(std::tie(a.level, a.live, a.installed, a.byteLength), std::tie(f.level, f.live, f.installed, f.byteLength))
          << v.id;
      leftOpen += f.level > 0;
      grown += f.byteLength > std::uint64_t{v.setup.memory.initialPages} * 65536;
    }
  }
  EXPECT_GT(leftOpen, 500u);
  EXPECT_GT(grown, 100u);
}

// libFuzzer runs an input that ends with more mallocs than frees a second
// time, and scans the heap for leaks if that run does too. fuzz_differential
// runs input after input into the same two VectorRuns and empties them as
// each input ends (emptyKeepingBuffers): an input then frees what it
// allocated, once the records' buffers have grown to what the inputs need.
// Before that emptying, the records held their input's values, violations
// and notes until the next input, and 28% of fuzz_differential's executions
// were such second runs.
TEST(Executor, AnInputRunIntoEmptiedRunsFreesWhatItAllocated) {
#ifndef MEMCONFORM_ASAN
  GTEST_SKIP() << "counts heap calls through AddressSanitizer's hooks";
#else
  std::vector<std::vector<std::uint8_t>> inputs = testing::fuzzInputs();
  const auto reference = makeTarget("reference");
  // A target in the reference itself, and one in a plugin (the events it
  // reports go through the runner's buffers).
  for (const std::string spec : {"reference?dialect=sqlite-wasm-3.54",
                                 "plugin:" MEMCONFORM_PLUGIN_DIR "/libmemconform_example_plugin_fixed_build.so"}) {
    SCOPED_TRACE(spec);
    const auto other = makeTarget(spec);
    fuzz::OpDecoder decoder(fuzz::limitsFor(*other));
    VectorRun expected, actual;
    // fuzz_differential's work on one input; whether it ended with more
    // mallocs than frees.
    auto leftMore = [&](const std::vector<std::uint8_t>& bytes) {
      const testing::HeapCalls calls = testing::heapCallsOf([&] {
        const auto sequence = decoder.decode(bytes);
        sequence.fitTo(*other);
        runVector(sequence.vector(), *reference, expected, fuzz::kCompareRun);
        runVector(sequence.vector(), *other, actual, fuzz::kCompareRun);
        (void)fuzz::compareRuns(expected, actual, {.ownAllocator = other->wellBehavedCaller()});
        expected.emptyKeepingBuffers();
        actual.emptyKeepingBuffers();
      });
      return calls.mallocs > calls.frees;
    };
    for (const auto& bytes : inputs) leftMore(bytes);  // the buffers grow to what the inputs need
    std::shuffle(inputs.begin(), inputs.end(), std::mt19937(9));
    std::size_t more = 0;
    for (const auto& bytes : inputs) more += leftMore(bytes);
    // A few grow a buffer further (a new order of inputs). Counts when
    // written, dialect and plugin: 13 and 14 of 3,476. Without the emptying,
    // 1,399 and 1,028; with the target holding the last peeked list into
    // the next run, 47 (dialect) and 41 (plugin); with the plugin target
    // keeping the event buffer it swapped in, 484. With the reference's
    // instance kept from run to run (Instance::release), 691 and 89 if it
    // is emptied only as the next run starts; 95 and 89 if it keeps its
    // scopes' entry lists for the next run (they go with each run now, as
    // does any buffer a run grew past its first room: core/run_buffers.h).
    EXPECT_LT(more, inputs.size() / 100) << more << " of " << inputs.size() << " inputs ended with more mallocs than frees";
  }
#endif
}

// Issue 22: no heap allocation per op. fuzz_scope_ops's work on the seed
// inputs (fuzz/fuzz_scope_ops.cpp: decode, run on the reference, empty the
// run), once the buffers kept from input to input have grown: what it
// still allocates comes with a few kinds of op, not with every op. Counts
// when written, of 3,711 ops: 361 mallocs, of which 174 are the two lists
// of each peek of a list (what core reads, and the value returned: a list
// kept from run to run would make core's coverage depend on the run
// before), 71 the exceptions of `throw` ops (a real C++ throw,
// core/scoped_call.h), and 67 the scope stack's lists growing past the room
// a run starts with (core/run_buffers.h).
void forgetKeptStrings();  // below

TEST(Executor, AFuzzScopeOpsInputMakesFewerThanElevenMallocsInAHundredOps) {
#ifndef MEMCONFORM_ASAN
  GTEST_SKIP() << "counts heap calls through AddressSanitizer's hooks";
#else
  forgetKeptStrings();  // the long strings earlier tests left kept (Repeat) are not this test's
  const std::vector<std::vector<std::uint8_t> > inputs = testing::seedInputs();
  ReferenceTarget target;
  fuzz::OpDecoder decoder;
  VectorRun run;
  std::size_t ops = 0;
  auto work = [&](const std::vector<std::uint8_t>& bytes) {
    const auto sequence = decoder.decode(bytes);
    ops += countOps(sequence.vector().ops);
    runVector(sequence.vector(), target, run, fuzz::kSearchRun);
    run.emptyKeepingBuffers();
  };
  for (const auto& bytes : inputs) work(bytes);  // the kept buffers grow to what the inputs need
  ops = 0;
  const testing::HeapCalls calls = testing::heapCallsOf([&] {
    for (const auto& bytes : inputs) work(bytes);
  });
  const double perOp = static_cast<double>(calls.mallocs) / static_cast<double>(ops);
  // 0.097 when written. Before the buffers of argument lists, call bodies,
  // fault lists and calls' events were kept, and before a name left unbound
  // built its message only for a report: 0.40. With only the reference
  // target's copy of a fault list made afresh again: 0.118.
  EXPECT_LT(perOp, 0.11) << calls.mallocs << " mallocs in " << ops << " ops of " << inputs.size() << " inputs";
#endif
}

// Each op of the trace records how many names were bound before it ran
// (the expectations writer names values by the names bound then): a name
// counts once its op succeeded; a call's body runs, and binds, before the
// call's own record ends (CALL-1). Expected counts worked out by hand.
TEST(Executor, EachOpOfTheTraceKnowsHowManyNamesWereBoundBeforeIt) {
  const std::string text = R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[
    {"id":"t/names","rules":["CALL-1"],"source":"decided","ops":[
      {"op":"alloc","size":16,"as":"p"},
      {"op":"alloc","size":4294967295,"as":"q","expect":{"error":"AllocFailed"}},
      {"op":"call","body":[{"op":"scopedAlloc","size":8,"as":"b"}],"result":"b"},
      {"op":"dealloc","ptr":"p"}]}]})";
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", text, errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const auto target = makeTarget("reference");
  const VectorRun fresh = runVector(file.vectors.at(0), *target);
  VectorRun into;  // into the records of a run before, as a fuzz target runs
  runVector(file.vectors.at(0), *target, into);
  into.emptyKeepingBuffers();
  runVector(file.vectors.at(0), *target, into);
  for (const VectorRun* run : {&fresh, static_cast<const VectorRun*>(&into)}) {
    std::vector<std::string> seen;
    for (const auto& r : run->ops) seen.push_back(r.op->pointer + " " + std::to_string(r.namesBefore));
    EXPECT_EQ(seen, (std::vector<std::string>{"/vectors/0/ops/0 0", "/vectors/0/ops/1 1", "/vectors/0/ops/2/body/0 1",
                                              "/vectors/0/ops/2 2", "/vectors/0/ops/3 2"}));
    std::vector<std::string> names;
    for (const auto& [name, value] : run->names) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"p", "b"}));
  }
}

// Empties the long strings kept for reuse (Repeat::recycle), whatever the
// tests before left: 64 strings of its own kept, which drops every other,
// then taken back.
void forgetKeptStrings() {
  auto own = [](std::uint64_t i) { return Repeat{"forget", 1024 + i}; };  // 6 KiB and more: kept
  for (std::uint64_t i = 0; i < 64; ++i) own(i).recycle(own(i).take());
  for (std::uint64_t i = 0; i < 64; ++i) (void)own(i).take();
}

// The executor gives a long string (Repeat) back once the target is done
// with it, as an argument of its own and as an item of a list
// (scopedAllocMainArgv), so that the next op that passes the same one does
// not expand it again.
TEST(Executor, GivesBackTheLongStringsOfItsArgumentsAlsoInsideAList) {
  const std::string text = R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[
    {"id":"t/own","rules":["SCOPE-8"],"source":"decided","ops":[{"op":"push","as":"s"},
      {"op":"scopedAllocCString","value":{"repeat":"own-argument","count":1024},"as":"c"},{"op":"pop"}]},
    {"id":"t/listed","rules":["SCOPE-10"],"source":"decided","ops":[{"op":"push","as":"s"},
      {"op":"scopedAllocMainArgv","list":["a",{"repeat":"in-a-list","count":1024}],"as":"v"},{"op":"pop"}]}]})";
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", text, errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const auto target = makeTarget("reference");
  // Not relative to what other tests left: with 64 kept, one more given
  // back drops the oldest and the count stays.
  forgetKeptStrings();
  ASSERT_EQ(Repeat::kept(), 0u);
  for (const Vector& vector : file.vectors) {
    SCOPED_TRACE(vector.id);
    const std::size_t before = Repeat::kept();
    const VectorRun run = runVector(vector, *target);
    ASSERT_EQ(run.status, VectorRun::Status::Completed) << run.reason;
    ASSERT_TRUE(run.failures.empty()) << run.failures.front().actual;
    EXPECT_EQ(Repeat::kept(), before + 1);
  }
}

// An op whose argument the target cannot take ends the run as a vector
// error; the trace holds the ops before it only, in a new run and in one
// into the records of a run before (where the op had a record already).
TEST(Executor, AnOpThatEndsTheRunWithAVectorErrorIsNotInTheTrace) {
  const std::string text = R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[
    {"id":"t/ok","rules":["SCOPE-3"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"},{"op":"alloc","size":8},{"op":"alloc","size":8}]},
    {"id":"t/bad","rules":["SCOPE-3"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"},{"op":"alloc","size":-5},{"op":"alloc","size":8}]}]})";
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", text, errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const auto target = makeTarget("reference");
  VectorRun into;
  runVector(file.vectors.at(0), *target, into);
  ASSERT_EQ(into.ops.size(), 3u);
  runVector(file.vectors.at(1), *target, into);
  const VectorRun fresh = runVector(file.vectors.at(1), *target);
  for (const VectorRun* run : {static_cast<const VectorRun*>(&into), &fresh}) {
    EXPECT_EQ(run->status, VectorRun::Status::Error);
    EXPECT_NE(run->reason.find("argument \"size\""), std::string::npos) << run->reason;
    ASSERT_EQ(run->ops.size(), 1u);
    EXPECT_EQ(run->ops[0].op->pointer, "/vectors/1/ops/0");
  }
}

// An emptied run holds no value of its runs: the records and outcomes
// that emptyKeepingBuffers() empties are those its runs used since it last
// did (the lists kept aside are as long as the longest run). Run b moves
// a's list values into the outcomes kept aside (its last two ops do not
// run: q is never bound) and holds one in a record of its own. Run c,
// shorter than a, leaves a's values in the records past its own.
TEST(Executor, AnEmptiedRunHoldsNoValueOfTheRunsSinceItWasEmptiedBefore) {
#ifndef MEMCONFORM_ASAN
  GTEST_SKIP() << "counts the heap's bytes through AddressSanitizer";
#else
  const std::string list = R"(["p","p+1","p+2","p+3","p+4","p+5","p+6","p+7","p+8","p+9","p+10","p+11"])";
  const std::string peek = R"({"op":"peek","address":)" + list + "}";
  const std::string peekQ = R"({"op":"peek","address":["q","q+1"]})";
  const std::string text = R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[
    {"id":"t/a","rules":["PEEK-1"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"},)" +
                           peek + "," + peek + "," + peek + "," + peek + R"(]},
    {"id":"t/b","rules":["PEEK-1"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"},)" + peek +
                           R"(,{"op":"alloc","size":4294967295,"as":"q","expect":{"error":"AllocFailed"}},)" + peekQ + "," + peekQ + R"(]},
    {"id":"t/c","rules":["PEEK-1"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"}]}]})";
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", text, errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const Vector &a = file.vectors.at(0), &b = file.vectors.at(1), &c = file.vectors.at(2);
  const auto target = makeTarget("reference");
  VectorRun run;
  runVector(a, *target, run);
  runVector(b, *target, run);
  ASSERT_EQ(run.ops.size(), 5u);
  ASSERT_TRUE(run.ops[1].observed && !run.ops[3].observed && !run.ops[4].observed);
  run.emptyKeepingBuffers();
  const std::size_t empty = __sanitizer_get_current_allocated_bytes();
  // Again: a takes back what the first emptying emptied, b sets it aside.
  runVector(a, *target, run);
  runVector(b, *target, run);
  run.emptyKeepingBuffers();
  EXPECT_EQ(__sanitizer_get_current_allocated_bytes(), empty);
  // A shorter run last: the records past its end still hold a's values.
  runVector(a, *target, run);
  runVector(c, *target, run);
  ASSERT_EQ(run.ops.size(), 1u);
  run.emptyKeepingBuffers();
  EXPECT_EQ(__sanitizer_get_current_allocated_bytes(), empty);
#endif
}

// A run without the trace asks the target for the caller's list after a
// peek (a copy of it) only where the op's check reads it, and then checks
// it as a traced run does: the 3.41 and 3.54 releases empty the list
// (peek-empties-list), the reference leaves it as it was (PEEK-5).
TEST(Executor, PEEK_5_ARunWithoutTheTraceChecksTheCallersListWhereTheOpExpectsIt) {
  const std::string text = R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[
    {"id":"t/list","rules":["PEEK-5"],"source":"decided","ops":[{"op":"alloc","size":16,"as":"p"},
      {"op":"peek","address":["p","p+4"],"type":"i32"},
      {"op":"peek","address":["p","p+4"],"type":"i32","expect":{"value":[0,0],"addressAfter":["p","p+4"]}}]}]})";
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", text, errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const Vector& v = file.vectors.at(0);
  for (const RunOptions options : {RunOptions{}, fuzz::kSearchRun}) {
    SCOPED_TRACE(options.keepTrace ? "traced" : "untraced");
    EXPECT_TRUE(runVector(v, *makeTarget("reference"), options).failures.empty());
    const VectorRun emptied = runVector(v, *makeTarget("reference?dialect=sqlite-wasm-3.54"), options);
    ASSERT_EQ(emptied.failures.size(), 1u);
    EXPECT_EQ(emptied.failures[0].pointer, "/vectors/0/ops/2/expect/addressAfter");
  }
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
