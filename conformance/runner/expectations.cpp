#include "conformance/runner/expectations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "conformance/runner/ops.h"

namespace memconform::conformance {

namespace {
using nlohmann::json;

std::string pointerToken(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// A reason names the rule broken ("SCOPE-5: ...").
bool checkReason(const std::string& path, const std::string& id, const std::string& pointer, const json& reason,
                 std::vector<LoadError>& errors) {
  if (!reason.is_string()) {
    errors.push_back({path, id, pointer, "a reason is a string"});
    return false;
  }
  if (!mentionsRuleId(reason.get<std::string>())) {
    errors.push_back({path, id, pointer, "the reason must name the rule it breaks (\"SCOPE-5: ...\")"});
    return false;
  }
  return true;
}

// One vector's entry: {"note" or "reason", "ops", "final", "comment"}.
void loadEntry(const std::string& path, const std::string& id, const json& entry, const std::string& pointer,
               Expectations& e, std::vector<LoadError>& errors) {
  KnownVector known;
  for (const auto& [key, value] : entry.items())
    if (key != "note" && key != "reason" && key != "ops" && key != "final" && key != "comment")
      errors.push_back({path, id, pointer + "/" + pointerToken(key), "unknown field (allowed: note, reason, ops, final, comment)"});
  if (entry.contains("note") == entry.contains("reason")) {
    errors.push_back({path, id, pointer, "an entry has a \"note\" (explained in the file's \"notes\") or a \"reason\", not both"});
    return;
  }
  if (entry.contains("note")) {
    const json& note = entry["note"];
    const auto it = note.is_string() ? e.notes.find(note.get<std::string>()) : e.notes.end();
    if (it == e.notes.end()) {
      errors.push_back({path, id, pointer + "/note", "not a note of the file's \"notes\""});
      return;
    }
    known.note = it->first;
    known.reason = it->second;
  } else if (checkReason(path, id, pointer + "/reason", entry["reason"], errors)) {
    known.reason = entry["reason"].get<std::string>();
  } else {
    return;
  }
  if (entry.contains("ops")) {
    const json& ops = entry["ops"];
    if (!ops.is_object())
      errors.push_back({path, id, pointer + "/ops", "expected an object of op pointer (\"/ops/2\") -> its actual outcome"});
    else
      for (const auto& [where, outcome] : ops.items()) {
        const std::string at = pointer + "/ops/" + pointerToken(where);
        if (where.rfind("/ops/", 0) != 0) {
          errors.push_back({path, id, at, "an op's pointer inside its vector: \"/ops/2\", \"/ops/0/body/1\""});
          continue;
        }
        if (auto k = loadKnownOutcome(path, id, outcome, at, errors)) known.failures.ops.emplace(where, std::move(*k));
      }
  }
  if (entry.contains("final")) {
    known.failures.final = loadKnownFinal(path, id, entry["final"], pointer + "/final", errors);
    known.failures.finalViolations = entry["final"].is_object() && entry["final"].contains("violations");
    known.failures.finalText = entry["final"].dump();
  }
  if (known.failures.wholeVector()) {
    errors.push_back({path, id, pointer, "an entry gives \"ops\" or \"final\", the outcomes the vector is known to fail with "
                                         "(a reason alone, as a string, covers the whole vector)"});
    return;
  }
  e.vectors[id] = std::move(known);
}

// "vectors": vector id -> an entry, or a reason that covers the whole vector.
void loadVectors(const std::string& path, const json& vectors, Expectations& e, std::vector<LoadError>& errors) {
  for (const auto& [id, entry] : vectors.items()) {
    const std::string pointer = "/vectors/" + pointerToken(id);
    if (entry.is_object()) loadEntry(path, id, entry, pointer, e, errors);
    else if (checkReason(path, id, pointer, entry, errors)) e.vectors[id] = KnownVector{entry.get<std::string>(), "", {}};
  }
}

// "notes": name -> what it explains, naming the rule.
void loadNotes(const std::string& path, const json& notes, Expectations& e, std::vector<LoadError>& errors) {
  if (!notes.is_object()) {
    errors.push_back({path, "", "/notes", "expected an object of note name -> explanation"});
    return;
  }
  for (const auto& [name, text] : notes.items())
    if (checkReason(path, "", "/notes/" + pointerToken(name), text, errors)) e.notes[name] = text.get<std::string>();
}

// "fuzz": a finding's signature after its target -> a reason.
void loadFindings(const std::string& path, const json& findings, Expectations& e, std::vector<LoadError>& errors) {
  for (const auto& [key, reason] : findings.items()) {
    const std::string pointer = "/fuzz/" + pointerToken(key);
    // OP/RULE/ASPECT (fuzz/differential.h), or the coarse OP/RULE.
    const auto slash = key.find('/');
    const std::string op = key.substr(0, slash);
    const auto second = slash == std::string::npos ? slash : key.find('/', slash + 1);
    const std::string rule = slash == std::string::npos ? "" : key.substr(slash + 1, second - slash - 1);
    const std::string aspect = second == std::string::npos ? "" : key.substr(second + 1);
    const bool aspectOk = second == std::string::npos ||
                          (!aspect.empty() && aspect.find_first_of(" /") == std::string::npos);
    if (slash == std::string::npos || !isRuleId(rule) || !aspectOk || (op != "sequence" && !findOp(op))) {
      errors.push_back({path, "", pointer,
                        "expected OP/RULE/ASPECT, a fuzz finding's signature after its target (\"peek/PEEK-1/"
                        "error:OutOfBounds>value:undefined\"), or the coarse OP/RULE (\"pop/SCOPE-5\"), with OP an op of "
                        "SEMANTICS.md or \"sequence\""});
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
    if (key != "schema" && key != "target" && key != "notes" && key != "vectors" && key != "fuzz" && key != "comment")
      errors.push_back({path, "", "/" + key, "unknown field (allowed: schema, target, comment, notes, vectors, fuzz)"});
  if (doc.contains("target") && doc["target"].is_string()) e.target = doc["target"].get<std::string>();
  if (doc.contains("comment") && doc["comment"].is_string()) e.comment = doc["comment"].get<std::string>();
  const bool hasVectors = doc.contains("vectors"), hasFuzz = doc.contains("fuzz");
  if (!hasVectors && !hasFuzz)
    errors.push_back({path, "", "/vectors", "expected \"vectors\" (vector id -> reason), \"fuzz\", or both"});
  if (doc.contains("notes")) loadNotes(path, doc["notes"], e, errors);
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

std::size_t Expectations::wholeVectorEntries() const {
  std::size_t n = 0;
  for (const auto& [id, known] : vectors) n += known.failures.wholeVector();
  return n;
}

bool namesTarget(const std::string& fileTarget, const std::string& spec) {
  if (fileTarget == spec) return true;
  // wasm:PATH?QUERY: the same module by another path (absolute, or from
  // another folder) is the same target: the file's path, relative to where
  // the project's files are run from, must end the spec's resolved one.
  if (fileTarget.rfind("wasm:", 0) != 0 || spec.rfind("wasm:", 0) != 0) return false;
  auto split = [](const std::string& s) {
    const std::size_t q = s.find('?');
    return std::pair{s.substr(5, q == std::string::npos ? std::string::npos : q - 5),
                     q == std::string::npos ? std::string() : s.substr(q)};
  };
  const auto [filePath, fileQuery] = split(fileTarget);
  const auto [specPath, specQuery] = split(spec);
  if (fileQuery != specQuery) return false;
  std::error_code error;
  const auto resolved = std::filesystem::weakly_canonical(specPath, error);
  if (error) return false;
  const auto wanted = std::filesystem::path(filePath).lexically_normal();
  if (wanted.is_absolute()) return wanted == resolved;
  std::vector<std::filesystem::path> tail(wanted.begin(), wanted.end()), have(resolved.begin(), resolved.end());
  return tail.size() <= have.size() && std::equal(tail.rbegin(), tail.rend(), have.rbegin());
}

std::string targetMismatch(const Expectations& e, const std::string& spec) {
  if (e.target.empty() || namesTarget(e.target, spec)) return "";
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
