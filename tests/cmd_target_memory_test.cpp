// CmdTarget::rememberResponses (fuzz_differential's answers for vectors it
// ran before): a vector sent before is answered without asking the driver,
// a different one is asked, the oldest is forgotten first, and a driver's
// error is never remembered. The driver here is a shell loop that answers
// every byteLength with 65536 times the number of requests it has read, so
// an answer says whether the driver was asked.
#include <gtest/gtest.h>

#include <string>

#include "conformance/runner/loader.h"
#include "conformance/targets/cmd_target.h"

namespace memconform::conformance {
namespace {

// Answers request n with byteLength 65536 * n, or with an error for a vector
// whose id is "broken".
constexpr const char* kCountingDriver =
    "echo '{\"hello\":\"memconform-driver\",\"protocol\":1,\"implementation\":\"counting\",\"capabilities\":[\"memory-config\"]}';"
    " n=0; while IFS= read -r line; do n=$((n + 1)); id=${line#*\\\"id\\\":}; id=${id%%,*};"
    " case $line in *'\"broken\"'*) echo \"{\\\"id\\\":$id,\\\"error\\\":\\\"driver: broken\\\"}\"; continue;; esac;"
    " b=$((n * 65536)); echo \"{\\\"id\\\":$id,\\\"results\\\":[{\\\"value\\\":$b,\\\"events\\\":[],\\\"byteLength\\\":$b}],"
    "\\\"final\\\":{\\\"byteLength\\\":$b,\\\"installed\\\":[],\\\"level\\\":0,\\\"live\\\":[]}}\"; done";

Vector vectorNamed(const std::string& id, int pages) {
  std::vector<LoadError> errors;
  VectorFile file = loadVectorFile("t.json", R"({"schema":"memconform-vectors/1","area":"mem","description":"d","vectors":[
      {"id":")" + id + R"(","rules":["MEM-1"],"source":"decided","setup":{"memory":{"initialPages":)" +
                                                 std::to_string(pages) + R"(,"maximumPages":16}},"ops":[{"op":"byteLength"}]}]})",
                                   errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : describe(errors.front()));
  return file.vectors.front();
}

// The driver's answer to the vector's byteLength (the request count), or -1
// if the driver could not run it.
double answer(CmdTarget& target, const Vector& vector) {
  try {
    target.start(vector);
  } catch (const VectorError&) {
    return -1;
  }
  const double value = std::get<double>(target.execute(vector.ops.front(), Args{}).value().data);
  target.finish();
  return value;
}

TEST(CmdTarget, RemembersTheResponsesToVectorsItSentBeforeOnlyWhenAsked) {
  CmdTarget plain(kCountingDriver);
  const Vector a = vectorNamed("a", 1);
  EXPECT_EQ(answer(plain, a), 65536);
  EXPECT_EQ(answer(plain, a), 2 * 65536);  // asked again: nothing remembered by default
  EXPECT_EQ(plain.rememberedAnswers(), 0u);
}

TEST(CmdTarget, RememberedResponsesAnswerTheSameVectorAndForgetTheOldestFirst) {
  CmdTarget target(kCountingDriver);
  target.rememberResponses(2);
  const Vector a = vectorNamed("a", 1), b = vectorNamed("a", 2), c = vectorNamed("c", 1);
  EXPECT_EQ(answer(target, a), 1 * 65536);
  EXPECT_EQ(answer(target, a), 1 * 65536);  // remembered
  EXPECT_EQ(answer(target, b), 2 * 65536);  // same id, other memory: another vector
  EXPECT_EQ(answer(target, b), 2 * 65536);
  EXPECT_EQ(answer(target, c), 3 * 65536);  // a is forgotten (two are kept)
  EXPECT_EQ(answer(target, a), 4 * 65536);
  EXPECT_EQ(target.rememberedAnswers(), 2u);
}

TEST(CmdTarget, ADriversErrorIsNeverRemembered) {
  CmdTarget target(kCountingDriver);
  target.rememberResponses(8);
  const Vector broken = vectorNamed("broken", 1);
  EXPECT_EQ(answer(target, broken), -1);
  EXPECT_EQ(answer(target, broken), -1);
  EXPECT_EQ(target.rememberedAnswers(), 0u);
  EXPECT_EQ(answer(target, vectorNamed("a", 1)), 3 * 65536);  // the driver read all three
}

}  // namespace
}  // namespace memconform::conformance
