// libFuzzer target: bytes -> an op sequence over the whole API (op_decoder.h,
// a well-behaved caller) -> the glue over a real allocator in a wasm module
// (the wasm: target, conformance/targets/wasm_target.h), with the LEAK/SAFE
// invariants checked after every op (SAFE-1: blocks the module hands out lie
// inside memory and disjoint from every live one). A trap inside the module
// is a finding too. The module: MEMCONFORM_WASM, a path or a wasm: target
// name (default: corpus/wasm/freelist.wat as built).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "conformance/targets/wasm_target.h"
#include "fuzz/checked_types.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

using namespace memconform;

namespace {
std::unique_ptr<conformance::WasmTarget> target;
// wabt keeps a module's memory in one vector, committed as it grows: a grow
// to 4 GiB would cost seconds and more than libFuzzer's RSS limit. Every
// grow past 128 MiB fails as an injected fault (MEM-5) does; the
// well-behaved caller's allocations (at most 1 MiB) fit far below it.
constexpr std::uint32_t kGrowthCeilingPages = 2048;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* env = std::getenv("MEMCONFORM_WASM");
  std::string spec = env && *env ? env : MEMCONFORM_DEFAULT_WASM;
  if (spec.rfind("wasm:", 0) != 0) spec = "wasm:" + spec;
  try {
    target = std::make_unique<conformance::WasmTarget>(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_wasm: MEMCONFORM_WASM: %s\n", e.what());
    std::exit(2);
  }
  std::fprintf(stderr, "fuzz_wasm: %s\n", target->implementation().c_str());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static fuzz::OpDecoder decoder(fuzz::limitsFor(*target));
  const auto sequence = decoder.decode({data, size});
  sequence.fitTo(*target);
  conformance::Vector& vector = sequence.vector();
  auto& ceiling = vector.setup.faults.failAbovePages;
  ceiling = std::min(ceiling.value_or(kGrowthCeilingPages), kGrowthCeilingPages);
  const std::uint64_t trapsBefore = target->traps();
  // Into the same run input after input, emptied as it ends (as fuzz_scope_ops).
  static conformance::VectorRun run;
  conformance::runVector(vector, *target, run, fuzz::kSearchRun);
  auto finding = fuzz::findingOf(target->name(), run);
  run.emptyKeepingBuffers();
  if (!finding && target->traps() == trapsBefore) return 0;
  // Again with JSON pointers, for the report.
  conformance::Vector numbered = vector;
  fuzz::numberOps(numbered);
  const conformance::VectorRun again = conformance::runVector(numbered, *target);
  if (auto f = fuzz::findingOf(target->name(), again)) finding = f;
  for (const auto& op : again.ops)
    if (!finding && op.observed && op.observed->error == ErrorKind::Trap)
      finding = fuzz::Finding{target->name(), std::string(conformance::opSpec(op.op->kind).name), "Trap",
                              op.op->pointer + ": the module trapped: " + op.observed->message, {}};
  if (!finding) finding = fuzz::Finding{target->name(), "sequence", "Trap", "the module trapped (not again with JSON pointers)", {}};
  fuzz::reportAndAbort(*finding, again);
}
