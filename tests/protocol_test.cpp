// The driver protocol (conformance/runner/protocol.h): what the reference
// driver answers parses back into exactly what the executor observed, for
// every vector of the corpus; and responses that break the protocol are
// refused with the JSON pointer of the bad field.
#include "conformance/runner/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>

#include "conformance/runner/loader.h"
#include "conformance/targets/reference_target.h"
#include "tests/support.h"

namespace memconform::conformance {
namespace {

using nlohmann::json;

void expectSameResults(const std::vector<Op>& ops, const std::vector<std::optional<protocol::OpResult>>& results,
                       const std::map<const Op*, const Observed*>& observed, const std::string& where) {
  ASSERT_EQ(ops.size(), results.size()) << where;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto it = observed.find(&ops[i]);
    ASSERT_EQ(it != observed.end(), results[i].has_value()) << where << "/" << i;
    if (!results[i]) continue;
    const Observed& o = *it->second;
    const protocol::OpResult& r = *results[i];
    EXPECT_EQ(o.error, r.error) << where << "/" << i;
    if (!o.error) EXPECT_TRUE(sameValue(o.value, r.value)) << where << "/" << i << ": " << toText(o.value) << " vs " << toText(r.value);
    EXPECT_EQ(o.events, r.events) << where << "/" << i;
    EXPECT_EQ(r.byteLength, o.byteLength) << where << "/" << i;
    expectSameResults(ops[i].body, r.body, observed, where + "/" + std::to_string(i) + "/body");
  }
}

TEST(Protocol, TheReferenceDriversResponsesParseBackForEveryVector) {
  const Corpus corpus = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors"});
  ASSERT_TRUE(corpus.errors.empty());
  ReferenceTarget target;
  std::size_t vectors = 0;
  for (const auto& file : corpus.files)
    for (const auto& vector : file.vectors) {
      const VectorRun run = runVector(vector, target, {.keepEndState = true});
      ASSERT_TRUE(run.endState) << vector.id;
      const json response = json::parse(protocol::responseJson(7, vector, run).dump());
      const protocol::Response parsed = protocol::parseResponse(response, 7, vector);
      expectSameResults(vector.ops, parsed.results, observedByOp(run), vector.id);
      EXPECT_EQ(parsed.final.level, run.endState->level);
      EXPECT_EQ(parsed.final.live, run.endState->live);
      EXPECT_EQ(parsed.final.byteLength, run.endState->byteLength);
      ++vectors;
    }
  EXPECT_GT(vectors, 600u);
}

// A response to the two-op vector below, broken in one place.
std::string refusal(const std::function<void(json&)>& breakIt) {
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", R"({"schema":"memconform-vectors/1","area":"scope","description":"d","vectors":[
      {"id":"v","rules":["SCOPE-1"],"source":"seed","ops":[{"op":"push","as":"s"},{"op":"call","body":[{"op":"level"}]}]}]})", errors);
  EXPECT_TRUE(errors.empty());
  json response = {{"id", 3},
                   {"results", {{{"value", {{"scope", 1}}}, {"events", {{{"push", 1}}}}, {"byteLength", 65536}},
                                {{"value", "undefined"}, {"body", {{{"value", 2}}}}}}},
                   {"final", {{"level", 1}, {"live", json::array()}, {"installed", json::array()}, {"byteLength", 65536}}}};
  protocol::parseResponse(response, 3, file.vectors.front());  // the unbroken one parses
  breakIt(response);
  try {
    protocol::parseResponse(response, 3, file.vectors.front());
  } catch (const protocol::ProtocolError& e) {
    return e.pointer();
  }
  return "accepted";
}

TEST(Protocol, BrokenResponsesAreRefusedWithThePointerOfTheBadField) {
  EXPECT_EQ(refusal([](json& r) { r["id"] = 4; }), "/id");
  EXPECT_EQ(refusal([](json& r) { r["results"].erase(1); }), "/results");
  EXPECT_EQ(refusal([](json& r) { r["results"][1]["body"] = json::array(); }), "/results/1/body");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["events"][0] = {{"push", -1}}; }), "/results/0/events/0/push");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["events"][0] = {{"explode", 1}}; }), "/results/0/events/0");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["events"][0]["extra"] = 1; }), "/results/0/events/0/extra");
  EXPECT_EQ(refusal([](json& r) { r["results"][0] = {{"error", "Oops"}}; }), "/results/0/error");
  EXPECT_EQ(refusal([](json& r) { r["results"][0] = {{"error", "InvalidState"}, {"value", 1}}; }), "/results/0/value");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["value"] = {{"scope", 1}, {"view", 2}}; }), "/results/0/value");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["byteLength"] = "big"; }), "/results/0/byteLength");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["surprise"] = true; }), "/results/0/surprise");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["body"] = json::array(); }), "/results/0/body");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["accesses"] = "WRITE"; }), "/results/0/accesses");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["accesses"] = {"WRITE of size 1 at 0 (x: y)", 7}; }), "/results/0/accesses/1");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["accesses"] = {""}; }), "/results/0/accesses/0");
  EXPECT_EQ(refusal([](json& r) { r["results"][0]["accesses"] = {"WRITE of size 1 at 0 (x: y)"}; }), "accepted");
  EXPECT_EQ(refusal([](json& r) { r["final"]["live"] = {4294967296.0}; }), "/final/live/0");
  EXPECT_EQ(refusal([](json& r) { r.erase("final"); }), "");
  EXPECT_EQ(refusal([](json& r) { r = json::array(); }), "");
  EXPECT_EQ(refusal([](json& r) { r = {{"id", 3}, {"skipped", 5}}; }), "/skipped");
  EXPECT_EQ(refusal([](json& r) { r = {{"id", 3}, {"error", false}}; }), "/error");
}

TEST(Protocol, ADriverMaySayItCannotSetUpAVectorOrRunIt) {
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", R"({"schema":"memconform-vectors/1","area":"scope","description":"d","vectors":[
      {"id":"v","rules":["SCOPE-1"],"source":"seed","ops":[{"op":"push"}]}]})", errors);
  ASSERT_TRUE(errors.empty());
  const auto skipped = protocol::parseResponse({{"id", 9}, {"skipped", "needs 256 pages"}}, 9, file.vectors.front());
  EXPECT_EQ(skipped.skipped, "needs 256 pages");
  EXPECT_FALSE(skipped.error);
  const auto failed = protocol::parseResponse({{"id", 9}, {"error", "driver: boom"}}, 9, file.vectors.front());
  EXPECT_EQ(failed.error, "driver: boom");
  EXPECT_FALSE(failed.skipped);
}

// Where parseHello refuses `hello` (its ProtocolError's pointer), or
// "accepted".
std::string helloRefusedAt(const json& hello) {
  try {
    protocol::parseHello(hello);
  } catch (const protocol::ProtocolError& e) {
    return e.pointer();
  }
  return "accepted";
}

TEST(Protocol, HelloNamesTheImplementationTheVersionAndKnownCapabilitiesOnly) {
  const json ok = protocol::helloJson({.implementation = "x 1.0", .capabilities = {"i64", "views"}});
  EXPECT_EQ(protocol::parseHello(ok).capabilities, (std::set<std::string>{"i64", "views"}));
  EXPECT_EQ(protocol::parseHello(ok).protocol, 1);
  json opAtATime = ok;
  opAtATime["protocol"] = 2;
  EXPECT_EQ(protocol::parseHello(opAtATime).protocol, 2);
  json wrongVersion = ok;
  wrongVersion["protocol"] = 3;
  EXPECT_THROW(protocol::parseHello(wrongVersion), protocol::ProtocolError);
  json unknown = ok;
  unknown["capabilities"].push_back("time-travel");
  EXPECT_THROW(protocol::parseHello(unknown), protocol::ProtocolError);
}

// "ops": the ops a driver maps, by their names in docs/VECTORS.md; absent,
// every op. A fuzzer generates only these (Target::supports, with `throw`
// going with `call`).
TEST(Protocol, HelloMayListTheOpsTheDriverMaps) {
  const json all = protocol::helloJson({.implementation = "x 1.0", .capabilities = {"views"}});
  EXPECT_FALSE(all.contains("ops"));
  EXPECT_FALSE(protocol::parseHello(all).ops);
  json some = all;
  some["ops"] = {"alloc", "dealloc", "call"};
  const protocol::Hello h = protocol::parseHello(some);
  EXPECT_EQ(h.ops, (std::set<OpKind>{OpKind::Alloc, OpKind::Dealloc, OpKind::Call}));
  EXPECT_EQ(protocol::helloJson(h)["ops"], json({"alloc", "dealloc", "call"}));
  some["ops"] = {"alloc", "frobnicate"};
  EXPECT_EQ(helloRefusedAt(some), "/ops/1");
  some["ops"] = {7};
  EXPECT_EQ(helloRefusedAt(some), "/ops/0");
  some["ops"] = "alloc";
  EXPECT_EQ(helloRefusedAt(some), "/ops");
}

// "minimumPages": the smallest memory a driver's module can be set up with;
// optional (0, no floor), at most the wasm32 limit of 65536 pages.
TEST(Protocol, HelloMayNameTheSmallestMemoryTheImplementationTakes) {
  const json plain = protocol::helloJson({.implementation = "x 1.0", .capabilities = {"memory-config"}});
  EXPECT_FALSE(plain.contains("minimumPages"));
  EXPECT_EQ(protocol::parseHello(plain).minimumPages, 0u);
  json floor = plain;
  floor["minimumPages"] = 128;
  EXPECT_EQ(protocol::parseHello(floor).minimumPages, 128u);
  EXPECT_EQ(protocol::helloJson(protocol::parseHello(floor))["minimumPages"], 128);
  for (const json& bad : {json(65537), json(-1), json("128"), json(1.5)}) {
    floor["minimumPages"] = bad;
    EXPECT_EQ(helloRefusedAt(floor), "/minimumPages") << bad.dump();
  }
}

// "maximumPages": the one maximum a driver's module has (an Emscripten
// heap maximum): at least minimumPages, at most 65536, not 0; a fuzzer's
// memories then all have it (Target::onlyMaximumPages).
TEST(Protocol, HelloMayNameTheOneMaximumTheImplementationHas) {
  json h = protocol::helloJson({.implementation = "x 1.0", .capabilities = {"memory-config"}, .minimumPages = 256});
  EXPECT_FALSE(h.contains("maximumPages"));
  EXPECT_EQ(protocol::parseHello(h).maximumPages, 0u);
  h["maximumPages"] = 32768;
  EXPECT_EQ(protocol::parseHello(h).maximumPages, 32768u);
  EXPECT_EQ(protocol::helloJson(protocol::parseHello(h))["maximumPages"], 32768);
  for (const json& bad : {json(0), json(255), json(65537), json("32768")}) {
    h["maximumPages"] = bad;
    EXPECT_EQ(helloRefusedAt(h), "/maximumPages") << bad.dump();
  }
}

// "opsAhead": a protocol-2 driver that takes the next ops' lines before it
// answers (Target::announce); a boolean, refused in protocol 1, whose
// driver gets whole vectors.
TEST(Protocol, HelloMaySayTheDriverTakesOpsAhead) {
  json h = protocol::helloJson({.protocol = 2, .implementation = "x 1.0", .capabilities = {}});
  EXPECT_FALSE(h.contains("opsAhead"));
  EXPECT_FALSE(protocol::parseHello(h).opsAhead);
  h["opsAhead"] = true;
  EXPECT_TRUE(protocol::parseHello(h).opsAhead);
  EXPECT_EQ(protocol::helloJson(protocol::parseHello(h))["opsAhead"], true);
  h["opsAhead"] = 1;
  EXPECT_EQ(helloRefusedAt(h), "/opsAhead");
  h["opsAhead"] = true;
  h["protocol"] = 1;
  EXPECT_EQ(helloRefusedAt(h), "/opsAhead");
}

// "memory": the one memory of a driver without memory-config (MEM-4,
// SAFE-1): initialPages <= maximumPages <= 65536; refused beside
// memory-config, which sets up each vector's own.
TEST(Protocol, HelloMayDeclareTheFixedMemoryOfATargetWithoutMemoryConfig) {
  protocol::Hello fixed{.implementation = "x 1.0", .capabilities = {"i64"}};
  fixed.memory = MemoryConfig{512, 1024};
  const json ok = protocol::helloJson(fixed);
  EXPECT_EQ(ok["memory"], json({{"initialPages", 512}, {"maximumPages", 1024}}));
  EXPECT_EQ(protocol::parseHello(ok).memory, (MemoryConfig{512, 1024}));
  EXPECT_FALSE(protocol::parseHello(protocol::helloJson({.implementation = "x 1.0", .capabilities = {"i64"}})).memory);
  json both = ok;
  both["capabilities"].push_back("memory-config");
  EXPECT_EQ(helloRefusedAt(both), "/memory");
  for (const json& bad : {json({{"initialPages", 2}, {"maximumPages", 1}}), json({{"initialPages", 1}, {"maximumPages", 65537}}),
                          json(512), json({{"initialPages", 1}})}) {
    json h = ok;
    h["memory"] = bad;
    EXPECT_NE(helloRefusedAt(h), "accepted") << bad.dump();
  }
}

}  // namespace
}  // namespace memconform::conformance

namespace memconform::conformance {
namespace {

// Protocol 2's op line: literal parameters go as they are (a C string "NaN"
// stays a string), the others in section 10's encoding (heapForSize's size
// "NaN" is the Number), and each parses back as the parameter's type says.
TEST(Protocol, OpAtATimeArgumentsKeepLiteralsApartFromValues) {
  const OpSpec& cstring = *findOp("scopedAllocCString");
  const OpSpec& heapForSize = *findOp("heapForSize");
  const ParamType literal = findParam(cstring, "value")->type, size = findParam(heapForSize, "size")->type;
  EXPECT_EQ(protocol::argumentJson(Value(std::string("NaN")), literal), json("NaN"));
  EXPECT_TRUE(protocol::parseArgument(json("NaN"), literal, "/args/value").get<std::string>());
  const Value nan = protocol::parseArgument(protocol::argumentJson(Value(std::nan("")), size), size, "/args/size");
  ASSERT_TRUE(nan.get<double>());
  EXPECT_TRUE(std::isnan(*nan.get<double>()));
  EXPECT_EQ(*protocol::parseArgument(json("Int16Array"), size, "/args/size").get<std::string>(), "Int16Array");
  EXPECT_EQ(*protocol::parseArgument(json("5n"), findParam(*findOp("poke"), "value")->type, "/args/value").get<BigInt>(), BigInt::fromSigned(5));
}

// A long string written short reaches only a driver that declared
// repeat-strings short; the other gets it written out.
TEST(Protocol, OpAtATimeLineSendsLongStringsShortOnlyWhenDeclared) {
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("t.json", R"({"schema":"memconform-vectors/1","area":"scope","description":"d","vectors":[
    {"id":"a","rules":["SCOPE-8"],"source":"seed","ops":[{"op":"push"},{"op":"scopedAllocCString","value":{"repeat":"ab","count":3}},{"op":"pop"}]}]})",
                                         errors);
  ASSERT_TRUE(errors.empty()) << describe(errors.front());
  const Op& op = file.vectors.front().ops[1];
  Args args;
  args.add("value", Value(std::string("ababab")));
  const json shortForm = json::parse(protocol::opLine(op, args, true));
  const json writtenOut = json::parse(protocol::opLine(op, args, false));
  EXPECT_EQ(shortForm["op"], "scopedAllocCString");
  EXPECT_EQ(shortForm["at"], "/vectors/0/ops/1");
  EXPECT_EQ(shortForm["args"]["value"], json({{"repeat", "ab"}, {"count", 3}}));
  EXPECT_EQ(writtenOut["args"]["value"], "ababab");
  EXPECT_EQ(*protocol::parseArgument(shortForm["args"]["value"], ParamType::Literal, "/args/value").get<std::string>(), "ababab");
}

}  // namespace
}  // namespace memconform::conformance
