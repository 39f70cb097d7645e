// The fuzz decoder's model of the scope stack (fuzz/op_decoder.cpp): the pops
// it appends close exactly the scopes a sequence left open, through calls
// (CALL-1), throws that unwind several calls, and bodies that pop their
// call's own scope (SCOPE-5). A wrong model shows up as LEAK-2 at the end (too
// few pops) or as closing pops that fail (too many).
#include "fuzz/op_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "conformance/runner/capabilities.h"
#include "conformance/runner/executor.h"
#include "conformance/runner/writer.h"
#include "conformance/targets/reference_target.h"
#include "core/dialects.h"
#include "core/memory.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "tests/fuzz_inputs.h"

namespace memconform::fuzz {
namespace {

using namespace memconform::conformance;

// A pop by a raw number may or may not name a live scope: the decoder then
// pops once per push, and extra pops may fail.
bool popsByNumber(const std::vector<Op>& ops) {
  for (const auto& op : ops) {
    const auto it = op.args.find("scope");
    if (op.kind == OpKind::Pop && it != op.args.end() && std::holds_alternative<Value>(it->second.form)) return true;
    if (popsByNumber(op.body)) return true;
  }
  return false;
}

std::vector<std::vector<std::uint8_t>> inputs() { return memconform::testing::fuzzInputs(); }

TEST(OpDecoder, LEAK_2_ClosingPopsCloseExactlyTheScopesLeftOpen) {
  ReferenceTarget reference;
  std::size_t checked = 0, withCalls = 0, withThrows = 0;
  for (const auto& bytes : inputs()) {
    Vector v = decodeOps(bytes);
    numberOps(v);
    const VectorRun run = runVector(v, reference);
    ASSERT_EQ(run.status, VectorRun::Status::Completed) << run.reason;
    EXPECT_TRUE(run.failures.empty()) << run.failures.front().pointer << " " << run.failures.front().rule << ": "
                                      << run.failures.front().actual;
    if (popsByNumber(v.ops)) continue;
    for (const auto& r : run.ops)
      if (r.op->rule == "LEAK-2")  // a closing pop
        EXPECT_FALSE(r.observed && r.observed->error) << r.op->pointer << ": a closing pop failed, so the model counted a scope that was not open";
    ++checked;
    for (const auto& r : run.ops) {
      withCalls += r.op->kind == OpKind::Call;
      withThrows += r.op->kind == OpKind::Throw;
    }
  }
  EXPECT_GT(checked, 2000u);
  EXPECT_GT(withCalls, 500u);
  EXPECT_GT(withThrows, 100u);
}

// fuzz_scope_ops runs without the per-op trace or messages: the failures
// must be the same as with them, but for the messages (the report runs the
// input again with them). The planted CALL-2 bug leaves scopes open (LEAK-2).
TEST(OpDecoder, AFuzzRunWithoutTheTraceFindsTheSameFailures) {
  ReferenceTarget mutant(Mutant::ThrowSkipsPop);
  std::size_t failing = 0;
  for (const auto& bytes : inputs()) {
    const Vector v = decodeOps(bytes);
    const VectorRun traced = runVector(v, mutant);
    const VectorRun untraced = runVector(v, mutant, kSearchRun);
    EXPECT_TRUE(untraced.ops.empty());
    ASSERT_EQ(untraced.failures.size(), traced.failures.size());
    for (std::size_t i = 0; i < traced.failures.size(); ++i) {
      EXPECT_EQ(untraced.failures[i].rule, traced.failures[i].rule);
      EXPECT_EQ(untraced.failures[i].pointer, traced.failures[i].pointer);
      EXPECT_EQ(untraced.failures[i].op, traced.failures[i].op);
      EXPECT_EQ(untraced.failures[i].expected, traced.failures[i].expected);
    }
    failing += !traced.failures.empty();
  }
  EXPECT_GT(failing, 10u);
}

// What the vector file form leaves out: the pointer and anyOutcome.
void expectSameUnwritten(const std::vector<Op>& a, const std::vector<Op>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].pointer, b[i].pointer);
    EXPECT_EQ(a[i].anyOutcome, b[i].anyOutcome);
    expectSameUnwritten(a[i].body, b[i].body);
  }
}

// What a caller may change in a decoded sequence's ops (a report numbers
// them; a minimizer or a test sets the rest): none of it may reach the next.
void scribble(std::vector<Op>& ops) {
  for (Op& op : ops) {
    op.kind = OpKind::Grow;
    op.rule = "SCOPE-1";
    op.expect = std::make_shared<const Expectation>();
    op.anyOutcome = !op.anyOutcome;
    scribble(op.body);
  }
}

// fuzz_scope_ops and fuzz_differential decode into the storage of the
// previous input (OpDecoder): whatever an earlier input left in an op, an
// argument list or the decoder's model of the stack must not leak into the
// next sequence. Inputs in a shuffled order, so that long sequences follow
// short ones and calls follow plain ops.
TEST(OpDecoder, ReusingTheStorageDecodesTheSameSequences) {
  auto all = inputs();
  std::shuffle(all.begin(), all.end(), std::mt19937(7));
  OpDecoder decoder;
  std::size_t withCalls = 0;
  for (const auto& bytes : all) {
    const auto sequence = decoder.decode(bytes);
    Vector& reused = sequence.vector();
    const Vector fresh = decodeOps(bytes);
    ASSERT_EQ(toJson(reused).dump(), toJson(fresh).dump());
    expectSameUnwritten(reused.ops, fresh.ops);
    numberOps(reused);  // as a report does; the next input must not keep the pointers
    scribble(reused.ops);
    withCalls += std::any_of(fresh.ops.begin(), fresh.ops.end(), [](const Op& o) { return !o.body.empty(); });
  }
  EXPECT_GT(withCalls, 500u);
}

// Every NaN among the decoded arguments is the one "NaN" stands for
// (section 10): a payload would reach the reference's memory but not a
// driver's, and a vector written from a finding would lose it (a Float64
// NaN whose low byte was 0xff read back as 255 by the reference, 0 by the
// example adapter).
bool onlyWritableNaNs(const Expr& e) {
  if (const auto* v = std::get_if<Value>(&e.form)) {
    const double* d = v->get<double>();
    if (!d || !std::isnan(*d)) return true;
    std::uint64_t bits, quiet;
    const double canonical = std::numeric_limits<double>::quiet_NaN();
    __builtin_memcpy(&bits, d, sizeof bits);
    __builtin_memcpy(&quiet, &canonical, sizeof quiet);
    return bits == quiet;
  }
  if (const auto* items = std::get_if<std::vector<Expr>>(&e.form))
    return std::all_of(items->begin(), items->end(), onlyWritableNaNs);
  return true;
}
bool onlyWritableNaNs(const std::vector<Op>& ops) {
  return std::all_of(ops.begin(), ops.end(), [](const Op& op) {
    return std::all_of(op.args.begin(), op.args.end(), [](const auto& a) { return onlyWritableNaNs(a.second); }) &&
           onlyWritableNaNs(op.body);
  });
}

TEST(OpDecoder, GeneratedNumbersAreWhatTheVectorFormatCanWrite) {
  OpDecoder decoder;
  std::size_t nans = 0;
  // Every eight-byte stretch of these inputs is all ones somewhere: a NaN
  // with a payload, wherever the decoder reads raw bits.
  std::mt19937 random(11);
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> bytes(16 + random() % 200);
    for (auto& b : bytes) b = random() % 2 ? 0xff : static_cast<std::uint8_t>(random());
    const auto sequence = decoder.decode(bytes);
    ASSERT_TRUE(onlyWritableNaNs(sequence.vector().ops)) << toJson(sequence.vector()).dump();
    nans += toJson(sequence.vector()).dump().find("\"NaN\"") != std::string::npos;
  }
  EXPECT_GT(nans, 100u);
}

// A target without peek and call (a plugin may implement part of the API).
class WithoutPeekAndCall : public ReferenceTarget {
 public:
  bool supports(OpKind kind) const override { return kind != OpKind::Peek && kind != OpKind::Call; }
};

void eraseUnsupported(std::vector<Op>& ops, const Target& target) {
  std::erase_if(ops, [&](const Op& o) { return !target.supports(o.kind); });
  for (auto& o : ops) eraseUnsupported(o.body, target);
}

// fuzz_differential leaves out what its other target cannot run; the ops
// left out go back to the decoder, and the sequences after are whole.
TEST(OpDecoder, LeavingOutUnsupportedOpsKeepsTheOthersInOrder) {
  const WithoutPeekAndCall partial;
  OpDecoder decoder;
  std::size_t filtered = 0, i = 0;
  for (const auto& bytes : inputs()) {
    Vector expected = decodeOps(bytes);
    const bool filter = ++i % 2 == 0;
    if (filter) eraseUnsupported(expected.ops, partial);
    const auto sequence = decoder.decode(bytes);
    if (filter) sequence.fitTo(partial);
    ASSERT_EQ(toJson(sequence.vector()).dump(), toJson(expected).dump());
    filtered += filter && countOps(sequence.vector().ops) < countOps(decodeOps(bytes).ops);
  }
  EXPECT_GT(filtered, 500u);
}

// An implementation built one way, as most real glue is: its memory, growth
// parameters and grow calls cannot be set from outside, it has no direct
// memory.grow and no 64-bit values. It declares so, and runs every vector
// on its own build's setup (the defaults of MEM-4 and GROW-6).
class FixedBuild : public ReferenceTarget {
 public:
  const std::set<std::string>& capabilities() const override { return capabilities_; }
  void start(const Vector& vector) override {
    setupGiven = vector.setup;
    ReferenceTarget::start(Vector{});  // its own build's setup: the defaults
  }
  Result<Value> execute(const Op& op, const Args& args) override {
    if (opNeeds(op) & ~capabilityBits(capabilities_)) ++undeclared;
    return ReferenceTarget::execute(op, args);
  }
  Setup setupGiven;
  std::size_t undeclared = 0;  // ops run that need a capability it lacks

 private:
  std::set<std::string> capabilities_{"views", "function-table"};
};

// fuzz_differential against a target that declares part of the capabilities
// (docs/VECTORS.md "Capabilities"): the sequences it gets are ones it
// can run, so the two sides agree, where before each input was a finding.
TEST(OpDecoder, FittedSequencesNeedOnlyTheCapabilitiesATargetDeclares) {
  ReferenceTarget reference;
  FixedBuild fixed;
  OpDecoder decoder;
  std::size_t fitted = 0;
  for (const auto& bytes : inputs()) {
    const auto sequence = decoder.decode(bytes);
    sequence.fitTo(fixed);
    const VectorRun expected = runVector(sequence.vector(), reference);
    const VectorRun actual = runVector(sequence.vector(), fixed);
    EXPECT_EQ(fixed.setupGiven, conformance::Setup{});
    const auto d = compareRuns(expected, actual);
    ASSERT_FALSE(d) << d->pointer << " " << d->op << " " << d->rule << ": reference " << d->reference << " | " << d->target;
    // Nothing in it needs what the target lacks (as the loader would infer
    // from its file form, which states a memory only if not the default).
    EXPECT_EQ(vectorNeeds(sequence.vector(), false) & ~capabilityBits(fixed.capabilities()), 0u);
    fitted += countOps(sequence.vector().ops) < countOps(decodeOps(bytes).ops);
  }
  EXPECT_EQ(fixed.undeclared, 0u);
  EXPECT_GT(fitted, 500u);
}

// The check above can fail: the same target handed the sequences as decoded
// (setups it cannot take, ops it cannot run) differs from the reference.
TEST(OpDecoder, UnfittedSequencesDifferOnATargetWithFewerCapabilities) {
  ReferenceTarget reference;
  FixedBuild fixed;
  std::size_t differ = 0, inputsRun = 0;
  for (const auto& bytes : inputs()) {
    const Vector v = decodeOps(bytes);
    differ += compareRuns(runVector(v, reference), runVector(v, fixed)).has_value();
    ++inputsRun;
  }
  EXPECT_GT(differ, inputsRun / 2);
  EXPECT_GT(fixed.undeclared, 0u);
}

// A module whose memory import needs 128 pages (a driver's hello
// "minimumPages", as @sqlite.org/sqlite-wasm's): it refuses smaller setups,
// as the Node driver answers "skipped".
class NeedsBigMemory : public ReferenceTarget {
 public:
  std::uint32_t minimumPages() const override { return 128; }
  void start(const Vector& vector) override {
    if (vector.setup.memory.initialPages < minimumPages()) throw Unsupported("the module needs 128 pages");
    ReferenceTarget::start(vector);
  }
};

// MEM-1: sequences decoded for such a target start at its floor and keep
// the decoder's spread above it, so every one is compared; decoded as for
// the reference, every one would be skipped.
TEST(OpDecoder, MEM_1_GeneratedMemoriesStartAtTheTargetsMinimum) {
  ReferenceTarget reference;
  NeedsBigMemory big;
  OpDecoder forBig(limitsFor(big));
  std::set<std::uint32_t> initial;
  std::size_t skippedUnfitted = 0, n = 0;
  for (const auto& bytes : inputs()) {
    const auto sequence = forBig.decode(bytes);
    sequence.fitTo(big);
    const conformance::Setup& setup = sequence.vector().setup;
    initial.insert(setup.memory.initialPages);
    EXPECT_LE(setup.memory.initialPages, setup.memory.maximumPages);
    EXPECT_LE(setup.memory.maximumPages, kWasm32MaxPages);
    const VectorRun actual = runVector(sequence.vector(), big);
    ASSERT_EQ(actual.status, VectorRun::Status::Completed) << actual.reason;
    const auto d = compareRuns(runVector(sequence.vector(), reference), actual);
    ASSERT_FALSE(d) << d->pointer << " " << d->op << " " << d->rule << ": reference " << d->reference << " | " << d->target;
    skippedUnfitted += runVector(decodeOps(bytes), big).status == VectorRun::Status::Skipped;
    ++n;
  }
  EXPECT_EQ(initial, (std::set<std::uint32_t>{128, 129, 130, 131}));
  EXPECT_EQ(skippedUnfitted, n);
  // A floor at the wasm32 limit still gives valid setups.
  DecoderLimits top;
  top.minInitialPages = kWasm32MaxPages;
  const Vector v = decodeOps(std::vector<std::uint8_t>{3, 4, 0, 0}, top);
  EXPECT_EQ(v.setup.memory.initialPages, kWasm32MaxPages);
  EXPECT_EQ(v.setup.memory.maximumPages, kWasm32MaxPages);
}

// An Emscripten module's heap (a driver's hello "maximumPages" beside
// "minimumPages", as the sql.js and wa-sqlite adapters say): one maximum,
// and a memory that starts at the module's own size; it skips any other.
class FixedHeapMaximum : public NeedsBigMemory {
 public:
  std::uint32_t onlyMaximumPages() const override { return 32768; }
  void start(const Vector& vector) override {
    if (vector.setup.memory.maximumPages != onlyMaximumPages()) throw Unsupported("the module's maximum is 32768 pages");
    NeedsBigMemory::start(vector);
  }
};

// MEM-1, MEM-4: sequences decoded for it all have that memory and run;
// decoded with only the floor, nearly all would be skipped.
TEST(OpDecoder, MEM_1_GeneratedMemoriesHaveTheOneMaximumATargetHas) {
  FixedHeapMaximum fixed;
  NeedsBigMemory big;
  OpDecoder forFixed(limitsFor(fixed)), forBig(limitsFor(big));
  std::size_t n = 0, skippedWithTheFloorOnly = 0;
  for (const auto& bytes : inputs()) {
    const auto sequence = forFixed.decode(bytes);
    sequence.fitTo(fixed);
    EXPECT_EQ(sequence.vector().setup.memory, (MemoryConfig{128, 32768}));
    const VectorRun actual = runVector(sequence.vector(), fixed);
    ASSERT_EQ(actual.status, VectorRun::Status::Completed) << actual.reason;
    const auto floorOnly = forBig.decode(bytes);
    floorOnly.fitTo(big);
    skippedWithTheFloorOnly += runVector(floorOnly.vector(), fixed).status == VectorRun::Status::Skipped;
    ++n;
  }
  EXPECT_GT(n, 0u);
  EXPECT_GT(skippedWithTheFloorOnly, n * 9 / 10);
}

// A target run that broke off is a finding of its own kind, not a sequence
// of 0 ops: "error" with the reason; a skipped one is "skipped".
TEST(OpDecoder, ARunThatBrokeOffIsNamedByHowItEnded) {
  ReferenceTarget reference;
  const Vector v = decodeOps(std::vector<std::uint8_t>{0, 0, 3, 0, 0, 6, 8});
  const VectorRun completed = runVector(v, reference);
  VectorRun broken;
  broken.status = VectorRun::Status::Error;
  broken.reason = "driver-crashed: exit 139";
  auto d = compareRuns(completed, broken);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->op, "sequence");
  EXPECT_EQ(d->rule, "error");
  EXPECT_NE(d->target.find("driver-crashed: exit 139"), std::string::npos);
  broken.status = VectorRun::Status::Skipped;
  d = compareRuns(completed, broken);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule, "skipped");
  EXPECT_EQ(d->reference, "completed (" + std::to_string(completed.ops.size()) + " ops ran)");
}

// A well-behaved caller (DecoderLimits::wellBehaved) sees nothing of where
// the allocator puts blocks or what it leaves in them: the same sequences on
// two references whose allocators place blocks differently (another heap
// base, wider redzones) give the same canonical outcomes, while the ordinary
// decoder's callers, which read next to and between blocks, tell them apart.
// So in each upstream dialect too, where scopes and calls release blocks
// otherwise (call-pops-top frees the top scope's).
TEST(OpDecoder, SAFE_2_AWellBehavedCallerSeesNothingOfWhereBlocksGo) {
  for (const char* dialect : {"", "sqlite-wasm-3.41", "sqlite-wasm-3.54"}) {
    SCOPED_TRACE(dialect);
    const Dialect variants = *dialect ? findDialect(dialect)->variants : Dialect{};
    auto differences = [&](bool wellBehaved) {
      DecoderLimits limits;
      limits.wellBehaved = wellBehaved;
      ReferenceTarget here(variants, "here"), there(variants, "there");
      // Elsewhere, with other redzones, and scribbling over what is freed.
      there.placeBlocks(AllocatorConfig{.heapBase = 4096 + 8, .zeroSize = ZeroSizeAlloc::Fails, .redzone = 64, .freedFill = 0xA5});
      std::size_t n = 0;
      for (const auto& bytes : inputs()) {
        Vector v = decodeOps(bytes, limits);
        numberOps(v);
        const VectorRun there_ = runVector(v, there);
        const auto d = compareRuns(runVector(v, here), there_);
        n += d.has_value();
        if (d && wellBehaved && n <= 3) {
          std::string trace;
          for (const auto& t : formatTrace(there_)) trace += "\n  " + t.pointer + " " + t.op + " -> " + t.result + " [" + t.events + "]";
          ADD_FAILURE() << d->signature() << " at " << d->pointer << ": " << d->reference << " | " << d->target << trace;
        }
      }
      return n;
    };
    EXPECT_EQ(differences(true), 0u);
    EXPECT_GT(differences(false), 0u);
  }
}

}  // namespace
}  // namespace memconform::fuzz
