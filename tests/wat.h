// WAT source compiled with wat2wasm (MEMCONFORM_WAT2WASM) into the test
// process's scratch directory, for tests that need a module of their own.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/scratch_dir.h"

namespace memconform {

// The path of `wat` compiled as NAME.wasm.
inline std::string compiledWat(const std::string& name, const std::string& wat) {
  const auto& dir = testing::scratchDir();
  const auto source = dir / (name + ".wat"), binary = dir / (name + ".wasm");
  std::ofstream(source) << wat;
  const std::string command = std::string(MEMCONFORM_WAT2WASM) + " " + source.string() + " -o " + binary.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return binary.string();
}

}  // namespace memconform
