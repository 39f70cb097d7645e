#include "core/resident_memory.h"

#include <fstream>
#include <string>

namespace memconform {
std::uint64_t residentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // reported in kB
  return 0;
}
}  // namespace memconform
