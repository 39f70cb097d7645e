#include "fuzz/differential.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <set>

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

using Numbering = Canonicalizer::Numbering;

void appendUnsigned(std::string& out, std::uint64_t n) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// A value as toText writes it; the common kinds without building JSON.
void appendText(std::string& out, const Value& v) {
  if (const auto* d = v.get<double>(); d && std::trunc(*d) == *d && std::fabs(*d) <= 9007199254740992.0 &&
                                       !(*d == 0 && std::signbit(*d))) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, static_cast<std::int64_t>(*d)).ptr;
    out.append(digits, end);
  } else if (v.isUndefined()) {
    out += "undefined";
  } else if (const auto* b = v.get<bool>()) {
    out += *b ? "true" : "false";
  } else {
    out += toText(v);
  }
}

// A pointer, table index or scope by its order of first appearance: "ptr#2".
void appendNumbered(std::string& out, Numbering& seen, std::uint64_t key, const char* prefix) {
  auto [it, fresh] = seen.live.emplace(key, seen.next);
  if (fresh) ++seen.next;
  out += prefix;
  appendUnsigned(out, it->second);
}
// One that must have appeared before (what an uninstall or pop names);
// `release` forgets it.
void appendSeenBefore(std::string& out, Numbering& seen, std::uint64_t key, const char* prefix, bool release = false) {
  const auto it = seen.live.find(key);
  if (it == seen.live.end()) {
    out += "unknown";
    return;
  }
  out += prefix;
  appendUnsigned(out, it->second);
  if (release) seen.live.erase(it);
}
}  // namespace

void Canonicalizer::appendPointer(std::string& out, double address) {
  // Only a number that can be an address is a place (zeroMemory gives back
  // any address the caller passed, -8 included).
  if (!(address > 0 && address <= 9007199254740992.0) || std::trunc(address) != address)
    return appendText(out, Value(address));
  appendNumbered(out, pointers_, static_cast<std::uint64_t>(address), "ptr#");
}

void Canonicalizer::appendEvent(std::string& out, const Event& e) {
  if (const auto* a = std::get_if<AllocEvent>(&e)) {
    sizes_[a->ptr] = a->size;
    out += "alloc ";
    appendPointer(out, a->ptr);
    out += " size ";
    appendUnsigned(out, a->size);
  } else if (const auto* d = std::get_if<DeallocEvent>(&e)) {
    out += "dealloc ";
    appendSeenBefore(out, pointers_, d->ptr, "ptr#");
    // The block is gone, and with it every address inside it that a value
    // named (a pointer slot, an address zeroMemory gave back), but not
    // another live block: a size the allocator wrapped (alloc(2^32 + 1) is
    // a 1-byte block, alloc-size-wraps, SCOPE-3) reaches over the blocks
    // above it, and whether there are any is where it put the block.
    const auto size = sizes_.find(d->ptr);
    const std::uint64_t end = d->ptr + std::max<std::uint64_t>(size == sizes_.end() ? 1 : size->second, 1);
    if (size != sizes_.end()) sizes_.erase(size);
    for (auto it = pointers_.live.lower_bound(d->ptr); it != pointers_.live.end() && it->first < end;)
      it = sizes_.count(it->first) ? std::next(it) : pointers_.live.erase(it);
  } else if (const auto* i = std::get_if<InstallEvent>(&e)) {
    out += "install ";
    appendNumbered(out, functions_, i->index, "fn#");
  } else if (const auto* u = std::get_if<UninstallEvent>(&e)) {
    out += "uninstall ";
    appendSeenBefore(out, functions_, u->index, "fn#", true);
  } else if (const auto* p = std::get_if<PushEvent>(&e)) {
    // Scope handles are each side's own numbers: named by order of push, so
    // that a pop of another scope than the reference's shows (CALL-1, SCOPE-5).
    out += "push ";
    appendNumbered(out, scopes_, p->scope, "sc#");
  } else if (const auto* p = std::get_if<PopEvent>(&e)) {
    out += "pop ";
    appendSeenBefore(out, scopes_, p->scope, "sc#");
  } else {
    out += describe(e);
  }
}

void Canonicalizer::appendValue(std::string& out, const Value& v, OpKind k, bool places) {
  if (const auto* d = v.get<double>()) {
    if (places) return appendPointer(out, *d);
    if (returnsFunctionIndex(k)) return appendNumbered(out, functions_, static_cast<std::uint64_t>(*d), "fn#");
  }
  if (v.get<Handle>()) {
    out += "handle";
    return;
  }
  appendText(out, v);
}

namespace {
// A peek of type "*": the decoder's read-back of pointers the implementation
// wrote (an argv table, SCOPE-10), whose values are places. (Its other
// peeks of pointer types, "i8*", read numbers the caller poked.)
bool peeksPointers(const Op& op) {
  if (op.kind != OpKind::Peek) return false;
  const auto it = op.args.find("type");
  if (it == op.args.end()) return false;
  const auto* v = std::get_if<Value>(&it->second.form);
  const auto* s = v ? v->get<std::string>() : nullptr;
  return s && *s == "*";
}
}  // namespace

void Canonicalizer::canonical(const OpRun& run, Outcome& out) {
  out.refrees.clear();
  out.dangling.clear();
  out.result.clear();
  if (!run.observed) {
    out.eventsUpTo(0);
    out.result = run.note;
    return;
  }
  const Observed& o = *run.observed;
  const OpKind k = run.op->kind;
  const bool ownGrowth = options_.ownAllocator && k != OpKind::Resize && k != OpKind::Grow;
  std::size_t events = 0;
  for (const auto& e : o.events) {
    if (ownGrowth && (std::holds_alternative<GrowEvent>(e) || std::holds_alternative<ResizeAttemptEvent>(e))) continue;
    const auto* d = std::get_if<DeallocEvent>(&e);
    const bool refree = d && !freed_.insert(d->ptr).second;
    out.refrees.push_back(refree);
    out.dangling.push_back(refree && !sizes_.count(d->ptr));
    if (events == out.events.size()) out.eventsUpTo(events + 1);
    std::string& text = out.events[events++];
    text.clear();
    appendEvent(text, e);
  }
  out.eventsUpTo(events);
  if (o.error) {
    out.result += "error ";
    out.result += errorKindName(*o.error);
    return;
  }
  const bool places = returnsPointers(k) || peeksPointers(*run.op);
  if (const auto* list = o.value.get<std::vector<Value>>(); list && (k != OpKind::Peek || places)) {
    out.result += "[";
    for (const auto& e : *list) {
      appendValue(out.result, e, k, places);
      out.result += ",";
    }
    out.result += "]";
    return;
  }
  out.result += "value ";
  appendValue(out.result, o.value, k, places);
}

void Canonicalizer::Outcome::eventsUpTo(std::size_t n) {
  for (; events.size() > n; events.pop_back()) spareEvents_.push_back(std::move(events.back()));
  for (; events.size() < n && !spareEvents_.empty(); spareEvents_.pop_back()) events.push_back(std::move(spareEvents_.back()));
  events.resize(n);
}

Canonicalizer::Outcome Canonicalizer::canonical(const OpRun& run) {
  Outcome out;
  canonical(run, out);
  return out;
}

std::string Canonicalizer::outcome(const OpRun& run) { return outcomeText(canonical(run)); }

std::string Canonicalizer::outcomeText(const Outcome& o) {
  std::string out;
  for (const auto& e : o.events) out += e + "; ";
  return out + o.result;
}

namespace {

// A short class of an op's value, for signatures: places by kind, numbers
// by shape, lists by emptiness.
std::string valueClass(const Value& v, OpKind k) {
  if (const auto* d = v.get<double>()) {
    if (*d != 0 && (returnsPointers(k) || returnsFunctionIndex(k))) return returnsPointers(k) ? "ptr" : "fn";
    if (std::isnan(*d)) return "NaN";
    if (std::isinf(*d)) return "inf";
    if (*d == 0) return std::signbit(*d) ? "-0" : "0";
    return std::trunc(*d) == *d ? "int" : "frac";
  }
  if (const auto* b = v.get<bool>()) return *b ? "true" : "false";
  if (const auto* list = v.get<std::vector<Value>>()) return list->empty() ? "list0" : "list";
  return std::string(typeName(v));
}

// What an op's outcome is, classed: "error:KIND", "value:CLASS" or "not-run".
std::string resultClass(const OpRun& r) {
  if (!r.observed) return "not-run";
  if (r.observed->error) return "error:" + std::string(errorKindName(*r.observed->error));
  return "value:" + valueClass(r.observed->value, r.op->kind);
}

// An event's kind, with the outcome of a grow or resize attempt.
std::string eventKind(const std::string& canonical) {
  // "dealloc ptr#2", "grow(65535 pages, failed)", "resizeAttempt(100663296, ok)"
  std::string kind = canonical.substr(0, canonical.find_first_of(" ("));
  if ((kind == "grow" || kind == "resizeAttempt") && canonical.find("failed") != std::string::npos) kind += "-failed";
  return kind;
}

// What differs between two canonical outcomes of one op (see Difference).
std::string aspectOf(const OpRun& a, const OpRun& b, const Canonicalizer::Outcome& x, const Canonicalizer::Outcome& y) {
  if (x.result != y.result) {
    const std::string left = resultClass(a), right = resultClass(b);
    // Both values: "value:int>undefined"; otherwise each side whole.
    if (left.rfind("value:", 0) == 0 && right.rfind("value:", 0) == 0) return left + ">" + right.substr(6);
    return left + ">" + right;
  }
  for (std::size_t i = 0; i < std::max(x.events.size(), y.events.size()); ++i) {
    const std::string left = i < x.events.size() ? eventKind(x.events[i]) : "none";
    const std::string right = i < y.events.size() ? eventKind(y.events[i]) : "none";
    if (i >= x.events.size() || i >= y.events.size() || x.events[i] != y.events[i]) return "events:" + left + ">" + right;
  }
  return "";
}

// Whether an op's events include a successful grow by more than 0 pages
// (`grew`) or by exactly 0 (`!grew`: the buffer replaced, its length kept).
bool hasGrow(const OpRun& r, bool grew) {
  if (!r.observed) return false;
  return std::any_of(r.observed->events.begin(), r.observed->events.end(), [grew](const Event& e) {
    const auto* g = std::get_if<GrowEvent>(&e);
    return g && g->ok && (g->pages > 0) == grew;
  });
}

// Whether an op that allocates grew the memory (its allocator's request).
bool allocationGrew(const OpRun& r) {
  return hasGrow(r, true) && r.op->kind != OpKind::Resize && r.op->kind != OpKind::Grow;
}

// After a peek of a list, how many addresses the caller's list holds, if
// the target says (Observed::addressAfter).
std::optional<std::size_t> addressesLeft(const OpRun& r) {
  if (!r.observed || !r.observed->addressAfter) return std::nullopt;
  const auto* list = r.observed->addressAfter->get<std::vector<Value>>();
  return list ? std::optional<std::size_t>(list->size()) : std::nullopt;
}

// Whether two outcomes differ only in deallocs that, on both sides, free an
// address freed before in the run: a pointer left dangling (a scope still
// listing a block the glue freed, as cstring-error-deallocs does) and freed
// again, which lands on whatever block the allocator has put there since.
bool onlyRefreesDiffer(const Canonicalizer::Outcome& x, const Canonicalizer::Outcome& y) {
  if (x.result != y.result || x.events.size() != y.events.size()) return false;
  for (std::size_t i = 0; i < x.events.size(); ++i)
    if (x.events[i] != y.events[i] && !(x.refrees[i] && y.refrees[i])) return false;
  return true;
}

// Whether the reference's outcome `x` frees a dangling pointer twice after
// the same events as the target's `y`, and the target frees there an
// address it freed before too (whatever block its allocator has put there
// since): a real allocator's heap is corrupt from that free on (it may trap
// in free, or hand a block out twice), so what the target does from there
// is that allocator's (SCOPE-3).
bool bothFreeADanglingPointerAfterTheSameEvents(const Canonicalizer::Outcome& x, const Canonicalizer::Outcome& y) {
  for (std::size_t i = 0; i < x.events.size() && i < y.events.size(); ++i) {
    if (x.dangling[i]) return y.refrees[i] || x.events[i] == y.events[i];
    if (x.events[i] != y.events[i]) return false;
  }
  return false;
}

// Whether an op replaced the buffer without changing its length (grow(0)).
bool replacedSameLength(const OpRun& r) { return hasGrow(r, false); }

// A driver's access check report (the Node driver's, SAFE-2) on the op `b`,
// if it made one. The reference's accesses are ASan's: it never reports one.
const Violation* accessReport(const OpRun& b) {
  if (!b.observed) return nullptr;
  const auto v = std::find_if(b.observed->violations.begin(), b.observed->violations.end(),
                              [](const Violation& v) { return v.rule == "SAFE-2"; });
  return v == b.observed->violations.end() ? nullptr : &*v;
}

// That report as the difference it is: "OP/SAFE-2/write:CLASS", the class
// of the region the first access hit without its addresses, as a
// sanitizer's finding is named by its kind ("heap-buffer-overflow").
Difference accessViolation(const OpRun& a, const Violation* v, const Canonicalizer::Outcome& x,
                           const Canonicalizer::Outcome& y) {
  static const std::regex report(R"(^(WRITE|READ) of size \d+ at \d+ \(([a-z-]+))");
  std::smatch m;
  const std::string kind = std::regex_search(v->message, m, report)
                               ? std::string(m[1].str() == "WRITE" ? "write:" : "read:") + m[2].str()
                               : "access";
  return Difference{a.op->pointer, std::string(opSpec(a.op->kind).name), "SAFE-2", Canonicalizer::outcomeText(x),
                    Canonicalizer::outcomeText(y) + "; SAFE-2: " + v->message, kind};
}

// Whether two runs of one op did the same, as canonical() reads it: the
// same op, the same events, error and value (SameValue: NaN is NaN), or
// the same reason it did not run. After the same history, the two sides'
// canonical outcomes of such ops are the same (a shortcut of compareRuns).
bool sameOutcome(const OpRun& a, const OpRun& b) {
  if (a.op != b.op || a.observed.has_value() != b.observed.has_value()) return false;
  if (!a.observed) return a.note == b.note;
  const Observed &x = *a.observed, &y = *b.observed;
  return x.error == y.error && x.events == y.events && sameValue(x.value, y.value);
}

// Whether a block of this op reaches past the memory's end: one whose
// recorded size goes beyond byteLength (SAFE-1).
bool reachesPastTheEnd(const AllocEvent& a, const Observed& o) {
  return std::uint64_t{a.ptr} + std::max<std::uint64_t>(a.size, 1) > o.byteLength;
}

// An mmapAlloc that zeroes its block (ALIGN-3) when that block reaches past
// the memory's end (mmap-alloc-size-wraps) zeroes everything above the block,
// up to the end: a C allocator kept in that memory (dlmalloc's chunk headers,
// its top chunk) is wiped, and its later calls trap or hand out what the
// wiped headers say. The reference's allocator keeps its books outside.
bool zeroedPastTheEnd(const OpRun& r) {
  if (!r.observed || r.op->kind != OpKind::MmapAlloc) return false;
  return std::any_of(r.observed->events.begin(), r.observed->events.end(), [&](const Event& e) {
    const auto* a = std::get_if<AllocEvent>(&e);
    return a && reachesPastTheEnd(*a, *r.observed);
  });
}

// The live blocks of one side that reach past the memory's end (SAFE-1):
// upstream's alloc(2^32 + n) hands one out (alloc-size-wraps, core/dialects.h;
// mmapAlloc(2^32) does too, and ends the comparison: zeroedPastTheEnd).
// Whether a later block overlaps it is only where that side's allocator put
// the later block, below it or above.
class BlocksPastTheEnd {
 public:
  void after(const OpRun& r) {
    if (!r.observed) return;
    for (const auto& e : r.observed->events)
      if (const auto* a = std::get_if<AllocEvent>(&e)) {
        if (reachesPastTheEnd(*a, *r.observed)) live_.insert(a->ptr);
      } else if (const auto* d = std::get_if<DeallocEvent>(&e)) {
        live_.erase(d->ptr);
      }
  }
  bool any() const { return !live_.empty(); }

 private:
  std::set<Address> live_;
};

}  // namespace

std::optional<Difference> compareRuns(const VectorRun& reference, const VectorRun& target, CompareOptions options) {
  // A run that broke off: the target refused the setup or an op (skipped),
  // or the run could not go on (a driver that died, a plugin that returned
  // a value of the wrong kind). On the reference, the generated sequence is
  // at fault.
  if (reference.status != target.status) {
    const bool onReference = reference.status != VectorRun::Status::Completed;
    const std::string rule = onReference ? "decoder" : target.status == VectorRun::Status::Error ? "error" : "skipped";
    return Difference{"", "sequence", rule, ending(reference), ending(target), {}};
  }
  Canonicalizer left(options), right(options);
  // Against a target's own allocator, once an allocation has grown the
  // memory on either side, the memory's size is the allocator's (SCOPE-3),
  // and so is the state of the runtime's views, which that growth renews
  // (resize-reads-stale-heap, core/dialects.h): what reports or depends on
  // either (byteLength, a view's length, resize, grow, zeroMemory, mmapAlloc)
  // is no longer compared, nor are reads and writes through views made
  // before (detached on one side only). A grow(0) after that replaces the
  // buffer where the glue's cached views may be of the current length on one
  // side and not on the other (views-cached-by-length): whether its helpers
  // and accessors see a detached view is the allocator's too, and the rest
  // of the run is not compared. So is it the other way round: after a
  // grow(0) has left the cached views detached on both sides, an allocation
  // that grows the memory on one side only renews them there.
  bool sizeIsAllocators = false;
  BlocksPastTheEnd pastTheEnd[2];  // the reference's, the target's
  bool cachedViewsDetached = false;  // by a grow(0), on both sides, and not renewed since
  // Each op's, in the same strings, from one comparison to the next.
  thread_local Canonicalizer::Outcome x, y;
  // While the two runs are op for op the same (sameOutcome), so are the
  // canonicalizers' histories, and with them each op's canonical outcomes:
  // no op is canonicalized until the first that differs (or a finding
  // needs their text), and then those before it are, in order. Against
  // the reference's own allocator (a mutant, the reference itself) most
  // inputs never differ. A target's own allocator places blocks its way
  // from the first alloc, and its comparison reads each op's refrees: it
  // canonicalizes every op.
  bool sameSoFar = !options.ownAllocator && !options.canonicalEveryOp;
  std::size_t canonicalized = 0;  // ops canonicalized on both sides
  const auto canonicalThrough = [&](std::size_t i) {  // x and y: op i's
    for (; canonicalized <= i; ++canonicalized) {
      left.canonical(reference.ops[canonicalized], x);
      right.canonical(target.ops[canonicalized], y);
    }
  };
  const std::size_t n = std::min(reference.ops.size(), target.ops.size());
  for (std::size_t i = 0; i < n; ++i) {
    const OpRun& a = reference.ops[i];
    const OpRun& b = target.ops[i];
    const std::string_view name = opSpec(a.op->kind).name;
    sameSoFar = sameSoFar && sameOutcome(a, b);
    if (!sameSoFar) canonicalThrough(i);
    const bool overlapsArePlacement = options.ownAllocator && (pastTheEnd[0].any() || pastTheEnd[1].any());
    pastTheEnd[0].after(a);
    pastTheEnd[1].after(b);
    if (const Violation* access = accessReport(b)) {  // whatever else differs or is not compared
      canonicalThrough(i);
      return accessViolation(a, access, x, y);
    }
    const OpKind k = a.op->kind;
    const bool sizeDependent = k == OpKind::ByteLength || k == OpKind::ViewLength || k == OpKind::Resize ||
                               k == OpKind::Grow || k == OpKind::ZeroMemory || k == OpKind::MmapAlloc ||
                               k == OpKind::ViewGet || k == OpKind::ViewSet;
    if (sizeIsAllocators && (replacedSameLength(a) || replacedSameLength(b))) return std::nullopt;
    if (options.ownAllocator && cachedViewsDetached && allocationGrew(a) != allocationGrew(b)) return std::nullopt;
    if (replacedSameLength(a) && replacedSameLength(b)) cachedViewsDetached = true;
    if (hasGrow(a, true) && hasGrow(b, true)) cachedViewsDetached = false;  // renewed on both sides
    if (options.ownAllocator && (allocationGrew(a) || allocationGrew(b))) sizeIsAllocators = true;
    // Against a target's own allocator, once an mmapAlloc has zeroed past its
    // block to the memory's end on either side, the C heap is the
    // allocator's (SCOPE-3): this op is compared, what follows is not.
    const bool heapWiped = options.ownAllocator && (zeroedPastTheEnd(a) || zeroedPastTheEnd(b));
    if (sizeIsAllocators && sizeDependent) {  // the allocator's, from here on
      if (heapWiped) return std::nullopt;
      continue;
    }
    // Against a target's own allocator, a dangling pointer freed again
    // frees the block each allocator put at that address (SCOPE-3): the C
    // heap is the allocator's from here on, and the rest is not compared.
    if (options.ownAllocator && !(x == y) && onlyRefreesDiffer(x, y)) return std::nullopt;
    // Nor once both free a dangling pointer twice: the events before that
    // free are compared, what follows it is the allocator's, even where
    // this op agrees (the heap is corrupt from there).
    if (options.ownAllocator && bothFreeADanglingPointerAfterTheSameEvents(x, y)) return std::nullopt;
    if (!sameSoFar && !(x == y)) {
      // An invariant the target broke on this op names the finding best.
      const bool violated = b.observed && !b.observed->violations.empty();
      return Difference{a.op->pointer, std::string(name), violated ? b.observed->violations.front().rule : firstRule(a.op->kind),
                        left.outcomeText(x), right.outcomeText(y), aspectOf(a, b, x, y)};
    }
    // PEEK-5, where both sides say what the caller's list holds after a
    // peek (caller-list): how many addresses are left on it (the addresses
    // themselves are each allocator's).
    if (const auto left = addressesLeft(a), right = addressesLeft(b); left && right && *left != *right)
      return Difference{a.op->pointer, std::string(name), "PEEK-5", "the caller's list keeps " + std::to_string(*left) + " address(es)",
                        "the caller's list keeps " + std::to_string(*right) + " address(es)",
                        "list-after:" + std::to_string(*left) + ">" + std::to_string(*right)};
    // The rules an op broke. Against a target's own allocator, each once: how
    // many live blocks a bad block overlaps (SAFE-1) is where each allocator
    // put them; and while a block reaching past the memory's end is live on
    // either side, SAFE-1 is not compared at all (BlocksPastTheEnd).
    const auto violations = [&](const OpRun& r) {
      std::string s;
      if (r.observed)
        for (const auto& v : r.observed->violations)
          if (!options.ownAllocator ||
              ((" " + s).find(" " + v.rule + " ") == std::string::npos && !(overlapsArePlacement && v.rule == "SAFE-1")))
            s += v.rule + " ";
      return s;
    };
    if (violations(a) != violations(b)) {
      const bool targetViolates = b.observed && !b.observed->violations.empty();
      const std::string rule = targetViolates ? b.observed->violations.front().rule : firstRule(a.op->kind);
      const std::string aspect = targetViolates ? "violation:" + rule
                                                : "violation:-" + a.observed->violations.front().rule;
      return Difference{a.op->pointer, std::string(name), rule, "violations: " + violations(a), "violations: " + violations(b), aspect};
    }
    if (heapWiped) return std::nullopt;
  }
  if (reference.ops.size() != target.ops.size())
    return Difference{"", "sequence", "CALL-2", std::to_string(reference.ops.size()) + " ops ran",
                      std::to_string(target.ops.size()) + " ops ran", "ops-run"};
  // End-of-run checks (LEAK-2). An op's own violations were compared above,
  // or left alone as the allocator's.
  for (const auto& f : target.failures) {
    if (f.op != "end") continue;
    bool shared = false;
    for (const auto& g : reference.failures) shared |= g.rule == f.rule && g.pointer == f.pointer;
    if (!shared) return Difference{f.pointer, f.op, f.rule, "no " + f.rule + " failure", f.actual, "violation:" + f.rule};
  }
  return std::nullopt;
}

}  // namespace memconform::fuzz
