// The runs of a driver's vectors that fuzz_differential remembers: a
// fuzzer's mutations often decode to a vector it ran already (a fifth to a
// third of the inputs of a run against sqlite-wasm), and a driver whose run
// depends on nothing but the vector (every vector starts from the state its
// instance was created in: the Node drivers' ctest
// NodeDriver.ResultsDoNotDependOnVectorOrder) would only answer it again.
// For any target, whatever protocol its driver speaks. A run that ended in
// an error (a driver that crashed, hung or broke the protocol) is never
// remembered: it is asked again.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "conformance/runner/executor.h"
#include "conformance/runner/vector.h"

namespace memconform::fuzz {

class RememberedRuns {
 public:
  // At most `entries` runs, the oldest forgotten first.
  explicit RememberedRuns(std::size_t entries) : entries_(entries) {}

  // The remembered run of a vector of this form (formOf; nullptr if none),
  // valid until the next remember(). Its ops point into the remembered copy
  // of the vector, which is like the caller's in every field a run depends on.
  const conformance::VectorRun* find(const std::string& form);
  // Remembers `run`, the run of `vector`, whose form is `form` (unless the
  // run is an error).
  void remember(const std::string& form, const conformance::Vector& vector, const conformance::VectorRun& run);

  std::size_t hits() const { return hits_; }

  // What decides a generated vector's run: its JSON (conformance/runner/
  // writer.h; a memory other than the default is stated). Ops' anyOutcome
  // is not in it: every generated op has it.
  static std::string formOf(const conformance::Vector& vector);

 private:
  struct Entry {
    conformance::Vector vector;  // the run's ops point into it
    conformance::VectorRun run;
  };
  std::size_t entries_, hits_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Entry>> runs_;
  std::deque<std::string> order_;  // keys of runs_, oldest first
};

}  // namespace memconform::fuzz
