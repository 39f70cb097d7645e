// `memconform validate` and `memconform coverage`: checks of the corpus itself
// (not of any target): the JSON Schema, the loader's rules (names bound before
// use, known ops and fields), unique ids, rule IDs that exist in the spec, and
// which rules the vectors cover.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/runner/loader.h"

namespace memconform::cli {

struct CorpusProblem {
  std::string file, vectorId, pointer, message;
};

// Schema errors of one parsed document (valijson, draft 7).
std::vector<CorpusProblem> schemaProblems(const std::string& schemaText, const std::string& file, const std::string& text);

// Rule IDs cited by vectors (or by an op's "rule") that the spec does not define.
std::vector<CorpusProblem> unknownRules(const conformance::Corpus& corpus, const std::vector<std::string>& specRules);

// Spec rule -> ids of the vectors that cite it (every spec rule present).
std::map<std::string, std::vector<std::string>> vectorsByRule(const conformance::Corpus& corpus,
                                                              const std::vector<std::string>& specRules);

int runValidate(const std::vector<std::string>& paths, const std::string& schemaPath, const std::string& specPath);
int runCoverage(const std::vector<std::string>& paths, const std::string& specPath, bool verbose);

}  // namespace memconform::cli
