#include "core/invariants.h"

#include <algorithm>

namespace memconform {

void InvariantChecker::restart(std::uint64_t initialByteLength) {
  byteLength_ = initialByteLength;
  live_.clear();
  installed_.clear();
  for (auto& s : scopes_) spareEntries_.keep(s.entries);
  scopes_.clear();
  for (auto& rel : releasing_) spareEntries_.keep(rel.pending);
  releasing_.clear();
  opLocal_.clear();
  scopesAtOpStart_ = 0;
  current_.clear();
  all_.clear();
}

const std::vector<Violation>& InvariantChecker::observe(const OpRecord& r) {
  current_.clear();
  opLocal_.clear();
  scopesAtOpStart_ = scopes_.size();
  for (const Event& ev : r.events) {
    if (const auto* a = std::get_if<AllocEvent>(&ev)) onAlloc(*a, r);
    else if (const auto* d = std::get_if<DeallocEvent>(&ev)) onRelease({EntryKind::Allocation, d->ptr}, r);
    else if (const auto* i = std::get_if<InstallEvent>(&ev)) onInstall(*i, r);
    else if (const auto* u = std::get_if<UninstallEvent>(&ev)) onRelease({EntryKind::Function, u->index}, r);
    else if (const auto* p = std::get_if<PushEvent>(&ev)) onPush(*p, r);
    else if (const auto* p = std::get_if<PopEvent>(&ev)) onPop(*p, r);
    else if (const auto* g = std::get_if<GrowEvent>(&ev)) {
      if (g->ok) byteLength_ += std::uint64_t{g->pages} * 65536;
    } else if (const auto* s = std::get_if<StaleViewEvent>(&ev)) {
      report("SAFE-3", [&] {
        return std::string(r.op) + ": access through a view made at memory generation " +
               std::to_string(s->viewGeneration) + ", detached since the memory grew (now generation " +
               std::to_string(s->memoryGeneration) + ")";
      });
    }
  }
  endOfOp(r);
  all_.insert(all_.end(), current_.begin(), current_.end());
  return current_;
}

void InvariantChecker::onAlloc(const AllocEvent& e, const OpRecord& r) {
  // SAFE-1: inside memory and disjoint from every live allocation. A
  // zero-size allocation still owns its address.
  const std::uint64_t size = std::max<std::uint64_t>(e.size, 1);
  if (e.ptr > byteLength_ || size > byteLength_ - e.ptr)
    report("SAFE-1", [&] {
      return std::string(r.op) + ": allocation " + std::to_string(e.ptr) + "+" + std::to_string(e.size) +
             " is not inside [0, " + std::to_string(byteLength_) + ")";
    });
  auto next = live_.lower_bound(e.ptr);
  if (next != live_.end() && next->first < std::uint64_t{e.ptr} + size)
    report("SAFE-1", [&] {
      return std::string(r.op) + ": allocation " + std::to_string(e.ptr) + "+" + std::to_string(e.size) +
             " overlaps live allocation " + std::to_string(next->first) + "+" + std::to_string(next->second);
    });
  if (next != live_.begin()) {
    auto prev = std::prev(next);
    if (std::uint64_t{prev->first} + std::max<std::uint64_t>(prev->second, 1) > e.ptr)
      report("SAFE-1", [&] {
        return std::string(r.op) + ": allocation " + std::to_string(e.ptr) + "+" + std::to_string(e.size) +
               " overlaps live allocation " + std::to_string(prev->first) + "+" + std::to_string(prev->second);
      });
  }
  live_[e.ptr] = e.size;
  attribute({EntryKind::Allocation, e.ptr}, r);
}

void InvariantChecker::onInstall(const InstallEvent& e, const OpRecord& r) {
  if (!installed_.insert(e.index).second)
    report("LEAK-1", [&] {
      return std::string(r.op) + ": function slot " + std::to_string(e.index) +
             " installed again while still live (its function is lost)";
    });
  attribute({EntryKind::Function, e.index}, r);
}

void InvariantChecker::attribute(ScopeEntry entry, const OpRecord& r) {
  if (r.failed) {  // SAFE-4: whatever a failed op makes must be gone by its end
    opLocal_.insert(entry);
    return;
  }
  if (r.attribution != Attribution::TopScope) return;
  if (scopes_.empty()) {
    report("LEAK-1", [&] {
      return std::string(r.op) + ": " + describe(entry) +
             " was made through a scope while no scope is active, so no pop can release it";
    });
    return;
  }
  scopes_.back().entries.push_back(entry);
}

bool InvariantChecker::isLive(ScopeEntry entry) const {
  return entry.kind == EntryKind::Function ? installed_.count(entry.value) != 0 : live_.count(entry.value) != 0;
}

std::optional<ScopeHandle> InvariantChecker::ownerOnStack(ScopeEntry entry) const {
  for (const auto& s : scopes_)
    if (std::find(s.entries.begin(), s.entries.end(), entry) != s.entries.end()) return s.handle;
  return std::nullopt;
}

void InvariantChecker::onRelease(ScopeEntry entry, const OpRecord& r) {
  const bool wasLive = entry.kind == EntryKind::Function ? installed_.erase(entry.value) != 0
                                                         : live_.erase(entry.value) != 0;
  if (!wasLive) {
    report("LEAK-1", [&] {
      return std::string(r.op) + ": " + describe(entry) + " released but not live (released twice, or never made)";
    });
    return;
  }
  if (opLocal_.erase(entry) != 0) return;  // a failed op undoing its own work
  // Released by the pop of its scope during this op: fine, in LIFO order (SCOPE-6).
  for (auto& rel : releasing_) {
    auto it = std::find(rel.pending.begin(), rel.pending.end(), entry);
    if (it == rel.pending.end()) continue;
    if (std::next(it) != rel.pending.end())
      report("SCOPE-6", [&] {
        return std::string(r.op) + ": " + describe(entry) + " of scope " + std::to_string(rel.handle) +
               " released before " + describe(rel.pending.back()) +
               ", which was made after it (not last-in, first-out)";
      });
    rel.pending.erase(it);
    return;
  }
  if (const auto owner = ownerOnStack(entry)) {
    report("LEAK-1", [&] {
      return std::string(r.op) + ": " + describe(entry) + " of scope " + std::to_string(*owner) +
             " released while that scope is still on the stack (its pop would release it again)";
    });
    for (auto& s : scopes_)
      std::erase(s.entries, entry);
  }
}

void InvariantChecker::onPush(const PushEvent& e, const OpRecord& r) {
  if (std::any_of(scopes_.begin(), scopes_.end(), [&](const ModelScope& s) { return s.handle == e.scope; }))
    report("LEAK-1", [&] {
      return std::string(r.op) + ": scope " + std::to_string(e.scope) + " pushed while already on the stack";
    });
  scopes_.push_back(ModelScope{e.scope, spareEntries_.take()});  // no malloc per push
}

void InvariantChecker::onPop(const PopEvent& e, const OpRecord& r) {
  if (r.mustPop && e.scope != r.mustPop->scope)
    report(r.mustPop->rule, [&] {
      return std::string(r.op) + ": popped scope " + std::to_string(e.scope) + ", not scope " +
             std::to_string(r.mustPop->scope);
    });
  auto it = std::find_if(scopes_.begin(), scopes_.end(), [&](const ModelScope& s) { return s.handle == e.scope; });
  if (it == scopes_.end()) {
    report("LEAK-1",
           [&] { return std::string(r.op) + ": scope " + std::to_string(e.scope) + " popped but not on the stack"; });
    return;
  }
  releasing_.push_back(Releasing{it->handle, std::move(it->entries)});
  scopes_.erase(it);
}

void InvariantChecker::endOfOp(const OpRecord& r) {
  // LEAK-1: every entry of a scope popped by this op was released by it.
  for (const auto& rel : releasing_)
    for (const auto& e : rel.pending) {
      if (isLive(e))
        report("LEAK-1", [&] {
          return std::string(r.op) + ": " + describe(e) + " of popped scope " + std::to_string(rel.handle) +
                 " was not released (leaked)";
        });
    }
  for (auto& rel : releasing_) spareEntries_.keep(rel.pending);
  releasing_.clear();
  if (r.failed) {
    // SAFE-4: a failed op leaves no allocation, slot or scope behind.
    for (const auto& e : opLocal_)
      report("SAFE-4", [&] { return std::string(r.op) + " failed but left " + describe(e) + " live"; });
    if (scopes_.size() != scopesAtOpStart_)
      report("SAFE-4", [&] {
        return std::string(r.op) + " failed but changed the level from " + std::to_string(scopesAtOpStart_) + " to " +
               std::to_string(scopes_.size());
      });
    if (r.contentsBefore && r.contentsAfter && *r.contentsBefore != *r.contentsAfter)
      report("SAFE-4", [&] { return std::string(r.op) + " failed but changed the memory contents"; });
  }
  // The reported size must be what the grow events explain (memory never
  // changes size behind the harness's back).
  if (r.byteLength != byteLength_) {
    report("SAFE-1", [&] {
      return std::string(r.op) + ": the memory is " + std::to_string(r.byteLength) +
             " bytes but its grow events account for " + std::to_string(byteLength_);
    });
    byteLength_ = r.byteLength;
  }
}

const std::vector<Violation>& InvariantChecker::finish() {
  current_.clear();
  for (const auto& s : scopes_) {  // LEAK-2
    report("LEAK-2", [&] {
      std::string entries;
      for (const auto& e : s.entries) entries += (entries.empty() ? "" : ", ") + describe(e);
      return "scope " + std::to_string(s.handle) + " is still open at the end" +
             (entries.empty() ? " (no entries)" : " with " + entries);
    });
  }
  all_.insert(all_.end(), current_.begin(), current_.end());
  return current_;
}

}  // namespace memconform
