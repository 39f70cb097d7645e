// Test helper: one vector loaded from JSON as a vector file states it.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/runner/loader.h"

namespace memconform::testing {

// The vector `id` (rule MEM-1) with a memory of `pages` pages that may grow
// to 16, and `ops`, the JSON of its op list without the brackets.
inline conformance::Vector vectorWithMemory(const std::string& id, int pages, const std::string& ops) {
  std::vector<conformance::LoadError> errors;
  conformance::VectorFile file = conformance::loadVectorFile(
      "t.json", R"({"schema":"memconform-vectors/1","area":"mem","description":"d","vectors":[
      {"id":")" + id + R"(","rules":["MEM-1"],"source":"decided","setup":{"memory":{"initialPages":)" +
                    std::to_string(pages) + R"(,"maximumPages":16}},"ops":[)" + ops + "]}]}",
      errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : describe(errors.front()));
  return file.vectors.front();
}

}  // namespace memconform::testing
