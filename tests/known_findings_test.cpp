// fuzz_differential's known findings (an expectations file's "fuzz"
// section): a finding is known by its signature OP/RULE/ASPECT, so that a
// new bug on the same op and rule (another aspect) still stops the run; the
// older coarse OP/RULE still tolerates every aspect. The summary counts each
// listed one, or says it was not seen, and lists the signatures each coarse
// key tolerated.
#include "fuzz/known_findings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"
#include "conformance/targets/reference_target.h"
#include "conformance/targets/factory.h"
#include "core/mutants.h"
#include "fuzz/differential.h"
#include "fuzz/op_decoder.h"
#include "tests/fuzz_inputs.h"

namespace memconform::fuzz {
namespace {

Difference at(std::string op, std::string rule, std::string aspect) {
  return Difference{"/vectors/0/ops/0", std::move(op), std::move(rule), "", "", std::move(aspect)};
}

// An op that ran, with its value and events.
conformance::OpRun op(const conformance::Op& o, conformance::Value value, std::vector<Event> events) {
  conformance::Observed observed;
  observed.value = std::move(value);
  observed.events = std::move(events);
  return conformance::OpRun{&o, observed, "", 0};
}

KnownFindings knownFrom(const std::string& fuzz) {
  std::vector<conformance::LoadError> errors;
  KnownFindings known(conformance::loadExpectations(
      "e.json", R"({"schema":"memconform-expectations/1","fuzz":)" + fuzz + "}", errors));
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : conformance::describe(errors[0]));
  return known;
}

TEST(KnownFindings, FineSignaturesTolerateOnlyThatAspect) {
  KnownFindings known = knownFrom(R"({"peek/PEEK-1/error:OutOfBounds>value:undefined":"no bounds check",
                                      "call/CALL-1":"pops the top"})");
  EXPECT_TRUE(known.tolerate(at("peek", "PEEK-1", "error:OutOfBounds>value:undefined")));
  EXPECT_FALSE(known.tolerate(at("peek", "PEEK-1", "error:OutOfBounds>value:0")));  // another bug
  EXPECT_FALSE(known.tolerate(at("peek", "PEEK-1", "value:int>int")));
  // The coarse form tolerates any aspect of its op and rule.
  EXPECT_TRUE(known.tolerate(at("call", "CALL-1", "events:dealloc>none")));
  EXPECT_TRUE(known.tolerate(at("call", "CALL-1", "violation:CALL-1")));
  EXPECT_FALSE(known.tolerate(at("call", "CALL-2", "")));
  EXPECT_FALSE(known.tolerate(at("pop", "CALL-1", "")));
  EXPECT_EQ(known.coarseKeys(), std::vector<std::string>{"call/CALL-1"});
  EXPECT_EQ(known.summary(),
            "  call/CALL-1: 2 inputs (pops the top)\n"
            "    call/CALL-1/events:dealloc>none: 1 inputs\n"  // what the coarse key tolerated, to replace it with
            "    call/CALL-1/violation:CALL-1: 1 inputs\n"
            "  peek/PEEK-1/error:OutOfBounds>value:undefined: 1 inputs (no bounds check)\n");
  EXPECT_TRUE(KnownFindings().empty());
  EXPECT_FALSE(KnownFindings().tolerate(at("call", "CALL-1", "")));
}

// The aspect of a real difference: a peek past the end that the reference
// refuses (PEEK-6) and mutant:peek-no-bounds-check reads as 0.
TEST(KnownFindings, PEEK_6_TheAspectNamesWhatDifferedAndEachSidesClass) {
  std::vector<conformance::LoadError> errors;
  const auto file = conformance::loadVectorFile("t.json", nlohmann::json{
      {"schema", "memconform-vectors/1"}, {"area", "peek"}, {"description", "d"},
      {"vectors", {{{"id", "peek/t"}, {"rules", {"PEEK-6"}}, {"source", "seed"},
                    {"setup", {{"memory", {{"initialPages", 1}, {"maximumPages", 1}}}}},
                    {"ops", {{{"op", "peek"}, {"address", 65536}, {"type", "i32"}, {"expect", {{"error", "OutOfBounds"}}}}}}}}}}
      .dump(), errors);
  ASSERT_TRUE(errors.empty());
  conformance::ReferenceTarget reference, mutant(Mutant::PeekNoBoundsCheck);
  const auto expected = conformance::runVector(file.vectors[0], reference);
  const auto actual = conformance::runVector(file.vectors[0], mutant);
  const auto d = compareRuns(expected, actual);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->signature(), "peek/PEEK-1/error:OutOfBounds>value:0");
  // Known as upstream's unchecked peek (undefined), the planted bug is new.
  KnownFindings known = knownFrom(R"({"peek/PEEK-1/error:OutOfBounds>value:undefined":"no bounds check"})");
  EXPECT_FALSE(known.tolerate(*d));
}

// Grow and resize events are named with their outcome: a planted bug that
// gives up after the first failed attempt (GROW-4) lacks the second grow.
TEST(KnownFindings, GROW_4_AnEventAspectNamesTheKindAndOutcome) {
  std::vector<conformance::LoadError> errors;
  const auto file = conformance::loadVectorFile("t.json", nlohmann::json{
      {"schema", "memconform-vectors/1"}, {"area", "grow"}, {"description", "d"},
      {"vectors", {{{"id", "grow/t"}, {"rules", {"GROW-4"}}, {"source", "seed"},
                    {"setup", {{"memory", {{"initialPages", 1}, {"maximumPages", 2}}}}},
                    {"ops", {{{"op", "resize"}, {"size", 1048576}}}}}}}}.dump(), errors);
  ASSERT_TRUE(errors.empty());
  conformance::ReferenceTarget reference, mutant(Mutant::FirstAttemptOnly);
  auto generated = file.vectors[0];
  generated.ops[0].anyOutcome = true;  // as the decoder makes ops
  const auto d = compareRuns(conformance::runVector(generated, reference), conformance::runVector(generated, mutant));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->aspect, "events:grow-failed>none");
}

// Places are compared by role: an allocator that puts a new block where a
// freed one was and one that does not agree on the same sequence (SCOPE-3:
// where a block goes is the allocator's business).
TEST(KnownFindings, SCOPE_3_APlaceMadeAgainAfterItsReleaseIsANewOne) {
  conformance::Op alloc{conformance::OpKind::Alloc, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op dealloc{conformance::OpKind::Dealloc, "/ops/1", {}, {}, {}, {}, {}};
  auto run = [&](Address second) {
    Canonicalizer c;
    std::string out;
    for (const auto& [op, value, event] : std::vector<std::tuple<const conformance::Op*, double, Event>>{
             {&alloc, 1024, AllocEvent{1024, 8}}, {&dealloc, 0, DeallocEvent{1024}}, {&alloc, double(second), AllocEvent{second, 8}}}) {
      conformance::Observed o;
      o.value = conformance::Value(value);
      o.events = {event};
      out += c.outcome({op, o, "", 0}) + "\n";
    }
    return out;
  };
  EXPECT_EQ(run(1024), run(2048));
  // zeroMemory gives back whatever address it was passed: a negative one is
  // a number, not a place (it was cast to an unsigned integer: UBSan).
  conformance::Op zero{conformance::OpKind::ZeroMemory, "/ops/2", {}, {}, {}, {}, {}};
  conformance::Observed o;
  o.value = conformance::Value(-8.0);
  EXPECT_EQ(Canonicalizer().outcome({&zero, o, "", 0}), "value -8");
  EXPECT_EQ(run(1024), "alloc ptr#0 size 8; value ptr#0\ndealloc ptr#0; value 0\nalloc ptr#1 size 8; value ptr#1\n");
}

// A block whose size the allocator wrapped (scopedAlloc(2^32 + 1), a 1-byte
// block: alloc-size-wraps) does not take the names of the live blocks above
// it when it is freed: the reference put it below the scope's other blocks
// (at a freed 1024), 3.54.1 above them, and the pop that freed all four
// read "dealloc unknown" on the reference only (CI's gate.fuzz-releases).
TEST(KnownFindings, SCOPE_3_AWrappedSizeDoesNotReachOverTheBlocksAboveIt) {
  conformance::Op alloc{conformance::OpKind::ScopedAlloc, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op pop{conformance::OpKind::Pop, "/ops/1", {}, {}, {}, {}, {}};
  auto run = [&](Address first, Address second, Address wrapped) {
    Canonicalizer c;
    std::string out;
    for (const auto& [a, size] : std::vector<std::pair<Address, std::uint64_t>>{{first, 4}, {second, 8}, {wrapped, 4294967297}}) {
      conformance::Observed o;
      o.value = conformance::Value(double(a));
      o.events = {AllocEvent{a, size}};
      out += c.outcome({&alloc, o, "", 0}) + "\n";
    }
    conformance::Observed o;
    o.value = conformance::Value(conformance::Undefined{});
    o.events = {DeallocEvent{wrapped}, DeallocEvent{second}, DeallocEvent{first}};
    return out + c.outcome({&pop, o, "", 0});
  };
  const std::string below = run(1240, 1264, 1024), above = run(788344, 788368, 788416);
  EXPECT_EQ(below, above);
  EXPECT_EQ(below.substr(below.rfind('\n') + 1), "dealloc ptr#2; dealloc ptr#1; dealloc ptr#0; value undefined");
}

// A value that is no place reads as the report's text of it (toText), for
// every kind the canonical form writes without JSON and for the rest.
TEST(KnownFindings, PEEK_1_AValueThatIsNoPlaceReadsAsItsText) {
  conformance::Op peek{conformance::OpKind::Peek, "/ops/0", {}, {}, {}, {}, {}};
  std::vector<conformance::Value> values{conformance::Value(0.0), conformance::Value(-0.0), conformance::Value(-8.0),
                                         conformance::Value(4294967295.0), conformance::Value(9007199254740992.0),
                                         conformance::Value(9007199254740994.0), conformance::Value(-9007199254740994.0),
                                         conformance::Value(1.5), conformance::Value(std::nan("")),
                                         conformance::Value(-INFINITY), conformance::Value(true),
                                         conformance::Value(false), conformance::Value(),
                                         conformance::Value(std::string("i32"))};
  for (const auto& v : values) {
    conformance::Observed o;
    o.value = v;
    EXPECT_EQ(Canonicalizer().outcome({&peek, o, "", 0}), "value " + conformance::toText(v)) << conformance::toText(v);
  }
}

// Against an allocator of the target's own, the growth an allocation causes
// is the allocator's business, and so is the memory's size from then on
// (SCOPE-3); before any such growth, byteLength is compared as ever.
TEST(KnownFindings, SCOPE_3_AfterAnAllocationGrewTheMemoryItsSizeIsTheAllocators) {
  conformance::Op alloc{conformance::OpKind::Alloc, "/ops/1", {}, {}, {}, {}, {}};
  conformance::Op length{conformance::OpKind::ByteLength, "/ops/0", {}, {}, {}, {}, {}};
  conformance::VectorRun fits, grows;
  fits.ops = {op(length, 65536.0, {}), op(alloc, 1024.0, {AllocEvent{1024, 100000}}), op(length, 65536.0, {})};
  grows.ops = {op(length, 65536.0, {}), op(alloc, 65536.0, {GrowEvent{2, true}, AllocEvent{65536, 100000}}), op(length, 196608.0, {})};
  EXPECT_FALSE(compareRuns(fits, grows, {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(fits, grows));  // the reference's own allocator: every event counts
  conformance::VectorRun smaller = fits;
  smaller.ops[0] = op(length, 131072.0, {});  // before any allocation grew it
  EXPECT_TRUE(compareRuns(fits, smaller, {.ownAllocator = true}));
  // An op left to the allocator is left alone with the failures the run
  // recorded for it (a failed mmapAlloc's SAFE-4); the end checks still count.
  conformance::VectorRun reported = grows;
  reported.failures.push_back({"/ops/2", "byteLength", "SAFE-4", "no SAFE-4 violation", "left a block", {}});
  EXPECT_FALSE(compareRuns(fits, reported, {.ownAllocator = true}));
  reported.failures.push_back({"/ops", "end", "LEAK-2", "nothing left live", "scope 1 is still open", {}});
  EXPECT_TRUE(compareRuns(fits, reported, {.ownAllocator = true}));
}

// After an allocation grew the memory on one side, a view made before is
// detached there only, and a grow(0) leaves the glue's cached views stale on
// one side only: neither is a finding. Without the allocator's growth both
// are.
TEST(KnownFindings, VIEW_2_AfterAnAllocationGrewTheMemoryStaleViewsAreTheAllocators) {
  using conformance::OpKind;
  conformance::Op alloc{OpKind::Alloc, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op viewGet{OpKind::ViewGet, "/ops/1", {}, {}, {}, {}, {}};
  conformance::Op growZero{OpKind::Grow, "/ops/2", {}, {}, {}, {}, {}};
  conformance::Op peek{OpKind::Peek, "/ops/3", {}, {}, {}, {}, {}};
  const conformance::Value undefined{conformance::Undefined{}};
  conformance::VectorRun fits, grows;
  fits.ops = {op(alloc, 1024.0, {AllocEvent{1024, 100000}}), op(viewGet, 0.0, {}), op(growZero, 1.0, {GrowEvent{0, true}}),
              op(peek, undefined, {})};
  grows.ops = {op(alloc, 65536.0, {GrowEvent{2, true}, AllocEvent{65536, 100000}}), op(viewGet, undefined, {}),
               op(growZero, 3.0, {GrowEvent{0, true}}), op(peek, 0.0, {})};
  EXPECT_FALSE(compareRuns(fits, grows, {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(fits, grows));
  // Before the allocation grew anything, a stale read is a finding.
  conformance::VectorRun early = fits;
  early.ops[0] = op(alloc, 1024.0, {AllocEvent{1024, 100000}});
  conformance::VectorRun staleEarly = early;
  staleEarly.ops[1] = op(viewGet, undefined, {});
  EXPECT_TRUE(compareRuns(early, staleEarly, {.ownAllocator = true}));
}

// How many live blocks a bad block overlaps (SAFE-1, reported once per
// block) is where each allocator put them: against a target's own
// allocator, the rules broken count, not how often.
TEST(KnownFindings, SAFE_1_AgainstItsOwnAllocatorATargetBreaksTheSameRulesNotAsOften) {
  conformance::Op mmap{conformance::OpKind::MmapAlloc, "/ops/0", {}, {}, {}, {}, {}};
  auto op = [&](std::size_t overlaps) {
    conformance::Observed observed;
    observed.value = conformance::Value(65536.0);
    observed.events = {AllocEvent{65536, 4294967296}};
    for (std::size_t i = 0; i < overlaps; ++i) observed.violations.push_back({"SAFE-1", "overlaps"});
    return conformance::OpRun{&mmap, observed, "", 0};
  };
  conformance::VectorRun two, one, none;
  two.ops = {op(2)};
  one.ops = {op(1)};
  none.ops = {op(0)};
  EXPECT_FALSE(compareRuns(two, one, {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(two, one));
  EXPECT_TRUE(compareRuns(two, none, {.ownAllocator = true}));
}

// Upstream's alloc(2^32 + 8) hands out a block of 8 bytes that the caller
// takes for 2^32 + 8 (the size reaches sqlite3_malloc's int modulo 2^32:
// alloc-size-wraps), which overlaps every block above it. While it is live,
// whether a later block overlaps it (SAFE-1) is only where each allocator
// put the later block: the fuzz finding mmapAlloc/ALIGN-3/violation:-SAFE-1
// of 2026-12-04, where the reference put mmapAlloc(0) above such a block and
// dlmalloc below, in a freed block. (That block came from mmapAlloc(2^32),
// which also zeroes up to the memory's end, so that the run now ends there:
// SCOPE_3_AnMmapAllocThatZeroesPastTheMemorysEndWipesTheAllocatorsHeap.)
TEST(KnownFindings, SAFE_1_WhileABlockPastTheMemorysEndIsLiveOverlapsArePlacement) {
  using conformance::OpKind;
  const conformance::Op wrapped{OpKind::Alloc, "/ops/0", {}, {}, {}, {}, {}};
  const conformance::Op empty{OpKind::MmapAlloc, "/ops/1", {}, {}, {}, {}, {}};
  const conformance::Op dealloc{OpKind::Dealloc, "/ops/2", {}, {}, {}, {}, {}};
  const conformance::Op again{OpKind::MmapAlloc, "/ops/3", {}, {}, {}, {}, {}};
  constexpr std::uint64_t kMemory = 16777216;
  auto ran = [&](conformance::OpRun r, std::vector<Violation> violations) {
    r.observed->byteLength = kMemory;
    r.observed->violations = std::move(violations);
    return r;
  };
  const Violation overlaps{"SAFE-1", "overlaps"}, outside{"SAFE-1", "not inside"};
  // The reference puts the empty block above the big one (at 65536), the
  // target below it.
  auto run = [&](Address big, Address small, bool freeTheBig) {
    const bool above = small > big;
    conformance::VectorRun r;
    r.ops = {ran(op(wrapped, double(big), {AllocEvent{big, 4294967304}}), {outside, overlaps}),
             ran(op(empty, double(small), {AllocEvent{small, 0}}), above ? std::vector{overlaps} : std::vector<Violation>{})};
    if (freeTheBig)
      r.ops.push_back(ran(op(dealloc, conformance::Value(conformance::Undefined{}), {DeallocEvent{big}}), {}));
    const Address next = above ? 131072 : 8192;
    r.ops.push_back(ran(op(again, double(next), {AllocEvent{next, 0}}), above && !freeTheBig ? std::vector{overlaps} : std::vector<Violation>{}));
    return r;
  };
  EXPECT_FALSE(compareRuns(run(65536, 98304, false), run(65536, 4096, false), {.ownAllocator = true}));
  // Once it is freed, an overlap is compared again (here the reference's
  // last block overlaps the empty one: a planted bug).
  auto later = run(65536, 98304, true);
  later.ops.back().observed->violations = {overlaps};
  const auto d = compareRuns(later, run(65536, 4096, true), {.ownAllocator = true});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->signature(), "mmapAlloc/ALIGN-3/violation:-SAFE-1");
  EXPECT_EQ(d->pointer, "/ops/3");
  // Against the reference's own allocator, placement is the reference's:
  // an overlap on one side only is a finding.
  EXPECT_TRUE(compareRuns(run(65536, 98304, false), run(65536, 4096, false)));
}

// Upstream's mmapAlloc(2^32) zeroes the block it takes for 2^32 bytes
// (mmap-alloc-size-wraps): everything from the block to the memory's end.
// Against a target's own allocator that wipes the allocator's books kept
// in that memory (dlmalloc's chunk headers): the fuzz finding
// mmapAlloc/ALIGN-3/value:ptr>error:OutOfBounds of 2026-12-05, where
// dlmalloc trapped on the next mmapAlloc and the reference went on. The op
// itself is compared; what follows it is the allocator's.
TEST(KnownFindings, SCOPE_3_AnMmapAllocThatZeroesPastTheMemorysEndWipesTheAllocatorsHeap) {
  using conformance::OpKind;
  const conformance::Op wide{OpKind::MmapAlloc, "/ops/0", {}, {}, {}, {}, {}};
  const conformance::Op next{OpKind::MmapAlloc, "/ops/1", {}, {}, {}, {}, {}};
  const conformance::Op length{OpKind::ByteLength, "/ops/2", {}, {}, {}, {}, {}};
  constexpr std::uint64_t kMemory = 16777216;
  const Violation outside{"SAFE-1", "not inside"};
  auto ran = [&](conformance::OpRun r, std::vector<Violation> violations = {}) {
    r.observed->byteLength = kMemory;
    r.observed->violations = std::move(violations);
    return r;
  };
  // The first block: 2^32 bytes at `at` (past the end) or 65536 (inside).
  auto run = [&](Address at, std::uint64_t size, bool nextTraps) {
    conformance::VectorRun r;
    r.ops = {ran(op(wide, double(at), {AllocEvent{at, size}}), size > kMemory ? std::vector{outside} : std::vector<Violation>{}),
             ran(op(next, 196608.0, {AllocEvent{196608, 65536}})), ran(op(length, double(kMemory), {}))};
    if (nextTraps) {  // dlmalloc, its top chunk's header wiped
      r.ops[1].observed->value = conformance::Value(conformance::Undefined{});
      r.ops[1].observed->events.clear();
      r.ops[1].observed->error = ErrorKind::OutOfBounds;
    }
    return r;
  };
  const auto reference = run(65536, 4294967296, false), dlmalloc = run(851968, 4294967296, true);
  EXPECT_FALSE(compareRuns(reference, dlmalloc, {.ownAllocator = true}));
  // The reference's own allocator keeps no books in the memory: a trap after
  // is a finding.
  EXPECT_TRUE(compareRuns(reference, dlmalloc));
  // The op that wiped the heap is still compared: a block inside the memory
  // where the reference's reaches past it is a finding there, and so is none.
  for (const auto& target : {run(851968, 65536, true), run(0, 0, true)}) {
    const auto d = compareRuns(reference, target, {.ownAllocator = true});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->pointer, "/ops/0");
  }
  // An mmapAlloc inside the memory wipes nothing: a trap after it is a finding.
  const auto d = compareRuns(run(65536, 65536, false), run(851968, 65536, true), {.ownAllocator = true});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->pointer, "/ops/1");
  // Nor does a block past the end that nothing zeroed (alloc-size-wraps).
  conformance::VectorRun allocReference = reference, allocTarget = dlmalloc;
  const conformance::Op alloc{OpKind::Alloc, "/ops/0", {}, {}, {}, {}, {}};
  allocReference.ops[0].op = allocTarget.ops[0].op = &alloc;
  EXPECT_TRUE(compareRuns(allocReference, allocTarget, {.ownAllocator = true}));
}

// A pointer left dangling (a scope still listing a block the glue freed,
// cstring-error-deallocs) and freed again lands on whatever block each
// allocator has put at that address since (SCOPE-3): against a target's own
// allocator that is not a finding, and the rest of the run is the
// allocator's. A wrong free of a block no one freed before still is one.
TEST(KnownFindings, SCOPE_3_ADanglingPointerFreedAgainHitsTheAllocatorsBlock) {
  using conformance::OpKind;
  conformance::Op string{OpKind::ScopedAllocCString, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op alloc1{OpKind::Alloc, "/ops/1", {}, {}, {}, {}, {}};
  conformance::Op alloc2{OpKind::Alloc, "/ops/2", {}, {}, {}, {}, {}};
  conformance::Op pop{OpKind::Pop, "/ops/3", {}, {}, {}, {}, {}};
  const conformance::Value undefined{conformance::Undefined{}};
  // The string's block (100) is freed when its write fails, and stays listed
  // in the scope; the first allocation after gets its address on one side,
  // the second on the other; the pop frees the address again.
  auto run = [&](Address first, Address second) {
    conformance::VectorRun r;
    r.ops = {op(string, undefined, {AllocEvent{100, 8}, DeallocEvent{100}}), op(alloc1, double(first), {AllocEvent{first, 8}}),
             op(alloc2, double(second), {AllocEvent{second, 8}}), op(pop, undefined, {PopEvent{1}, DeallocEvent{100}})};
    return r;
  };
  const auto firstReuses = run(100, 200), secondReuses = run(200, 100);
  EXPECT_FALSE(compareRuns(firstReuses, secondReuses, {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(firstReuses, secondReuses));  // the reference's own allocator: it is the reference's choice
  // Neither address was freed before: the pop frees another block than the
  // reference's, a finding.
  auto wrongFree = [&](Address freed) {
    conformance::VectorRun r;
    r.ops = {op(alloc1, 100.0, {AllocEvent{100, 8}}), op(alloc2, 200.0, {AllocEvent{200, 8}}),
             op(pop, undefined, {PopEvent{1}, DeallocEvent{freed}})};
    return r;
  };
  EXPECT_TRUE(compareRuns(wrongFree(100), wrongFree(200), {.ownAllocator = true}));
}

// The glue frees a string's block and leaves it listed in its scope
// (cstring-error-deallocs, after grow(0)); the pop frees it a second time,
// where no block of the run is. dlmalloc's heap is corrupt from that free:
// in the 10-minute run against 3.54.1-build1 of 2026-12-05 its next free
// trapped (pop/LEAK-1/value:undefined>error:OutOfBounds). Against a
// target's own allocator what follows that free is the allocator's; what
// comes before it is still compared, and so is whether the target frees a
// dangling pointer there at all.
TEST(KnownFindings, SCOPE_3_AfterBothFreeADanglingPointerTheHeapIsTheAllocators) {
  using conformance::OpKind;
  conformance::Op string{OpKind::ScopedAllocCString, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op alloc{OpKind::Alloc, "/ops/1", {}, {}, {}, {}, {}};
  conformance::Op pop{OpKind::Pop, "/ops/2", {}, {}, {}, {}, {}};
  conformance::Op after{OpKind::Alloc, "/ops/3", {}, {}, {}, {}, {}};
  const conformance::Value undefined{conformance::Undefined{}};
  auto run = [&](std::vector<Event> popEvents, std::optional<ErrorKind> popError, double afterPtr) {
    conformance::VectorRun r;
    r.ops = {op(string, undefined, {AllocEvent{100, 8}, DeallocEvent{100}}), op(alloc, 200.0, {AllocEvent{200, 8}}),
             op(pop, undefined, std::move(popEvents)), op(after, afterPtr, {AllocEvent{static_cast<Address>(afterPtr), 8}})};
    if (popError) r.ops[2].observed->error = popError;
    return r;
  };
  // The reference frees both and goes on; dlmalloc traps in the second free.
  const auto reference = run({PopEvent{1}, DeallocEvent{200}, DeallocEvent{100}}, std::nullopt, 300.0);
  const auto traps = run({PopEvent{1}, DeallocEvent{200}, DeallocEvent{100}}, ErrorKind::OutOfBounds, 300.0);
  EXPECT_FALSE(compareRuns(reference, traps, {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(reference, traps));  // the reference's own allocator: the trap is a finding
  // Nor is a later op compared: the corrupt heap hands out a live block.
  const auto handsOutTwice = run({PopEvent{1}, DeallocEvent{200}, DeallocEvent{100}}, std::nullopt, 200.0);
  EXPECT_FALSE(compareRuns(reference, handsOutTwice, {.ownAllocator = true}));
  // What comes before the dangling free is compared: a pop that frees the
  // live block it holds after the dangling one, or an address no block had
  // in place of its live block...
  const auto outOfOrder = run({PopEvent{1}, DeallocEvent{100}, DeallocEvent{200}}, ErrorKind::OutOfBounds, 300.0);
  EXPECT_TRUE(compareRuns(reference, outOfOrder, {.ownAllocator = true}));
  const auto wrongFreeFirst = run({PopEvent{1}, DeallocEvent{999}, DeallocEvent{100}}, ErrorKind::OutOfBounds, 300.0);
  EXPECT_TRUE(compareRuns(reference, wrongFreeFirst, {.ownAllocator = true}));
  // ... and so is whether the target frees a dangling pointer there: not
  // one that frees nothing more (its string's block was not listed), nor
  // one that frees a live block (another allocation, 400, on both sides)
  // in its place.
  const auto notListed = run({PopEvent{1}, DeallocEvent{200}}, std::nullopt, 300.0);
  EXPECT_TRUE(compareRuns(reference, notListed, {.ownAllocator = true}));
  auto withAnother = [&](const conformance::VectorRun& r) {
    conformance::VectorRun out = r;
    out.ops[1].observed->events.push_back(AllocEvent{400, 8});
    return out;
  };
  const auto freesALiveBlock = run({PopEvent{1}, DeallocEvent{200}, DeallocEvent{400}}, std::nullopt, 300.0);
  EXPECT_TRUE(compareRuns(withAnother(reference), withAnother(freesALiveBlock), {.ownAllocator = true}));
  EXPECT_FALSE(compareRuns(withAnother(reference), withAnother(traps), {.ownAllocator = true}));
}

// A driver's access check report (the Node driver's "accesses", a SAFE-2
// violation of the op) is a finding named by the op, SAFE-2 and the kind of
// access and region, not by its addresses, whether or not the op's outcome
// differs too, and even where the rest is the target allocator's (after an
// allocation grew the memory, a zeroMemory's outcome is not compared).
TEST(KnownFindings, SAFE_2_ADriversAccessCheckReportIsNamedByOpAccessAndRegion) {
  using conformance::OpKind;
  conformance::Op string{OpKind::ScopedAllocCString, "/ops/3", {}, {}, {}, {}, {}};
  conformance::Op zero{OpKind::ZeroMemory, "/ops/4", {}, {}, {}, {}, {}};
  const conformance::Value block{788176.0};
  const std::string overflow =
      "WRITE of size 1 at 788187 (heap-buffer-overflow: 0 bytes after the 11-byte block at 788176) by /ops/3 scopedAllocCString, "
      "at w.scopedAllocCString (mutants.mjs:81:42)";
  auto run = [&](std::vector<Violation> violations, conformance::Value value) {
    conformance::VectorRun r;
    r.ops = {op(string, std::move(value), {AllocEvent{788176, 11}})};
    r.ops[0].observed->violations = std::move(violations);
    return r;
  };
  const auto reference = run({}, block);
  auto d = compareRuns(reference, run({{"SAFE-2", overflow}}, block));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->signature(), "scopedAllocCString/SAFE-2/write:heap-buffer-overflow");
  EXPECT_EQ(d->pointer, "/ops/3");
  EXPECT_NE(d->target.find(overflow), std::string::npos) << d->target;
  // Its value differs as well: still the access.
  EXPECT_EQ(compareRuns(reference, run({{"SAFE-2", overflow}}, conformance::Value(0.0)))->signature(),
            "scopedAllocCString/SAFE-2/write:heap-buffer-overflow");
  const std::string stale = "READ of size 4 at 65536 (stale-view: a view of the memory before it grew, detached) by /ops/3 x, at y";
  EXPECT_EQ(compareRuns(reference, run({{"LEAK-1", "a leak"}, {"SAFE-2", stale}}, block))->signature(),
            "scopedAllocCString/SAFE-2/read:stale-view");
  EXPECT_FALSE(compareRuns(reference, run({}, block)));
  // After an allocation grew the memory (the target's own allocator), a
  // zeroMemory is the allocator's business, but not an access outside its range.
  auto grown = [&](std::vector<Violation> violations) {
    conformance::VectorRun r;
    r.ops = {op(string, block, {AllocEvent{788176, 11}, GrowEvent{1, true}}), op(zero, conformance::Value(7.0), {})};
    r.ops[1].observed->violations = std::move(violations);
    return r;
  };
  EXPECT_FALSE(compareRuns(grown({}), grown({}), {.ownAllocator = true}));
  const std::string beyond = "WRITE of size 9 at 16777216 (out-of-memory-bounds: beyond the memory's 16777216 bytes) by /ops/4 zeroMemory, at z";
  EXPECT_EQ(compareRuns(grown({}), grown({{"SAFE-2", beyond}}), {.ownAllocator = true})->signature(),
            "zeroMemory/SAFE-2/write:out-of-memory-bounds");
}

// VIEW-2 (views-cached-by-length): after a grow(0) has left the glue's
// cached views detached on both sides, whether an allocation grows the
// memory (and so renews them) is each allocator's (SCOPE-3): against a
// target's own allocator, the rest of the run is not compared from the op
// where one side grew and the other did not. Without the grow(0) before, a
// later difference in what a peek reads still is a finding.
TEST(KnownFindings, VIEW_2_AfterGrowZeroAnAllocationThatGrowsOnOneSideEndsTheComparison) {
  using conformance::OpKind;
  conformance::Op grow{OpKind::Grow, "/ops/0", {}, {}, {}, {}, {}};
  conformance::Op mmap{OpKind::MmapAlloc, "/ops/1", {}, {}, {}, {}, {}};
  conformance::Op peek{OpKind::Peek, "/ops/2", {}, {}, {}, {}, {}};
  const conformance::Value undefined{conformance::Undefined{}};
  auto run = [&](bool growZeroFirst, bool allocationGrows) {
    conformance::VectorRun r;
    if (growZeroFirst) r.ops.push_back(op(grow, 128.0, {GrowEvent{0, true}}));
    if (allocationGrows) {
      r.ops.push_back(op(mmap, 7536640.0, {AllocEvent{7536640, 1048576}, GrowEvent{16, true}}));
      r.ops.push_back(op(peek, conformance::Value(std::vector<conformance::Value>{0.0, 0.0}), {}));
    } else {
      r.ops.push_back(op(mmap, undefined, {AllocEvent{7536640, 1048576}}));
      r.ops.back().observed->error = ErrorKind::TypeError;  // zeroMemory through the detached view
      r.ops.push_back(op(peek, conformance::Value(std::vector<conformance::Value>{undefined, undefined}), {}));
    }
    for (auto& o : r.ops) o.observed->byteLength = 16777216;  // the mmapAlloc's block lies inside
    return r;
  };
  EXPECT_FALSE(compareRuns(run(true, false), run(true, true), {.ownAllocator = true}));
  EXPECT_FALSE(compareRuns(run(true, true), run(true, false), {.ownAllocator = true}));
  EXPECT_TRUE(compareRuns(run(true, false), run(true, true)));  // the reference's own allocator: a finding
  EXPECT_TRUE(compareRuns(run(false, false), run(false, true), {.ownAllocator = true}));
}

// compareRuns canonicalizes no op while the two runs are op for op the
// same, and those before the first that differs once it comes: on what
// the fuzzers generate, against every planted bug but the one ASan stops
// (cstring-no-nul-room writes past its block) and the reference in
// upstream's dialect, it finds what canonicalizing every op finds, in the
// same words. Most of those differences come after ops that were the same.
TEST(KnownFindings, SCOPE_3_ComparingFromTheFirstOpThatDiffersFindsWhatComparingEveryOpFinds) {
  const auto reference = conformance::makeTarget("reference");
  std::vector<std::string> specs{"reference?dialect=sqlite-wasm-3.54"};
  for (const auto& m : allMutants())
    if (m.id != Mutant::CStringNoNulRoom) specs.push_back("mutant:" + std::string(m.name));
  const auto inputs = testing::fuzzInputs();
  std::size_t found = 0, afterTheSame = 0;
  for (const auto& spec : specs) {
    SCOPED_TRACE(spec);
    const auto other = conformance::makeTarget(spec);
    OpDecoder decoder(limitsFor(*other));
    for (std::size_t i = 0; i < inputs.size(); i += 3) {
      const auto sequence = decoder.decode(inputs[i]);
      sequence.fitTo(*other);
      conformance::Vector numbered = sequence.vector();  // a finding names its op
      numberOps(numbered);
      const auto expected = conformance::runVector(numbered, *reference);
      const auto actual = conformance::runVector(numbered, *other);
      const auto quick = compareRuns(expected, actual);
      const auto everyOp = compareRuns(expected, actual, {.canonicalEveryOp = true});
      ASSERT_EQ(quick.has_value(), everyOp.has_value()) << "input " << i;
      if (!quick) continue;
      ++found;
      const auto words = [](const Difference& d) { return std::tie(d.pointer, d.op, d.rule, d.reference, d.target, d.aspect); };
      ASSERT_EQ(words(*quick), words(*everyOp)) << "input " << i;
      const auto firstDiffering = std::find_if(expected.ops.begin(), expected.ops.end(), [&](const conformance::OpRun& r) {
        return r.op->pointer == quick->pointer;
      });
      afterTheSame += firstDiffering != expected.ops.begin() && firstDiffering != expected.ops.end();
    }
  }
  EXPECT_GT(found, 500u);
  EXPECT_GT(afterTheSame, found / 2);
}

}  // namespace
}  // namespace memconform::fuzz
