#include "conformance/runner/expectations.h"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "conformance/runner/ops.h"

namespace memconform::conformance {

namespace {
using nlohmann::json;

// "vectors": vector id -> a reason that names the rule the vector breaks.
void loadVectors(const std::string& path, const json& vectors, Expectations& e, std::vector<LoadError>& errors) {
  for (const auto& [id, reason] : vectors.items()) {
    const std::string pointer = "/vectors/" + id;
    if (!reason.is_string()) {
      errors.push_back({path, id, pointer, "a reason is a string"});
      continue;
    }
    const std::string text = reason.get<std::string>();
    if (!mentionsRuleId(text)) {
      errors.push_back({path, id, pointer, "the reason must name the rule it breaks (\"SCOPE-5: ...\")"});
      continue;
    }
    e.reasons[id] = text;
  }
}

// "fuzz": "OP/RULE" (a finding's signature after its target) -> a reason.
void loadFindings(const std::string& path, const json& findings, Expectations& e, std::vector<LoadError>& errors) {
  for (const auto& [key, reason] : findings.items()) {
    const std::string pointer = "/fuzz/" + key;
    const auto slash = key.find('/');
    const std::string op = key.substr(0, slash);
    if (slash == std::string::npos || !isRuleId(std::string_view(key).substr(slash + 1)) ||
        (op != "sequence" && !findOp(op))) {
      errors.push_back({path, "", pointer,
                        "expected OP/RULE, a fuzz finding's signature after its target (\"pop/SCOPE-5\", "
                        "\"sequence/LEAK-2\"), with OP an op of SEMANTICS.md or \"sequence\""});
      continue;
    }
    if (!reason.is_string() || reason.get<std::string>().empty()) {
      errors.push_back({path, "", pointer, "a reason is a non-empty string"});
      continue;
    }
    e.findings[key] = reason.get<std::string>();
  }
}
}  // namespace

Expectations loadExpectations(const std::string& path, std::string_view text, std::vector<LoadError>& errors) {
  Expectations e;
  e.path = path;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const std::exception& ex) {
    errors.push_back({path, "", "", std::string("not valid JSON: ") + ex.what()});
    return e;
  }
  if (!doc.is_object() || doc.value("schema", json()) != "memconform-expectations/1") {
    errors.push_back({path, "", "/schema", "expected an object with \"schema\": \"memconform-expectations/1\""});
    return e;
  }
  for (const auto& [key, value] : doc.items())
    if (key != "schema" && key != "target" && key != "vectors" && key != "fuzz" && key != "comment")
      errors.push_back({path, "", "/" + key, "unknown field (allowed: schema, target, vectors, fuzz, comment)"});
  if (doc.contains("target") && doc["target"].is_string()) e.target = doc["target"].get<std::string>();
  const bool hasVectors = doc.contains("vectors"), hasFuzz = doc.contains("fuzz");
  if (!hasVectors && !hasFuzz)
    errors.push_back({path, "", "/vectors", "expected \"vectors\" (vector id -> reason), \"fuzz\", or both"});
  if (hasVectors) {
    if (doc["vectors"].is_object()) loadVectors(path, doc["vectors"], e, errors);
    else errors.push_back({path, "", "/vectors", "expected an object of vector id -> reason"});
  }
  if (hasFuzz) {
    if (doc["fuzz"].is_object()) loadFindings(path, doc["fuzz"], e, errors);
    else errors.push_back({path, "", "/fuzz", "expected an object of finding signature (\"pop/SCOPE-5\") -> reason"});
  }
  return e;
}

std::string targetMismatch(const Expectations& e, const std::string& spec) {
  if (e.target.empty() || e.target == spec) return "";
  return e.path + " is for target \"" + e.target + "\", not \"" + spec +
         "\": its known failures are another implementation's (name that target, or change the file's \"target\")";
}

Expectations readExpectations(const std::string& path, std::vector<LoadError>& errors) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in) {
    errors.push_back({path, "", "", "cannot read the expectations file"});
    Expectations e;
    e.path = path;
    return e;
  }
  return loadExpectations(path, text, errors);
}

}  // namespace memconform::conformance
