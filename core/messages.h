// Whether this thread builds messages that only a report reads: those of
// failing operations (errors.h) and of invariant violations
// (invariants.h). They are built unless a Messages object says otherwise
// while it lives: a fuzzer's search run (RunOptions::messages) only asks
// which ops failed and which rules were broken, and runs a failing input
// again, messages and all, for its report. Without them a failing op or a
// violation allocates nothing for its message (issue 22: no per-op
// allocation). Their kinds and rules are the same either way.
#pragma once

namespace memconform {

class Messages {
 public:
  static bool wanted() { return !off_; }
  explicit Messages(bool wanted) : before_(off_) { off_ = !wanted; }
  ~Messages() { off_ = before_; }
  Messages(const Messages&) = delete;
  Messages& operator=(const Messages&) = delete;

 private:
  static inline thread_local bool off_ = false;
  bool before_;
};

}  // namespace memconform
