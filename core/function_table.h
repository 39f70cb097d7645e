// The function table (SCOPE-11): installFunction / uninstallFunction with index
// reuse, most recently freed index first, as upstream does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/events.h"

namespace memconform {

// What is installed: a name for the JS function and its wasm signature in
// upstream's letters, result first: "v(ii)" or "vii" (v i j f d p P s).
struct FunctionRef {
  std::string name;
  std::string signature;
  bool operator==(const FunctionRef&) const = default;
};

bool isValidSignature(const std::string& signature);

class FunctionTable {
 public:
  // Slots [0, reservedSlots) are occupied from the start (slot 0 is the null
  // function pointer), like the indirect-function table of a compiled module.
  explicit FunctionTable(EventLog* log = nullptr, std::uint32_t reservedSlots = 1);

  // InvalidArgument for a malformed signature (nothing installed).
  Result<TableIndex> install(FunctionRef fn);
  // InvalidArgument if `index` is not an installed slot (reserved slots
  // included); nothing changes. Returns what was installed.
  Result<FunctionRef> uninstall(TableIndex index);

  bool isInstalled(TableIndex index) const;
  std::size_t length() const { return slots_.size(); }
  std::vector<TableIndex> installed() const;  // excluding reserved slots

  // Back to a new table with `reservedSlots` reserved (Instance::restart).
  void restart(std::uint32_t reservedSlots);
  // The run's slots and free indexes go, the reserved ones too; the
  // buffers keep a new table's room (Instance::release).
  void release();

 private:
  // install as upstream's free list works (table-free-list-upstream).
  Result<TableIndex> installLikeUpstream(FunctionRef fn);

  EventLog* log_;
  std::uint32_t reserved_;
  static constexpr std::size_t kInstalledRoom = 16;
  std::vector<std::optional<FunctionRef>> slots_;
  std::vector<TableIndex> freeIndexes_;  // a stack: the last freed is reused first
};

}  // namespace memconform
