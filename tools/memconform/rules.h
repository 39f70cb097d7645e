// `memconform rules`: every rule ID of docs/SEMANTICS.md with the tests that
// cover it. Rule IDs are read from the spec text; tests are read from the
// test binary itself (--gtest_list_tests), and a test covers the rules whose
// IDs its name spells with underscores (GROW_3_..., LEAK_1_LEAK_2_...).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace memconform::cli {

// Rule IDs defined by the spec: the first cell of a table row, "| GROW-3 |".
std::vector<std::string> ruleIdsFromSpec(const std::string& specText);

// Full test names ("Suite.Name") from `--gtest_list_tests` output.
std::vector<std::string> testNamesFromGtestList(const std::string& listing);

// The rule IDs a test name cites, given the rule prefixes in use ("GROW", ...).
// "GROW_1_2_3_Foo" cites GROW-1, GROW-2, GROW-3.
std::set<std::string> rulesCitedBy(const std::string& testName, const std::set<std::string>& prefixes);

struct RuleCoverage {
  std::map<std::string, std::vector<std::string>> testsByRule;  // every spec rule, possibly with no test
  std::map<std::string, std::vector<std::string>> unknownCitations;  // cited ID not in the spec -> tests
};
RuleCoverage coverRules(const std::vector<std::string>& ruleIds, const std::vector<std::string>& testNames);

}  // namespace memconform::cli
