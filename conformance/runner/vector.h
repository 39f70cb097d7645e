// The in-memory form of a vector file (docs/VECTORS.md): what the
// loader produces and the executor runs. Every part remembers the JSON
// pointer it came from, so that a report can name the exact place.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "conformance/runner/ops.h"
#include "conformance/runner/value.h"
#include "core/errors.h"
#include "core/memory.h"
#include "core/resize_policy.h"

namespace memconform::conformance {

// A reference to a name bound by an earlier op's `as`, with an offset and a
// right shift, as glue code indexes its heap views: "p", "p+4", "p-8",
// "p>>2" (an element index of a 32-bit view), "p+8>>3". Names are letters,
// digits and `_`, starting with a letter or `_`.
struct NameRef {
  std::string name;
  std::int64_t offset = 0;
  int shift = 0;  // 0..3
};

// A long string written short: `text` `count` times over
// ({"repeat": "ab", "count": 3} is "ababab"), so that a vector can pass a
// string longer than a memory of hundreds of pages (a helper whose block
// grows the memory) without carrying it. At most kMaxRepeatedBytes bytes.
struct Repeat {
  std::string text;
  std::uint64_t count = 0;
  std::string expanded() const;
  // expanded(), or a string recycle() gave back for the same text and count:
  // a string of megabytes keeps its pages mapped from one op to the next
  // (under ASan each new one is a fresh mapping, faulted in page by page).
  std::string take() const;
  // A string take() gave out, unchanged, for the next take() of this text and
  // count (up to 64 strings and 64 MiB of them are kept, the oldest dropped
  // first; none shorter than 4 KiB).
  void recycle(std::string&& expandedText) const;
  static std::size_t kept();  // how many strings recycle() keeps now
};
inline constexpr std::uint64_t kMaxRepeatedBytes = 64ull << 20;

// An argument or an expected value before names are resolved.
struct Expr {
  std::variant<Value, NameRef, std::vector<Expr>, Repeat> form;
};

// One expected event (docs/VECTORS.md): the resource events only; push, pop and
// stale-view events are the invariant checker's business. A name that is not
// bound yet is bound to the actual value ("alloc": "s0" names a block that
// the op allocated without returning it).
struct EventPattern {
  enum class Kind { Alloc, Dealloc, Install, Uninstall, Grow, ResizeAttempt } kind;
  Expr subject;                    // alloc/dealloc: the pointer; install/uninstall: the index; grow: pages; resizeAttempt: newSize
  std::optional<double> size;      // alloc: the requested size, if given
  std::optional<bool> ok;          // grow, resizeAttempt
  std::string pointer;
};

// What an op must do. Absent: it must succeed.
struct Outcome {
  std::optional<ErrorKind> error;
  std::optional<Expr> value;
  std::optional<std::vector<EventPattern>> events;
  std::optional<double> multipleOf;  // the value is a Number, a multiple of this
  bool nonZero = false;               // the value is a Number other than 0
  // Invariant violations the op must cause (a deliberate stale-view access
  // must be reported as SAFE-3); any other violation is a failure.
  std::vector<std::string> violations;
  std::optional<std::string> type;  // the kind of the value (typeName); expectations files only
  // peek of a list: the caller's list as the call leaves it (PEEK-5: as it
  // was); needs a target with the capability caller-list.
  std::optional<Expr> addressAfter;
};

struct Expectation {
  Outcome outcome;
  // Implementation-defined outcomes (docs/VECTORS.md): the op passes if it matches
  // any alternative; each names a flag that the file's `notes` explain.
  std::vector<std::pair<std::string, Outcome>> acceptable;
  std::string pointer;
};

// An op's arguments by parameter name, in name order as a std::map keeps
// them, but in one buffer: an op has a handful at most (ops.cpp), and a
// decoder that reuses its ops (fuzz::OpDecoder) keeps the buffer from one
// input to the next instead of allocating a node per argument.
class OpArgs {
 public:
  using value_type = std::pair<std::string, Expr>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }  // keeps the buffer
  void reserve(std::size_t n) { items_.reserve(n); }

  iterator find(std::string_view name);
  const_iterator find(std::string_view name) const;
  std::size_t count(std::string_view name) const { return find(name) != end(); }
  // The argument `name`, added (undefined) if absent.
  Expr& operator[](std::string_view name);
  // Adds `name` unless present, as std::map::emplace: the element, and
  // whether it was added.
  std::pair<iterator, bool> emplace(std::string_view name, Expr value);

 private:
  // Where `name` is or would go, in name order.
  std::size_t position(std::string_view name) const;
  std::vector<value_type> items_;
};

struct Op {
  OpKind kind;
  std::string pointer;  // "/vectors/3/ops/2/body/0"
  OpArgs args;
  std::vector<Op> body;               // call
  std::vector<std::string> as;        // one name, or one per list element (destructuring)
  // Null: must succeed (unless anyOutcome). Shared and immutable: ops are
  // copied while a sequence is minimised, and most have no expectation.
  std::shared_ptr<const Expectation> expect;
  std::string rule;                   // the rule this op checks; empty: the vector's rules
  // Generated sequences (fuzzing) accept any result of the op and check only
  // the invariants; an op whose names an earlier failed op left unbound is
  // skipped instead of failing. Vector files never set it.
  bool anyOutcome = false;
};

// How many ops a sequence has, the ops of call bodies included.
inline std::size_t countOps(const std::vector<Op>& ops) {
  std::size_t n = ops.size();
  for (const auto& op : ops) n += countOps(op.body);
  return n;
}

struct Setup {
  MemoryConfig memory;
  GrowthParams growth;
  GrowthFaults faults;
  bool operator==(const Setup&) const = default;
};

struct FinalState {
  std::optional<std::size_t> level;
  std::optional<std::vector<std::string>> live;       // names of the live allocations, exactly
  std::optional<std::vector<std::string>> installed;  // names of the installed table slots, exactly
  std::optional<double> byteLength;
  // Invariant violations the end of the sequence must report (LEAK-2 for a
  // scope left open on purpose); any other is a failure.
  std::vector<std::string> violations;
  std::string pointer;
};

// What an expectations file knows of one failing op (SEMANTICS.md section
// 11): its actual outcome, in `expect`'s grammar. What it leaves out is the
// vector's own expectation, so an entry matches only the known failure.
struct KnownOutcome {
  Outcome outcome;
  bool result = false;      // it gives the value or error (ok, error, value, type, nonZero, multipleOf)
  bool violations = false;  // it gives the violations
  bool notRun = false;      // "run": false: the op does not run (a name it uses is unbound)
  std::string pointer;      // in the expectations file
  std::string text;         // as the file writes it (JSON), for a writer that keeps it
};

// What an expectations file knows of one vector's failures: the outcome of
// each op that fails, by its pointer inside the vector ("/ops/2",
// "/ops/0/body/1"), and the end state. An empty one covers the whole vector
// (the older form: it masks any other failure of the vector).
struct KnownFailures {
  std::map<std::string, KnownOutcome> ops;
  std::optional<FinalState> final;  // the fields it gives replace `final`'s
  bool finalViolations = false;     // final.violations was given
  std::string finalText;            // `final` as the file writes it (JSON)
  bool wholeVector() const { return ops.empty() && !final; }
};

struct Vector {
  std::string id;
  std::string file;
  std::string area;
  std::string pointer;  // "/vectors/3"
  std::vector<std::string> rules;
  std::string source;  // seed, upstream, wasm, ecma, decided
  std::set<std::string> tags;
  std::set<std::string> requires_;
  Setup setup;
  std::vector<Op> ops;
  std::optional<FinalState> final;
};

struct VectorFile {
  std::string path;
  std::string area;
  std::string description;
  std::map<std::string, std::string> notes;  // flag -> what differs and who does what
  std::vector<Vector> vectors;
};

}  // namespace memconform::conformance
