// Ops written ahead (driver protocol 2, hello "opsAhead"; Target::announce):
// the executor announces the plain ops after the one it executes whose
// arguments that op cannot change, and the driver target writes their lines
// with it, so that the driver has them before it answers. A shell driver
// answers the k-th byteLength with 10 k, and alignMemory with 10 times the
// size it was given, plus 1 if the next line had come when it read this one
// (bash's `read -t 0`: input is waiting; the runner writes an op and what
// it announces in one write).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"
#include "conformance/targets/factory.h"
#include "tests/scratch_dir.h"

namespace memconform::conformance {
namespace {

// The driver, as a bash script (sh has no `read -t`) in the test process's
// scratch directory: the cmd: target that runs it.
std::string aheadDriver(bool opsAhead) {
  const auto path = memconform::testing::scratchDir() / (opsAhead ? "ahead_driver_ahead.sh" : "ahead_driver.sh");
  std::ofstream(path) << "echo '{\"hello\":\"memconform-driver\",\"protocol\":2,\"implementation\":\"ahead\","
                      << (opsAhead ? "\"opsAhead\":true," : "") << R"("capabilities":["memory-config"]}'
while IFS= read -r line; do
  case $line in
    *'"start"'*) echo '{"started":true}';;
    *'"end"'*) echo '{"ended":true}';;
    *'"state"'*) echo '{"level":0,"live":[],"installed":[],"byteLength":65536}';;
    *) if read -t 0; then a=1; else a=0; fi
       case $line in
         *'"alignMemory"'*) size=${line#*'"size":'}; v=$((10 * ${size%%[,\}]*} + a));;
         *) k=$((k + 1)); v=$((10 * k + a));;
       esac
       echo "{\"value\":$v,\"events\":[],\"byteLength\":65536}";;
  esac
done
)";
  return "cmd:bash " + path.string();
}

Vector vectorWith(const std::string& ops) {
  std::vector<LoadError> errors;
  VectorFile file = loadVectorFile("t.json", R"({"schema":"memconform-vectors/1","area":"mem","description":"d","vectors":[
      {"id":"v","rules":["MEM-1"],"source":"decided","setup":{"memory":{"initialPages":1,"maximumPages":16}},"ops":[)" +
                                                 ops + "]}]}",
                                   errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : describe(errors.front()));
  return file.vectors.front();
}

// What the driver answered to each op.
std::vector<double> answers(bool opsAhead, const Vector& vector) {
  const auto target = makeTarget(aheadDriver(opsAhead));
  const VectorRun run = runVector(vector, *target);
  EXPECT_EQ(run.status, VectorRun::Status::Completed) << run.reason;
  EXPECT_TRUE(run.failures.empty()) << (run.failures.empty() ? "" : run.failures.front().actual);
  std::vector<double> out;
  for (const OpRun& op : run.ops) out.push_back(op.observed && op.observed->value.get<double>() ? *op.observed->value.get<double>() : -1);
  return out;
}

// For each op, whether the next op's line was there when the driver read it.
std::vector<double> nextLineWaiting(bool opsAhead, const std::string& ops) {
  std::vector<double> out = answers(opsAhead, vectorWith(ops));
  for (double& x : out) x = static_cast<int>(x) % 10;
  return out;
}

TEST(OpsAhead, OpsThatNeedNoAnswerGoWithTheOpBeforeThem) {
  const std::string three = R"({"op":"byteLength"},{"op":"byteLength"},{"op":"byteLength"})";
  EXPECT_EQ(nextLineWaiting(true, three), (std::vector<double>{1, 1, 0}));
  // A driver that does not say opsAhead gets one line at a time.
  EXPECT_EQ(nextLineWaiting(false, three), (std::vector<double>{0, 0, 0}));
}

TEST(OpsAhead, AnOpThatUsesANameAnOpBeforeItBindsWaitsForThatAnswer) {
  // n is bound by the first op's answer: alignMemory(n) is written after it.
  EXPECT_EQ(nextLineWaiting(true, R"({"op":"byteLength","as":"n"},{"op":"alignMemory","size":"n","alignment":8},{"op":"byteLength"})"),
            (std::vector<double>{0, 1, 0}));
  // Bound by an op answered before: it goes ahead with the ops before it.
  EXPECT_EQ(nextLineWaiting(true, R"({"op":"byteLength","as":"n"},{"op":"alignMemory","size":"n","alignment":8},{"op":"byteLength"},
                                     {"op":"alignMemory","size":"n","alignment":8},{"op":"byteLength"})"),
            (std::vector<double>{0, 1, 1, 1, 0}));
  // Bound by an op ahead of it: it waits, and so does what follows it.
  EXPECT_EQ(nextLineWaiting(true, R"({"op":"byteLength"},{"op":"byteLength","as":"n"},{"op":"alignMemory","size":"n","alignment":8},{"op":"byteLength"})"),
            (std::vector<double>{1, 0, 1, 0}));
}

TEST(OpsAhead, AnOpWaitsForTheAnswerThatBindsItsNameAgain) {
  // n is bound (10), then bound again by an op written ahead (20): the
  // second alignMemory(n) gets 20, from the answer it waits for, not the 10
  // it would resolve to before.
  // Vector files bind each name once; a sequence built in memory may not.
  Vector v = vectorWith(R"({"op":"byteLength","as":"n"},{"op":"alignMemory","size":"n","alignment":8},
                           {"op":"byteLength","as":"m"},{"op":"alignMemory","size":"n","alignment":8})");
  v.ops[2].as = {"n"};
  EXPECT_EQ(answers(true, v), (std::vector<double>{10, 101, 20, 200}));
}

// A kit driver that dies at the third of three ops written in one batch
// (tests/drivers/kit_dies_driver.mjs): the kit kept its answers to the first
// two for one write, and writes them as the process exits, so the runner
// has their values and reports the driver's end at the op it died in, the
// third, not at the first (whose answer would be lost with the process).
void diesAtTheThirdOp(const std::string& how) {
  const auto target = makeTarget("cmd:node " + std::string(MEMCONFORM_SOURCE_DIR) + "/tests/drivers/kit_dies_driver.mjs --die " + how);
  const VectorRun run = runVector(vectorWith(R"({"op":"byteLength"},{"op":"byteLength"},{"op":"byteLength"})"), *target);
  ASSERT_EQ(run.status, VectorRun::Status::Error) << run.reason;
  ASSERT_EQ(run.ops.size(), 2u) << run.reason;  // the ops that have an answer
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(run.ops[i].observed) << "op " << i << ": no answer; " << run.reason;
    const double* value = run.ops[i].observed->value.get<double>();
    ASSERT_TRUE(value) << "op " << i << ": not a number";
    EXPECT_EQ(*value, 10.0 * static_cast<double>(i + 1)) << "op " << i;
  }
  EXPECT_EQ(run.reason.rfind("crash: ", 0), 0u) << run.reason;
  EXPECT_NE(run.reason.find("(at /vectors/0/ops/2)"), std::string::npos) << run.reason;
}

TEST(OpsAhead, AKitDriverThatExitsStillAnswersTheOpsItRan) { diesAtTheThirdOp("exit"); }
TEST(OpsAhead, AKitDriverThatThrowsOutStillAnswersTheOpsItRan) { diesAtTheThirdOp("throw"); }

}  // namespace
}  // namespace memconform::conformance
