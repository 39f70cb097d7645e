#include "tools/memconform/rules.h"

#include <regex>
#include <sstream>

namespace memconform::cli {

std::vector<std::string> ruleIdsFromSpec(const std::string& specText) {
  static const std::regex row(R"(^\|\s*([A-Z]+-[0-9]+)\s*\|)");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::istringstream in(specText);
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, row) && seen.insert(m[1]).second) ids.push_back(m[1]);
  return ids;
}

std::vector<std::string> testNamesFromGtestList(const std::string& listing) {
  std::vector<std::string> names;
  std::string suite;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto comment = line.find("  #");
    if (comment != std::string::npos) line.resize(comment);
    if (line[0] != ' ') {
      if (line.back() == '.') suite = line;  // "Suite." (other lines: banners)
      else suite.clear();
    } else if (!suite.empty()) {
      names.push_back(suite + line.substr(line.find_first_not_of(' ')));
    }
  }
  return names;
}

std::set<std::string> rulesCitedBy(const std::string& testName, const std::set<std::string>& prefixes) {
  static const std::regex run(R"(([A-Z]+)((?:_[0-9]+)+)(?=_|$|\b))");
  std::set<std::string> cited;
  for (auto it = std::sregex_iterator(testName.begin(), testName.end(), run); it != std::sregex_iterator(); ++it) {
    const std::string prefix = (*it)[1];
    if (!prefixes.count(prefix)) continue;
    std::istringstream numbers((*it)[2].str().substr(1));
    for (std::string n; std::getline(numbers, n, '_');) cited.insert(prefix + "-" + n);
  }
  return cited;
}

RuleCoverage coverRules(const std::vector<std::string>& ruleIds, const std::vector<std::string>& testNames) {
  RuleCoverage coverage;
  std::set<std::string> prefixes;
  for (const auto& id : ruleIds) {
    coverage.testsByRule[id];
    prefixes.insert(id.substr(0, id.find('-')));
  }
  for (const auto& test : testNames)
    for (const auto& id : rulesCitedBy(test, prefixes)) {
      auto it = coverage.testsByRule.find(id);
      if (it != coverage.testsByRule.end()) it->second.push_back(test);
      else coverage.unknownCitations[id].push_back(test);
    }
  return coverage;
}

}  // namespace memconform::cli
