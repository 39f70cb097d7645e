#include "conformance/runner/capabilities.h"

#include <array>
#include <string_view>
#include <utility>

namespace memconform::conformance {

namespace {
constexpr std::array<std::pair<Capability, std::string_view>, 10> kNames{{
    {kMemoryConfig, "memory-config"},
    {kGrowFaults, "grow-faults"},
    {kGrowthParams, "growth-params"},
    {kRawGrow, "raw-grow"},
    {kViews, "views"},
    {kFunctionTable, "function-table"},
    {kI64, "i64"},
    {kTableSlotReuse, "table-slot-reuse"},
    {kRepeatStrings, "repeat-strings"},
    {kCallerList, "caller-list"},
}};
static_assert(kAllCapabilities == (kMemoryConfig | kGrowFaults | kGrowthParams | kRawGrow | kViews | kFunctionTable | kI64 |
                                   kTableSlotReuse | kRepeatStrings | kCallerList));
}  // namespace

const std::set<std::string>& knownCapabilities() {
  static const std::set<std::string> names = capabilityNames(kAllCapabilities);
  return names;
}

Capabilities capabilityBits(const std::set<std::string>& names) {
  Capabilities bits = 0;
  for (const auto& [bit, name] : kNames)
    if (names.count(std::string(name))) bits |= bit;
  return bits;
}

std::set<std::string> capabilityNames(Capabilities bits) {
  std::set<std::string> names;
  for (const auto& [bit, name] : kNames)
    if (bits & bit) names.emplace(name);
  return names;
}

Capabilities opNeeds(const Op& op) {
  Capabilities needs = 0;
  switch (op.kind) {
    case OpKind::Heap:
    case OpKind::HeapForSize:
    case OpKind::ViewLength:
    case OpKind::ViewGet:
    case OpKind::ViewSet: needs |= kViews; break;
    case OpKind::InstallFunction:
    case OpKind::ScopedInstallFunction:
    case OpKind::UninstallFunction: needs |= kFunctionTable; break;
    case OpKind::Grow: needs |= kRawGrow; break;
    default: break;
  }
  if (op.expect && op.expect->outcome.addressAfter) needs |= kCallerList;
  for (const auto& [name, arg] : op.args) {
    const auto* v = std::get_if<Value>(&arg.form);
    if (!v) continue;
    if (v->get<BigInt>()) needs |= kI64;
    if (const auto* s = v->get<std::string>()) {
      if (name == "type" && (*s == "i64" || *s == "u64")) needs |= kI64;
      if (name == "size" && s->starts_with("BigInt")) needs |= kI64;
    }
  }
  return needs;
}

Capabilities setupNeeds(const Setup& setup, bool statesMemory) {
  const Setup defaults;
  Capabilities needs = 0;
  if (statesMemory || !(setup.memory == defaults.memory)) needs |= kMemoryConfig;
  if (!setup.faults.empty()) needs |= kGrowFaults;
  if (!(setup.growth == defaults.growth)) needs |= kGrowthParams;
  return needs;
}

namespace {
Capabilities opsNeed(const std::vector<Op>& ops) {
  Capabilities needs = 0;
  for (const auto& op : ops) needs |= opNeeds(op) | opsNeed(op.body);
  return needs;
}
}  // namespace

Capabilities vectorNeeds(const Vector& vector, bool statesMemory) {
  return setupNeeds(vector.setup, statesMemory) | opsNeed(vector.ops);
}

void fitSetup(Setup& setup, Capabilities have, std::optional<MemoryConfig> fixedMemory) {
  const Setup defaults;
  if (!(have & kMemoryConfig)) setup.memory = fixedMemory.value_or(defaults.memory);
  if (!(have & kGrowFaults)) setup.faults = defaults.faults;
  if (!(have & kGrowthParams)) setup.growth = defaults.growth;
}

}  // namespace memconform::conformance
