// libFuzzer target: the same op sequence on the reference and on the target
// named by MEMCONFORM_TARGET (e.g. mutant:pop-fifo); any difference in
// results, events or invariant verdicts is a finding, reported with a stable
// signature (target, op, rule) and both sides' outcomes. With
// MEMCONFORM_EXPECTATIONS=FILE, an input whose first difference is a finding
// the file's "fuzz" section lists is counted instead (fuzz/known_findings.h);
// MEMCONFORM_FUZZ_SUMMARY=PATH writes the counts as JSON at the end.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations.h"
#include "conformance/targets/driver_hello.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "core/asan_poison.h"
#include "fuzz/checked_types.h"
#include "fuzz/differential.h"
#include "fuzz/findings.h"
#include "fuzz/known_findings.h"
#include "fuzz/op_decoder.h"
#include "fuzz/remembered_runs.h"

using namespace memconform;

namespace {
// MEMCONFORM_REFERENCE: the reference, or the reference speaking the
// target's dialect ("reference?dialect=sqlite-wasm-3.54"), so that a release
// is compared with what it is documented to do and every difference is new.
std::unique_ptr<conformance::Target> reference;
std::unique_ptr<conformance::Target> other;
fuzz::KnownFindings known;  // MEMCONFORM_EXPECTATIONS's "fuzz" section

// Counts inputs of one kind; says so on stderr at the 1st, 10th, 100th...
// time, so that a long run shows it early.
struct Tally {
  std::size_t count = 0, next = 1;
  bool add() {
    if (++count < next) return false;
    next *= 10;
    return true;
  }
};
std::size_t inputs = 0;

// A target may refuse a setup or an op it declared (a plugin's create that
// returns NULL, a driver whose module needs a bigger memory): such an input
// finds nothing. Said during the run and at its end, so that a target that
// refuses everything shows.
Tally skips;
std::string lastSkip;

void skipped(const conformance::VectorRun& run) {
  lastSkip = run.reason;
  if (skips.add())
    std::fprintf(stderr, "fuzz_differential: %s skipped %zu input(s) so far; the last: %s\n", other->name().c_str(),
                 skips.count, lastSkip.c_str());
}

// An input whose first difference is a known finding: not compared further.
Tally knownEnds;

void endedAtKnownFinding(const fuzz::Difference& d) {
  if (knownEnds.add())
    std::fprintf(stderr, "fuzz_differential: %zu input(s) so far ended at a known finding; the last: %s\n",
                 knownEnds.count, d.signature().c_str());
}

// A driver's (cmd:) run of a vector it ran before is the one remembered,
// unless MEMCONFORM_DRIVER_CACHE=0 (fuzz/remembered_runs.h).
constexpr std::size_t kRememberedVectors = 4096;  // 16,384 held ~1 GB of RSS after 120 s under ASan
std::unique_ptr<fuzz::RememberedRuns> remembered;

// MEMCONFORM_FUZZ_SUMMARY=PATH: what sayWhatWasNotCompared says, as JSON in
// PATH ("%p" becomes the process id: one file per process of a -jobs run),
// for scripts/fuzz.sh's summary.json: a run that ends at a finding aborts
// before it, and leaves none.
void writeSummary() {
  const char* path = std::getenv("MEMCONFORM_FUZZ_SUMMARY");
  if (!path || !*path) return;
  std::string file = path;
  if (const auto at = file.find("%p"); at != std::string::npos) file.replace(at, 2, std::to_string(getpid()));
  const nlohmann::json j{
      {"target", other->name()},
      {"inputs", inputs},
      {"answeredFromDriverMemory", remembered ? remembered->hits() : 0},
      {"skipped", {{"inputs", skips.count}, {"last", lastSkip}}},
      {"known", {{"inputs", knownEnds.count}, {"findings", known.summaryJson()}}},
  };
  if (std::FILE* out = std::fopen(file.c_str(), "w")) {
    const std::string text = j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
    std::fclose(out);
  } else {
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_FUZZ_SUMMARY: cannot write %s\n", file.c_str());
  }
}

void sayWhatWasNotCompared() {
  writeSummary();
  if (remembered && remembered->hits())
    std::fprintf(stderr, "fuzz_differential: %zu of %zu inputs were answered from the driver's earlier runs (MEMCONFORM_DRIVER_CACHE=0 asks it every time)\n",
                 remembered->hits(), inputs);
  if (skips.count)
    std::fprintf(stderr, "fuzz_differential: %s skipped %zu of %zu inputs; the last: %s\n", other->name().c_str(),
                 skips.count, inputs, lastSkip.c_str());
  if (!known.empty())
    std::fprintf(stderr, "fuzz_differential: %zu of %zu inputs ended at a known finding:\n%s", knownEnds.count, inputs,
                 known.summary().c_str());
}

// MEMCONFORM_EXPECTATIONS: the target's expectations file, for its "fuzz"
// section (exit 2, naming the file and field, if it cannot be used).
void loadKnownFindings(const std::string& targetSpec) {
  const char* path = std::getenv("MEMCONFORM_EXPECTATIONS");
  if (!path || !*path) return;
  std::vector<conformance::LoadError> errors;
  conformance::Expectations e = conformance::readExpectations(path, errors);
  for (const auto& error : errors)
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_EXPECTATIONS: %s\n", conformance::describe(error).c_str());
  if (!errors.empty()) std::exit(2);
  if (const std::string why = conformance::targetMismatch(e, targetSpec); !why.empty()) {
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_EXPECTATIONS: %s\n", why.c_str());
    std::exit(2);
  }
  std::fprintf(stderr, "fuzz_differential: %zu known finding(s) from %s\n", e.findings.size(), path);
  known = fuzz::KnownFindings(std::move(e));
  if (const auto coarse = known.coarseKeys(); !coarse.empty()) {
    std::string list;
    for (const auto& key : coarse) list += (list.empty() ? "" : ", ") + key;
    std::fprintf(stderr,
                 "fuzz_differential: warning: %zu known finding(s) in the coarse form OP/RULE tolerate every difference of "
                 "their op and rule, a new bug there included; give OP/RULE/ASPECT, as findings print it: %s\n",
                 coarse.size(), list.c_str());
  }
}
// libFuzzer runs an input again, and LeakSanitizer over this process, after
// each input that left more blocks allocated than it freed (its flag
// -detect_leaks=1, the default). Against a driver every input it answers
// does (its run is remembered), so half the inputs would run twice and
// count twice in exec/s, while the implementation's leaks are LEAK-1
// findings of the driver, in its own process. So against a cmd: target the
// flag is off unless the command line sets it; LeakSanitizer still checks
// this process when it exits.
void noLeakCheckAfterEachInput(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i)
    if (std::string((*argv)[i]).rfind("-detect_leaks=", 0) == 0) return;
  static std::vector<char*> withFlag;
  static char flag[] = "-detect_leaks=0";
  withFlag.assign(*argv, *argv + *argc);
  withFlag.push_back(flag);
  withFlag.push_back(nullptr);
  *argv = withFlag.data();
  *argc += 1;
  if (asan::enabled())
    std::fprintf(stderr, "fuzz_differential: -detect_leaks=0: against a driver, leaks are its LEAK-1 findings; "
                         "LeakSanitizer checks this process at exit (set -detect_leaks=1 to check after each input)\n");
  else  // the fuzz-ubsan preset (scripts/fuzz.sh peerBuild)
    std::fprintf(stderr, "fuzz_differential: built without AddressSanitizer: the driver's leaks and out-of-bounds accesses are "
                         "its findings (LEAK-1, SAFE-2); this process's own memory is not checked (the fuzz preset's build does)\n");
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* env = std::getenv("MEMCONFORM_TARGET");
  const std::string spec = env && *env ? env : "reference";
  const char* referenceEnv = std::getenv("MEMCONFORM_REFERENCE");
  const std::string referenceSpec = referenceEnv && *referenceEnv ? referenceEnv : "reference";
  if (referenceSpec != "reference" && referenceSpec.rfind("reference?", 0) != 0) {
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_REFERENCE: \"%s\" is not the reference (reference, "
                         "reference?dialect=NAME, reference?variants=NAME,NAME)\n", referenceSpec.c_str());
    std::exit(2);
  }
  try {
    reference = conformance::makeTarget(referenceSpec);
    other = conformance::makeTarget(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_differential: MEMCONFORM_TARGET or MEMCONFORM_REFERENCE: %s\n", e.what());
    std::exit(2);
  }
  std::fprintf(stderr, "fuzz_differential: %s vs %s\n", reference->name().c_str(), other->name().c_str());
  const char* cache = std::getenv("MEMCONFORM_DRIVER_CACHE");
  if (dynamic_cast<conformance::DriverTarget*>(other.get())) {
    if (!(cache && std::string(cache) == "0")) remembered = std::make_unique<fuzz::RememberedRuns>(kRememberedVectors);
    noLeakCheckAfterEachInput(argc, argv);
  }
  loadKnownFindings(spec);
  std::atexit(sayWhatWasNotCompared);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static fuzz::OpDecoder decoder(fuzz::limitsFor(*other));
  ++inputs;
  const auto sequence = decoder.decode({data, size});
  sequence.fitTo(*other);  // a plugin or driver may implement part of the API
  const conformance::Vector& vector = sequence.vector();
  const std::string form = remembered ? fuzz::RememberedRuns::formOf(vector) : std::string();
  const conformance::VectorRun* ranBefore = remembered ? remembered->find(form) : nullptr;
  if (!ranBefore) other->prepare(vector);  // a driver runs it while the reference does
  // Into the runs of the input before: their records' buffers are reused.
  static conformance::VectorRun expected, ranNow;
  // However the input ends, it frees what the runs hold of it (their
  // buffers stay for the next): an input that ends with more mallocs than
  // frees is run again by libFuzzer's leak check.
  struct Emptied {
    ~Emptied() {
      expected.emptyKeepingBuffers();
      ranNow.emptyKeepingBuffers();
    }
  } emptied;
  conformance::runVector(vector, *reference, expected, fuzz::kCompareRun);
  if (!ranBefore) {
    conformance::runVector(vector, *other, ranNow, fuzz::kCompareRun);
    if (remembered) remembered->remember(form, vector, ranNow);
  }
  const conformance::VectorRun& actual = ranBefore ? *ranBefore : ranNow;
  if (actual.status == conformance::VectorRun::Status::Skipped && expected.status == conformance::VectorRun::Status::Completed) {
    skipped(actual);
    return 0;
  }
  const fuzz::CompareOptions compare{.ownAllocator = other->wellBehavedCaller()};
  if (const auto first = fuzz::compareRuns(expected, actual, compare)) {
    if (known.tolerate(*first)) {
      endedAtKnownFinding(*first);
      return 0;
    }
    // Again with JSON pointers, for the report.
    conformance::Vector numbered = vector;
    fuzz::numberOps(numbered);
    const conformance::VectorRun expectedAgain = conformance::runVector(numbered, *reference);
    const conformance::VectorRun actualAgain = conformance::runVector(numbered, *other);
    const auto d = fuzz::compareRuns(expectedAgain, actualAgain, compare).value_or(*first);
    const std::string where = d.pointer.empty() ? "the run" : d.pointer;
    fuzz::reportAndAbort({other->name(), d.op, d.rule,
                          where + ": reference " + d.reference + " | " + other->name() + " " + d.target, d.aspect},
                         actualAgain, &expectedAgain);
  }
  return 0;
}
