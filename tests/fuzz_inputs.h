// Fuzz inputs for tests of what runs them: both seed corpora
// (corpus/fuzz_scope_ops, corpus/fuzz_differential) and random inputs
// weighted towards the op bytes of push, pop, call and throw.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace memconform::testing {

// The seed corpora alone: inputs as a fuzzer grows them.
inline std::vector<std::vector<std::uint8_t>> seedInputs() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const char* dir : {"corpus/fuzz_scope_ops", "corpus/fuzz_differential"})
    for (const auto& e : std::filesystem::directory_iterator(std::string(MEMCONFORM_SOURCE_DIR) + "/" + dir)) {
      std::ifstream in(e.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  return out;
}

inline std::vector<std::vector<std::uint8_t>> fuzzInputs() {
  std::vector<std::vector<std::uint8_t>> out = seedInputs();
  std::mt19937 random(4);
  constexpr std::uint8_t kScopeOps[] = {0, 1, 3, 4, 5, 37, 38, 6};
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> bytes(8 + random() % 120);
    for (auto& b : bytes) b = random() % 3 == 0 ? kScopeOps[random() % 8] : static_cast<std::uint8_t>(random());
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace memconform::testing
