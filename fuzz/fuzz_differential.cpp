// libFuzzer target: the same op sequence on the reference and on the target
// named by MEMCONFORM_TARGET (e.g. mutant:pop-fifo); any difference in
// results, events or invariant verdicts is a finding, reported with a stable
// signature (target, op, rule) and both sides' outcomes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

using namespace memconform;

namespace {
std::unique_ptr<conformance::Target> other;

// A target may refuse a setup or an op it declared (a plugin's create that
// returns NULL, a driver whose module needs a bigger memory): such an input
// finds nothing. Said on stderr at the 1st, 10th, 100th... time and at the
// end of the run, so that a target that refuses everything shows.
struct Skips {
  std::size_t inputs = 0, skipped = 0, next = 1;
  std::string last;
} skips;

void skipped(const conformance::VectorRun& run) {
  skips.last = run.reason;
  if (++skips.skipped < skips.next) return;
  skips.next *= 10;
  std::fprintf(stderr, "fuzz_differential: %s skipped %zu input(s) so far; the last: %s\n", other->name().c_str(),
               skips.skipped, skips.last.c_str());
}

void sayHowManySkipped() {
  if (skips.skipped)
    std::fprintf(stderr, "fuzz_differential: %s skipped %zu of %zu inputs; the last: %s\n", other->name().c_str(),
                 skips.skipped, skips.inputs, skips.last.c_str());
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* spec = std::getenv("MEMCONFORM_TARGET");
  try {
    other = conformance::makeTarget(spec ? spec : "reference");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_TARGET: %s\n", e.what());
    std::exit(2);
  }
  std::fprintf(stderr, "fuzz_differential: reference vs %s\n", other->name().c_str());
  std::atexit(sayHowManySkipped);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static conformance::ReferenceTarget reference;
  static fuzz::OpDecoder decoder;
  ++skips.inputs;
  const auto sequence = decoder.decode({data, size});
  sequence.fitTo(*other);  // a plugin or driver may implement part of the API
  const conformance::Vector& vector = sequence.vector();
  const conformance::VectorRun expected = conformance::runVector(vector, reference);
  const conformance::VectorRun actual = conformance::runVector(vector, *other);
  if (actual.status == conformance::VectorRun::Status::Skipped && expected.status == conformance::VectorRun::Status::Completed) {
    skipped(actual);
    return 0;
  }
  if (const auto first = fuzz::compareRuns(expected, actual)) {
    // Again with JSON pointers, for the report.
    conformance::Vector numbered = vector;
    fuzz::numberOps(numbered);
    const conformance::VectorRun expectedAgain = conformance::runVector(numbered, reference);
    const conformance::VectorRun actualAgain = conformance::runVector(numbered, *other);
    const auto d = fuzz::compareRuns(expectedAgain, actualAgain).value_or(*first);
    const std::string where = d.pointer.empty() ? "the run" : d.pointer;
    fuzz::reportAndAbort({other->name(), d.op, d.rule, where + ": reference " + d.reference + " | " + other->name() + " " + d.target},
                         actualAgain, &expectedAgain);
  }
  return 0;
}
