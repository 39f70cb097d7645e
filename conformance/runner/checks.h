// The expectation check (docs/VECTORS.md `expect`, `final`): compares what a target
// did in one op with what the vector says, binds names that event patterns
// introduce, and describes every difference as a Failure that names the op,
// the rule, the expected and the actual outcome.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/target.h"
#include "conformance/runner/vector.h"
#include "core/invariants.h"

namespace memconform::conformance {

// Names bound by `as` and by event patterns, with their values, in the order
// they were first bound, in one vector. Most sequences bind a few dozen
// names, which a lookup finds by scanning from the newest, the one most ops
// use (no node per name, and no memcmp for a fuzzer to intercept); past
// kScanned names a hash index takes over, so that a vector of 10^6 ops binds
// and looks up in constant time (bench/ops_bench.cpp).
class Bindings {
 public:
  const Value* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  void set(std::string_view name, Value value);
  void reserve(std::size_t names) { items_.reserve(names); }
  std::size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }  // in the order first bound
  auto end() const { return items_.end(); }
  // Forgets the names bound after the first `size`: a trial match of event
  // patterns (which only add names) undone without copying the others.
  void truncate(std::size_t size);

 private:
  static constexpr std::size_t kScanned = 64;
  static constexpr std::uint32_t kEmpty = 0, kForgotten = 0xffffffff;
  std::size_t position(std::string_view name) const;  // size() if unbound
  void index(std::size_t item);
  void reindex(std::size_t slots);
  std::vector<std::pair<std::string, Value>> items_;
  // Open addressing over items_ (a slot holds an item's position + 1; names
  // are not copied): empty up to kScanned names, at most half full.
  std::vector<std::uint32_t> slots_;
  std::size_t slotsUsed_ = 0;  // forgotten ones (truncate) included
};

struct Failure {
  std::string pointer;  // the op ("/vectors/3/ops/2/body/0") or "/vectors/3/final"
  std::string op;       // the op's name, or "final"
  std::string rule;     // "SCOPE-5", or the vector's rules, or an invariant's
  std::string expected;
  std::string actual;
  // For an op the expectations file lists with another outcome: that outcome.
  std::string listed;
};

// What an op did, as the executor observed it.
struct Observed {
  Value value;
  std::optional<ErrorKind> error;
  std::string message;  // the target's error message (without the kind), for reports
  std::vector<Event> events;
  std::vector<Violation> violations;  // invariant violations of this op
  std::uint64_t byteLength = 0;       // the memory size after the op
  std::optional<Value> addressAfter;  // peek of a list: the caller's list after the call (Target::addressAfter)
  // A fresh op's state; the buffers keep their capacity (the executor
  // reuses one Observed for every op).
  void reset() {
    value = Value();
    error.reset();
    message.clear();
    events.clear();
    violations.clear();
    byteLength = 0;
    addressAfter.reset();
  }
};

// The value of `e` with names replaced by what they are bound to; nullopt
// and `why` if a name is unbound at run time (the op that binds it failed)
// or takes an offset it cannot: reported, never a crash.
std::optional<Value> tryResolve(const Expr& e, const Bindings& bindings, std::string& why);
// The same into `into`, whose buffers (a list's, a string's) it reuses;
// false as tryResolve's nullopt (`into` then holds a part), with
// `unresolved` the name it could not resolve. Why is built only on demand,
// by whyUnresolved() (while `bindings` are unchanged): a fuzz target's ops
// often name what a failed op left unbound, and need no message.
bool resolveInto(const Expr& e, const Bindings& bindings, Value& into, const NameRef*& unresolved);
std::string whyUnresolved(const NameRef& ref, const Bindings& bindings);

std::string describe(const Observed& o);
std::string describeEvents(const std::vector<Event>& events);  // resource events only

struct CheckResult {
  std::vector<Failure> failures;
  std::optional<std::string> flag;  // the acceptable outcome that matched
};

// For a target whose allocator is its own (Target::wellBehavedCaller: a
// driver's dlmalloc, a wasm module's malloc), whether the memory an
// allocation made it ask for goes unchecked: the op allocated, and its
// expectation lists no grow or resizeAttempt event (a vector about growth
// checks them all). Then the check sees its events without them.
bool allocatorGrowthUnchecked(const Op& op, const Observed& observed);
void dropGrowthEvents(std::vector<Event>& events);

// Checks one op. `rule` is what failures cite. Bindings gain the names that
// matched event patterns introduce.
CheckResult checkOp(const Op& op, const std::string& rule, const Observed& observed, Bindings& bindings);

// An op's known failure laid over what the vector expects of it: the fields
// the known outcome gives replace the vector's, the rest stay, so that the
// known outcome matches that failure only.
Outcome knownOver(const Op& op, const KnownOutcome& known);
// Checks one op against `outcome` (as checkOp does with the op's own
// expectation, alternatives aside).
std::vector<Failure> checkAgainst(const Op& op, const std::string& rule, const Outcome& outcome, const Observed& observed,
                                  Bindings& bindings);
// What an op's known outcome says, for a report.
std::string describe(const Outcome& outcome, const Bindings& bindings);

// A known end state laid over the vector's `final` (which may be absent).
FinalState knownOver(const FinalState* final, const KnownFailures& known);

// Checks `final` against the target's state.
std::vector<Failure> checkFinal(const FinalState& final, const std::string& rule, const TargetState& state,
                                const Bindings& bindings);

// True for the events a vector's `expect.events` lists (alloc, dealloc,
// install, uninstall, grow, resizeAttempt).
bool isResourceEvent(const Event& e);

}  // namespace memconform::conformance
