// A directory of this test process's own for the files a test writes, under
// the system's temporary directory and removed when the process exits.
// ctest runs each test in a process of its own, two at a time, and two
// builds' test runs may share a machine: a fixed path would let one test
// read a file another is still writing.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace memconform::testing {

inline const std::filesystem::path& scratchDir() {
  struct Owned {
    const pid_t owner = ::getpid();
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("memconform-test-" + std::to_string(owner));
    Owned() { std::filesystem::create_directories(path); }
    ~Owned() {
      if (::getpid() != owner) return;  // a forked child (a death test) exiting: not its directory
      std::error_code ignored;          // nothing to report at exit
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Owned dir;
  return dir.path;
}

}  // namespace memconform::testing
