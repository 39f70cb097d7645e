#include "core/instance.h"

#include "core/dialects.h"
#include "core/errors.h"
#include "core/js_numbers.h"
#include "core/mutants.h"
#include "core/run_buffers.h"

namespace memconform {

Instance::Instance(InstanceConfig config) : Instance(std::move(config), nullptr) {}

Instance::Instance(InstanceConfig config, std::unique_ptr<MemoryStorage> storage)
    : config_(std::move(config)),
      memory_(storage ? LinearMemory(config_.memory, std::move(storage), config_.faults, &log_)
                      : LinearMemory(config_.memory, config_.faults, &log_)),
      allocator_(
          memory_,
          [this](double newBreak) { return resize(newBreak).result; },  // as sbrk calls emscripten_resize_heap
          &log_, config_.allocator),
      table_(&log_, config_.reservedTableSlots),
      scopes_(memory_, allocator_, table_, &log_) {
  checkGrowthParams(config_.growth);
}

// The new config checked in the constructor's order, so that a bad one
// fails the same way.
void Instance::restart(const InstanceConfig& config) {
  release();
  // Copied into the buffers the last config left: the fault list (only
  // the memory's faults_ are used, MEM-5).
  copyKeepingBuffers(config_, config);
  memory_.restart(config_.memory, config_.faults);
  allocator_.restart(config_.allocator);
  table_.restart(config_.reservedTableSlots);
  checkGrowthParams(config_.growth);
}

void Instance::release() {
  memory_.release();
  copyKeepingBuffers(config_.faults, GrowthFaults{});
  allocator_.release();
  table_.release();
  scopes_.restart();
  log_.restart();
}

Result<void> Instance::dealloc(Address ptr) {
  const bool releasesOwned = planted(Mutant::DeallocOwnedEntry) || speaks(Variant::ReleaseOwnedEntry);
  if (const auto owner = scopes_.ownerOf({EntryKind::Allocation, ptr}); owner && !releasesOwned)
    return fail(ErrorKind::InvalidState, [&] {
      return "dealloc(" + std::to_string(ptr) + "): owned by scope " + std::to_string(*owner) +
             ", which releases it when popped (LEAK-1)";
    });
  return allocator_.dealloc(ptr);
}

Result<FunctionRef> Instance::uninstallFunction(TableIndex index) {
  if (const auto owner = scopes_.ownerOf({EntryKind::Function, index}); owner && !speaks(Variant::ReleaseOwnedEntry))
    return fail(ErrorKind::InvalidState, [&] {
      return "uninstallFunction(" + std::to_string(index) + "): owned by scope " + std::to_string(*owner) +
             ", which uninstalls it when popped (LEAK-1)";
    });
  return table_.uninstall(index);
}

Result<std::uint32_t> Instance::grow(double deltaPages) {
  const auto delta = enforceRangeUint32(deltaPages);
  if (!delta) return delta;
  const auto old = memory_.grow(*delta);
  if (!old)
    return fail(ErrorKind::RangeError, [&] {
      return "WebAssembly.Memory.grow(" + std::to_string(*delta) + "): cannot grow " + std::to_string(memory_.pages()) +
             " pages past the maximum of " + std::to_string(memory_.maximumPages());
    });
  return *old;
}

}  // namespace memconform
