// Expectations files (SEMANTICS.md section 11): what a target is known to
// fail, and the fuzz findings it is known to give.
//   {"schema": "memconform-expectations/1", "target": "...",
//    "notes": {"call-pops-top": "CALL-1: upstream's scopedAllocCall pops the top scope"},
//    "vectors": {
//      "call/basic/body-leaves-a-scope-pushed": {
//        "note": "call-pops-top",
//        "ops": {"/ops/2": {"error": "InvalidState", "events": []}},
//        "final": {"level": 1, "live": ["a"], "violations": ["LEAK-2"]}},
//      "scope/pop/non-top": "SCOPE-5: upstream pops the top scope"},
//    "fuzz": {"pop/SCOPE-5": "upstream pops the top scope"}}
// A vector's entry gives the actual outcome of each op it fails (and of its
// end state), so that any other failure in that vector is still a failure;
// its reason is a note (explained once in "notes", like Wycheproof's flags)
// or a "reason" of its own, naming the rule broken. The older form, a reason
// string alone, covers the whole vector and masks every other failure in it:
// it is still read, with a warning. At least one of "vectors" and "fuzz".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/loader.h"

namespace memconform::conformance {

struct KnownVector {
  std::string reason;  // the note's text, or the entry's own reason
  std::string note;    // the note's name, if it has one
  KnownFailures failures;
};

struct Expectations {
  std::string path;
  std::string target;
  std::string comment;
  std::map<std::string, std::string> notes;     // note name -> what it explains
  std::map<std::string, KnownVector> vectors;   // vector id -> its known failures
  std::map<std::string, std::string> findings;  // "pop/SCOPE-5" -> reason
  const KnownVector* find(const std::string& id) const {
    auto it = vectors.find(id);
    return it == vectors.end() ? nullptr : &it->second;
  }
  const std::string* reasonForFinding(const std::string& op, const std::string& rule) const {
    auto it = findings.find(op + "/" + rule);
    return it == findings.end() ? nullptr : &it->second;
  }
  // Entries of the older form, which cover a whole vector.
  std::size_t wholeVectorEntries() const;
};

// Why `e` cannot be used for the target `spec` (its "target" names another
// one: its known failures are another implementation's), or "" if it can.
// A file without a "target" fits any.
std::string targetMismatch(const Expectations& e, const std::string& spec);
// Whether an expectations file's "target" names `spec`: the same string, or
// for wasm: targets the same module file by another path, with the same query.
bool namesTarget(const std::string& fileTarget, const std::string& spec);

// Problems are LoadErrors naming the file and the JSON pointer (a reason that
// names no rule ID is one).
Expectations loadExpectations(const std::string& path, std::string_view text, std::vector<LoadError>& errors);
// The file at `path`, read and loaded; an unreadable file is a LoadError too.
Expectations readExpectations(const std::string& path, std::vector<LoadError>& errors);

}  // namespace memconform::conformance
