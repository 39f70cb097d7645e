// The divergence matrix: a vector counts in the row of every rule it cites,
// cells say what is not a plain pass, and the writers escape what they quote.
#include "conformance/runner/matrix.h"

#include <gtest/gtest.h>

#include <sstream>

namespace memconform::conformance {
namespace {

VectorResult result(std::string id, std::vector<std::string> rules, Status s, std::string reason = "") {
  VectorResult v;
  v.id = std::move(id);
  v.rules = std::move(rules);
  v.status = s;
  v.reason = std::move(reason);
  return v;
}

Matrix sample() {
  Report a;
  a.target = "reference";
  a.implementation = "reference";
  a.results = {result("scope/a", {"SCOPE-5", "SCOPE-6"}, Status::Pass), result("scope/b", {"SCOPE-5"}, Status::Pass)};
  Report b;
  b.target = "cmd:node driver.mjs";
  b.implementation = "glue <1.0> & co";
  b.results = {result("scope/a", {"SCOPE-5", "SCOPE-6"}, Status::ExpectedFail, "SCOPE-5: pops the <top>"),
               result("scope/b", {"SCOPE-5"}, Status::Skipped, "needs views")};
  return buildMatrix({"SCOPE-5", "SCOPE-6", "SCOPE-7"}, {a, b}, {{"pop-fifo", "SCOPE-6", "pops FIFO", true, "scope/a"}});
}

TEST(Matrix, VectorsCountInEveryRuleTheyCite) {
  const Matrix m = sample();
  EXPECT_EQ(m.cells.at("SCOPE-5")[0].count(Status::Pass), 2u);
  EXPECT_EQ(m.cells.at("SCOPE-6")[0].count(Status::Pass), 1u);
  EXPECT_EQ(m.cells.at("SCOPE-5")[1].count(Status::ExpectedFail), 1u);
  EXPECT_EQ(m.cells.at("SCOPE-5")[1].count(Status::Skipped), 1u);
  EXPECT_EQ(m.cells.at("SCOPE-5")[1].notable.size(), 2u);
  EXPECT_EQ(m.cells.at("SCOPE-7")[0].total(), 0u);
  EXPECT_EQ(m.exitCode(), 0);
}

TEST(Matrix, MarkdownHasARowPerRuleAndTheReasons) {
  std::ostringstream md;
  writeMarkdown(sample(), md);
  const std::string s = md.str();
  EXPECT_NE(s.find("| SCOPE-5 | 2 pass | 1 xfail · 1 skip | — |"), std::string::npos) << s;
  EXPECT_NE(s.find("| SCOPE-6 | 1 pass | 1 xfail | 1/1 killed |"), std::string::npos) << s;
  EXPECT_NE(s.find("| SCOPE-7 | — | — | — |"), std::string::npos) << s;
  EXPECT_NE(s.find("SCOPE-5: pops the <top>"), std::string::npos);
}

TEST(Matrix, HtmlIsSelfContainedAndEscaped) {
  std::ostringstream html;
  writeHtml(sample(), html);
  const std::string s = html.str();
  EXPECT_NE(s.find("<style>"), std::string::npos);
  EXPECT_EQ(s.find("<script src"), std::string::npos);
  EXPECT_EQ(s.find("<link"), std::string::npos);
  EXPECT_NE(s.find("glue &lt;1.0&gt; &amp; co"), std::string::npos);
  EXPECT_NE(s.find("pops the &lt;top&gt;"), std::string::npos);
  EXPECT_EQ(s.find("glue <1.0>"), std::string::npos);
  EXPECT_NE(s.find("class=\"xfail\""), std::string::npos);
}

TEST(Matrix, AFailureOrASurvivorFailsTheRun) {
  Matrix m = sample();
  m.reports[1].results[1].status = Status::Fail;
  EXPECT_EQ(m.exitCode(), 1);
  Matrix n = sample();
  n.mutants.front().killed = false;
  EXPECT_EQ(n.exitCode(), 1);
}

}  // namespace
}  // namespace memconform::conformance
