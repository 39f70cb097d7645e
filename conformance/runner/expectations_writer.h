// Writes an expectations file (expectations.h) from a replay: for every
// vector that fails, the actual outcome of each op that fails and of the end
// state, so that a maintainer records what their implementation does today
// and sees any other failure from then on (`memconform replay
// --write-expectations FILE`). Reasons and notes come from the previous
// file; a vector it did not list gets a reason "RULE: to triage: ...", to be
// replaced by a person.
//
// Names stand for places wherever the run bound one (a pointer a vector
// named "a" is written "a"); a block an op made without a name gets one of
// its own ("_u1") in the event that shows it. A place with no name at all is
// written as its number, which depends on the allocator: review those.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "conformance/runner/executor.h"
#include "conformance/runner/expectations.h"

namespace memconform::conformance {

class ExpectationsWriter {
 public:
  // `previous` (may be null): the file the run used, for its reasons,
  // notes and fuzz findings. `reason`: what a vector `previous` does not
  // list is said to be (after the rule it breaks); "to triage: " and the
  // first failure if empty.
  ExpectationsWriter(std::string target, const Expectations* previous, std::string reason = "");
  // A vector's run (with its trace and end state): an entry if it failed.
  void add(const Vector& vector, const VectorRun& run);
  nlohmann::ordered_json document() const;
  // document() as text: each object or list that fits on a line on one line.
  std::string text() const;
  std::size_t entries() const { return entries_.size(); }

 private:
  std::string target_;
  const Expectations* previous_;
  std::string reason_;
  std::map<std::string, nlohmann::ordered_json> entries_;  // by vector id
};

}  // namespace memconform::conformance
