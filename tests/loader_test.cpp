// The vector loader and runner on hostile input: truncated, mistyped, deeply
// nested and oversized JSON, unknown ops, and a wrong value in every field of
// a real vector file. Nothing may crash (this suite runs under ASan+UBSan);
// every problem names the file, the vector id and the JSON pointer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations.h"
#include "conformance/runner/loader.h"
#include "conformance/runner/writer.h"
#include "support.h"
#include "tests/scratch_dir.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/reference_target.h"

namespace memconform::conformance {
namespace {

using memconform::testing::readProjectFile;

using nlohmann::json;

std::vector<LoadError> errorsOf(const std::string& text, VectorFile* out = nullptr) {
  std::vector<LoadError> errors;
  VectorFile f = loadVectorFile("t.json", text, errors);
  if (out) *out = f;
  return errors;
}

json fileWith(json vectors) {
  return {{"schema", "memconform-vectors/1"}, {"area", "t"}, {"description", "d"}, {"vectors", vectors}};
}

json oneVector(json ops) {
  return {{"id", "t/v"}, {"rules", {"SCOPE-1"}}, {"source", "seed"}, {"ops", ops}};
}

// The single error of loading `vector`, which must name file, id and pointer.
LoadError onlyError(const json& vector) {
  const auto errors = errorsOf(fileWith(json::array({vector})).dump());
  EXPECT_EQ(errors.size(), 1u) << [&] {
    std::string all;
    for (const auto& e : errors) all += describe(e) + "\n";
    return all;
  }();
  return errors.empty() ? LoadError{} : errors.front();
}

TEST(Loader, AValidFileLoads) {
  VectorFile f;
  const auto errors = errorsOf(fileWith(json::array({oneVector({{{"op", "push"}, {"as", "s"}}, {{"op", "pop"}, {"scope", "s"}}})})).dump(), &f);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(f.vectors.size(), 1u);
  EXPECT_EQ(f.vectors[0].ops.size(), 2u);
}

// A long string written short ({"repeat", "count"}) is checked where it is
// and stays short in the vector's JSON (what a driver with repeat-strings gets).
TEST(Loader, LongStringsWrittenShortAreCheckedAndStayShort) {
  const auto argv = [](json element) {
    return oneVector({{{"op", "push"}}, {{"op", "scopedAllocMainArgv"}, {"list", {"a", element}}}});
  };
  EXPECT_EQ(onlyError(argv({{"repeat", "ab"}, {"count", 33554433}})).pointer, "/vectors/0/ops/1/list/1");  // 64 MiB + 2 bytes
  EXPECT_EQ(onlyError(argv({{"repeat", ""}, {"count", 3}})).pointer, "/vectors/0/ops/1/list/1");
  EXPECT_EQ(onlyError(argv({{"repeat", "ab"}, {"count", -1}})).pointer, "/vectors/0/ops/1/list/1/count");
  EXPECT_EQ(onlyError(argv({{"repeat", "ab"}, {"count", 2}, {"times", 2}})).pointer, "/vectors/0/ops/1/list/1/times");
  EXPECT_EQ(onlyError(argv({{"repeat", "ab"}})).pointer, "/vectors/0/ops/1/list/1");
  VectorFile f;
  ASSERT_TRUE(errorsOf(fileWith(json::array({argv({{"repeat", "ab"}, {"count", 33554432}})})).dump(), &f).empty());
  const json written = toJson(f.vectors[0]);
  EXPECT_EQ(written["ops"][1]["list"][1], (json{{"repeat", "ab"}, {"count", 33554432}}));
  EXPECT_EQ(std::get<Repeat>(std::get<std::vector<Expr>>(f.vectors[0].ops[1].args["list"].form)[1].form).expanded().size(), 64u << 20);
}

// A long string written short is its text `count` times over, byte for
// byte, for any text length and across 2-MiB boundaries (the expansion
// copies what it has after itself into a buffer advised to huge pages).
TEST(Repeat, ExpandedIsTheTextCountTimesOver) {
  for (const std::string text : {"a", "ab", "xyz", "0123456789abcdefg"}) {
    for (const std::uint64_t count : {0ull, 1ull, 2ull, 3ull, 7ull, 1000ull, (3ull << 20) / text.size() + 1}) {
      std::string naive;
      for (std::uint64_t i = 0; i < count; ++i) naive += text;
      const std::string got = Repeat{text, count}.expanded();
      ASSERT_EQ(got.size(), naive.size()) << text << " x " << count;
      EXPECT_TRUE(got == naive) << text << " x " << count << ": first difference at "
                                << std::distance(got.begin(), std::mismatch(got.begin(), got.end(), naive.begin()).first);
    }
  }
}

// A string given back is handed out again only for the same text and count,
// and only as it was: the next op that passes the same long string reuses
// its pages instead of mapping new ones.
TEST(Repeat, TakeHandsOutWhatRecycleGaveBackForTheSameTextAndCountOnly) {
  const Repeat mib{"ab", 1u << 19}, shorter{"ab", (1u << 19) - 1}, other{"ba", 1u << 19};
  std::string first = mib.take();
  ASSERT_TRUE(first == mib.expanded());
  const char* pages = first.data();
  mib.recycle(std::move(first));
  EXPECT_TRUE(other.take() == other.expanded());
  const std::string forShorter = shorter.take();
  EXPECT_NE(forShorter.data(), pages);
  EXPECT_TRUE(forShorter == shorter.expanded());
  std::string again = mib.take();
  EXPECT_EQ(again.data(), pages);
  EXPECT_TRUE(again == mib.expanded());
  mib.recycle(std::string("not its expansion"));  // a wrong length is not kept
  EXPECT_TRUE(mib.take() == mib.expanded());
}

// Every copy of a string an op held is kept (an argv of several long
// strings), up to 64 MiB of strings together, the oldest given back dropped
// first. (A string is known by its pages: the tests build with ASan, whose
// quarantine keeps a dropped string's addresses from the next ones.)
TEST(Repeat, RecycleKeepsEveryCopyUpTo64MiBDroppingTheOldestFirst) {
  const std::size_t mibs = 64;
  const Repeat filler{"xy", 1u << 19}, mib{"ab", 1u << 19};
  {  // Whatever earlier tests left is dropped: 64 MiB of another string.
    std::vector<std::string> held;
    for (std::size_t i = 0; i < mibs; ++i) held.push_back(filler.take());
    for (auto& s : held) filler.recycle(std::move(s));
  }
  std::vector<std::string> held;
  std::vector<const char*> pages;  // oldest given back first
  for (std::size_t i = 0; i < mibs + 6; ++i) {
    held.push_back(mib.take());
    pages.push_back(held.back().data());
  }
  for (auto& s : held) mib.recycle(std::move(s));
  held.clear();
  for (std::size_t i = 0; i < mibs + 6; ++i) held.push_back(mib.take());
  const std::string want = mib.expanded();
  std::size_t reused = 0, reusedOfTheOldest = 0;
  for (const auto& s : held) {
    const auto at = std::find(pages.begin(), pages.end(), s.data());
    reused += at != pages.end();
    reusedOfTheOldest += at != pages.end() && at - pages.begin() < 6;
    ASSERT_TRUE(s == want);
  }
  EXPECT_EQ(reused, mibs);
  EXPECT_EQ(reusedOfTheOldest, 0u);
}

// A short string is not worth keeping, and however many strings come back
// the list take() searches stays short (at most 64).
TEST(Repeat, RecycleKeepsAtMost64StringsAndNoShortOnes) {
  auto page = [](std::uint64_t i) { return Repeat{"ab", 2048 + i}; };  // 4 KiB and more
  for (std::uint64_t i = 0; i < 200; ++i) page(i).recycle(page(i).take());
  EXPECT_EQ(Repeat::kept(), 64u);
  for (std::uint64_t i = 136; i < 200; ++i) (void)page(i).take();  // the 64 kept, the newest
  ASSERT_EQ(Repeat::kept(), 0u) << "the kept strings were not the 64 newest";
  for (std::uint64_t count = 1; count < 4096; count += 97) {
    const Repeat shortOne{"x", count};
    shortOne.recycle(shortOne.take());
  }
  EXPECT_EQ(Repeat::kept(), 0u) << "a string under 4 KiB was kept";
  page(0).recycle(page(0).take());
  EXPECT_EQ(Repeat::kept(), 1u);
}

TEST(Loader, TruncatedJsonNamesTheFile) {
  const std::string text = fileWith(json::array({oneVector({{{"op", "push"}}})})).dump();
  for (std::size_t cut = 0; cut < text.size(); cut += 7) {
    const auto errors = errorsOf(text.substr(0, cut));
    ASSERT_FALSE(errors.empty()) << "cut at " << cut;
    EXPECT_EQ(errors[0].file, "t.json");
    EXPECT_NE(errors[0].message.find("not valid JSON"), std::string::npos);
  }
}

TEST(Loader, DeepNestingIsRefusedNotOverflowed) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(errorsOf(deep).empty());
  // Deeply nested calls: refused at kMaxCallDepth with a pointer.
  json body = json::array({{{"op", "push"}}});
  for (int i = 0; i < 200; ++i) body = json::array({{{"op", "call"}, {"body", body}}});
  const auto e = onlyError(oneVector(body));
  EXPECT_NE(e.message.find("nested deeper"), std::string::npos);
  EXPECT_EQ(e.vectorId, "t/v");
  // Deeply nested literal and expected values.
  json value = 1;
  for (int i = 0; i < 100; ++i) value = json::array({value});
  EXPECT_NE(onlyError(oneVector({{{"op", "level"}, {"expect", {{"value", value}}}}})).message.find("nested too deeply"), std::string::npos);
  EXPECT_NE(onlyError(oneVector({{{"op", "push"}}, {{"op", "scopedAllocCString"}, {"value", value}}})).message.find("nested too deeply"),
            std::string::npos);
}

// Ids, rule IDs and strings of 100,000 characters: checked without
// std::regex, whose matcher recurses once per character and overflowed the
// stack on them (a 100,000-character id crashed replay and validate).
TEST(Loader, LongStringsAreJudgedWithoutOverflowingTheStack) {
  const std::string longWord(100000, 'a');
  VectorFile f;
  json v = oneVector({{{"op", "push"}}, {{"op", "scopedAllocCString"}, {"value", longWord}}, {{"op", "pop"}}});
  v["id"] = "t/" + longWord;
  EXPECT_TRUE(errorsOf(fileWith(json::array({v})).dump(), &f).empty());
  ASSERT_EQ(f.vectors.size(), 1u);
  v["id"] = "t/" + longWord + "A";
  EXPECT_EQ(onlyError(v).pointer, "/vectors/0/id");
  v["id"] = "t/v";
  v["rules"] = {"SCOPE-" + std::string(100000, '1') + "x"};
  EXPECT_EQ(onlyError(v).pointer, "/vectors/0/rules/0");
}

TEST(Loader, RuleAndVectorIdPatterns) {
  for (const char* id : {"SCOPE-5", "A-0", "GROW-123"}) EXPECT_TRUE(isRuleId(id)) << id;
  for (const char* id : {"", "SCOPE", "SCOPE-", "-5", "Scope-5", "SCOPE-5a", "SCOPE--5", "SCOPE 5"}) EXPECT_FALSE(isRuleId(id)) << id;
  for (const char* text : {"SCOPE-5: pops", "see ALIGN-1 (section 12)", "(GROW-3, GROW-5)", "A-1-B"})
    EXPECT_TRUE(mentionsRuleId(text)) << text;
  for (const char* text : {"no rule", "emscripten-3.1.70", "sqlite-wasm-3", "xSCOPE-5", "SCOPE-5x", "scope-5"})
    EXPECT_FALSE(mentionsRuleId(text)) << text;
  for (const char* id : {"a", "scope/pop/non-top", "grow/heap-sizes/from-1537-pages-request-0", "a.b_c-d/0"})
    EXPECT_TRUE(isVectorId(id)) << id;
  for (const char* id : {"", "/a", "a/", "a//b", "A", "a/B", "-a", "a/.b", "a b"}) EXPECT_FALSE(isVectorId(id)) << id;
}

TEST(Loader, HugeNumbersAreErrorsWithPointers) {
  EXPECT_NE(errorsOf(R"({"schema":"memconform-vectors/1","area":"t","description":"d","vectors":[{"x":1e400}]})")[0].message.find("not valid JSON"),
            std::string::npos);
  const auto e = onlyError(oneVector({{{"op", "uninstallFunction"}, {"index", 1e300}}}));
  EXPECT_EQ(e.pointer, "/vectors/0/ops/0/index");
  const auto m = onlyError({{"id", "t/v"}, {"rules", {"MEM-1"}}, {"source", "wasm"}, {"setup", {{"memory", {{"maximumPages", 1e19}}}}},
                           {"ops", {{{"op", "byteLength"}}}}});
  EXPECT_EQ(m.pointer, "/vectors/0/setup/memory/maximumPages");
}

TEST(Loader, UnknownOpsAndFieldsAreNamed) {
  EXPECT_EQ(onlyError(oneVector({{{"op", "frobnicate"}}})).pointer, "/vectors/0/ops/0/op");
  EXPECT_EQ(onlyError(oneVector({{{"op", "push"}, {"size", 8}}})).pointer, "/vectors/0/ops/0/size");
  EXPECT_EQ(onlyError(oneVector({{{"op", "alloc"}}})).pointer, "/vectors/0/ops/0/size");
  EXPECT_EQ(onlyError(oneVector({{{"op", "push"}, {"expect", {{"eror", "InvalidState"}}}}})).pointer, "/vectors/0/ops/0/expect/eror");
  EXPECT_EQ(onlyError(oneVector({{{"op", "push"}, {"expect", {{"error", "Oops"}}}}})).pointer, "/vectors/0/ops/0/expect/error");
  auto v = oneVector({{{"op", "push"}}});
  v["extra"] = 1;
  EXPECT_EQ(onlyError(v).pointer, "/vectors/0/extra");
}

TEST(Loader, NamesMustBeBoundBeforeUse) {
  EXPECT_EQ(onlyError(oneVector({{{"op", "dealloc"}, {"ptr", "p"}}})).pointer, "/vectors/0/ops/0/ptr");
  EXPECT_EQ(onlyError(oneVector({{{"op", "alloc"}, {"size", 8}, {"as", "p"}}, {{"op", "alloc"}, {"size", 8}, {"as", "p"}}})).pointer,
            "/vectors/0/ops/1/as");
  EXPECT_EQ(onlyError(oneVector({{{"op", "peek"}, {"address", "p+x"}}})).pointer, "/vectors/0/ops/0/address");
  EXPECT_EQ(onlyError(oneVector({{{"op", "alloc"}, {"size", 8}, {"as", "NaN"}}})).pointer, "/vectors/0/ops/0/as");
}

TEST(Loader, ThrowOnlyInsideCallsAndNeverBeforeOtherOps) {
  EXPECT_EQ(onlyError(oneVector({{{"op", "throw"}}})).pointer, "/vectors/0/ops/0");
  EXPECT_EQ(onlyError(oneVector({{{"op", "call"}, {"body", {{{"op", "throw"}, {"frames", 2}}}}}})).pointer,
            "/vectors/0/ops/0/body/0/frames");
  EXPECT_EQ(onlyError(oneVector({{{"op", "call"}, {"body", {{{"op", "throw"}}, {{"op", "push"}}}}}})).pointer,
            "/vectors/0/ops/0/body/1");
}

TEST(Loader, DuplicateKeysAndIdsAreErrors) {
  EXPECT_NE(errorsOf(R"({"schema":"memconform-vectors/1","schema":"x","area":"t","description":"d","vectors":[]})")[0]
                .message.find("duplicate key"),
            std::string::npos);
  const auto errors = errorsOf(fileWith(json::array({oneVector({{{"op", "push"}}}), oneVector({{{"op", "push"}}})})).dump());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/vectors/1/id");
}

TEST(Loader, CapabilitiesAndFlagsAreChecked) {
  auto v = oneVector({{{"op", "push"}}});
  v["requires"] = {"teleport"};
  EXPECT_EQ(onlyError(v).pointer, "/vectors/0/requires/0");
  const auto errors = errorsOf(fileWith(json::array({oneVector(
      {{{"op", "level"}, {"expect", {{"acceptable", {{{"flag", "f"}, {"value", 0}}, {{"flag", "g"}, {"value", 1}}}}}}}})})).dump());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/vectors/0/ops/0/expect/acceptable/0/flag");
  EXPECT_EQ(errors[1].pointer, "/vectors/0/ops/0/expect/acceptable/1/flag");
}

TEST(Loader, OtherVectorsOfAFileStillLoad) {
  VectorFile f;
  const auto errors = errorsOf(
      fileWith(json::array({oneVector({{{"op", "nope"}}}), {{"id", "t/ok"}, {"rules", {"SCOPE-1"}}, {"source", "seed"}, {"ops", {{{"op", "push"}}}}}}))
          .dump(),
      &f);
  EXPECT_EQ(errors.size(), 1u);
  ASSERT_EQ(f.vectors.size(), 1u);
  EXPECT_EQ(f.vectors[0].id, "t/ok");
}

// Walks every value of `j` with its JSON pointer.
void forEachPointer(const json& j, const std::string& pointer, const std::function<void(const std::string&)>& visit) {
  visit(pointer);
  if (j.is_object())
    for (const auto& [k, v] : j.items()) forEachPointer(v, pointer + "/" + k, visit);
  else if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) forEachPointer(j[i], pointer + "/" + std::to_string(i), visit);
}


// Every field of real vector files replaced by every wrong kind of value: the
// loader reports an error at (or above) that place, or the vector loads and
// then runs on the reference without crashing.
TEST(Loader, AWrongValueInEveryFieldNeverCrashes) {
  const json wrongs = json::array({nullptr, true, -1, 1.5, 1e300, "zz", "5n", json::array({1, "a"}), json::object()});
  std::size_t mutants = 0, refused = 0, ran = 0;
  for (const char* file : {"conformance/vectors/call/scoped-call.json", "conformance/vectors/scope/ptr-argv.json",
                           "conformance/vectors/view/views.json"}) {
    const json doc = json::parse(readProjectFile(file));
    json header = doc;
    header.erase("vectors");
    // Sample the vectors so that the suite stays fast: every third one.
    for (std::size_t vi = 0; vi < doc["vectors"].size(); vi += 3) {
      const json vector = doc["vectors"][vi];
      if (vector.dump().size() > 4000) continue;  // the 64 KiB argv strings
      forEachPointer(vector, "", [&](const std::string& pointer) {
        if (pointer.empty()) return;
        for (const auto& wrong : wrongs) {
          json mutated = vector;
          mutated[json::json_pointer(pointer)] = wrong;
          json f = header;
          f["vectors"] = json::array({mutated});
          std::vector<LoadError> errors;
          VectorFile loaded = loadVectorFile(file, f.dump(), errors);
          ++mutants;
          for (const auto& e : errors) {
            ASSERT_EQ(e.file, file);
            ASSERT_FALSE(e.pointer.empty()) << describe(e);
            ASSERT_EQ(e.pointer.rfind("/vectors/0", 0), 0u) << describe(e);
          }
          if (!errors.empty()) {
            ++refused;
            continue;
          }
          for (const auto& v : loaded.vectors) {
            ReferenceTarget target;
            runVector(v, target);  // any outcome but a crash
            ++ran;
          }
        }
      });
    }
  }
  EXPECT_GT(refused, mutants / 2);
  EXPECT_GT(ran, 0u);
  std::cout << mutants << " mutated vectors: " << refused << " refused by the loader, " << ran << " ran\n";
}

TEST(Replay, MalformedVectorsAreErrorResultsAndTheRestRuns) {
  Corpus corpus;
  corpus.files.push_back(loadVectorFile(
      "t.json",
      fileWith(json::array({oneVector({{{"op", "nope"}}}),
                            {{"id", "t/ok"}, {"rules", {"SCOPE-1"}}, {"source", "seed"}, {"ops", {{{"op", "push"}}, {{"op", "pop"}}}}}}))
          .dump(),
      corpus.errors));
  ReferenceTarget target;
  const Report report = replay(corpus, target, {});
  EXPECT_EQ(report.count(Status::Error), 1u);
  EXPECT_EQ(report.count(Status::Pass), 1u);
  EXPECT_EQ(report.exitCode(), 1);
  std::ostringstream junit;
  writeJunit(report, junit);
  EXPECT_NE(junit.str().find("<error type=\"error\" message=\"t.json: vector t/v: /vectors/0/ops/0/op: unknown op"), std::string::npos);
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

// The reference, declaring only some capabilities and refusing the views.
class NarrowTarget : public ReferenceTarget {
 public:
  const std::set<std::string>& capabilities() const override { return caps_; }
  Result<Value> execute(const Op& op, const Args& args) override {
    if (op.kind == OpKind::Heap) throw Unsupported("no views here");
    return ReferenceTarget::execute(op, args);
  }

 private:
  std::set<std::string> caps_{"views"};
};

TEST(Replay, MissingCapabilitiesAndUnsupportedOpsAreSkipped) {
  Corpus corpus;
  corpus.files.push_back(loadVectorFile("t.json", fileWith(json::array({
      {{"id", "t/i64"}, {"rules", {"PEEK-3"}}, {"source", "ecma"},
       {"ops", {{{"op", "alloc"}, {"size", 8}, {"as", "p"}}, {{"op", "peek"}, {"address", "p"}, {"type", "i64"}}}}},
      {{"id", "t/view"}, {"rules", {"VIEW-1"}}, {"source", "seed"}, {"ops", {{{"op", "heap"}, {"type", "u8"}}}}},
      {{"id", "t/plain"}, {"rules", {"SCOPE-1"}}, {"source", "seed"}, {"ops", {{{"op", "push"}}, {{"op", "pop"}}}}}})).dump(),
      corpus.errors));
  ASSERT_TRUE(corpus.errors.empty());
  NarrowTarget target;
  const Report report = replay(corpus, target, {});
  ASSERT_EQ(report.results.size(), 3u);
  EXPECT_EQ(report.results[0].status, Status::Skipped);
  EXPECT_NE(report.results[0].reason.find("requires i64"), std::string::npos);
  EXPECT_EQ(report.results[1].status, Status::Skipped);
  EXPECT_EQ(report.results[1].reason, "no views here");
  EXPECT_EQ(report.results[2].status, Status::Pass);
  EXPECT_EQ(report.exitCode(), 0);
}

// A run that reaches no verdict fails, and says why: a target that skips
// every vector (the "mutant" of a driver that declares nothing), a filter
// that matches none, files without vectors, no file at all. Before, each
// of these exited 0 with "OK".
TEST(Replay, ARunThatComparesNothingFailsAndSaysWhy) {
  Corpus corpus;
  corpus.files.push_back(loadVectorFile("t.json", fileWith(json::array({
      {{"id", "t/i64"}, {"rules", {"PEEK-3"}}, {"source", "ecma"},
       {"ops", {{{"op", "alloc"}, {"size", 8}, {"as", "p"}}, {{"op", "peek"}, {"address", "p"}, {"type", "i64"}}}}},
      {{"id", "t/view"}, {"rules", {"VIEW-1"}}, {"source", "seed"}, {"ops", {{{"op", "heap"}, {"type", "u8"}}}}}})).dump(),
      corpus.errors));
  ASSERT_TRUE(corpus.errors.empty());
  NarrowTarget narrow;
  const Report skipped = replay(corpus, narrow, {});
  EXPECT_EQ(skipped.count(Status::Skipped), 2u);
  EXPECT_EQ(skipped.exitCode(), 1);
  EXPECT_EQ(skipped.nothingCompared.rfind("the target skipped all 2 vectors, the first (t/i64) because: ", 0), 0u)
      << skipped.nothingCompared;
  ReplayOptions oneOfThem;
  oneOfThem.filter = "t/view";
  EXPECT_EQ(replay(corpus, narrow, oneOfThem).nothingCompared, "the target skipped the only vector, the first (t/view) because: no views here");

  ReferenceTarget reference;
  EXPECT_EQ(replay(corpus, reference, {}).exitCode(), 0);  // the reference runs both
  ReplayOptions typo;
  typo.filter = "t/i46";
  const Report none = replay(corpus, reference, typo);
  EXPECT_TRUE(none.results.empty());
  EXPECT_EQ(none.exitCode(), 1);
  EXPECT_EQ(none.nothingCompared, "the filter \"t/i46\" matches none of the 2 vectors in 1 file");

  Corpus empty;
  empty.files.push_back(loadVectorFile("e.json", fileWith(json::array()).dump(), empty.errors));
  ASSERT_TRUE(empty.errors.empty());
  EXPECT_EQ(replay(empty, reference, {}).nothingCompared, "the 1 file holds no vectors");
  EXPECT_EQ(replay(empty, reference, {}).exitCode(), 1);
  EXPECT_EQ(replay(Corpus{}, reference, {}).nothingCompared, "no vector file was found in the paths given");

  // A malformed vector already fails the run and names itself: no second reason.
  Corpus broken;
  broken.files.push_back(loadVectorFile("b.json", fileWith(json::array({{{"id", "b/x"}}})).dump(), broken.errors));
  ASSERT_FALSE(broken.errors.empty());
  const Report malformed = replay(broken, reference, {});
  EXPECT_EQ(malformed.exitCode(), 1);
  EXPECT_EQ(malformed.nothingCompared, "");
}

TEST(Expectations, HostileFilesAreRefusedWithPointers) {
  for (const std::string& text : std::vector<std::string>{"", "{", "[]", "{\"schema\":1}", std::string(100000, '['),
                                 R"({"schema":"memconform-expectations/1","vectors":[]})",
                                 R"({"schema":"memconform-expectations/1","vectors":{"a":1}})",
                                 R"({"schema":"memconform-expectations/1","vectors":{"a":"no rule"},"x":1})"}) {
    std::vector<LoadError> errors;
    loadExpectations("e.json", text, errors);
    ASSERT_FALSE(errors.empty()) << text.substr(0, 40);
    EXPECT_EQ(errors[0].file, "e.json");
  }
  std::vector<LoadError> errors;
  const auto e = loadExpectations("e.json", R"({"schema":"memconform-expectations/1","vectors":{"a/b":"SCOPE-5: pops the top"}})", errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_NE(e.find("a/b"), nullptr);
  EXPECT_EQ(e.find("a/b")->reason, "SCOPE-5: pops the top");
  EXPECT_TRUE(e.find("a/b")->failures.wholeVector());
}

// An expectations file is for the target it names (a file without one fits
// any): used for another, its known failures would mask that one's.
TEST(Expectations, AFileIsForTheTargetItNames) {
  std::vector<LoadError> errors;
  const auto e = loadExpectations("e.json", R"({"schema":"memconform-expectations/1","target":"cmd:node d.mjs --release 1",
      "vectors":{"a/b":"SCOPE-5: pops the top"}})", errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(targetMismatch(e, "cmd:node d.mjs --release 1"), "");
  EXPECT_EQ(targetMismatch(e, "cmd:node d.mjs --release 2"),
            "e.json is for target \"cmd:node d.mjs --release 1\", not \"cmd:node d.mjs --release 2\": its known failures are "
            "another implementation's (name that target, or change the file's \"target\")");
  const auto any = loadExpectations("e.json", R"({"schema":"memconform-expectations/1","vectors":{"a/b":"SCOPE-5: x"}})", errors);
  EXPECT_EQ(targetMismatch(any, "reference"), "");
}

// A wasm: target names a file: the same module by another path is the same
// target (the file names it relative to where the project runs from); another
// module, or the same one with other exports, is not.
TEST(Expectations, AWasmTargetIsItsModuleByAnyPath) {
  const auto dir = testing::scratchDir() / "pkg" / "dist";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "m.wasm") << "";
  const std::string file = "wasm:pkg/dist/m.wasm?malloc=a&free=b";
  EXPECT_TRUE(namesTarget(file, "wasm:" + (dir / "m.wasm").string() + "?malloc=a&free=b"));
  EXPECT_TRUE(namesTarget(file, "wasm:" + (dir / ".." / "dist" / "m.wasm").string() + "?malloc=a&free=b"));
  EXPECT_FALSE(namesTarget(file, "wasm:" + (dir / "m.wasm").string()));                     // other exports
  EXPECT_FALSE(namesTarget(file, "wasm:" + (dir / "m.wasm").string() + "?malloc=a&free=c"));
  EXPECT_FALSE(namesTarget("wasm:other/dist/m.wasm?malloc=a&free=b", "wasm:" + (dir / "m.wasm").string() + "?malloc=a&free=b"));
  EXPECT_FALSE(namesTarget(file, "reference"));
  EXPECT_TRUE(namesTarget("reference", "reference"));
}

// The "fuzz" section: known fuzz findings by signature after the target
// (OP/RULE), each with a reason; a file may have only that section.
TEST(Expectations, KnownFuzzFindingsAreNamedByOpAndRule) {
  std::vector<LoadError> errors;
  const auto e = loadExpectations("e.json", R"({"schema":"memconform-expectations/1",
      "fuzz":{"pop/SCOPE-5":"upstream pops the top","sequence/LEAK-2":"leaks at the end"}})", errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : describe(errors[0]));
  ASSERT_NE(e.reasonForFinding("pop", "SCOPE-5"), nullptr);
  EXPECT_EQ(*e.reasonForFinding("pop", "SCOPE-5"), "upstream pops the top");
  EXPECT_NE(e.reasonForFinding("sequence", "LEAK-2"), nullptr);
  EXPECT_EQ(e.reasonForFinding("pop", "SCOPE-4"), nullptr);
  EXPECT_EQ(e.reasonForFinding("push", "SCOPE-5"), nullptr);
  EXPECT_TRUE(e.vectors.empty());
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"pop", R"("why")"}, {"frobnicate/SCOPE-5", R"("why")"}, {"pop/scope-5", R"("why")"},
           {"pop/SCOPE-5/", R"("why")"}, {"pop/SCOPE-5/a b", R"("why")"}, {"pop/SCOPE-5/a/b", R"("why")"},
           {"pop/SCOPE-5", R"("")"}, {"pop/SCOPE-5", "3"}}) {
    std::vector<LoadError> bad;
    loadExpectations("e.json", R"({"schema":"memconform-expectations/1","fuzz":{")" + key + "\":" + value + "}}", bad);
    ASSERT_EQ(bad.size(), 1u) << key << " " << value;
    std::string token;  // JSON pointer escaping
    for (char c : key) token += c == '/' ? std::string("~1") : std::string(1, c);
    EXPECT_EQ(bad[0].pointer, "/fuzz/" + token);
  }
  std::vector<LoadError> notAnObject;
  loadExpectations("e.json", R"({"schema":"memconform-expectations/1","fuzz":[]})", notAnObject);
  ASSERT_EQ(notAnObject.size(), 1u);
  EXPECT_EQ(notAnObject[0].pointer, "/fuzz");
  std::vector<LoadError> unreadable;
  readExpectations("/nonexistent/e.json", unreadable);
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_EQ(unreadable[0].file, "/nonexistent/e.json");
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

// A call's result names what its body failed to bind: a failure at
// /result, while the call itself still pops its scope and returns (CALL-1).
TEST(Replay, ACallResultLeftUnboundIsAFailureNotAnException) {
  Corpus corpus;
  corpus.files.push_back(loadVectorFile("t.json", fileWith(json::array({
      {{"id", "t/result"}, {"rules", {"CALL-1"}}, {"source", "seed"},
       {"ops", {{{"op", "call"}, {"result", "p"},
                 {"body", {{{"op", "scopedAlloc"}, {"size", 3000000000.0}, {"as", "p"}, {"expect", {{"error", "AllocFailed"}}}}}}},
                {{"op", "level"}, {"expect", {{"value", 0}}}}}}}})).dump(),
      corpus.errors));
  ASSERT_TRUE(corpus.errors.empty());
  ReferenceTarget target;
  const Report report = replay(corpus, target, {});
  ASSERT_EQ(report.results.size(), 1u);
  ASSERT_EQ(report.results[0].failures.size(), 1u);
  EXPECT_EQ(report.results[0].failures[0].pointer, "/vectors/0/ops/0/result");
}


// Like upstream after memory.grow(0): scopedAllocCString allocates its block
// (the alloc event is seen), then fails writing through a detached view.
class CStringFailsAfterAlloc : public ReferenceTarget {
 public:
  Result<Value> execute(const Op& op, const Args& args) override {
    auto r = ReferenceTarget::execute(op, args);
    if (op.kind == OpKind::ScopedAllocCString) return fail(ErrorKind::TypeError, "detached ArrayBuffer");
    return r;
  }
};

// An event pattern of a failed op binds nothing for the ops after it, as
// `as` does not (docs/DRIVER_PROTOCOL.md: a driver answers null for an op
// naming what an earlier failed op never bound), so runner and driver agree
// on which ops run.
TEST(Replay, EventPatternsOfAFailedOpBindNothing) {
  Corpus corpus;
  corpus.files.push_back(loadVectorFile("t.json", fileWith(json::array({
      {{"id", "t/bound-by-events"}, {"rules", {"SCOPE-8"}}, {"source", "seed"},
       {"ops", {{{"op", "push"}, {"as", "s"}},
                {{"op", "scopedAllocCString"}, {"value", "abc"}, {"expect", {{"events", {{{"alloc", "c"}, {"size", 4}}}}}}},
                {{"op", "peek"}, {"address", "c"}, {"expect", {{"value", 97}}}},
                {{"op", "pop"}, {"scope", "s"}}}}}})).dump(),
      corpus.errors));
  ASSERT_TRUE(corpus.errors.empty());
  ReferenceTarget reference;
  EXPECT_EQ(replay(corpus, reference, {}).exitCode(), 0);
  CStringFailsAfterAlloc failing;
  const Report report = replay(corpus, failing, {});
  ASSERT_EQ(report.results.size(), 1u);
  bool peekUnbound = false;
  for (const auto& f : report.results[0].failures)
    peekUnbound |= f.pointer == "/vectors/0/ops/2" && f.actual.find("\"c\" is not bound") != std::string::npos;
  EXPECT_TRUE(peekUnbound);
}
}  // namespace
}  // namespace memconform::conformance
