#include "conformance/runner/expectations.h"

#include <regex>

#include <nlohmann/json.hpp>

namespace memconform::conformance {

Expectations loadExpectations(const std::string& path, std::string_view text, std::vector<LoadError>& errors) {
  using nlohmann::json;
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
    if (key != "schema" && key != "target" && key != "vectors" && key != "comment")
      errors.push_back({path, "", "/" + key, "unknown field (allowed: schema, target, vectors, comment)"});
  if (doc.contains("target") && doc["target"].is_string()) e.target = doc["target"].get<std::string>();
  if (!doc.contains("vectors") || !doc["vectors"].is_object()) {
    errors.push_back({path, "", "/vectors", "expected an object of vector id -> reason"});
    return e;
  }
  static const std::regex rule("\\b[A-Z]+-[0-9]+\\b");
  for (const auto& [id, reason] : doc["vectors"].items()) {
    const std::string pointer = "/vectors/" + id;
    if (!reason.is_string()) {
      errors.push_back({path, id, pointer, "a reason is a string"});
      continue;
    }
    const std::string text = reason.get<std::string>();
    if (!std::regex_search(text, rule)) {
      errors.push_back({path, id, pointer, "the reason must name the rule it breaks (\"SCOPE-5: ...\")"});
      continue;
    }
    e.reasons[id] = text;
  }
  return e;
}

}  // namespace memconform::conformance
