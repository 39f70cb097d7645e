#include "tools/memconform/corpus_checks.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "tools/memconform/rules.h"

namespace memconform::cli {

using namespace memconform::conformance;
namespace fs = std::filesystem;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void citedRules(const Op& op, std::set<std::string>& out) {
  if (!op.rule.empty()) out.insert(op.rule);
  for (const auto& b : op.body) citedRules(b, out);
}

std::set<std::string> rulesOf(const Vector& v) {
  std::set<std::string> out(v.rules.begin(), v.rules.end());
  for (const auto& op : v.ops) citedRules(op, out);
  return out;
}

std::vector<std::string> jsonFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path().string());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// valijson matches the schema's "pattern"s with std::regex, whose matcher
// recurses once per character: a string of 100,000 characters (a long C
// string for scopedAllocCString) overflows the stack. Every pattern of the
// schema is anchored and made of character classes (names, "p+4", "5n", rule
// IDs), so a long string keeps its verdict when its middle is cut out, unless
// the middle alone breaks the class; the loader, which checks names and ids
// without std::regex, still sees the whole string.
void shortenLongStrings(nlohmann::json& j) {
  constexpr std::size_t kKeep = 128;
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    if (s.size() > 2 * kKeep) s = s.substr(0, kKeep) + s.substr(s.size() - kKeep);
  } else if (j.is_structured()) {
    for (auto& item : j) shortenLongStrings(item);
  }
}

}  // namespace

std::vector<CorpusProblem> schemaProblems(const std::string& schemaText, const std::string& file, const std::string& text) {
  std::vector<CorpusProblem> out;
  nlohmann::json schemaDoc = nlohmann::json::parse(schemaText);
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schemaAdapter(schemaDoc);
  parser.populateSchema(schemaAdapter, schema);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    out.push_back({file, "", "", std::string("not valid JSON: ") + e.what()});
    return out;
  }
  shortenLongStrings(doc);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(schema, adapter, &results)) return out;
  // valijson reports the failing branch of every oneOf; the deepest context
  // names the place best, so report each distinct context once.
  std::set<std::string> seen;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string pointer;
    for (const auto& c : error.context)
      if (c != "<root>") pointer += "/" + (c.size() > 2 && c.front() == '[' ? c.substr(1, c.size() - 2) : c);
    if (!seen.insert(pointer + error.description).second) continue;
    out.push_back({file, "", pointer, "schema: " + error.description});
  }
  return out;
}

std::vector<CorpusProblem> unknownRules(const Corpus& corpus, const std::vector<std::string>& specRules) {
  const std::set<std::string> known(specRules.begin(), specRules.end());
  std::vector<CorpusProblem> out;
  for (const auto& f : corpus.files)
    for (const auto& v : f.vectors)
      for (const auto& r : rulesOf(v))
        if (!known.count(r)) out.push_back({f.path, v.id, v.pointer + "/rules", "\"" + r + "\" is not a rule of the spec"});
  return out;
}

std::map<std::string, std::vector<std::string>> vectorsByRule(const Corpus& corpus, const std::vector<std::string>& specRules) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : specRules) out[r];
  for (const auto& f : corpus.files)
    for (const auto& v : f.vectors)
      for (const auto& r : rulesOf(v))
        if (out.count(r)) out[r].push_back(v.id);
  return out;
}

int runValidate(const std::vector<std::string>& paths, const std::string& schemaPath, const std::string& specPath) {
  const std::string schemaText = readText(schemaPath);
  const auto specRules = ruleIdsFromSpec(readText(specPath));
  std::vector<CorpusProblem> problems;
  const auto files = jsonFiles(paths);
  for (const auto& file : files) {
    std::string text;
    try {
      text = readText(file);
    } catch (const std::exception& e) {
      problems.push_back({file, "", "", e.what()});
      continue;
    }
    auto s = schemaProblems(schemaText, file, text);
    problems.insert(problems.end(), s.begin(), s.end());
  }
  const Corpus corpus = loadCorpus(paths);
  for (const auto& e : corpus.errors) problems.push_back({e.file, e.vectorId, e.pointer, e.message});
  auto u = unknownRules(corpus, specRules);
  problems.insert(problems.end(), u.begin(), u.end());
  for (const auto& p : problems)
    std::cout << p.file << (p.vectorId.empty() ? "" : ": vector " + p.vectorId) << ": "
              << (p.pointer.empty() ? "(file)" : p.pointer) << ": " << p.message << "\n";
  std::cout << files.size() << " files, " << corpus.vectorCount() << " valid vectors, " << problems.size()
            << " problems (schema " << schemaPath << ", rules of " << specPath << ")\n";
  return problems.empty() && !files.empty() ? 0 : 1;
}

int runCoverage(const std::vector<std::string>& paths, const std::string& specPath, bool verbose) {
  const auto specRules = ruleIdsFromSpec(readText(specPath));
  const Corpus corpus = loadCorpus(paths);
  const auto byRule = vectorsByRule(corpus, specRules);
  std::size_t uncovered = 0;
  std::cout << std::left << std::setw(10) << "rule" << std::setw(9) << "vectors" << "areas / vectors\n";
  for (const auto& rule : specRules) {
    const auto& ids = byRule.at(rule);
    uncovered += ids.empty();
    std::map<std::string, std::size_t> areas;
    for (const auto& id : ids) ++areas[id.substr(0, id.find('/'))];
    std::cout << (ids.empty() ? "! " : "  ") << std::setw(8) << rule << std::setw(9) << ids.size();
    if (ids.empty()) std::cout << "NO VECTOR";
    bool first = true;
    for (const auto& [area, n] : areas) {
      std::cout << (first ? "" : ", ") << area << " " << n;
      first = false;
    }
    std::cout << "\n";
    if (verbose)
      for (const auto& id : ids) std::cout << std::setw(19) << "" << id << "\n";
  }
  std::cout << specRules.size() - uncovered << " of " << specRules.size() << " rules covered by " << corpus.vectorCount()
            << " vectors" << (corpus.errors.empty() ? "" : " (" + std::to_string(corpus.errors.size()) + " load errors: run validate)")
            << "\n";
  return uncovered == 0 && corpus.errors.empty() ? 0 : 1;
}

}  // namespace memconform::cli
