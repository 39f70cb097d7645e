// CmdTarget's requests, with shell loops as drivers:
// - The counting driver answers every byteLength with 65536 times the
//   number of requests it has read, so an answer says whether the driver
//   was asked, and how often.
// - long strings written short go to a driver that declares repeat-strings
//   as they are, and written out to one that does not.
// - prepare() (fuzz_differential sends the vector before it runs the
//   reference): start() reads the response to what was sent, once; a
//   prepared vector start() does not get is dropped, not taken for the
//   next one's response.
// - "accesses" (a driver's access check, SAFE-2): each line is a SAFE-2
//   violation of its op, which fails unless the vector expects it.
#include <gtest/gtest.h>

#include <string>

#include "conformance/runner/executor.h"
#include "conformance/targets/cmd_target.h"
#include "vector_support.h"

namespace memconform::conformance {
namespace {

// Answers request n with byteLength 65536 * n.
constexpr const char* kCountingDriver =
    "echo '{\"hello\":\"memconform-driver\",\"protocol\":1,\"implementation\":\"counting\",\"capabilities\":[\"memory-config\"]}';"
    " n=0; while IFS= read -r line; do n=$((n + 1)); id=${line#*\\\"id\\\":}; id=${id%%,*};"
    " b=$((n * 65536)); echo \"{\\\"id\\\":$id,\\\"results\\\":[{\\\"value\\\":$b,\\\"events\\\":[],\\\"byteLength\\\":$b}],"
    "\\\"final\\\":{\\\"byteLength\\\":$b,\\\"installed\\\":[],\\\"level\\\":0,\\\"live\\\":[]}}\"; done";

Vector vectorNamed(const std::string& id, int pages) {
  return testing::vectorWithMemory(id, pages, R"({"op":"byteLength"})");
}

// Answers every vector's one op with the length of the request line it read.
std::string lineLengthDriver(const std::string& capabilities) {
  return "echo '{\"hello\":\"memconform-driver\",\"protocol\":1,\"implementation\":\"lengths\",\"capabilities\":[" +
         capabilities +
         "]}'; while IFS= read -r line; do id=${line#*\\\"id\\\":}; id=${id%%,*};"
         " echo \"{\\\"id\\\":$id,\\\"results\\\":[{\\\"value\\\":${#line},\\\"events\\\":[]}],"
         "\\\"final\\\":{\\\"byteLength\\\":65536,\\\"installed\\\":[],\\\"level\\\":0,\\\"live\\\":[]}}\"; done";
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

TEST(CmdTarget, LongStringsWrittenShortReachOnlyADriverThatDeclaresRepeatStringsAsTheyAre) {
  const Vector v = testing::vectorWithMemory("long", 1, R"({"op":"scopedAllocMainArgv","list":["a",{"repeat":"xy","count":50000}]})");
  CmdTarget declares(lineLengthDriver(R"("repeat-strings")"));
  CmdTarget doesNot(lineLengthDriver(""));
  EXPECT_LT(answer(declares, v), 1000);     // {"repeat":"xy","count":50000}
  EXPECT_GT(answer(doesNot, v), 100000);    // "xyxy...": 100,000 bytes
}

// answer(), the vector `sent` prepared first.
double answerPrepared(CmdTarget& target, const Vector& sent, const Vector& vector) {
  target.prepare(sent);
  return answer(target, vector);
}

TEST(CmdTarget, APreparedVectorIsSentOnceAndStartReadsItsResponse) {
  CmdTarget target(kCountingDriver);
  const Vector a = vectorNamed("a", 1), b = vectorNamed("b", 1);
  EXPECT_EQ(answerPrepared(target, a, a), 1 * 65536);
  EXPECT_EQ(answer(target, b), 2 * 65536);  // the driver read one request for a
  EXPECT_EQ(answerPrepared(target, b, b), 3 * 65536);
}

TEST(CmdTarget, APreparedVectorThatStartDoesNotGetIsDroppedNotTakenForTheNextOnesResponse) {
  CmdTarget target(kCountingDriver);
  const Vector a = vectorNamed("a", 1), b = vectorNamed("b", 1);
  EXPECT_EQ(answerPrepared(target, a, b), 2 * 65536);  // a's response (1) is dropped; b's is read
  target.prepare(a);
  target.prepare(b);  // a's dropped again
  EXPECT_EQ(answer(target, b), 4 * 65536);
}

TEST(CmdTarget, ADriverThatDiesOnAPreparedVectorIsThatVectorsErrorAndIsStartedAgain) {
  // Exits on its first request; a fresh one says hello again.
  CmdTarget target(
      "echo '{\"hello\":\"memconform-driver\",\"protocol\":1,\"implementation\":\"dies\",\"capabilities\":[\"memory-config\"]}';"
      " read -r line; exit 3");
  const Vector a = vectorNamed("a", 1);
  EXPECT_EQ(answerPrepared(target, a, a), -1);
  EXPECT_EQ(answerPrepared(target, a, a), -1);  // prepare() on no driver: start() starts one
  EXPECT_EQ(answer(target, a), -1);
}

// Rule SAFE-2: what a driver's access check saw an op's helper touch (its
// result's "accesses") is that op's SAFE-2 violation, one per line, with the
// line as what happened; a vector that lists SAFE-2 among the op's
// violations passes.
TEST(CmdTarget, SAFE_2_EachAccessADriverReportsIsASafe2ViolationOfItsOp) {
  const std::string access = "WRITE of size 1 at 0 (module-data: the module's own bytes) by /ops/0 byteLength, at f (x.mjs:1:2)";
  CmdTarget target(
      "echo '{\"hello\":\"memconform-driver\",\"protocol\":1,\"implementation\":\"accesses\",\"capabilities\":[\"memory-config\"]}';"
      " while IFS= read -r line; do id=${line#*\\\"id\\\":}; id=${id%%,*};"
      " echo \"{\\\"id\\\":$id,\\\"results\\\":[{\\\"value\\\":65536,\\\"events\\\":[],\\\"byteLength\\\":65536,"
      "\\\"accesses\\\":[\\\"" + access + "\\\",\\\"READ of size 4 at 8 (module-data: x) by /ops/0 byteLength, at g\\\"]}],"
      "\\\"final\\\":{\\\"byteLength\\\":65536,\\\"installed\\\":[],\\\"level\\\":0,\\\"live\\\":[]}}\"; done");
  const VectorRun unexpected = runVector(testing::vectorWithMemory("a", 1, R"({"op":"byteLength","expect":{"value":65536}})"), target);
  ASSERT_EQ(unexpected.failures.size(), 2u);
  EXPECT_EQ(unexpected.failures[0].rule, "SAFE-2");
  EXPECT_EQ(unexpected.failures[0].actual, access);
  EXPECT_EQ(unexpected.failures[0].pointer, "/vectors/0/ops/0");
  const VectorRun listed = runVector(testing::vectorWithMemory("b", 1, R"({"op":"byteLength","expect":{"value":65536,"violations":["SAFE-2"]}})"), target);
  EXPECT_TRUE(listed.failures.empty()) << listed.failures.front().actual;
}

}  // namespace
}  // namespace memconform::conformance
