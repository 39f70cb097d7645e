#include "tools/memconform/from_crash.h"

#include <cctype>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>

#include "conformance/runner/checks.h"
#include "conformance/runner/loader.h"
#include "conformance/runner/writer.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

namespace memconform::cli {

using namespace memconform::conformance;

namespace {

bool speaksADialect(const Target& reference) { return reference.name() != "reference"; }

// What a run of `v` finds on `target` compared with the reference: the op
// and rule of the first difference or invariant failure, or nothing. A
// sequence that the reference itself fails (a scope left open once the
// closing pops are minimised away) finds nothing: the vector must stand on a
// clean reference run. Nor does one that the target skips (it refused the
// setup), as in fuzz_differential.
std::optional<std::string> signatureOf(const Vector& v, Target& reference, Target& target) {
  const VectorRun expected = runVector(v, reference);
  if (expected.status != VectorRun::Status::Completed) return std::nullopt;
  // A dialect breaks the rules where upstream does (core/dialects.h): what
  // it fails is the target's to fail too, and compareRuns compares that.
  if (!expected.failures.empty() && !speaksADialect(reference)) return std::nullopt;
  const VectorRun actual = runVector(v, target);
  if (actual.status == VectorRun::Status::Skipped) return std::nullopt;  // as fuzz_differential: not a finding
  if (auto d = fuzz::compareRuns(expected, actual, {.ownAllocator = target.wellBehavedCaller()})) return d->signature();
  if (auto f = fuzz::findingOf(target.name(), actual)) return f->op + "/" + f->rule;
  return std::nullopt;
}

// Greedy delta debugging over ops: remove one op at a time (top level and
// inside call bodies) while the finding stays the same, until nothing can go.
void minimise(Vector& v, const std::function<bool(const Vector&)>& stillFails) {
  bool changed = true;
  while (changed) {
    changed = false;
    std::function<void(std::vector<Op>&)> shrink = [&](std::vector<Op>& ops) {
      for (std::size_t i = ops.size(); i-- > 0;) {
        Op removed = std::move(ops[i]);
        ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(i));
        if (stillFails(v)) {
          changed = true;
          continue;
        }
        ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(i), std::move(removed));
        shrink(ops[i].body);
      }
    };
    shrink(v.ops);
  }
}

// Turns each op's reference outcome into its expectation. Pointers get names
// (the op's `as`, or a new name bound by an event pattern), so the vector does
// not depend on where the reference's allocator placed them.
class ExpectationWriter {
 public:
  // `ownAllocator`: the target's allocator asks for memory its own way
  // (fuzz::CompareOptions), so an op whose events include the growth it
  // caused gets no `events` expectation.
  ExpectationWriter(const VectorRun& reference, bool ownAllocator) : ownAllocator_(ownAllocator) {
    for (const auto& r : reference.ops) outcome_[r.op] = &r;
  }

  // Drops ops that did not run on the reference, and fills in `expect`.
  void apply(std::vector<Op>& ops) {
    std::vector<Op> kept;
    for (auto& op : ops) {
      const auto it = outcome_.find(&op);
      if (it == outcome_.end() || !it->second->observed) {
        if (op.kind == OpKind::Throw) kept.push_back(std::move(op));  // it ran: throws have no outcome
        continue;
      }
      const Observed& o = *it->second->observed;
      apply(op.body);
      op.anyOutcome = false;
      Outcome expected;
      if (o.error) {
        expected.error = o.error;
        op.as.clear();
      } else {
        nameValues(op, o.value);
        if (!producesNames(op) && !o.value.get<Handle>()) expected.value = Expr{o.value};
      }
      const bool grew = std::any_of(o.events.begin(), o.events.end(), [](const Event& e) {
        return std::holds_alternative<GrowEvent>(e) || std::holds_alternative<ResizeAttemptEvent>(e);
      });
      if (!(ownAllocator_ && grew && op.kind != OpKind::Resize && op.kind != OpKind::Grow)) expected.events = events(o.events);
      for (const auto& violation : o.violations) expected.violations.push_back(violation.rule);
      op.expect = std::make_shared<const Expectation>(Expectation{expected, {}, {}});
      kept.push_back(std::move(op));
    }
    ops = std::move(kept);
  }

 private:
  static bool producesNames(const Op& op) { return !op.as.empty(); }

  void nameValues(const Op& op, const Value& value) {
    if (op.as.size() == 1) {
      if (const auto* d = value.get<double>()) names_[static_cast<std::uint64_t>(*d)] = op.as.front();
      return;
    }
    if (const auto* list = value.get<std::vector<Value>>())
      for (std::size_t i = 0; i < list->size() && i < op.as.size(); ++i)
        if (const auto* d = (*list)[i].get<double>()) names_[static_cast<std::uint64_t>(*d)] = op.as[i];
  }

  Expr subject(std::uint64_t address, bool bindIfNew) {
    if (auto it = names_.find(address); it != names_.end()) return Expr{NameRef{it->second, 0, 0}};
    if (!bindIfNew) return Expr{Value(double(address))};
    const std::string name = "x" + std::to_string(names_.size());
    names_[address] = name;
    return Expr{NameRef{name, 0, 0}};
  }

  std::vector<EventPattern> events(const std::vector<Event>& list) {
    std::vector<EventPattern> out;
    for (const auto& e : list) {
      if (const auto* a = std::get_if<AllocEvent>(&e))
        out.push_back({EventPattern::Kind::Alloc, subject(a->ptr, true), double(a->size), std::nullopt, {}});
      else if (const auto* d = std::get_if<DeallocEvent>(&e))
        out.push_back({EventPattern::Kind::Dealloc, subject(d->ptr, false), std::nullopt, std::nullopt, {}});
      else if (const auto* i = std::get_if<InstallEvent>(&e))
        out.push_back({EventPattern::Kind::Install, subject(i->index, true), std::nullopt, std::nullopt, {}});
      else if (const auto* u = std::get_if<UninstallEvent>(&e))
        out.push_back({EventPattern::Kind::Uninstall, subject(u->index, false), std::nullopt, std::nullopt, {}});
      else if (const auto* g = std::get_if<GrowEvent>(&e))
        out.push_back({EventPattern::Kind::Grow, Expr{Value(double(g->pages))}, std::nullopt, g->ok, {}});
      else if (const auto* r = std::get_if<ResizeAttemptEvent>(&e))
        out.push_back({EventPattern::Kind::ResizeAttempt, Expr{Value(r->newSize)}, std::nullopt, r->ok, {}});
    }
    return out;
  }

  bool ownAllocator_;
  std::map<const Op*, const OpRun*> outcome_;
  std::map<std::uint64_t, std::string> names_;
};

// The target as words of a vector id (lower case, digits, '.', '_', '-'):
// a mutant's name, a plugin's file name without its folder and ".so", a
// driver command's first word's file name.
std::string idWords(const std::string& target) {
  std::string what = target.substr(target.find(':') + 1);
  if (target.starts_with("cmd:")) what = what.substr(0, what.find(' '));
  what = what.substr(what.find_last_of('/') + 1);
  if (what.ends_with(".so")) what.resize(what.size() - 3);
  std::string id;
  for (const char c : what) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool word = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
    id += word ? l : '-';
  }
  // An id's words start with a letter or digit.
  id.erase(0, id.find_first_not_of("._-"));
  return id.empty() ? "target" : id;
}

std::string hex(std::uint64_t h) {
  std::ostringstream s;
  s << std::hex << h;
  return s.str();
}

}  // namespace

int runFromCrash(const FromCrashCommand& c) {
  std::ifstream in(c.input, std::ios::binary);
  if (!in) {
    std::cerr << "memconform from-crash: cannot read " << c.input << "\n";
    return 2;
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::unique_ptr<Target> target = makeTargetOrReport("from-crash", c.target);
  if (!target) return 2;
  if (c.reference != "reference" && c.reference.rfind("reference?", 0) != 0) {
    std::cerr << "memconform from-crash: --reference " << c.reference << " is not the reference (reference?dialect=NAME)\n";
    return 2;
  }
  const std::unique_ptr<Target> referenceTarget = makeTargetOrReport("from-crash", c.reference);
  if (!referenceTarget) return 2;
  Target& reference = *referenceTarget;
  Vector v = fuzz::decodeOps(bytes, fuzz::limitsFor(*target));  // as fuzz_differential decodes
  fuzz::fitToTarget(v, *target);  // the sequence fuzz_differential ran
  fuzz::numberOps(v);
  const auto signature = signatureOf(v, reference, *target);
  if (!signature) {
    const VectorRun onTarget = runVector(v, *target);
    std::cerr << "memconform from-crash: " << c.input << " finds nothing on " << target->name() << " (decoded "
              << countOps(v.ops) << " ops"
              << (onTarget.status == VectorRun::Status::Skipped ? "; the target skips them: " + onTarget.reason : std::string())
              << ")\n";
    return 1;
  }
  const std::size_t before = countOps(v.ops);
  minimise(v, [&](const Vector& candidate) { return signatureOf(candidate, reference, *target) == signature; });
  std::cout << "finding " << target->name() << "/" << *signature << ": " << before << " ops minimised to " << countOps(v.ops)
            << "\n";

  // Expectations: the reference's outcome of every op (the differential oracle).
  const VectorRun expected = runVector(v, reference);
  ExpectationWriter(expected, target->wellBehavedCaller()).apply(v.ops);
  const std::string afterOp = signature->substr(signature->find('/') + 1);
  const std::string rule = afterOp.substr(0, afterOp.find('/'));
  v.id = "from-fuzz/" + idWords(c.target) + "/" + hex(std::hash<std::string>{}(std::string(bytes.begin(), bytes.end())));
  v.rules = {rule};
  v.tags = {"from-fuzz"};
  v.requires_.clear();
  const auto doc = vectorFileJson("from-fuzz",
                                  "A fuzz finding on " + target->name() + " (" + *signature + "), minimised by memconform from-crash "
                                  "from " + c.input + ". Expectations: the outcome of each op on " + reference.name() +
                                      " (the differential oracle)" +
                                      (c.reference == "reference" ? "." : ", which speaks upstream's documented variants of the rules, "
                                                                           "not the rules themselves (core/dialects.h)."),
                                  {v});
  {
    std::ofstream out(c.output);
    out << doc.dump(2) << "\n";
    if (!out) {
      std::cerr << "memconform from-crash: cannot write " << c.output << "\n";
      return 2;
    }
  }
  // Show that the vector stands alone: it passes on the reference, fails on the target.
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile(c.output, doc.dump(), errors);
  for (const auto& e : errors) std::cerr << "memconform from-crash: the written vector does not load: " << describe(e) << "\n";
  if (!errors.empty() || file.vectors.size() != 1) return 1;
  const VectorRun onReference = runVector(file.vectors[0], reference);
  const VectorRun onTarget = runVector(file.vectors[0], *target);
  std::cout << "wrote " << c.output << " (" << countOps(file.vectors[0].ops) << " ops): " << reference.name() << " "
            << (onReference.failures.empty() && onReference.status == VectorRun::Status::Completed ? "passes" : "FAILS") << ", "
            << target->name() << " " << (onTarget.failures.empty() ? "PASSES" : "fails") << "\n";
  for (const auto& f : onTarget.failures)
    std::cout << "  " << f.pointer << " (" << f.op << ") [" << f.rule << "]: expected " << f.expected << "; actual " << f.actual << "\n";
  // On a dialect, the vector may fail where upstream breaks the rules: the
  // target must fail somewhere the dialect does not.
  const bool targetFailsOnItsOwn = std::any_of(onTarget.failures.begin(), onTarget.failures.end(), [&](const Failure& f) {
    return std::none_of(onReference.failures.begin(), onReference.failures.end(),
                        [&](const Failure& g) { return g.pointer == f.pointer && g.rule == f.rule; });
  });
  if (speaksADialect(reference)) return targetFailsOnItsOwn ? 0 : 1;
  return onReference.failures.empty() && !onTarget.failures.empty() ? 0 : 1;
}

}  // namespace memconform::cli
