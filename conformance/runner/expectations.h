// Expectations files (SEMANTICS.md section 11): the vectors a target is known
// to fail, each with a reason that names the rule it breaks.
//   {"schema": "memconform-expectations/1", "target": "...",
//    "vectors": {"scope/pop/non-top": "SCOPE-5: upstream pops the top scope"}}
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
  std::map<std::string, std::string> reasons;  // vector id -> reason
  const std::string* reasonFor(const std::string& id) const {
    auto it = reasons.find(id);
    return it == reasons.end() ? nullptr : &it->second;
  }
};

// Problems are LoadErrors naming the file and the JSON pointer (a reason that
// names no rule ID is one).
Expectations loadExpectations(const std::string& path, std::string_view text, std::vector<LoadError>& errors);

}  // namespace memconform::conformance
