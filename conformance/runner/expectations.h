// Expectations files (SEMANTICS.md section 11): the vectors a target is known
// to fail, each with a reason that names the rule it breaks, and the fuzz
// findings it is known to give (fuzz_differential's signature without the
// target: the op, or "sequence", and the rule), each with a reason.
//   {"schema": "memconform-expectations/1", "target": "...",
//    "vectors": {"scope/pop/non-top": "SCOPE-5: upstream pops the top scope"},
//    "fuzz": {"pop/SCOPE-5": "upstream pops the top scope"}}
// At least one of "vectors" and "fuzz".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/loader.h"

namespace memconform::conformance {

struct Expectations {
  std::string path;
  std::string target;
  std::map<std::string, std::string> reasons;   // vector id -> reason
  std::map<std::string, std::string> findings;  // "pop/SCOPE-5" -> reason
  const std::string* reasonFor(const std::string& id) const { return find(reasons, id); }
  const std::string* reasonForFinding(const std::string& op, const std::string& rule) const {
    return find(findings, op + "/" + rule);
  }

 private:
  static const std::string* find(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  }
};

// Why `e` cannot be used for the target `spec` (its "target" names another
// one: its known failures are another implementation's), or "" if it can.
// A file without a "target" fits any.
std::string targetMismatch(const Expectations& e, const std::string& spec);

// Problems are LoadErrors naming the file and the JSON pointer (a reason that
// names no rule ID is one).
Expectations loadExpectations(const std::string& path, std::string_view text, std::vector<LoadError>& errors);
// The file at `path`, read and loaded; an unreadable file is a LoadError too.
Expectations readExpectations(const std::string& path, std::vector<LoadError>& errors);

}  // namespace memconform::conformance
