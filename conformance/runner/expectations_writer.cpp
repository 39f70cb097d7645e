#include "conformance/runner/expectations_writer.h"

#include <algorithm>
#include <optional>
#include <set>

#include "conformance/runner/checks.h"

namespace memconform::conformance {

namespace {

using ojson = nlohmann::ordered_json;

ojson ordered(const nlohmann::json& j) { return ojson::parse(j.dump()); }
// A number as section 10 writes it (an integer as an integer).
ojson number(double x) { return ordered(toJson(Value(x))); }

// The names of one vector's run, and names of its own for places an op made
// without one.
class Namer {
 public:
  explicit Namer(const VectorRun& run) : run_(run) {}

  // A name standing for `place` that was bound before the op (the first
  // `limit` names), or that is one of `own` (the op's `as`).
  std::optional<std::string> bound(double place, std::size_t limit, const std::vector<std::string>& own = {}) const {
    if (place == 0) return std::nullopt;  // null, not a place
    for (std::size_t i = 0; i < run_.names.size(); ++i) {
      const auto& [name, value] = run_.names[i];
      if (i >= limit && std::find(own.begin(), own.end(), name) == own.end()) continue;
      if (const auto* d = value.get<double>(); d && *d == place) return name;
    }
    if (const auto it = made_.find(place); it != made_.end()) return it->second;
    return std::nullopt;
  }
  // Any name for `place`, bound at any time.
  std::optional<std::string> any(double place) const { return bound(place, run_.names.size()); }
  // A name of its own for a place an op made unnamed: "_u1", "_u2", ...
  std::string make(double place) {
    const std::string name = "_u" + std::to_string(made_.size() + 1);
    made_.emplace(place, name);
    return name;
  }

 private:
  const VectorRun& run_;
  std::map<double, std::string> made_;
};

// The op of the trace that `failure` is about (the longest pointer that is
// the failure's or a prefix of it), or null for the end of the run.
const OpRun* opOf(const Failure& failure, const VectorRun& run) {
  const OpRun* best = nullptr;
  for (const auto& r : run.ops) {
    const std::string& p = r.op->pointer;
    const bool inside = failure.pointer == p || (failure.pointer.rfind(p + "/", 0) == 0);
    if (inside && (!best || p.size() > best->op->pointer.size())) best = &r;
  }
  return best;
}

// One op's actual outcome, as a known outcome: its events first, since they
// may name what the value is, then its value or error, then exactly the
// violations it caused. Events are written if the vector checks them, or if
// they make a place that is live at the end and has no name otherwise
// (`unnamedLive`), so that the end state can name it.
ojson knownOutcome(const OpRun& r, Namer& names, const std::set<double>& unnamedLive) {
  ojson out = ojson::object();
  if (!r.observed) {
    out["run"] = false;  // a name it uses was never bound
    return out;
  }
  const Observed& o = *r.observed;
  const Op& op = *r.op;
  // The op's own names (`as`) are bound only if it succeeded.
  const std::vector<std::string> own = o.error ? std::vector<std::string>{} : op.as;
  auto place = [&](double x, bool makes) -> ojson {
    if (auto n = names.bound(x, r.namesBefore, own)) return *n;
    if (makes && x != 0) return names.make(x);
    return number(x);
  };
  bool makesUnnamedLive = false;
  for (const auto& e : o.events) {
    if (const auto* a = std::get_if<AllocEvent>(&e)) makesUnnamedLive |= unnamedLive.count(double(a->ptr)) > 0;
    if (const auto* i = std::get_if<InstallEvent>(&e)) makesUnnamedLive |= unnamedLive.count(double(i->index)) > 0;
  }
  const bool writeEvents = (op.expect && op.expect->outcome.events) || makesUnnamedLive;
  ojson events = ojson::array();
  for (const auto& e : writeEvents ? o.events : std::vector<Event>{}) {
    if (const auto* a = std::get_if<AllocEvent>(&e)) events.push_back({{"alloc", place(a->ptr, true)}, {"size", number(double(a->size))}});
    else if (const auto* d = std::get_if<DeallocEvent>(&e)) events.push_back({{"dealloc", place(d->ptr, false)}});
    else if (const auto* i = std::get_if<InstallEvent>(&e)) events.push_back({{"install", place(i->index, true)}});
    else if (const auto* u = std::get_if<UninstallEvent>(&e)) events.push_back({{"uninstall", place(u->index, false)}});
    else if (const auto* g = std::get_if<GrowEvent>(&e)) events.push_back({{"grow", number(g->pages)}, {"ok", g->ok}});
    else if (const auto* z = std::get_if<ResizeAttemptEvent>(&e)) events.push_back({{"resizeAttempt", number(z->newSize)}, {"ok", z->ok}});
  }
  if (o.error) {
    out["error"] = std::string(errorKindName(*o.error));
  } else if (o.value.get<Handle>()) {
    out["type"] = std::string(typeName(o.value));
  } else {
    // A place by its name: one bound before the op, one its events gave, or
    // its own (`as`): which new block or slot it is is the implementation's.
    const bool places = returnsPointers(op.kind) || returnsFunctionIndex(op.kind);
    auto named = [&](const Value& v) -> std::optional<ojson> {
      const auto* d = v.get<double>();
      if (!places || !d) return std::nullopt;
      if (auto n = names.bound(*d, r.namesBefore, own)) return ojson(*n);
      return std::nullopt;
    };
    if (const auto* list = o.value.get<std::vector<Value>>(); list && places) {
      ojson items = ojson::array();
      for (const auto& item : *list) items.push_back(named(item).value_or(ordered(toJson(item))));
      out["value"] = items;
    } else {
      out["value"] = named(o.value).value_or(ordered(toJson(o.value)));
    }
  }
  if (writeEvents) out["events"] = events;
  if (op.expect && op.expect->outcome.addressAfter && o.addressAfter) {  // PEEK-5: the caller's list, by name where bound
    ojson items = ojson::array();
    for (const auto& a : o.addressAfter->get<std::vector<Value>>() ? *o.addressAfter->get<std::vector<Value>>() : std::vector<Value>{})
      items.push_back(a.get<double>() ? place(*a.get<double>(), false) : ordered(toJson(a)));
    out["addressAfter"] = items;
  }
  ojson rules = ojson::array();
  for (const auto& v : o.violations)
    if (std::find(rules.begin(), rules.end(), v.rule) == rules.end()) rules.push_back(v.rule);
  out["violations"] = rules;
  return out;
}

// The end state's known form: the fields the vector's `final` checks, and
// exactly the violations the end reported.
ojson knownFinal(const Vector& vector, const VectorRun& run, const std::vector<const Failure*>& endFailures, Namer& names,
                 std::string& unnamed) {
  ojson out = ojson::object();
  const TargetState* state = run.endState ? &*run.endState : nullptr;
  const FinalState* final = vector.final ? &*vector.final : nullptr;
  if (final && state) {
    if (final->level) out["level"] = state->level;
    auto list = [&](const char* field, const auto& places) {
      ojson items = ojson::array();
      for (auto p : places) {
        if (auto n = names.any(double(p))) items.push_back(*n);
        else unnamed += (unnamed.empty() ? "" : ", ") + std::string(field) + " " + std::to_string(p);
      }
      return items;
    };
    if (final->live) out["live"] = list("live", state->live);
    if (final->installed) out["installed"] = list("installed", state->installed);
    if (final->byteLength) out["byteLength"] = state->byteLength;
  }
  // Reported: the violations `final` asks for that did not go missing, and
  // every one it did not ask for.
  std::set<std::string> reported;
  if (final) reported.insert(final->violations.begin(), final->violations.end());
  for (const Failure* f : endFailures) {
    if (f->op == "end" && f->actual == "none") reported.erase(f->rule);
    else if (f->op == "end") reported.insert(f->rule);
  }
  out["violations"] = ojson(std::vector<std::string>(reported.begin(), reported.end()));
  return out;
}

// JSON indented by two, except that what fits in `width` stays on one line.
void writeReadable(const ojson& j, std::size_t indent, std::string& out) {
  constexpr std::size_t width = 110;
  const std::string flat = j.dump();
  if (!j.is_structured() || j.empty() || indent + flat.size() <= width) {
    out += flat;
    return;
  }
  const std::string inner(indent + 2, ' ');
  out += j.is_object() ? "{\n" : "[\n";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out += (first ? "" : ",\n") + inner;
    first = false;
    if (j.is_object()) out += ojson(it.key()).dump() + ": ";
    writeReadable(*it, indent + 2, out);
  }
  out += "\n" + std::string(indent, ' ') + (j.is_object() ? "}" : "]");
}

}  // namespace

std::string ExpectationsWriter::text() const {
  std::string out;
  writeReadable(document(), 0, out);
  return out + "\n";
}

ExpectationsWriter::ExpectationsWriter(std::string target, const Expectations* previous, std::string reason)
    : target_(std::move(target)), previous_(previous), reason_(std::move(reason)) {}

void ExpectationsWriter::add(const Vector& vector, const VectorRun& run) {
  if (run.status != VectorRun::Status::Completed || (run.failures.empty() && run.knownFailures.empty())) return;
  std::vector<const Failure*> failures;
  for (const auto& f : run.failures) failures.push_back(&f);
  for (const auto& f : run.knownFailures) failures.push_back(&f);
  ojson entry = ojson::object();
  const KnownVector* before = previous_ ? previous_->find(vector.id) : nullptr;
  if (before && !before->note.empty()) {
    entry["note"] = before->note;
  } else if (before) {
    entry["reason"] = before->reason;
  } else {
    const Failure& first = *failures.front();
    std::string what = "expected " + first.expected + "; actual " + first.actual;
    if (what.size() > 240) what = what.substr(0, 237) + "...";
    entry["reason"] = first.rule.substr(0, first.rule.find(' ')) + ": " + (reason_.empty() ? "to triage: " + what : reason_);
  }
  // Each failing op once, in the order the ops ran (names are made in that order).
  std::set<const OpRun*> failing;
  std::vector<const Failure*> atEnd;
  for (const Failure* f : failures) {
    if (const OpRun* r = f->op == "end" || f->op == "final" ? nullptr : opOf(*f, run)) failing.insert(r);
    else atEnd.push_back(f);
  }
  Namer names(run);
  std::set<double> unnamedLive;
  if (run.endState && !atEnd.empty()) {
    for (auto p : run.endState->live)
      if (!names.any(double(p))) unnamedLive.insert(double(p));
    for (auto i : run.endState->installed)
      if (!names.any(double(i))) unnamedLive.insert(double(i));
  }
  // An op (or end state) that failed as the previous file lists keeps that
  // entry as written: it may have been reviewed by hand (a type for bytes
  // the allocator left, a name for a place).
  // Kept entries in the order this writer writes fields.
  auto fields = [](const ojson& j, std::initializer_list<const char*> order) {
    ojson out = ojson::object();
    for (const char* key : order)
      if (j.contains(key)) out[key] = j[key];
    return out;
  };
  auto inOrder = [&](const ojson& j) {
    ojson out = fields(j, {"run", "ok", "error", "value", "type", "nonZero", "multipleOf", "events", "addressAfter", "level",
                           "live", "installed", "byteLength", "violations"});
    if (out.contains("events"))
      for (auto& e : out["events"]) e = fields(e, {"alloc", "dealloc", "install", "uninstall", "grow", "resizeAttempt", "size", "ok"});
    return out;
  };
  auto listed = [&](const std::string& where) -> std::optional<ojson> {
    if (!before || !run.failedAsListed.count(where)) return std::nullopt;
    if (where == "/final")
      return before->failures.final ? std::optional<ojson>(inOrder(ojson::parse(before->failures.finalText))) : std::nullopt;
    const auto it = before->failures.ops.find(where);
    return it == before->failures.ops.end() ? std::nullopt : std::optional<ojson>(inOrder(ojson::parse(it->second.text)));
  };
  ojson ops = ojson::object();
  for (const auto& r : run.ops)
    if (failing.count(&r)) {
      const std::string where = r.op->pointer.substr(vector.pointer.size());
      ojson actual = knownOutcome(r, names, unnamedLive);  // names the places, as for the ops after it
      ops[where] = listed(where).value_or(std::move(actual));
    }
  if (!ops.empty()) entry["ops"] = ops;
  if (!atEnd.empty()) {
    std::string unnamed;
    entry["final"] = listed("/final").value_or(knownFinal(vector, run, atEnd, names, unnamed));
    if (!unnamed.empty()) entry["comment"] = "review: live at the end with no name to give (" + unnamed + ")";
  }
  entries_[vector.id] = std::move(entry);
}

nlohmann::ordered_json ExpectationsWriter::document() const {
  ojson doc = ojson::object();
  doc["schema"] = "memconform-expectations/1";
  doc["target"] = target_;
  doc["comment"] = previous_ && !previous_->comment.empty()
                       ? previous_->comment
                       : "Written by memconform replay --write-expectations: the actual outcome of every op that fails; "
                         "review every entry (reasons \"to triage\", numbers that stand for places).";
  if (previous_ && !previous_->notes.empty()) {
    // Only the notes that an entry still uses.
    ojson notes = ojson::object();
    for (const auto& note : previous_->notes)
      if (std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.second.value("note", "") == note.first; }))
        notes[note.first] = note.second;
    if (!notes.empty()) doc["notes"] = notes;
  }
  ojson vectors = ojson::object();
  for (const auto& [id, entry] : entries_) vectors[id] = entry;
  doc["vectors"] = vectors;
  if (previous_ && !previous_->findings.empty()) doc["fuzz"] = previous_->findings;
  return doc;
}

}  // namespace memconform::conformance
