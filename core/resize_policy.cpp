#include "core/resize_policy.h"

#include <algorithm>
#include <cmath>

#include "core/dialects.h"
#include "core/errors.h"
#include "core/js_numbers.h"
#include "core/mutants.h"

namespace memconform {

void checkGrowthParams(const GrowthParams& p) {
  const bool ok = std::isfinite(p.geometricStep) && p.geometricStep >= 0 && std::isfinite(p.overgrowthCap) &&
                  p.overgrowthCap >= 0 && std::isfinite(p.alignment) && p.alignment > 0 &&
                  std::isfinite(p.maxHeapSize) && p.maxHeapSize > 0;
  if (!ok)
    raise(Error{ErrorKind::InvalidArgument, "growth parameters step=" + jsNumberToString(p.geometricStep) +
                                                " cap=" + jsNumberToString(p.overgrowthCap) +
                                                " alignment=" + jsNumberToString(p.alignment) +
                                                " max=" + jsNumberToString(p.maxHeapSize) + " (GROW-6)"});
}

double alignUp(double x, double multiple) {
  if (planted(Mutant::AlignUpExtraPage)) return x + (multiple - std::fmod(x, multiple));
  return x + std::fmod(multiple - std::fmod(x, multiple), multiple);  // JS % is fmod
}

bool growMemory(LinearMemory& memory, double size) {
  const double byteLength = static_cast<double>(memory.byteLength());
  if (planted(Mutant::GrowPagesOrZero) || speaks(Variant::GrowPagesOrZero)) {
    // A negative count: memory.grow's TypeError, before anything grows.
    const std::int32_t pages = toInt32((size - byteLength + 65535) / 65536);
    return pages >= 0 && memory.grow(static_cast<std::uint32_t>(pages)).has_value();
  }
  if (speaks(Variant::GrowPagesFraction)) {
    // memory.grow([EnforceRange] unsigned long): a fraction truncates,
    // anything outside [0, 2^32) is a TypeError before anything grows.
    const auto pages = enforceRangeUint32((size - byteLength + 65535) / 65536);
    return pages && memory.grow(*pages).has_value();
  }
  const std::uint32_t pages = toUint32(size - byteLength + 65535) >> 16;  // GROW-5: `>>> 16`
  return memory.grow(pages).has_value();
}

ResizeOutcome resizeHeap(LinearMemory& memory, const GrowthParams& params, double requestedSize, EventLog* log) {
  ResizeOutcome out;
  // GROW-3: before the call. Upstream reads HEAPU8.length, which is 0 while
  // the runtime's views are detached (resize-reads-stale-heap).
  const bool stale = speaks(Variant::ResizeReadsStaleHeap) && memory.runtimeViewsDetached();
  const double oldSize = stale ? 0 : static_cast<double>(memory.byteLength());
  const double requested = toUint32(requestedSize);                  // GROW-1: requestedSize >>>= 0
  const double maxHeapSize = params.maxHeapSize;
  if (requested > maxHeapSize) {  // GROW-2: no growth is attempted
    out.finalByteLength = memory.byteLength();
    return out;
  }
  for (double cutDown = 1; cutDown <= 4; cutDown *= 2) {  // GROW-3: cutDown 1, 2, 4
    double overGrownHeapSize = oldSize * (1 + params.geometricStep / cutDown);
    if (!planted(Mutant::NoOvergrowthCap))
      overGrownHeapSize = std::min(overGrownHeapSize, requested + params.overgrowthCap);
    const double newSize =
        std::min(maxHeapSize, alignUp(std::max(requested, overGrownHeapSize), params.alignment));
    const bool ok = growMemory(memory, newSize);
    out.attempts.push_back({newSize, ok});
    if (log) log->record(ResizeAttemptEvent{newSize, ok});
    if (ok) {
      memory.runtimeViewsRenewed();  // Emscripten's updateMemoryViews()
      out.result = true;
      break;
    }
    if (planted(Mutant::FirstAttemptOnly)) break;
  }
  // GROW-4: three failed attempts leave the result false and memory unchanged.
  out.finalByteLength = memory.byteLength();
  return out;
}

}  // namespace memconform
