// Test helpers: run calls on a reference Instance the way an executor does,
// one op at a time, and feed each op's events to the invariant checker.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/instance.h"
#include "core/invariants.h"

namespace memconform::testing {

// A small instance: 1 MiB of memory that may grow to 16 MiB.
inline InstanceConfig smallConfig() {
  InstanceConfig c;
  c.memory = {16, 256};
  return c;
}

// Runs `body` as one op on the instance, checks invariants after it, and
// returns the violations; an GlueError from the body marks the op as failed.
class CheckedRun {
 public:
  explicit CheckedRun(InstanceConfig config = smallConfig())
      : instance(std::move(config)), checker(instance.byteLength()) {}

  std::vector<Violation> op(const std::string& name, Attribution attribution, const std::function<void()>& body) {
    const std::size_t mark = instance.events().size();
    bool failed = false;
    try {
      body();
    } catch (const GlueError&) {
      failed = true;
    }
    return checker.observe(OpRecord{name, attribution, failed, instance.events().since(mark), instance.byteLength(), {}, {}});
  }

  Instance instance;
  InvariantChecker checker;
};

// The kind of the GlueError `fn` throws, failing the test if it throws none.
template <class Fn>
ErrorKind errorOf(Fn&& fn) {
  try {
    fn();
  } catch (const GlueError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a GlueError";
  return ErrorKind::Thrown;
}

inline std::string describeAll(const std::vector<Violation>& vs) {
  std::string out;
  for (const auto& v : vs) out += v.rule + ": " + v.message + "\n";
  return out;
}

}  // namespace memconform::testing
