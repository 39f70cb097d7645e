// Observable events of a run (docs/VECTORS.md "Expectations of an op"): what the allocator, the
// function table, the scope stack and the memory did on behalf of an op. The
// invariant checker (LEAK/SAFE) and the vectors' `expect.events` read these;
// any implementation, native or behind a driver, reports the same events.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/run_buffers.h"

namespace memconform {

using Address = std::uint32_t;  // wasm32 linear-memory address
using ScopeHandle = std::uint64_t;
using TableIndex = std::uint32_t;

// What a scope records (SCOPE-6): an allocation or a function-table slot.
enum class EntryKind { Allocation, Function };
struct ScopeEntry {
  EntryKind kind;
  std::uint32_t value;  // an Address or a TableIndex
  bool operator==(const ScopeEntry&) const = default;
  auto operator<=>(const ScopeEntry&) const = default;
};
std::string describe(const ScopeEntry& e);  // "allocation 1024", "function slot 3"

struct AllocEvent {  // an allocation became live
  Address ptr;
  std::uint64_t size;
  bool operator==(const AllocEvent&) const = default;
};
struct DeallocEvent {  // an allocation was released
  Address ptr;
  bool operator==(const DeallocEvent&) const = default;
};
struct InstallEvent {  // a function-table slot was filled
  TableIndex index;
  bool operator==(const InstallEvent&) const = default;
};
struct UninstallEvent {  // a function-table slot was emptied
  TableIndex index;
  bool operator==(const UninstallEvent&) const = default;
};
struct PushEvent {  // a scope was pushed (SCOPE-1)
  ScopeHandle scope;
  bool operator==(const PushEvent&) const = default;
};
struct PopEvent {  // a scope was removed from the stack (SCOPE-4/5), before its entries are released
  ScopeHandle scope;
  bool operator==(const PopEvent&) const = default;
};
struct GrowEvent {  // memory.grow(pages) (MEM-2)
  std::uint32_t pages;
  bool ok;
  bool operator==(const GrowEvent&) const = default;
};
struct ResizeAttemptEvent {  // one growMemory(newSize) attempt of the resize policy (GROW-3)
  double newSize;
  bool ok;
  bool operator==(const ResizeAttemptEvent&) const = default;
};
struct StaleViewEvent {  // an access through a detached view (VIEW-2, SAFE-3)
  std::uint64_t viewGeneration;
  std::uint64_t memoryGeneration;
  bool operator==(const StaleViewEvent&) const = default;
};

using Event = std::variant<AllocEvent, DeallocEvent, InstallEvent, UninstallEvent, PushEvent, PopEvent,
                           GrowEvent, ResizeAttemptEvent, StaleViewEvent>;

std::string describe(const Event& e);

// Where components report events.
class EventLog {
 public:
  EventLog() { restart(); }
  void record(const Event& e) { events_.push_back(e); }
  const std::vector<Event>& events() const { return events_; }
  std::size_t size() const { return events_.size(); }
  // Events recorded since `mark` (a previous size()).
  std::vector<Event> since(std::size_t mark) const;
  void clear() { events_.clear(); }
  // Empty, with the room a new log has (run_buffers.h; Instance::restart).
  void restart() { emptyWithRoom(events_, kRoom); }

 private:
  static constexpr std::size_t kRoom = 64;
  std::vector<Event> events_;
};

}  // namespace memconform
