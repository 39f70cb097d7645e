#include "core/function_table.h"

#include <algorithm>
#include <string_view>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/run_buffers.h"

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

FunctionTable::FunctionTable(EventLog* log, std::uint32_t reservedSlots) : log_(log) { restart(reservedSlots); }

void FunctionTable::restart(std::uint32_t reservedSlots) {
  reserved_ = reservedSlots;
  release();
  for (std::uint32_t i = 0; i < reservedSlots; ++i) slots_.emplace_back(FunctionRef{"<reserved>", "v"});
}

void FunctionTable::release() {
  // Every run starts with the same buffers (run_buffers.h).
  emptyWithRoom(slots_, reserved_ + kInstalledRoom);
  emptyWithRoom(freeIndexes_, kInstalledRoom);
}

Result<TableIndex> FunctionTable::install(FunctionRef fn) {
  if (speaks(Variant::TableFreeListUpstream)) return installLikeUpstream(std::move(fn));
  if (!isValidSignature(fn.signature))
    return fail(ErrorKind::InvalidArgument, [&] { return "invalid function signature \"" + fn.signature + "\""; });
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
  if (speaks(Variant::UninstallUnchecked) && (index < reserved_ || !isInstalled(index))) {
    // Upstream: freeFuncIndexes.push(ptr); ft.get(ptr) (a RangeError past
    // the end); ft.set(ptr, null): an empty or reserved slot goes on the
    // free list with no error, so it can be handed out twice.
    freeIndexes_.push_back(index);
    if (index >= slots_.size())
      return fail(ErrorKind::RangeError,
                  [&] { return "WebAssembly.Table.get(): invalid address " + std::to_string(index); });
    slots_[index].reset();
    return FunctionRef{};
  }
  if (index < reserved_ || !isInstalled(index))
    return fail(ErrorKind::InvalidArgument,
                [&] { return "uninstallFunction(" + std::to_string(index) + "): no installed function there"; });
  FunctionRef fn = std::move(*slots_[index]);
  slots_[index].reset();
  freeIndexes_.push_back(index);
  if (log_) log_->record(UninstallEvent{index});
  return fn;
}

Result<TableIndex> FunctionTable::installLikeUpstream(FunctionRef fn) {
  // while (ptr = freeFuncIndexes.pop()) if (ft.get(ptr)) continue; else
  // break: occupied slots are skipped, and index 0 (falsy) ends the search.
  std::optional<TableIndex> reused;
  while (!freeIndexes_.empty()) {
    const TableIndex p = freeIndexes_.back();
    freeIndexes_.pop_back();
    if (p == 0) break;
    if (p < slots_.size() && slots_[p]) continue;
    reused = p;
    break;
  }
  const TableIndex index = reused ? *reused : static_cast<TableIndex>(slots_.size());
  if (!reused) slots_.emplace_back();  // ft.grow(1), before the signature is looked at
  if (!isValidSignature(fn.signature)) {
    // jsFuncToWasm throws: only a new slot goes back on the free list; a
    // reused one is lost to later installs.
    if (!reused) freeIndexes_.push_back(index);
    return fail(ErrorKind::InvalidArgument, [&] { return "invalid function signature \"" + fn.signature + "\""; });
  }
  if (index >= slots_.size()) slots_.resize(index + 1);
  slots_[index] = std::move(fn);
  if (log_) log_->record(InstallEvent{index});
  return index;
}

bool FunctionTable::isInstalled(TableIndex index) const { return index < slots_.size() && slots_[index].has_value(); }

std::vector<TableIndex> FunctionTable::installed() const {
  std::vector<TableIndex> out;
  for (TableIndex i = reserved_; i < slots_.size(); ++i)
    if (slots_[i]) out.push_back(i);
  return out;
}

}  // namespace memconform
