// A check of the fuzz build: the coverage an input gives must not depend on
// the inputs run before it in the same process. libFuzzer keeps an input for
// the features it showed; features that come from history (a buffer reused
// or not, a reserved range reused or not) make it keep inputs for nothing and
// send it after them, which measurably slowed finding the planted bugs.
//
//   coverage_determinism DIR...   every file of each DIR through the
//                                 fuzz_scope_ops pipeline (decode, run on the
//                                 reference) twice: after the next file and
//                                 after an empty input; exit 1 if any counter
//                                 differs, naming the inputs, the number of
//                                 counters and where in the code the first
//                                 of them are (function, file and line).
//
// Files are taken in the order of their paths, so that every clone pairs
// the same inputs. It reads the 8-bit counters of the coverage
// instrumentation and their table of code addresses (built with the fuzz
// preset's allow and ignore lists), so it is not linked with libFuzzer.
#include <sanitizer/common_interface_defs.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "conformance/runner/executor.h"
#include "conformance/targets/reference_target.h"
#include "fuzz/checked_types.h"
#include "fuzz/findings.h"
#include "fuzz/op_decoder.h"

namespace {
std::uint8_t* countersBegin = nullptr;
std::uint8_t* countersEnd = nullptr;
// The module's table of (code address, flags), one pair per counter.
const std::uintptr_t* pcsBegin = nullptr;
const std::uintptr_t* pcsEnd = nullptr;

// Where counter `k` is in the code ("in FUNCTION FILE:LINE:COLUMN"), or its
// code address when the table or a symbolizer is missing.
std::string whereIs(std::size_t k) {
  if (pcsBegin == nullptr || 2 * k + 1 >= std::size_t(pcsEnd - pcsBegin)) return "(no table of code addresses)";
  // The table gives the instrumented instruction; the symbolizer is asked,
  // as libFuzzer asks it, about the byte after it.
  char where[512] = "";
  __sanitizer_symbolize_pc(reinterpret_cast<void*>(pcsBegin[2 * k] + 1), "%F %L", where, sizeof where);
  return where[0] != 0 ? where : "at an address with no symbol";
}
}  // namespace

// Called by the instrumentation at start-up with the module's counters, and
// with their code addresses.
extern "C" void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end) {
  if (countersBegin == nullptr) countersBegin = begin, countersEnd = end;
}
extern "C" void __sanitizer_cov_pcs_init(const std::uintptr_t* begin, const std::uintptr_t* end) {
  if (pcsBegin == nullptr) pcsBegin = begin, pcsEnd = end;
}

using namespace memconform;

int main(int argc, char** argv) {
  struct Input {
    std::string path;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<Input> inputs;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(argv[i])) files.push_back(e.path());
    std::sort(files.begin(), files.end());  // directory order differs from one clone to the next
    for (const auto& path : files) {
      std::ifstream in(path, std::ios::binary);
      inputs.push_back({path.string(), {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}});
    }
  }
  if (countersBegin == nullptr || inputs.empty()) {
    std::fprintf(stderr, "coverage_determinism: %s\n",
                 countersBegin == nullptr ? "no coverage counters (build with the fuzz preset)" : "no inputs (give corpus folders)");
    return 2;
  }
  conformance::ReferenceTarget target;
  fuzz::OpDecoder decoder;
  conformance::VectorRun run;  // kept from input to input, as fuzz_scope_ops keeps it
  const std::size_t size = countersEnd - countersBegin;
  // The counters of one execution of `bytes`, right after one of `before`.
  auto coverage = [&](const std::vector<std::uint8_t>& before, const std::vector<std::uint8_t>& bytes) {
    for (const auto* input : {&before, &bytes}) {
      std::memset(countersBegin, 0, size);
      fuzz::forgetCheckedTypes();  // as the fuzz targets do
      const auto sequence = decoder.decode(*input);
      conformance::runVector(sequence.vector(), target, run, fuzz::kSearchRun);
      run.emptyKeepingBuffers();
    }
    return std::vector<std::uint8_t>(countersBegin, countersEnd);
  };
  std::size_t differing = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Input& input = inputs[i];
    const Input& other = inputs[(i + 1) % inputs.size()];
    const auto afterOther = coverage(other.bytes, input.bytes);
    const auto afterEmpty = coverage({}, input.bytes);
    std::vector<std::size_t> counters;
    for (std::size_t k = 0; k < size; ++k)
      if (afterOther[k] != afterEmpty[k]) counters.push_back(k);
    if (counters.empty()) continue;
    if (++differing > 10) continue;
    std::printf("%s: %zu counters differ after %s and after an empty input\n", input.path.c_str(), counters.size(),
                other.path.c_str());
    for (std::size_t n = 0; n < std::min<std::size_t>(counters.size(), 8); ++n) {
      const std::size_t k = counters[n];
      std::printf("  counter %zu: %u after the other input, %u after an empty one, %s\n", k, unsigned(afterOther[k]),
                  unsigned(afterEmpty[k]), whereIs(k).c_str());
    }
  }
  std::printf("coverage_determinism: %zu inputs, %zu counters: %zu covered differently depending on the input before\n",
              inputs.size(), size, differing);
  return differing == 0 ? 0 : 1;
}
