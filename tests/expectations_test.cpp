// Expectations files with per-op entries (SEMANTICS.md section 11): an entry
// names the ops a vector is known to fail and how, so that a second,
// different failure in that vector (a new bug) is still a failure; the older
// whole-vector form hid it. The second bug is planted by a decorator around
// a mutant that already has the known one.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations.h"
#include "conformance/runner/loader.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/reference_target.h"

namespace memconform::conformance {
namespace {

using nlohmann::json;

// CALL-1: a body that leaves a scope pushed. mutant:call-pops-top pops that
// scope at the call's end instead of the call's own (ops/0), so the later
// pop of it fails (ops/2) and the call's scope stays open (the end).
const json kVector = json::parse(R"({
  "id": "call/known/body-leaves-a-scope-pushed", "rules": ["CALL-1", "SCOPE-5"], "source": "seed",
  "ops": [
    {"op": "call", "body": [
      {"op": "scopedAlloc", "size": 8, "as": "a"},
      {"op": "push", "as": "inner"},
      {"op": "scopedAlloc", "size": 8, "as": "b"}],
     "expect": {"events": [{"dealloc": "a"}]}},
    {"op": "level", "expect": {"value": 1}},
    {"op": "pop", "scope": "inner", "expect": {"events": [{"dealloc": "b"}]}},
    {"op": "level", "expect": {"value": 0}}],
  "final": {"level": 0, "live": []}})");

// What mutant:call-pops-top does to it, per op: the known failure.
const json kKnownEntry = json::parse(R"({
  "note": "call-pops-top",
  "ops": {
    "/ops/0": {"events": [{"dealloc": "b"}], "violations": ["CALL-1"]},
    "/ops/2": {"error": "InvalidState", "events": []},
    "/ops/3": {"value": 1}},
  "final": {"level": 1, "live": ["a"], "violations": ["LEAK-2"]}})");

Corpus corpusOf(const json& vector) {
  Corpus corpus;
  const json file{{"schema", "memconform-vectors/1"}, {"area", "call"}, {"description", "d"}, {"vectors", {vector}}};
  corpus.files.push_back(loadVectorFile("t.json", file.dump(), corpus.errors));
  EXPECT_TRUE(corpus.errors.empty());
  return corpus;
}

Expectations expectationsWith(const json& entry) {
  const json doc{{"schema", "memconform-expectations/1"},
                 {"notes", {{"call-pops-top", "CALL-1: the call pops the top scope, not its own"}}},
                 {"vectors", {{kVector["id"].get<std::string>(), entry}}}};
  std::vector<LoadError> errors;
  Expectations e = loadExpectations("e.json", doc.dump(), errors);
  for (const auto& error : errors) ADD_FAILURE() << describe(error);
  return e;
}

// A second planted bug on top of the mutant's: `level` reads one too many
// once a vector has run `after` ops (a new bug where the known one is).
class LevelOffByOne : public ReferenceTarget {
 public:
  LevelOffByOne(Mutant m, std::size_t after) : ReferenceTarget(m), after_(after) {}
  void start(const Vector& v) override {
    ops_ = 0;
    ReferenceTarget::start(v);
  }
  Result<Value> execute(const Op& op, const Args& args) override {
    auto r = ReferenceTarget::execute(op, args);
    if (++ops_ > after_ && op.kind == OpKind::Level && r) return Value(*r->get<double>() + 1);
    return r;
  }

 private:
  std::size_t after_, ops_ = 0;
};

VectorResult replayOne(Target& target, const Expectations& e) {
  ReplayOptions options;
  options.expectations = &e;
  Report report = replay(corpusOf(kVector), target, options);
  EXPECT_EQ(report.results.size(), 1u);
  return report.results.empty() ? VectorResult{} : report.results.front();
}

TEST(KnownFailures, AVectorThatFailsAsListedIsAnExpectedFailure) {
  ReferenceTarget target(Mutant::CallPopsTop);
  const VectorResult r = replayOne(target, expectationsWith(kKnownEntry));
  EXPECT_EQ(r.status, Status::ExpectedFail) << r.reason;
  EXPECT_EQ(r.reason, "CALL-1: the call pops the top scope, not its own");
  EXPECT_FALSE(r.failures.empty());  // the known failures, for a verbose report
}

// The point of per-op entries: a new bug inside an expected vector shows.
TEST(KnownFailures, ASecondFailureInAListedVectorIsAFailure) {
  LevelOffByOne twoBugs(Mutant::CallPopsTop, 4);  // the level of ops/3 (ops/1, the 4th op run, is exact)
  const VectorResult perOp = replayOne(twoBugs, expectationsWith(kKnownEntry));
  ASSERT_EQ(perOp.status, Status::Fail) << perOp.reason;
  ASSERT_EQ(perOp.failures.size(), 1u);
  EXPECT_EQ(perOp.failures[0].pointer, "/vectors/0/ops/3/expect/value");
  EXPECT_EQ(perOp.failures[0].listed, "value 1");  // listed, but as another outcome
  // The older whole-vector form hides it.
  LevelOffByOne again(Mutant::CallPopsTop, 4);
  EXPECT_EQ(replayOne(again, expectationsWith("CALL-1: the call pops the top scope")).status, Status::ExpectedFail);
  // A new failure at an op the entry does not list.
  LevelOffByOne early(Mutant::CallPopsTop, 0);  // ops/1 too
  const VectorResult unlisted = replayOne(early, expectationsWith(kKnownEntry));
  ASSERT_EQ(unlisted.status, Status::Fail);
  EXPECT_EQ(unlisted.failures[0].pointer, "/vectors/0/ops/1/expect/value");
  EXPECT_EQ(unlisted.failures[0].listed, "");
}

TEST(KnownFailures, ListedOpsThatNoLongerFailAsListedAreAnUnexpectedPass) {
  ReferenceTarget fixed;
  const VectorResult r = replayOne(fixed, expectationsWith(kKnownEntry));
  EXPECT_EQ(r.status, Status::UnexpectedPass);
  EXPECT_EQ(r.reason,
            "listed as failing at /ops/0, /ops/2, /ops/3, /final (CALL-1: the call pops the top scope, not its own), "
            "but they do not fail as listed");
  // Listed ops beside the known ones that pass: the entry is stale.
  json stale = kKnownEntry;
  stale["ops"]["/ops/1"] = {{"value", 2}};
  ReferenceTarget mutant(Mutant::CallPopsTop);
  const VectorResult partly = replayOne(mutant, expectationsWith(stale));
  EXPECT_EQ(partly.status, Status::UnexpectedPass);
  EXPECT_NE(partly.reason.find("listed as failing at /ops/1 ("), std::string::npos) << partly.reason;
}

// What an entry leaves out is the vector's own expectation: listing only the
// error of ops/2 still checks its events.
TEST(KnownFailures, AnEntryReplacesOnlyTheFieldsItGives) {
  json entry = kKnownEntry;
  entry["ops"]["/ops/2"] = {{"error", "InvalidState"}};  // the vector's events [dealloc b] stay
  ReferenceTarget target(Mutant::CallPopsTop);
  const VectorResult r = replayOne(target, expectationsWith(entry));
  ASSERT_EQ(r.status, Status::Fail);
  EXPECT_EQ(r.failures[0].pointer, "/vectors/0/ops/2/expect/events");
  // The end state: a known "final" that gives only the level keeps `live: []`.
  entry = kKnownEntry;
  entry["final"] = {{"level", 1}, {"violations", {"LEAK-2"}}};
  ReferenceTarget again(Mutant::CallPopsTop);
  const VectorResult end = replayOne(again, expectationsWith(entry));
  ASSERT_EQ(end.status, Status::Fail);
  EXPECT_EQ(end.failures.back().pointer, "/vectors/0/final/live");
}

TEST(KnownFailures, WholeVectorEntriesAreWarnedAbout) {
  ReferenceTarget target(Mutant::CallPopsTop);
  const Expectations e = expectationsWith("CALL-1: the call pops the top scope");
  ReplayOptions options;
  options.expectations = &e;
  const Report report = replay(corpusOf(kVector), target, options);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("1 entry covers a whole vector (a reason alone): any other failure in such a vector is hidden"),
            std::string::npos);
}

TEST(KnownFailures, MalformedEntriesAreRefusedWithPointers) {
  const std::string id = kVector["id"];
  const std::string at = "/vectors/call~1known~1body-leaves-a-scope-pushed";
  for (const auto& [entry, pointer] : std::vector<std::pair<json, std::string>>{
           {json::parse(R"({"note": "nope", "ops": {"/ops/0": {"ok": true}}})"), at + "/note"},
           {json::parse(R"({"note": "call-pops-top", "reason": "CALL-1: x", "ops": {"/ops/0": {"ok": true}}})"), at},
           {json::parse(R"({"reason": "no rule", "ops": {"/ops/0": {"ok": true}}})"), at + "/reason"},
           {json::parse(R"({"note": "call-pops-top"})"), at},
           {json::parse(R"({"note": "call-pops-top", "ops": {"ops/0": {"ok": true}}})"), at + "/ops/ops~10"},
           {json::parse(R"({"note": "call-pops-top", "ops": {"/ops/0": {}}})"), at + "/ops/~1ops~10"},
           {json::parse(R"({"note": "call-pops-top", "ops": {"/ops/0": {"type": "pointer"}}})"), at + "/ops/~1ops~10/type"},
           {json::parse(R"({"note": "call-pops-top", "ops": {"/ops/0": {"error": "Nope"}}})"), at + "/ops/~1ops~10/error"},
           {json::parse(R"({"note": "call-pops-top", "ops": {"/ops/0": {"acceptable": []}}})"), at + "/ops/~1ops~10/acceptable"},
           {json::parse(R"({"note": "call-pops-top", "final": {"level": -1}})"), at + "/final/level"},
           {json::parse(R"({"note": "call-pops-top", "final": {}})"), at + "/final"},
           {json::parse(R"({"note": "call-pops-top", "ops": {"/ops/0": {"ok": true}}, "x": 1})"), at + "/x"}}) {
    const json doc{{"schema", "memconform-expectations/1"},
                   {"notes", {{"call-pops-top", "CALL-1: pops the top"}}},
                   {"vectors", {{id, entry}}}};
    std::vector<LoadError> errors;
    loadExpectations("e.json", doc.dump(), errors);
    ASSERT_FALSE(errors.empty()) << entry.dump();
    EXPECT_EQ(errors[0].pointer, pointer) << entry.dump() << ": " << describe(errors[0]);
    EXPECT_EQ(errors[0].vectorId, id);
  }
  std::vector<LoadError> errors;
  loadExpectations("e.json", R"({"schema": "memconform-expectations/1", "notes": {"n": "no rule named"}, "fuzz": {}})", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/notes/n");
}

}  // namespace
}  // namespace memconform::conformance
