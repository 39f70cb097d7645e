#include "core/function_table.h"

#include <algorithm>
#include <string_view>

#include "core/errors.h"

namespace memconform {

bool isValidSignature(const std::string& signature) {
  constexpr std::string_view kArgs = "ijfdpPs";
  if (signature.empty() || (signature[0] != 'v' && kArgs.find(signature[0]) == std::string_view::npos)) return false;
  std::string_view rest = std::string_view(signature).substr(1);
  if (!rest.empty() && rest.front() == '(') {
    if (rest.back() != ')') return false;
    rest = rest.substr(1, rest.size() - 2);
  }
  return std::all_of(rest.begin(), rest.end(), [&](char c) { return kArgs.find(c) != std::string_view::npos; });
}

FunctionTable::FunctionTable(EventLog* log, std::uint32_t reservedSlots) : log_(log), reserved_(reservedSlots) {
  for (std::uint32_t i = 0; i < reservedSlots; ++i) slots_.emplace_back(FunctionRef{"<reserved>", "v"});
}

Result<TableIndex> FunctionTable::install(FunctionRef fn) {
  if (!isValidSignature(fn.signature))
    return fail(ErrorKind::InvalidArgument, "invalid function signature \"" + fn.signature + "\"");
  TableIndex index;
  if (!freeIndexes_.empty()) {
    index = freeIndexes_.back();  // SCOPE-11: the most recently freed index first
    freeIndexes_.pop_back();
    slots_[index] = std::move(fn);
  } else {
    index = static_cast<TableIndex>(slots_.size());  // table.grow(1)
    slots_.emplace_back(std::move(fn));
  }
  if (log_) log_->record(InstallEvent{index});
  return index;
}

Result<FunctionRef> FunctionTable::uninstall(TableIndex index) {
  if (index < reserved_ || !isInstalled(index))
    return fail(ErrorKind::InvalidArgument, "uninstallFunction(" + std::to_string(index) + "): no installed function there");
  FunctionRef fn = std::move(*slots_[index]);
  slots_[index].reset();
  freeIndexes_.push_back(index);
  if (log_) log_->record(UninstallEvent{index});
  return fn;
}

bool FunctionTable::isInstalled(TableIndex index) const { return index < slots_.size() && slots_[index].has_value(); }

std::vector<TableIndex> FunctionTable::installed() const {
  std::vector<TableIndex> out;
  for (TableIndex i = reserved_; i < slots_.size(); ++i)
    if (slots_[i]) out.push_back(i);
  return out;
}

}  // namespace memconform
