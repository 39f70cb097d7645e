// `memconform rules`: rule IDs come from the spec's tables, tests from the
// GoogleTest listing, and a test covers the IDs its name spells.
#include <gtest/gtest.h>

#include "tools/memconform/rules.h"

namespace memconform::cli {
namespace {

TEST(RulesCommand, RuleIdsAreTheFirstCellOfTableRows) {
  const std::string spec =
      "# Title\n| id | rule | basis |\n|---|---|---|\n| MEM-1 | bytes | wasm |\n| GROW-10 | x | y |\n"
      "text mentioning SCOPE-4 in prose\n| MEM-1 | again | z |\n| MEM-2, VIEW-2 | precision | decided |\n";
  EXPECT_EQ(ruleIdsFromSpec(spec), (std::vector<std::string>{"MEM-1", "GROW-10"}));
}

TEST(RulesCommand, TestNamesComeFromTheGtestListing) {
  const std::string listing =
      "Running main() from gtest_main.cc\nMemory.\n  MEM_1_Bytes\n  MEM_2_Grow  # GetParam() = 3\nScopes.\n  SCOPE_4_Pop\n";
  EXPECT_EQ(testNamesFromGtestList(listing),
            (std::vector<std::string>{"Memory.MEM_1_Bytes", "Memory.MEM_2_Grow", "Scopes.SCOPE_4_Pop"}));
}

TEST(RulesCommand, ANameCitesEveryIdItSpells) {
  const std::set<std::string> prefixes{"GROW", "LEAK", "SAFE", "MEM"};
  EXPECT_EQ(rulesCitedBy("GrowOracle.GROW_1_2_6_MatchOracle", prefixes),
            (std::set<std::string>{"GROW-1", "GROW-2", "GROW-6"}));
  EXPECT_EQ(rulesCitedBy("Invariants.LEAK_1_LEAK_2_SAFE_4_Clean", prefixes),
            (std::set<std::string>{"LEAK-1", "LEAK-2", "SAFE-4"}));
  EXPECT_EQ(rulesCitedBy("ResizePolicy.GROW_3_CutDown1Then2Then4", prefixes), (std::set<std::string>{"GROW-3"}));
  EXPECT_TRUE(rulesCitedBy("Misc.UTF_8_Strings", prefixes).empty());  // not a rule prefix
  EXPECT_TRUE(rulesCitedBy("Misc.NoRuleHere", prefixes).empty());
}

TEST(RulesCommand, UncoveredRulesAndUnknownCitationsAreReported) {
  const auto coverage = coverRules({"MEM-1", "MEM-2"}, {"Memory.MEM_1_A", "Memory.MEM_7_Typo"});
  EXPECT_EQ(coverage.testsByRule.at("MEM-1"), std::vector<std::string>{"Memory.MEM_1_A"});
  EXPECT_TRUE(coverage.testsByRule.at("MEM-2").empty());
  EXPECT_EQ(coverage.unknownCitations.at("MEM-7"), std::vector<std::string>{"Memory.MEM_7_Typo"});
}

}  // namespace
}  // namespace memconform::cli
