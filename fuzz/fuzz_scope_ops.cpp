// libFuzzer target: bytes -> an op sequence over the whole API (op_decoder.h)
// -> the reference, with the LEAK/SAFE invariants checked after every op and
// every byte outside a live allocation poisoned (SAFE-2, ASan).
#include <cstddef>
#include <cstdint>

#include "conformance/targets/reference_target.h"
#include "fuzz/checked_types.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

using namespace memconform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static conformance::ReferenceTarget target;
  static fuzz::OpDecoder decoder;
  const auto sequence = decoder.decode({data, size});
  const conformance::Vector& vector = sequence.vector();
  // Into the same run input after input, so that the executor's buffers
  // (its checker, names, op buffers) grow once; emptied as the input ends,
  // so that the input frees what it allocated (libFuzzer runs one that does
  // not again).
  static conformance::VectorRun run;
  conformance::runVector(vector, target, run, fuzz::kSearchRun);
  if (auto finding = fuzz::findingOf("reference", run)) {
    // Again with JSON pointers, for the report.
    conformance::Vector numbered = vector;
    fuzz::numberOps(numbered);
    const conformance::VectorRun again = conformance::runVector(numbered, target);
    fuzz::reportAndAbort(fuzz::findingOf("reference", again).value_or(*finding), again);
  }
  run.emptyKeepingBuffers();
  return 0;
}
