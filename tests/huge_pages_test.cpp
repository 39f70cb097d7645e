// core/huge_pages.h: large heap blocks that code we do not build allocates
// (wabt's memory vector) are advised to be backed by huge pages as they are
// handed out: by a malloc hook under ASan, by the operator new of
// tools/memconform/huge_heap_blocks.cpp (linked here) without it. The
// kernel marks an advised range "hg" in /proc/self/smaps, whether or not it
// then finds huge pages for it.
#include "core/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace memconform {
namespace {

// Whether the mapping that holds `p` is advised for huge pages.
bool advisedHuge(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    if (std::istringstream(line) >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' ')) {
      inside = from <= at && at < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return (line + " ").find(" hg ") != std::string::npos;
    }
  }
  return false;
}

TEST(HugePages, AHeapBlockOfTheSizeGivenIsAdvisedAsItIsHandedOut) {
  // A kernel built without transparent huge pages refuses the advice.
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage")) GTEST_SKIP() << "no transparent huge pages";
  constexpr std::size_t kBig = std::size_t{64} << 20;
  adviseHugePagesForHeapBlocksOf(kBig);
  const auto big = std::make_unique<char[]>(kBig + (std::size_t{4} << 20));
  const auto small = std::make_unique<char[]>(kBig / 2);
  // The middle of the block: its whole 2-MiB pages are advised.
  EXPECT_TRUE(advisedHuge(big.get() + kBig / 2));
  EXPECT_FALSE(advisedHuge(small.get() + kBig / 4));
}

}  // namespace
}  // namespace memconform
