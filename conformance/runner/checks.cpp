#include "conformance/runner/checks.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <nlohmann/json.hpp>

namespace memconform::conformance {

namespace {
// Compares from the last character, where generated names ("p12", "p13")
// differ, and without calling memcmp: a fuzzer intercepts every memcmp call
// as a comparison to learn from, and a lookup compares a name with most of
// the names bound so far.
bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return false;
  return true;
}

std::size_t hashOf(std::string_view name) { return std::hash<std::string_view>{}(name); }
}  // namespace

std::size_t Bindings::position(std::string_view name) const {
  if (slots_.empty()) {
    for (std::size_t i = items_.size(); i-- > 0;)  // newest first
      if (sameName(items_[i].first, name)) return i;
    return items_.size();
  }
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t at = hashOf(name) & mask;; at = (at + 1) & mask) {
    const std::uint32_t slot = slots_[at];
    if (slot == kEmpty) return items_.size();
    if (slot != kForgotten && sameName(items_[slot - 1].first, name)) return slot - 1;
  }
}

void Bindings::index(std::size_t item) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = hashOf(items_[item].first) & mask;
  while (slots_[at] != kEmpty) at = (at + 1) & mask;
  slots_[at] = static_cast<std::uint32_t>(item + 1);
  ++slotsUsed_;
}

void Bindings::reindex(std::size_t slots) {
  slots_.assign(slots, kEmpty);
  slotsUsed_ = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) index(i);
}

const Value* Bindings::find(std::string_view name) const {
  const std::size_t i = position(name);
  return i == items_.size() ? nullptr : &items_[i].second;
}

void Bindings::set(std::string_view name, Value value) {
  if (const std::size_t i = position(name); i != items_.size()) {
    items_[i].second = std::move(value);
    return;
  }
  items_.emplace_back(std::string(name), std::move(value));
  if (items_.size() <= kScanned) return;
  if (2 * (slotsUsed_ + 1) > slots_.size()) reindex(std::bit_ceil(4 * items_.size()));
  else index(items_.size() - 1);
}

void Bindings::truncate(std::size_t size) {
  if (size >= items_.size()) return;
  if (!slots_.empty()) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = size; i < items_.size(); ++i) {
      std::size_t at = hashOf(items_[i].first) & mask;
      while (slots_[at] != i + 1) at = (at + 1) & mask;
      slots_[at] = kForgotten;  // stays used: the probes of other names go past it
    }
  }
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(size), items_.end());
  if (items_.size() <= kScanned) {
    slots_.clear();
    slotsUsed_ = 0;
  }
}

namespace {

bool resolveName(const NameRef& ref, const Bindings& bindings, Value& into) {
  const Value* bound = bindings.find(ref.name);
  if (!bound) return false;
  if (ref.offset == 0 && ref.shift == 0) {
    into = *bound;
    return true;
  }
  const auto* d = bound->get<double>();
  if (!d) return false;
  const double x = *d + static_cast<double>(ref.offset);
  into = Value(ref.shift == 0 ? x : std::floor(x / std::ldexp(1.0, ref.shift)));  // `>> shift` of a non-negative address
  return true;
}

std::string patternText(const EventPattern& p, const Bindings& b) {
  std::string subject;
  if (const auto* ref = std::get_if<NameRef>(&p.subject.form); ref && !b.contains(ref->name))
    subject = ref->name + " (unbound)";
  else if (std::string why; const auto value = tryResolve(p.subject, b, why)) {
    subject = toText(*value);
    if (const auto* r = std::get_if<NameRef>(&p.subject.form)) subject = r->name + "=" + subject;
  } else {
    subject = "?";
  }
  switch (p.kind) {
    case EventPattern::Kind::Alloc: return "alloc " + subject + (p.size ? " size " + toText(Value(*p.size)) : "");
    case EventPattern::Kind::Dealloc: return "dealloc " + subject;
    case EventPattern::Kind::Install: return "install " + subject;
    case EventPattern::Kind::Uninstall: return "uninstall " + subject;
    case EventPattern::Kind::Grow: return "grow " + subject + (*p.ok ? " ok" : " failed");
    case EventPattern::Kind::ResizeAttempt: return "resizeAttempt " + subject + (*p.ok ? " ok" : " failed");
  }
  return "?";
}

std::string describePatterns(const std::vector<EventPattern>& ps, const Bindings& b) {
  std::string out = "[";
  for (std::size_t i = 0; i < ps.size(); ++i) out += (i ? ", " : "") + patternText(ps[i], b);
  return out + "]";
}

// Matches `subject` (a bound value, or an unbound name to bind) with `actual`.
bool matchSubject(const Expr& subject, double actual, Bindings& b) {
  if (const auto* ref = std::get_if<NameRef>(&subject.form); ref && ref->offset == 0 && ref->shift == 0 && !b.contains(ref->name)) {
    b.set(ref->name, Value(actual));
    return true;
  }
  std::string why;
  const auto expected = tryResolve(subject, b, why);
  return expected && sameValue(*expected, Value(actual));
}

bool matchEvent(const EventPattern& p, const Event& e, Bindings& b) {
  using K = EventPattern::Kind;
  if (const auto* a = std::get_if<AllocEvent>(&e))
    return p.kind == K::Alloc && (!p.size || *p.size == double(a->size)) && matchSubject(p.subject, a->ptr, b);
  if (const auto* d = std::get_if<DeallocEvent>(&e)) return p.kind == K::Dealloc && matchSubject(p.subject, d->ptr, b);
  if (const auto* i = std::get_if<InstallEvent>(&e)) return p.kind == K::Install && matchSubject(p.subject, i->index, b);
  if (const auto* u = std::get_if<UninstallEvent>(&e))
    return p.kind == K::Uninstall && matchSubject(p.subject, u->index, b);
  if (const auto* g = std::get_if<GrowEvent>(&e))
    return p.kind == K::Grow && *p.ok == g->ok && matchSubject(p.subject, g->pages, b);
  if (const auto* r = std::get_if<ResizeAttemptEvent>(&e))
    return p.kind == K::ResizeAttempt && *p.ok == r->ok && matchSubject(p.subject, r->newSize, b);
  return false;
}

std::vector<Event> resourceEvents(const std::vector<Event>& events) {
  std::vector<Event> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out), isResourceEvent);
  return out;
}

// Every violation the op caused that `expected` does not list is a failure
// of its own rule.
void unexpectedViolations(const Op& op, const Observed& observed, const std::vector<std::string>& expected,
                          std::vector<Failure>& out) {
  for (const auto& v : observed.violations)
    if (std::find(expected.begin(), expected.end(), v.rule) == expected.end())
      out.push_back({op.pointer, std::string(opSpec(op.kind).name), v.rule, "no " + v.rule + " violation", v.message, {}});
}

// The violations an op must cause: exactly the expected rules.
void missingViolations(const Op& op, const std::string& rule, const Outcome& o, const Observed& obs, std::vector<Failure>& out) {
  for (const auto& want : o.violations)
    if (std::none_of(obs.violations.begin(), obs.violations.end(), [&](const Violation& v) { return v.rule == want; }))
      out.push_back({op.pointer + "/expect/violations", std::string(opSpec(op.kind).name), rule,
                     "a " + want + " violation reported", "none", {}});
}

// Names that a failed op's events bind: none for a vector (as for `as`), all
// for an expectations file's known outcome, whose names only the runner sees.
enum class FailedOpNames { Unbound, Bound };

// Checks one outcome; on success `b` holds the new bindings.

std::vector<Failure> checkOutcome(const Op& op, const std::string& rule, const Outcome& o, const Observed& obs,
                                  Bindings& b, FailedOpNames failedOpNames = FailedOpNames::Unbound) {
  std::vector<Failure> out;
  const std::string name(opSpec(op.kind).name);
  auto fail = [&](std::string expected, std::string actual, const std::string& suffix = "") {
    out.push_back({op.pointer + suffix, name, rule, std::move(expected), std::move(actual), {}});
  };
  // Events first: their patterns may bind names that the value uses.
  if (o.events) {
    const auto actual = resourceEvents(obs.events);
    const std::size_t namesBefore = b.size();
    bool same = actual.size() == o.events->size();
    for (std::size_t i = 0; same && i < actual.size(); ++i) same = matchEvent((*o.events)[i], actual[i], b);
    // Names bound by a failed op's events stay unbound for the ops after it,
    // as for `as` (docs/DRIVER_PROTOCOL.md: a driver answers null for an op
    // "naming a value that an earlier failed op never bound").
    if (!same || (obs.error && failedOpNames == FailedOpNames::Unbound)) b.truncate(namesBefore);
    if (!same) fail("events " + describePatterns(*o.events, b), "events " + describeEvents(actual), "/expect/events");
  }
  if (o.error) {
    if (obs.error != o.error) fail("error " + std::string(errorKindName(*o.error)), describe(obs));
  } else if (obs.error) {
    std::string why;
    const auto want = o.value ? tryResolve(*o.value, b, why) : std::nullopt;
    fail(o.value ? "value " + (want ? toText(*want) : why) : "success", describe(obs));
  } else {
    if (o.value) {
      std::string why;
      if (const auto want = tryResolve(*o.value, b, why); !want)
        fail("value (" + why + ")", "value " + toText(obs.value), "/expect/value");
      else if (!sameValue(*want, obs.value))
        fail("value " + toText(*want), "value " + toText(obs.value), "/expect/value");
    }
    const auto* number = obs.value.get<double>();
    if (o.multipleOf && !(number && std::fmod(*number, *o.multipleOf) == 0))
      fail("a multiple of " + toText(Value(*o.multipleOf)), "value " + toText(obs.value), "/expect/multipleOf");
    if (o.nonZero && !(number && *number != 0)) fail("a non-zero number", "value " + toText(obs.value), "/expect/nonZero");
    if (o.type && typeName(obs.value) != *o.type) fail("a value of type " + *o.type, "value " + toText(obs.value), "/expect/type");
    if (o.addressAfter) {  // PEEK-5
      std::string why;
      const auto want = tryResolve(*o.addressAfter, b, why);
      const std::string actual = obs.addressAfter ? "the caller's list " + toText(*obs.addressAfter) : "the target does not say";
      if (!want) fail("the caller's list (" + why + ")", actual, "/expect/addressAfter");
      else if (!obs.addressAfter || !sameValue(*want, *obs.addressAfter))
        fail("the caller's list " + toText(*want) + " after the call", actual, "/expect/addressAfter");
    }
  }
  missingViolations(op, rule, o, obs, out);
  return out;
}

}  // namespace

std::optional<Value> tryResolve(const Expr& e, const Bindings& bindings, std::string& why) {
  Value value;
  const NameRef* unresolved = nullptr;
  if (resolveInto(e, bindings, value, unresolved)) return value;
  why = whyUnresolved(*unresolved, bindings);
  return std::nullopt;
}

bool resolveInto(const Expr& e, const Bindings& bindings, Value& into, const NameRef*& unresolved) {
  if (const auto* v = std::get_if<Value>(&e.form)) {
    into = *v;
    return true;
  }
  if (const auto* r = std::get_if<NameRef>(&e.form)) {
    if (resolveName(*r, bindings, into)) return true;
    unresolved = r;
    return false;
  }
  if (const auto* r = std::get_if<Repeat>(&e.form)) {
    into = Value(r->take());
    return true;
  }
  const auto& items = std::get<std::vector<Expr>>(e.form);
  auto* list = std::get_if<std::vector<Value>>(&into.data);
  if (!list) list = &into.data.emplace<std::vector<Value>>();
  list->resize(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!resolveInto(items[i], bindings, (*list)[i], unresolved)) return false;
  return true;
}

std::string whyUnresolved(const NameRef& ref, const Bindings& bindings) {
  const Value* bound = bindings.find(ref.name);
  if (!bound) return "name \"" + ref.name + "\" is not bound (the op that binds it did not succeed)";
  return "name \"" + ref.name + "\" is " + toText(*bound) + ", not a number, so it takes no offset";
}

bool allocatorGrowthUnchecked(const Op& op, const Observed& observed) {
  auto isGrowth = [](const Event& e) { return std::holds_alternative<GrowEvent>(e) || std::holds_alternative<ResizeAttemptEvent>(e); };
  const auto& events = observed.events;
  if (std::none_of(events.begin(), events.end(), isGrowth) ||
      std::none_of(events.begin(), events.end(), [](const Event& e) { return std::holds_alternative<AllocEvent>(e); }))
    return false;
  if (!op.expect) return true;
  auto listsGrowth = [](const Outcome& o) {
    return o.events && std::any_of(o.events->begin(), o.events->end(), [](const EventPattern& p) {
             return p.kind == EventPattern::Kind::Grow || p.kind == EventPattern::Kind::ResizeAttempt;
           });
  };
  if (listsGrowth(op.expect->outcome)) return false;
  return std::none_of(op.expect->acceptable.begin(), op.expect->acceptable.end(),
                      [&](const auto& alternative) { return listsGrowth(alternative.second); });
}

void dropGrowthEvents(std::vector<Event>& events) {
  std::erase_if(events, [](const Event& e) { return std::holds_alternative<GrowEvent>(e) || std::holds_alternative<ResizeAttemptEvent>(e); });
}

bool isResourceEvent(const Event& e) {
  return !std::holds_alternative<PushEvent>(e) && !std::holds_alternative<PopEvent>(e) &&
         !std::holds_alternative<StaleViewEvent>(e);
}

std::string describeEvents(const std::vector<Event>& events) {
  std::string out = "[";
  bool first = true;
  for (const auto& e : events) {
    if (!isResourceEvent(e)) continue;
    out += (first ? "" : ", ") + describe(e);
    first = false;
  }
  return out + "]";
}

std::string describe(const Observed& o) {
  if (o.error) {
    const std::string kind(errorKindName(*o.error));
    std::string message = o.message;
    if (message.rfind(kind + ": ", 0) == 0) message = message.substr(kind.size() + 2);
    return "error " + kind + (message.empty() ? "" : " (" + message + ")");
  }
  return "value " + toText(o.value);
}

CheckResult checkOp(const Op& op, const std::string& rule, const Observed& observed, Bindings& bindings) {
  CheckResult result;
  const std::string& opRule = op.rule.empty() ? rule : op.rule;
  static const Outcome success;
  const Outcome& base = op.expect ? op.expect->outcome : success;
  // A generated caller that reads through a view it kept across a growth is
  // the caller's bug; the implementation must report it (SAFE-3), which is
  // what the invariant check saw.
  static const std::vector<std::string> kStaleViewAccess{"SAFE-3"};
  const bool invariantsOnly = op.anyOutcome && !op.expect;  // a generated op: only the invariants below
  const bool generatedViewAccess = invariantsOnly && (op.kind == OpKind::ViewGet || op.kind == OpKind::ViewSet);
  const std::vector<std::string>* expectedViolations = generatedViewAccess ? &kStaleViewAccess : &base.violations;
  if (invariantsOnly) {
    // nothing to compare
  } else if (!op.expect || op.expect->acceptable.empty()) {
    result.failures = checkOutcome(op, opRule, base, observed, bindings);
  } else {
    std::string tried;
    for (const auto& [flag, alternative] : op.expect->acceptable) {
      const std::size_t namesBefore = bindings.size();
      if (checkOutcome(op, opRule, alternative, observed, bindings).empty()) {
        result.flag = flag;
        expectedViolations = &alternative.violations;
        break;
      }
      bindings.truncate(namesBefore);
      tried += (tried.empty() ? "" : " or ") + flag;
    }
    if (!result.flag)
      result.failures.push_back({op.pointer + "/expect/acceptable", std::string(opSpec(op.kind).name), opRule,
                                 "one of the acceptable outcomes (" + tried + ")", describe(observed), {}});
  }
  unexpectedViolations(op, observed, *expectedViolations, result.failures);
  return result;
}

Outcome knownOver(const Op& op, const KnownOutcome& known) {
  static const Outcome success;
  Outcome o = op.expect ? op.expect->outcome : success;
  const Outcome& k = known.outcome;
  if (known.result) {
    o.error = k.error;
    o.value = k.value;
    o.multipleOf = k.multipleOf;
    o.nonZero = k.nonZero;
    o.type = k.type;
  }
  if (k.events) o.events = k.events;
  if (k.addressAfter) o.addressAfter = k.addressAfter;
  if (known.violations) o.violations = k.violations;
  return o;
}

std::vector<Failure> checkAgainst(const Op& op, const std::string& rule, const Outcome& outcome, const Observed& observed,
                                  Bindings& bindings) {
  auto failures = checkOutcome(op, op.rule.empty() ? rule : op.rule, outcome, observed, bindings, FailedOpNames::Bound);
  unexpectedViolations(op, observed, outcome.violations, failures);
  return failures;
}

std::string describe(const Outcome& o, const Bindings& b) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (o.error) add("error " + std::string(errorKindName(*o.error)));
  if (o.value) {
    std::string why;
    const auto v = tryResolve(*o.value, b, why);
    add("value " + (v ? toText(*v) : why));
  }
  if (o.type) add("a " + *o.type);
  if (o.nonZero) add("a non-zero number");
  if (o.multipleOf) add("a multiple of " + toText(Value(*o.multipleOf)));
  if (!o.error && !o.value && !o.type && !o.nonZero && !o.multipleOf) add("success");
  if (o.events) add("events " + describePatterns(*o.events, b));
  if (o.addressAfter) {
    std::string why;
    const auto v = tryResolve(*o.addressAfter, b, why);
    add("the caller's list " + (v ? toText(*v) : why) + " after the call");
  }
  if (!o.violations.empty()) {
    std::string rules;
    for (const auto& r : o.violations) rules += (rules.empty() ? "" : " ") + r;
    add("violations " + rules);
  }
  return out;
}

FinalState knownOver(const FinalState* final, const KnownFailures& known) {
  FinalState f = final ? *final : FinalState{};
  const FinalState& k = *known.final;
  if (k.level) f.level = k.level;
  if (k.live) f.live = k.live;
  if (k.installed) f.installed = k.installed;
  if (k.byteLength) f.byteLength = k.byteLength;
  if (known.finalViolations) f.violations = k.violations;
  if (f.pointer.empty()) f.pointer = k.pointer;
  return f;
}

std::vector<Failure> checkFinal(const FinalState& final, const std::string& rule, const TargetState& state,
                                const Bindings& bindings) {
  std::vector<Failure> out;
  auto fail = [&](const std::string& field, std::string expected, std::string actual) {
    out.push_back({final.pointer + "/" + field, "final", rule, std::move(expected), std::move(actual), {}});
  };
  if (final.level && *final.level != state.level)
    fail("level", "level " + std::to_string(*final.level), "level " + std::to_string(state.level));
  if (final.byteLength && *final.byteLength != double(state.byteLength))
    fail("byteLength", "byteLength " + toText(Value(*final.byteLength)), "byteLength " + std::to_string(state.byteLength));
  // Names of live things: every expected name resolves to one of them, and
  // nothing else is live.
  auto compare = [&](const char* field, const std::vector<std::string>& names, std::vector<std::uint32_t> actual) {
    std::vector<std::string> missing;
    for (const auto& n : names) {
      const Value* bound = bindings.find(n);
      const auto* d = bound ? bound->get<double>() : nullptr;
      auto pos = d ? std::find(actual.begin(), actual.end(), static_cast<std::uint32_t>(*d)) : actual.end();
      if (pos == actual.end()) missing.push_back(n);
      else actual.erase(pos);
    }
    if (missing.empty() && actual.empty()) return;
    std::string extra;
    // Every name bound to a live address labels it, in name order.
    std::vector<const std::pair<std::string, Value>*> byName;
    for (const auto& item : bindings) byName.push_back(&item);
    std::sort(byName.begin(), byName.end(), [](const auto* x, const auto* y) { return x->first < y->first; });
    for (auto a : actual) {
      std::string label = std::to_string(a);
      for (const auto* item : byName)
        if (const auto* d = item->second.get<double>(); d && *d == a) label = item->first + "=" + label;
      extra += (extra.empty() ? "" : ", ") + label;
    }
    std::string want;
    for (const auto& n : names) want += (want.empty() ? "" : ", ") + n;
    std::string miss;
    for (const auto& n : missing) miss += (miss.empty() ? "" : ", ") + n;
    fail(field, std::string(field) + " [" + want + "]",
         (miss.empty() ? "" : "not live: [" + miss + "]") + (miss.empty() || extra.empty() ? "" : "; ") +
             (extra.empty() ? "" : "also live: [" + extra + "]"));
  };
  if (final.live) compare("live", *final.live, {state.live.begin(), state.live.end()});
  if (final.installed) compare("installed", *final.installed, {state.installed.begin(), state.installed.end()});
  return out;
}

}  // namespace memconform::conformance
