// libFuzzer target: arbitrary bytes as a vector file, through the loader and,
// for what loads, the executor on the reference. The loader must turn every
// input into vectors or errors with JSON pointers; nothing may crash, leak or
// trip a sanitizer. Vectors that ask for big memories are loaded but not run
// (they would only measure the machine).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"
#include "conformance/targets/reference_target.h"
#include "fuzz/checked_types.h"

using namespace memconform::conformance;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  memconform::fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static ReferenceTarget target;
  std::vector<LoadError> errors;
  const VectorFile file = loadVectorFile("fuzz.json", std::string_view(reinterpret_cast<const char*>(data), size), errors);
  for (const auto& e : errors)
    if (e.file != "fuzz.json" || (!e.pointer.empty() && e.pointer.front() != '/')) __builtin_trap();  // every error names its place
  for (const auto& v : file.vectors)
    if (v.setup.memory.initialPages <= 64 && v.setup.memory.maximumPages <= 1024) runVector(v, target);
  return 0;
}
