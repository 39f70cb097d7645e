// Test helpers: run calls on a reference Instance the way an executor does,
// one op at a time, and feed each op's events to the invariant checker.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <type_traits>
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

// The byte at `a`, read as the caller would.
inline std::uint8_t byteAt(const LinearMemory& memory, Address a) {
  std::uint8_t b;
  memory.callerRead(a, &b, 1);
  return b;
}

// Checks invariants op by op, as an executor does: each check reads the
// events recorded since the previous one.
class CheckedRun {
 public:
  explicit CheckedRun(InstanceConfig config = smallConfig())
      : instance(std::move(config)), checker(instance.byteLength()) {}

  // Runs `body` as one op and checks it; a GlueError from the body (value()
  // of a failed Result) marks the op as failed.
  std::vector<Violation> op(const std::string& name, Attribution attribution, const std::function<void()>& body) {
    bool failed = false;
    try {
      body();
    } catch (const GlueError&) {
      failed = true;
      ++failedOps;
    }
    return flush(name, attribution, failed);
  }

  // Checks the events recorded since the last check as one op.
  std::vector<Violation> flush(const std::string& name, Attribution attribution, bool failed) {
    std::vector<Event> events = instance.events().since(cursor_);
    cursor_ = instance.events().size();
    return checker.observe(OpRecord{name, attribution, failed, events, instance.byteLength(), {}, {}, {}});
  }

  Instance instance;
  InvariantChecker checker;
  std::size_t failedOps = 0;  // ops that ended with a GlueError

 private:
  std::size_t cursor_ = 0;
};

// The kind of the Error that `fn` returns (as a Result) or throws (as a
// GlueError), failing the test if it does neither.
template <class Fn>
ErrorKind errorOf(Fn&& fn) {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
      fn();
    } else {
      const auto result = fn();
      if (!result) return result.error().kind;
    }
  } catch (const GlueError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected an error";
  return ErrorKind::Thrown;
}

// A file of the source tree (MEMCONFORM_SOURCE_DIR), e.g. a vector file.
inline std::string readProjectFile(const std::string& relative) {
  std::ifstream in(std::string(MEMCONFORM_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string describeAll(const std::vector<Violation>& vs) {
  std::string out;
  for (const auto& v : vs) out += v.rule + ": " + v.message + "\n";
  return out;
}

}  // namespace memconform::testing
