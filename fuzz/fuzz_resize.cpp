// libFuzzer target: (heap size, request, growth parameters, fault pattern)
// -> emscripten_resize_heap on the reference, checked against properties that
// follow from GROW-1..6 and MEM-1..5 without re-evaluating the formula:
// sizes are whole pages, no attempt exceeds the maximum, success means at
// least the request, the attempts come in the cutDown order and stop at the
// first success, a failed resize changes nothing, and each attempt stays
// within one alignment step of its target and the overgrowth cap. Memories stay small
// (at most 320 pages) so that ASan's poisoning of new pages stays cheap; the
// growth parameters are drawn at the same scale.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/events.h"
#include "core/js_numbers.h"
#include "core/memory.h"
#include "fuzz/checked_types.h"
#include "fuzz/planted.h"
#include "core/resize_policy.h"

using namespace memconform;

namespace {

[[noreturn]] void broken(const char* rule, const std::string& what) { fuzz::brokenProperty("resize", rule, what); }

double request(FuzzedDataProvider& in, double oldSize) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return oldSize + 65536.0 * in.ConsumeIntegralInRange<int>(-4, 64) + in.ConsumeIntegralInRange<int>(-2, 2);
    case 1: return in.ConsumeIntegral<std::uint32_t>();
    case 2: return in.ConsumeIntegral<std::int64_t>() / 1024.0;  // negative, fractional, beyond 2^32
    case 3: return in.ConsumeFloatingPoint<double>();
    case 4: return 65536.0 * in.ConsumeIntegralInRange<int>(0, 400);
    default: return in.ConsumeProbability<double>() * 4294967296.0 * 2 - 4294967296.0;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static const Mutant planted = fuzz::plantedFromEnvironment();
  PlantMutant guard(planted);
  FuzzedDataProvider in(data, size);
  MemoryConfig config;
  config.initialPages = in.ConsumeIntegralInRange<std::uint32_t>(0, 64);
  config.maximumPages = config.initialPages + in.ConsumeIntegralInRange<std::uint32_t>(0, 256);
  GrowthParams params;
  if (in.ConsumeBool()) params.geometricStep = in.ConsumeFloatingPointInRange<double>(0, 2);
  if (in.ConsumeBool()) params.overgrowthCap = 65536.0 * in.ConsumeIntegralInRange<int>(0, 8) + in.ConsumeIntegralInRange<int>(0, 3);
  if (in.ConsumeBool()) params.alignment = in.PickValueInArray({65536.0, 131072.0, 100000.0, 4096.0, 65536.0 * 3});
  if (in.ConsumeBool()) params.maxHeapSize = 65536.0 * in.ConsumeIntegralInRange<int>(1, 400) + in.ConsumeIntegralInRange<int>(0, 1);
  GrowthFaults faults;
  const int pattern = in.ConsumeIntegralInRange<int>(0, 7);
  for (int attempt = 1; attempt <= 3; ++attempt)
    if (pattern & (1 << (attempt - 1))) faults.failAttempts.push_back(attempt);
  if (in.ConsumeBool()) faults.failAbovePages = in.ConsumeIntegralInRange<std::uint32_t>(0, 320);

  EventLog log;
  LinearMemory memory(config, faults, &log);
  const double oldSize = static_cast<double>(memory.byteLength());
  const double requested = request(in, oldSize);
  const std::uint64_t generation = memory.generation();
  const ResizeOutcome out = resizeHeap(memory, params, requested, &log);

  const double wrapped = toUint32(requested);  // GROW-1
  const double finalSize = static_cast<double>(out.finalByteLength);
  if (out.finalByteLength != memory.byteLength()) broken("GROW-3", "the reported final size is not the memory's");
  if (out.finalByteLength % 65536 != 0) broken("MEM-1", "byteLength " + std::to_string(out.finalByteLength) + " is not whole pages");
  if (memory.pages() > config.maximumPages) broken("MEM-2", "grew past the memory's maximum");
  if (finalSize < oldSize) broken("MEM-3", "the memory shrank");
  if (wrapped > params.maxHeapSize) {  // GROW-2
    if (out.result || !out.attempts.empty() || !log.events().empty()) broken("GROW-2", "a request above the maximum was attempted");
    return 0;
  }
  if (out.attempts.empty() || out.attempts.size() > 3) broken("GROW-3", std::to_string(out.attempts.size()) + " attempts");
  for (std::size_t i = 0; i < out.attempts.size(); ++i) {
    const auto& a = out.attempts[i];
    if (a.newSize > params.maxHeapSize) broken("GROW-3", "an attempt above the maximum heap size");
    if (a.newSize != params.maxHeapSize && std::fmod(a.newSize, params.alignment) != 0)
      broken("GROW-3", "newSize " + jsNumberToString(a.newSize) + " is neither aligned nor the maximum");
    if (a.newSize < wrapped) broken("GROW-3", "an attempt below the request");
    // Bounds that follow from GROW-3 without evaluating it: the overgrowth is
    // at most the cap past the request, and alignUp adds less than one
    // alignment step to the largest target (the first attempt's).
    if (!(a.newSize < wrapped + params.overgrowthCap + params.alignment))
      broken("GROW-3", "newSize " + jsNumberToString(a.newSize) + " is beyond request + cap + one alignment step");
    if (!(a.newSize - params.alignment < std::max(wrapped, oldSize * (1 + params.geometricStep))))
      broken("GROW-3", "newSize " + jsNumberToString(a.newSize) + " is a whole alignment step above its target");
    if (i > 0 && a.newSize > out.attempts[i - 1].newSize) broken("GROW-3", "cutDown attempts grew instead of shrinking");
    if (a.ok != (i + 1 == out.attempts.size() && out.result)) broken("GROW-3", "attempts went on after a success, or stopped early");
  }
  // Each attempt is one memory.grow call, reported before the attempt (section 12).
  const auto& events = log.events();
  if (events.size() != 2 * out.attempts.size()) broken("GROW-3", "events do not pair grow calls with attempts");
  for (std::size_t i = 0; i < out.attempts.size(); ++i) {
    const auto* g = std::get_if<GrowEvent>(&events[2 * i]);
    const auto* r = std::get_if<ResizeAttemptEvent>(&events[2 * i + 1]);
    if (!g || !r || g->ok != out.attempts[i].ok || r->newSize != out.attempts[i].newSize) broken("GROW-5", "event order");
  }
  if (out.result) {
    if (finalSize < wrapped) broken("GROW-3", "success below the request");
    if (finalSize < out.attempts.back().newSize) broken("GROW-5", "success below the attempted size");
  } else {
    if (out.attempts.size() != 3) broken("GROW-4", "gave up before three attempts");
    if (finalSize != oldSize || memory.generation() != generation) broken("GROW-4", "a failed resize changed the memory");
  }
  return 0;
}
