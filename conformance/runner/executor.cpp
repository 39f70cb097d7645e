#include "conformance/runner/executor.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

#include "conformance/runner/args.h"
#include "core/invariants.h"

namespace memconform::conformance {
namespace {

Attribution attributionOf(OpKind kind) {
  return opSpec(kind).ownership == Ownership::TopScope ? Attribution::TopScope : Attribution::Caller;
}

}  // namespace

// What an Executor works with during a run: its invariant checker, the
// names bound, the buffers of an op's arguments and outcome. A VectorRun
// keeps it for the next run into it (VectorRun::executorState), so that a
// fuzz target running input after input grows them once, not once per
// input (issue 22: no heap allocation per op; 44 per fuzz_scope_ops input
// before, bench/fuzz_input_bench.cpp's allocs/input).
struct ExecutorState {
  InvariantChecker checker{0};
  Bindings bindings;
  Bindings knownNames;  // bound by known outcomes only (withKnownNames)
  // runOp's arguments and outcome, reused from op to op.
  Args opArgs;
  Observed opObserved;
  // announceAfter's: the arguments of the op it announces, and the names
  // that the ops before it bind.
  Args aheadArgs;
  std::vector<std::string_view> pendingNames;
  std::string rule;  // the vector's rules, for failures
  // runCall's, one per depth of calls: the call's outcome, and the events
  // of its push and of its pop.
  struct CallBuffers {
    Observed observed;
    std::vector<Event> pushed, popped;
  };
  std::deque<CallBuffers> calls;  // a deque: a call's stay where they are while its body's calls add theirs

  // Nothing of the run before is left, values and violations freed; the
  // buffers stay. A run starts from here, and an emptied VectorRun keeps it
  // so (an input frees what it allocated).
  void restart(std::uint64_t byteLength) {
    checker.restart(byteLength);
    bindings.truncate(0);
    knownNames.truncate(0);
    opArgs.clearValues();
    opObserved.reset();
    aheadArgs.clearValues();
    pendingNames.clear();
    rule.clear();
    for (auto& call : calls) {
      call.observed.reset();
      call.pushed.clear();
      call.popped.clear();
    }
  }
};

void ExecutorStateDeleter::operator()(ExecutorState* state) const { delete state; }

ExecutorState& VectorRun::executorState() {
  if (!spare_.executor) spare_.executor.reset(new ExecutorState);
  return *spare_.executor;
}

namespace {

class Executor {
 public:
  Executor(const Vector& vector, Target& target, VectorRun& run, RunOptions options)
      : vector_(vector), target_(target), ownAllocator_(target.wellBehavedCaller()), run_(run),
        state_(run.executorState()), announces_(target.announces()), options_(options) {
    state_.restart(target.byteLength());
    for (const auto& r : vector.rules) {
      if (!rule_.empty()) rule_ += ' ';
      rule_ += r;
    }
  }

  void runAll() {
    const std::size_t ops = countOps(vector_.ops);
    if (options_.keepTrace) run_.ops.reserve(ops);
    // Most ops bind at most one name; a long generated vector grows past this.
    bindings_.reserve(std::min<std::size_t>(ops, 1024));
    runOps(vector_.ops);
    const auto& leaks = checker_.finish();  // LEAK-2
    const bool knownEnd = options_.known && options_.known->final;
    std::optional<TargetState> state;
    if (vector_.final || knownEnd || options_.keepEndState) state = target_.state();
    auto failures = endFailures(vector_.final ? &*vector_.final : nullptr, leaks, state, bindings_);
    if (knownEnd && !failures.empty()) {
      const FinalState listed = knownOver(vector_.final ? &*vector_.final : nullptr, *options_.known);
      if (endFailures(&listed, leaks, state, withKnownNames(bindings_)).empty()) {
        run_.failedAsListed.insert("/final");
        std::move(failures.begin(), failures.end(), std::back_inserter(run_.knownFailures));
        failures.clear();
      }
    }
    std::move(failures.begin(), failures.end(), std::back_inserter(run_.failures));
    if (options_.keepEndState) run_.endState = std::move(state);
    if (options_.keepTrace) run_.names.assign(bindings_.begin(), bindings_.end());
  }

 private:
  // The end of the run against `final` (absent: only LEAK-2): every leak it
  // does not list, every violation it lists that did not happen, and every
  // field of the state it gets wrong.
  std::vector<Failure> endFailures(const FinalState* final, const std::vector<Violation>& leaks,
                                   const std::optional<TargetState>& state, const Bindings& bindings) const {
    std::vector<Failure> out;
    static const std::vector<std::string> none;
    const std::vector<std::string>& expected = final ? final->violations : none;
    for (const auto& v : leaks)
      if (std::find(expected.begin(), expected.end(), v.rule) == expected.end())
        out.push_back({vector_.pointer + "/ops", "end", v.rule, "nothing left live", v.message, {}});
    for (const auto& rule : expected)
      if (std::none_of(leaks.begin(), leaks.end(), [&](const Violation& v) { return v.rule == rule; }))
        out.push_back({final->pointer + "/violations", "end", rule, "a " + rule + " violation reported", "none", {}});
    if (final) {
      auto f = checkFinal(*final, rule_, *state, bindings);
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }

  void runOps(const std::vector<Op>& ops) {
    std::size_t announced = 0;  // the ops before this one were announced, or run
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      if (op.kind == OpKind::Call) runCall(op);
      else if (op.kind == OpKind::Throw) throwFrames(op);
      else {
        if (announces_ && i >= announced) announced = announceAfter(ops, i);
        runOp(op);
      }
    }
  }

  // Announces to the target (Target::announce) the plain ops after ops[i]
  // that run next, with the arguments they will have, whatever ops[i] and
  // the ops between do: those whose names are bound now and bound again by
  // none of the ops before them, up to the first that is not, a call, a
  // throw or kAnnounced ops. The index of the first op not announced.
  std::size_t announceAfter(const std::vector<Op>& ops, std::size_t i) {
    pendingNames_.assign(ops[i].as.begin(), ops[i].as.end());
    std::size_t next = i + 1;
    const NameRef* unresolved = nullptr;
    for (; next < ops.size() && next - i <= kAnnounced; ++next) {
      const Op& op = ops[next];
      if (op.kind == OpKind::Call || op.kind == OpKind::Throw) break;
      if (!std::all_of(op.args.begin(), op.args.end(), [&](const auto& arg) { return fixedAhead(arg.second); })) break;
      if (!resolveArgs(op, aheadArgs_, unresolved) || !target_.announce(op, aheadArgs_)) break;
      pendingNames_.insert(pendingNames_.end(), op.as.begin(), op.as.end());
    }
    return next;
  }
  static constexpr std::size_t kAnnounced = 16;

  // Whether an argument resolves now to what it will be when its op runs:
  // it names nothing that an op announced before binds (pendingNames_). A
  // long string is not announced: it would be written out twice.
  bool fixedAhead(const Expr& e) const {
    if (const auto* ref = std::get_if<NameRef>(&e.form))
      return std::find(pendingNames_.begin(), pendingNames_.end(), ref->name) == pendingNames_.end();
    if (const auto* items = std::get_if<std::vector<Expr>>(&e.form))
      return std::all_of(items->begin(), items->end(), [&](const Expr& item) { return fixedAhead(item); });
    return !std::holds_alternative<Repeat>(e.form);
  }

  // The outcome of a target's op, into what the executor observed. The
  // message is copied into the buffer `observed` has: `observed` may be a
  // trace record that outlives the input, and a buffer moved in would stay
  // with it after emptyKeepingBuffers (an input that ends with more mallocs
  // than frees runs again under libFuzzer). A value is freed by the emptying.
  static void take(Result<Value>&& outcome, Observed& observed) {
    if (outcome) {
      observed.value = std::move(*outcome);
      return;
    }
    observed.error = outcome.error().kind;
    observed.message = outcome.error().message;
  }

  // The op's arguments with names resolved, into `args`; false and the name if
  // one names a value that an earlier failed op never bound.
  bool resolveArgs(const Op& op, Args& args, const NameRef*& unresolved) {
    args.clear();
    for (const auto& [name, expr] : op.args) {
      Value& slot = std::holds_alternative<std::vector<Expr>>(expr.form) ? args.addListSlot(name) : args.addSlot(name);
      if (!resolveInto(expr, bindings_, slot, unresolved)) return false;  // into the slot's buffers
    }
    return true;
  }

  // Feeds the events since the last record to the invariant checker as one
  // op; its violations, valid until the next record.
  const std::vector<Violation>& record(std::string_view name, Attribution attribution, bool failed,
                                       std::span<const Event> events, std::optional<std::uint64_t> contentsBefore,
                                       std::uint64_t byteLength,
                                       std::optional<OpRecord::ScopeToPop> mustPop = std::nullopt) {
    return checker_.observe(OpRecord{name, attribution, failed, events, byteLength, contentsBefore,
                                     contentsBefore ? target_.contentsVersion() : std::nullopt, mustPop});
  }

  // CALL-1: the end of a call pops the scope its start pushed.
  static std::optional<OpRecord::ScopeToPop> pushedScope(std::span<const Event> events) {
    for (const auto& e : events)
      if (const auto* p = std::get_if<PushEvent>(&e)) return OpRecord::ScopeToPop{p->scope, "CALL-1"};
    return std::nullopt;
  }

  // SCOPE-5: scopedAllocPop(scope) pops the scope its handle names.
  static std::optional<OpRecord::ScopeToPop> namedScope(const Op& op, const Args& args) {
    if (op.kind != OpKind::Pop) return std::nullopt;
    const Value* scope = args::find(args, "scope");
    const Handle* h = scope ? scope->get<Handle>() : nullptr;
    if (!h || h->kind != Handle::Kind::Scope) return std::nullopt;
    return OpRecord::ScopeToPop{h->id, "SCOPE-5"};
  }

  // Checks the op's outcome, and adds it to the trace: into `inTrace` if
  // runOp observed it there, else as a copy.
  void conclude(const Op& op, const Observed& asObserved, OpRun* inTrace = nullptr) {
    namesBefore_ = bindings_.size();
    if (!asObserved.error) bind(op, asObserved.value);  // before the check: `expect` may use the op's names
    const KnownOutcome* known = knownOutcome(op);
    std::optional<Bindings> before;
    if (known) before = bindings_;
    // An allocator of the target's own decides when it needs more memory
    // (SCOPE-3): checked only where the vector expects growth.
    std::optional<Observed> withoutGrowth;
    if (ownAllocator_ && allocatorGrowthUnchecked(op, asObserved)) {
      withoutGrowth = asObserved;
      dropGrowthEvents(withoutGrowth->events);
    }
    const Observed& observed = withoutGrowth ? *withoutGrowth : asObserved;
    auto checked = checkOp(op, rule_, observed, bindings_);
    if (known && known->notRun) {
      for (auto& f : checked.failures) f.listed = "not run (a name it uses unbound)";
    } else if (known && !checked.failures.empty()) {
      Bindings trial = withKnownNames(*before);
      if (checkAgainst(op, rule_, knownOver(op, *known), observed, trial).empty()) {
        // Failed as the expectations file lists: a known failure.
        keepKnownNames(trial);
        run_.failedAsListed.insert(op.pointer.substr(vector_.pointer.size()));
        std::move(checked.failures.begin(), checked.failures.end(), std::back_inserter(run_.knownFailures));
        checked.failures.clear();
      } else {
        const std::string listed = describe(knownOver(op, *known), trial);
        for (auto& f : checked.failures) f.listed = listed;
      }
    }
    run_.failures.insert(run_.failures.end(), checked.failures.begin(), checked.failures.end());
    if (checked.flag) run_.flags.insert(*checked.flag);
    if (inTrace) inTrace->namesBefore = namesBefore_;
    else trace(op, &asObserved, {});
  }

  // Names that known outcomes bind (a block a failing op made) are the
  // runner's own: they are seen by later known outcomes and the end state,
  // never by the vector's ops, which run as they would with no expectations
  // file (and as a driver runs them).
  Bindings withKnownNames(Bindings b) const {
    for (const auto& [name, value] : knownNames_)
      if (!b.contains(name)) b.set(name, value);
    return b;
  }
  void keepKnownNames(const Bindings& trial) {
    for (const auto& [name, value] : trial)
      if (!bindings_.contains(name) && !knownNames_.contains(name)) knownNames_.set(name, value);
  }

  // Whether the op's check reads the caller's list after it (PEEK-5): its
  // expectation does, or what the expectations file lists for it.
  bool readsAddressAfter(const Op& op) const {
    const KnownOutcome* known = knownOutcome(op);
    return (op.expect && op.expect->outcome.addressAfter) || (known && known->outcome.addressAfter);
  }

  // The expectations file's known outcome of `op`, if it lists one.
  const KnownOutcome* knownOutcome(const Op& op) const {
    if (!options_.known || options_.known->ops.empty()) return nullptr;
    const auto it = options_.known->ops.find(op.pointer.substr(vector_.pointer.size()));
    return it == options_.known->ops.end() ? nullptr : &it->second;
  }

  // Adds the op to the trace, if the run keeps one: a copy of what it
  // observed (a call's; runOp observes into its record), or a note why it
  // did not run.
  void trace(const Op& op, const Observed* observed, std::string note) {
    if (!options_.keepTrace) return;
    OpRun& r = run_.ops.next();
    r.op = &op;
    run_.setObserved(r, observed);
    r.note = std::move(note);
    r.namesBefore = namesBefore_;
  }

  void bind(const Op& op, const Value& value) {
    if (op.as.size() == 1) {
      bindings_.set(op.as.front(), value);
      return;
    }
    const auto* list = value.get<std::vector<Value>>();
    if (op.as.empty()) return;
    if (!list || list->size() != op.as.size()) {
      if (op.anyOutcome) return;  // a generated op: its names stay unbound
      run_.failures.push_back({op.pointer + "/as", std::string(opSpec(op.kind).name), rule_,
                               "a list of " + std::to_string(op.as.size()) + " values to bind", "value " + toText(value), {}});
      return;
    }
    for (std::size_t i = 0; i < list->size(); ++i) bindings_.set(op.as[i], (*list)[i]);
  }

  // An op whose arguments name a value that an earlier failed op never bound
  // cannot run; that is a failure of this op, not a crash. Why is said only
  // where a report keeps it: a generated op is skipped without a failure.
  void unresolvable(const Op& op, const NameRef& unresolved) {
    namesBefore_ = bindings_.size();
    if (!op.anyOutcome) {
      std::string why = whyUnresolved(unresolved, bindings_);
      Failure f{op.pointer, std::string(opSpec(op.kind).name), rule_, "an op that can run", std::move(why), {}};
      const KnownOutcome* known = knownOutcome(op);
      if (known && known->notRun) {
        run_.failedAsListed.insert(op.pointer.substr(vector_.pointer.size()));
        run_.knownFailures.push_back(std::move(f));
      } else {
        if (known) f.listed = describe(knownOver(op, *known), bindings_);
        run_.failures.push_back(std::move(f));
      }
    }
    if (options_.keepTrace) trace(op, nullptr, "not run: " + whyUnresolved(unresolved, bindings_));
  }

  // With a trace, the op's record, added now so that the op's outcome is
  // observed in place (a copy per op cost 4% of a differential fuzz run);
  // taken back if the op throws (the run then ends without it).
  struct InTrace {
    VectorRun& run;
    OpRun* record = nullptr;
    bool done = false;
    ~InTrace() {
      if (record && !done) run.ops.dropLast();
    }
  };

  void runOp(const Op& op) {
    Args& args = opArgs_;
    if (const NameRef* unresolved = nullptr; !resolveArgs(op, args, unresolved)) {
      unresolvable(op, *unresolved);
      return;
    }
    const auto before = target_.contentsVersion();
    InTrace inTrace{run_};
    if (options_.keepTrace) {
      inTrace.record = &run_.ops.next();
      inTrace.record->op = &op;
      inTrace.record->note.clear();
    }
    Observed& observed = inTrace.record ? run_.observedOf(*inTrace.record) : opObserved_;
    observed.reset();
    take(target_.execute(op, args), observed);
    if (op.kind == OpKind::Peek && !observed.error && (inTrace.record || readsAddressAfter(op)))
      observed.addressAfter = target_.addressAfter();
    // Into the same buffer for every op (Target::takeEvents: a target may
    // swap its own with it), then copied into the op's record.
    target_.takeEvents(opObserved_.events);
    if (&observed != &opObserved_) observed.events.assign(opObserved_.events.begin(), opObserved_.events.end());
    observed.byteLength = target_.byteLength();
    const auto& violations = record(opSpec(op.kind).name, attributionOf(op.kind), observed.error.has_value(),
                                    observed.events, before, observed.byteLength, namedScope(op, args));
    observed.violations.assign(violations.begin(), violations.end());  // copied in, as take() copies the message
    target_.takeAccessViolations(observed.violations);
    conclude(op, observed, inTrace.record);
    inTrace.done = true;
    recycleLongStrings(op.args, args);
  }

  // The long strings an op was given (Repeat), back for the next op that
  // passes the same one: the target is done with its arguments.
  static void recycleLongStrings(const OpArgs& exprs, Args& args) {
    for (const auto& [name, expr] : exprs) {
      // Most arguments are a value or a name, with no long string to give
      // back: no lookup by name for them (its memcmp, which a fuzzer
      // intercepts, was about 1% of fuzz_scope_ops's time).
      if (!std::holds_alternative<Repeat>(expr.form) && !std::holds_alternative<std::vector<Expr>>(expr.form)) continue;
      if (Value* value = args.find(name)) recycleLongStrings(expr, *value);
    }
  }
  static void recycleLongStrings(const Expr& expr, Value& value) {
    if (const auto* r = std::get_if<Repeat>(&expr.form)) {
      if (auto* s = std::get_if<std::string>(&value.data)) r->recycle(std::move(*s));
      return;
    }
    const auto* items = std::get_if<std::vector<Expr>>(&expr.form);
    auto* values = std::get_if<std::vector<Value>>(&value.data);
    if (!items || !values || items->size() != values->size()) return;
    for (std::size_t i = 0; i < items->size(); ++i) recycleLongStrings((*items)[i], (*values)[i]);
  }

  // What a call's body is given, and tells the call when it is done.
  struct CallBody {
    const Op& op;
    std::vector<Event>& pushed;  // the call's own push, before the body
    bool started = false;
    std::optional<std::string> unboundResult;  // why the body left the call's result unbound
  };

  // The body of a call, inside the target's scopedAllocCall: the call's
  // push is recorded first, then the body's ops run; the call's result.
  Value runBody(CallBody& call) {
    call.started = true;
    target_.takeEvents(call.pushed);
    const auto& violations =
        record("call (push)", Attribution::Caller, false, call.pushed, std::nullopt, target_.byteLength());
    for (const auto& v : violations)
      run_.failures.push_back({call.op.pointer, "call", v.rule, "no " + v.rule + " violation", v.message, {}});
    runOps(call.op.body);
    const auto it = call.op.args.find("result");
    if (it == call.op.args.end()) return Value(Undefined{});
    std::string why;
    if (auto result = tryResolve(it->second, bindings_, why)) return std::move(*result);
    call.unboundResult = why;  // the body failed to bind it; the call itself still returns
    return Value(Undefined{});
  }

  // scopedAllocCall: the push and the pop are records of their own, the body's
  // ops are checked one by one in between (CALL-1, CALL-2).
  void runCall(const Op& op) {
    if (state_.calls.size() == callDepth_) state_.calls.emplace_back();
    ExecutorState::CallBuffers& buffers = state_.calls[callDepth_];
    Observed& observed = buffers.observed;
    std::vector<Event>& pushed = buffers.pushed;
    std::vector<Event>& popped = buffers.popped;
    observed.reset();
    pushed.clear();
    popped.clear();
    struct Depth {
      std::size_t& depth;
      ~Depth() { --depth; }
    } depth{++callDepth_};
    std::optional<VectorThrow> unwinding;
    CallBody body{op, pushed, false, std::nullopt};
    try {
      // Two pointers: std::function keeps them in place, with no malloc per call.
      take(target_.call(op, [this, &body]() { return runBody(body); }), observed);
    } catch (const VectorThrow& t) {
      observed.error = ErrorKind::Thrown;
      observed.message = "thrown by the vector";
      if (t.frames > 1) unwinding = VectorThrow{t.frames - 1};
    }
    if (body.unboundResult && !op.anyOutcome)
      run_.failures.push_back(
          {op.pointer + "/result", "call", rule_, "a result that can be evaluated", *body.unboundResult, {}});
    target_.takeEvents(popped);
    observed.byteLength = target_.byteLength();
    const bool failed = observed.error && *observed.error != ErrorKind::Thrown;  // SAFE-4: Thrown is not a failure
    observed.violations = record(body.started ? "call (pop)" : "call", Attribution::Caller, failed, popped,
                                 std::nullopt, observed.byteLength, pushedScope(pushed));
    target_.takeAccessViolations(observed.violations);
    // The call's own events: its push, then its pop and what that released.
    observed.events.assign(pushed.begin(), pushed.end());
    observed.events.insert(observed.events.end(), popped.begin(), popped.end());
    conclude(op, observed);
    if (unwinding) throw *unwinding;
  }

  [[noreturn]] void throwFrames(const Op& op) {
    const auto it = op.args.find("frames");
    const auto frames = it == op.args.end() ? 1 : static_cast<std::size_t>(*std::get<Value>(it->second.form).get<double>());
    namesBefore_ = bindings_.size();
    if (options_.keepTrace) trace(op, nullptr, "thrown through " + std::to_string(frames) + " call(s)");
    throw VectorThrow{frames};
  }

  const Vector& vector_;
  Target& target_;
  const bool ownAllocator_;  // the target's wellBehavedCaller(), asked once per run
  VectorRun& run_;
  ExecutorState& state_;  // kept by run_ from run to run
  InvariantChecker& checker_ = state_.checker;
  Bindings& bindings_ = state_.bindings;
  Bindings& knownNames_ = state_.knownNames;
  Args& opArgs_ = state_.opArgs;
  Observed& opObserved_ = state_.opObserved;
  const bool announces_;
  Args& aheadArgs_ = state_.aheadArgs;
  std::vector<std::string_view>& pendingNames_ = state_.pendingNames;
  std::size_t namesBefore_ = 0;  // of the op being concluded
  std::size_t callDepth_ = 0;    // of the call running (state_.calls)
  std::string& rule_ = state_.rule;
  RunOptions options_;
};

}  // namespace

std::vector<OpTrace> formatTrace(const VectorRun& run) {
  std::vector<OpTrace> out;
  for (const auto& r : run.ops)
    out.push_back({r.op->pointer, std::string(opSpec(r.op->kind).name), r.observed ? describe(*r.observed) : r.note,
                   r.observed ? describeEvents(r.observed->events) : ""});
  return out;
}

std::map<const Op*, const Observed*> observedByOp(const VectorRun& run) {
  std::map<const Op*, const Observed*> out;
  for (const auto& r : run.ops)
    if (r.observed) out[r.op] = &*r.observed;
  return out;
}

std::vector<std::string> missingCapabilities(const Vector& vector, const Target& target) {
  std::vector<std::string> missing;
  for (const auto& c : vector.requires_)
    if (!target.capabilities().count(c)) missing.push_back(c);
  return missing;
}

void VectorRun::restart() {
  status = Status::Completed;
  reason.clear();
  failures.clear();
  knownFailures.clear();
  failedAsListed.clear();
  flags.clear();
  ops.restart();
  names.clear();
  endState.reset();
}

OpRecords& OpRecords::operator=(const OpRecords& other) {
  if (this != &other) {
    records_.assign(other.begin(), other.end());
    size_ = filled_ = other.size_;
  }
  return *this;
}

OpRecords::OpRecords(OpRecords&& other) noexcept
    : records_(std::move(other.records_)), size_(std::exchange(other.size_, 0)), filled_(std::exchange(other.filled_, 0)) {}

OpRecords& OpRecords::operator=(OpRecords&& other) noexcept {
  records_ = std::move(other.records_);
  size_ = std::exchange(other.size_, 0);
  filled_ = std::exchange(other.filled_, 0);
  return *this;
}

const OpRun& OpRecords::at(std::size_t i) const {
  if (i >= size_) throw std::out_of_range("op record " + std::to_string(i) + " of " + std::to_string(size_));
  return records_[i];
}

// Each op gets the record of the op in its place in the run before, so that
// running an input again allocates nothing (libFuzzer runs an input that
// allocated more than it freed again, and checks for leaks if that run
// does too).
OpRun& OpRecords::next() {
  if (size_ == records_.size()) records_.emplace_back();
  filled_ = std::max(filled_, ++size_);
  return records_[size_ - 1];
}

void OpRecords::emptyOutcomes() {
  // A note is moved in, which frees the one before: it needs nothing here.
  for (std::size_t i = 0; i < filled_; ++i)
    if (auto& observed = records_[i].observed) observed->reset();
  size_ = filled_ = 0;
}

void VectorRun::setObserved(OpRun& r, const Observed* observed) {
  if (!observed) {
    if (r.observed) spare_.outcomes.push_back(std::move(*r.observed));
    r.observed.reset();
    return;
  }
  observedOf(r) = *observed;  // into the buffers of an earlier run's record
}

Observed& VectorRun::observedOf(OpRun& r) {
  if (!r.observed && !spare_.outcomes.empty()) {
    r.observed = std::move(spare_.outcomes.back());
    spare_.outcomes.pop_back();
    spare_.emptyOutcomes = std::min(spare_.emptyOutcomes, spare_.outcomes.size());
  }
  if (!r.observed) r.observed.emplace();
  return *r.observed;
}

void VectorRun::emptyKeepingBuffers() {
  restart();
  if (spare_.executor) spare_.executor->restart(0);
  ops.emptyOutcomes();
  for (std::size_t i = spare_.emptyOutcomes; i < spare_.outcomes.size(); ++i) spare_.outcomes[i].reset();
  spare_.emptyOutcomes = spare_.outcomes.size();
}

VectorRun runVector(const Vector& vector, Target& target, RunOptions options) {
  VectorRun run;
  runVector(vector, target, run, options);
  return run;
}

void runVector(const Vector& vector, Target& target, VectorRun& run, RunOptions options) {
  run.restart();
  // Releases the target's instance, however the run ends.
  struct Finish {
    Target& target;
    ~Finish() { target.finish(); }
  } finish{target};
  const Messages messages(options.messages);
  try {
    target.start(vector);
    Executor(vector, target, run, options).runAll();
  } catch (const Unsupported& e) {
    run.status = VectorRun::Status::Skipped;
    run.reason = e.what();
  } catch (const VectorError& e) {
    run.status = VectorRun::Status::Error;
    run.reason = e.what();
  } catch (const GlueError& e) {
    // Only start() can get here: the setup itself is refused.
    run.status = VectorRun::Status::Error;
    run.reason = std::string("setup refused: ") + e.what();
  } catch (const VectorThrow&) {
    run.status = VectorRun::Status::Error;
    run.reason = "a throw escaped every call (the loader should have refused it)";
  }
}

}  // namespace memconform::conformance
