#include "conformance/targets/spin_gate.h"

#include <sys/resource.h>

#include <algorithm>

namespace memconform::conformance {

bool SpinGate::open() {
  if (shutLeft_ == 0) return true;
  --shutLeft_;
  return false;
}

void SpinGate::spun(bool paid) {
  shutFor_ = paid ? shutFor_ / 2 : std::min(std::max(1u, shutFor_ * 2), kMaxShut);
  shutLeft_ = paid ? 0 : shutFor_;
}

long involuntaryContextSwitches() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  return usage.ru_nivcsw;
}

}  // namespace memconform::conformance
