// Heap resize policy (SEMANTICS.md section 2, GROW-1..6): Emscripten's
// `emscripten_resize_heap(requestedSize)` and its `growMemory(size)`,
// reproduced in IEEE-754 double arithmetic exactly as JavaScript evaluates
// them (core is compiled with -ffp-contract=off so no step is fused).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/events.h"
#include "core/memory.h"

namespace memconform {

// GROW-6: the growth steps, with Emscripten's defaults.
struct GrowthParams {
  double geometricStep = 0.2;        // overGrown = oldSize * (1 + step / cutDown)
  double overgrowthCap = 100663296;  // 96 MiB: at most this far past the request
  double alignment = 65536;          // alignUp multiple of the new size
  double maxHeapSize = 2147483648;   // getHeapMax(), 2 GiB
  bool operator==(const GrowthParams&) const = default;
};

// InvalidArgument unless the step and cap are finite and >= 0 and the
// alignment and maximum are finite and > 0 (a zero alignment would make
// alignUp NaN, which >>> 16 turns into a grow(0) that "succeeds"). A setup
// check: throws a GlueError.
void checkGrowthParams(const GrowthParams& params);

struct ResizeAttempt {
  double newSize;
  bool ok;
  bool operator==(const ResizeAttempt&) const = default;
};

// A resize's attempts in order: at most three (GROW-3), kept in place, so
// that a resize allocates nothing.
class ResizeAttempts {
 public:
  static constexpr std::size_t kMost = 3;
  void push_back(ResizeAttempt a) { items_.at(size_++) = a; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const ResizeAttempt& operator[](std::size_t i) const { return items_[i]; }
  const ResizeAttempt& back() const { return items_.at(size_ - 1); }
  const ResizeAttempt* begin() const { return items_.data(); }
  const ResizeAttempt* end() const { return items_.data() + size_; }

 private:
  std::array<ResizeAttempt, kMost> items_{};
  std::size_t size_ = 0;
};

// The observable outcome of a resize: result, ordered attempts, final size.
struct ResizeOutcome {
  bool result = false;
  ResizeAttempts attempts;
  std::uint64_t finalByteLength = 0;
};

// GROW-5: pages = (size - byteLength + 65535) >>> 16; memory.grow(pages).
// True if the grow succeeded (the reference's views refresh themselves, VIEW-2).
bool growMemory(LinearMemory& memory, double size);

// GROW-1..4. `requestedSize` is any JS Number; it is coerced with >>> 0.
// Records a ResizeAttemptEvent after each attempt's GrowEvent.
ResizeOutcome resizeHeap(LinearMemory& memory, const GrowthParams& params, double requestedSize,
                         EventLog* log = nullptr);

// alignUp(x, m) = x + ((m - (x % m)) % m), `%` being JS's truncating remainder.
double alignUp(double x, double multiple);

}  // namespace memconform
