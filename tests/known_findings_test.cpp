// fuzz_differential's known findings (an expectations file's "fuzz"
// section): only a listed OP/RULE is tolerated, and the summary counts each
// listed one, or says it was not seen.
#include "fuzz/known_findings.h"

#include <gtest/gtest.h>

#include <vector>

namespace memconform::fuzz {
namespace {

TEST(KnownFindings, OnlyListedSignaturesAreToleratedAndEachIsCounted) {
  std::vector<conformance::LoadError> errors;
  KnownFindings known(conformance::loadExpectations(
      "e.json", R"({"schema":"memconform-expectations/1","fuzz":{"call/CALL-1":"pops the top","peek/PEEK-1":"no bounds"}})",
      errors));
  ASSERT_TRUE(errors.empty());
  EXPECT_FALSE(known.empty());
  EXPECT_TRUE(known.tolerate("call", "CALL-1"));
  EXPECT_TRUE(known.tolerate("call", "CALL-1"));
  EXPECT_FALSE(known.tolerate("call", "CALL-2"));
  EXPECT_FALSE(known.tolerate("pop", "CALL-1"));
  EXPECT_EQ(known.summary(), "  call/CALL-1: 2 inputs (pops the top)\n  peek/PEEK-1: not seen (no bounds)\n");
  EXPECT_TRUE(KnownFindings().empty());
  EXPECT_FALSE(KnownFindings().tolerate("call", "CALL-1"));
}

}  // namespace
}  // namespace memconform::fuzz
