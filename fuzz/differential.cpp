#include "fuzz/differential.h"

#include <cmath>

namespace memconform::fuzz {

using namespace memconform::conformance;

namespace {

// The first rule ID the op implements ("GROW-1..6" gives GROW-1).
std::string firstRule(OpKind k) {
  std::string_view rules = opSpec(k).rules;
  rules = rules.substr(0, rules.find(' '));
  return std::string(rules.substr(0, rules.find("..")));
}

// How a run ended, for a finding about runs that ended differently.
std::string ending(const VectorRun& run) {
  switch (run.status) {
    case VectorRun::Status::Completed: return "completed (" + std::to_string(run.ops.size()) + " ops ran)";
    case VectorRun::Status::Skipped: return "skipped: " + run.reason;
    case VectorRun::Status::Error: return "error: " + run.reason;
  }
  return "";
}

// A pointer, table index or scope by its order of first appearance: "ptr#2".
std::string numbered(std::map<std::uint64_t, std::size_t>& seen, std::uint64_t key, const char* prefix) {
  auto [it, fresh] = seen.emplace(key, seen.size());
  return prefix + std::to_string(it->second);
}
// One that must have appeared before (what a dealloc, uninstall or pop names).
std::string seenBefore(const std::map<std::uint64_t, std::size_t>& seen, std::uint64_t key, const char* prefix) {
  const auto it = seen.find(key);
  return it == seen.end() ? "unknown" : prefix + std::to_string(it->second);
}
}  // namespace

std::string Canonicalizer::pointer(double address) {
  if (address == 0 || !std::isfinite(address)) return toText(Value(address));
  return numbered(pointers_, static_cast<std::uint64_t>(address), "ptr#");
}

std::string Canonicalizer::event(const Event& e) {
  if (const auto* a = std::get_if<AllocEvent>(&e)) return "alloc " + pointer(a->ptr) + " size " + std::to_string(a->size);
  if (const auto* d = std::get_if<DeallocEvent>(&e)) return "dealloc " + seenBefore(pointers_, d->ptr, "ptr#");
  if (const auto* i = std::get_if<InstallEvent>(&e)) return "install " + numbered(functions_, i->index, "fn#");
  if (const auto* u = std::get_if<UninstallEvent>(&e)) return "uninstall " + seenBefore(functions_, u->index, "fn#");
  // Scope handles are each side's own numbers: named by order of push, so
  // that a pop of another scope than the reference's shows (CALL-1, SCOPE-5).
  if (const auto* p = std::get_if<PushEvent>(&e)) return "push " + numbered(scopes_, p->scope, "sc#");
  if (const auto* p = std::get_if<PopEvent>(&e)) return "pop " + seenBefore(scopes_, p->scope, "sc#");
  return describe(e);
}

std::string Canonicalizer::outcome(const OpRun& run) {
  if (!run.observed) return run.note;
  const Observed& o = *run.observed;
  std::string out;
  for (const auto& e : o.events) out += event(e) + "; ";
  if (o.error) return out + "error " + std::string(errorKindName(*o.error));
  const OpKind k = run.op->kind;
  auto canonical = [&](const Value& v) -> std::string {
    if (const auto* d = v.get<double>()) {
      if (returnsPointers(k)) return pointer(*d);
      if (returnsFunctionIndex(k)) return numbered(functions_, static_cast<std::uint64_t>(*d), "fn#");
    }
    if (v.get<Handle>()) return "handle";
    return toText(v);
  };
  if (const auto* list = o.value.get<std::vector<Value>>(); list && k != OpKind::Peek) {
    out += "[";
    for (const auto& e : *list) out += canonical(e) + ",";
    return out + "]";
  }
  return out + "value " + canonical(o.value);
}

std::optional<Difference> compareRuns(const VectorRun& reference, const VectorRun& target) {
  // A run that broke off: the target refused the setup or an op (skipped),
  // or the run could not go on (a driver that died, a plugin that returned
  // a value of the wrong kind). On the reference, the generated sequence is
  // at fault.
  if (reference.status != target.status) {
    const bool onReference = reference.status != VectorRun::Status::Completed;
    const std::string rule = onReference ? "decoder" : target.status == VectorRun::Status::Error ? "error" : "skipped";
    return Difference{"", "sequence", rule, ending(reference), ending(target)};
  }
  Canonicalizer left, right;
  const std::size_t n = std::min(reference.ops.size(), target.ops.size());
  for (std::size_t i = 0; i < n; ++i) {
    const OpRun& a = reference.ops[i];
    const OpRun& b = target.ops[i];
    const std::string name(opSpec(a.op->kind).name);
    const std::string x = left.outcome(a), y = right.outcome(b);
    if (x != y) {
      // An invariant the target broke on this op names the finding best.
      const bool violated = b.observed && !b.observed->violations.empty();
      return Difference{a.op->pointer, name, violated ? b.observed->violations.front().rule : firstRule(a.op->kind), x, y};
    }
    const auto violations = [](const OpRun& r) {
      std::string s;
      if (r.observed)
        for (const auto& v : r.observed->violations) s += v.rule + " ";
      return s;
    };
    if (violations(a) != violations(b)) {
      const std::string rule = b.observed && !b.observed->violations.empty() ? b.observed->violations.front().rule : firstRule(a.op->kind);
      return Difference{a.op->pointer, name, rule, "violations: " + violations(a), "violations: " + violations(b)};
    }
  }
  if (reference.ops.size() != target.ops.size())
    return Difference{"", "sequence", "CALL-2", std::to_string(reference.ops.size()) + " ops ran",
                      std::to_string(target.ops.size()) + " ops ran"};
  // End-of-run checks (LEAK-2) and anything else the runs reported.
  for (const auto& f : target.failures) {
    bool shared = false;
    for (const auto& g : reference.failures) shared |= g.rule == f.rule && g.pointer == f.pointer;
    if (!shared) return Difference{f.pointer, f.op, f.rule, "no " + f.rule + " failure", f.actual};
  }
  return std::nullopt;
}

}  // namespace memconform::fuzz
