// `memconform replay` and `memconform mutants`: the corpus against one target,
// or against every mutant, with reports for people and for CI.
#pragma once

#include <string>
#include <vector>

namespace memconform::cli {

struct ReplayCommand {
  std::vector<std::string> paths;
  std::string target = "reference";
  std::string expectations;
  std::string filter;
  std::string jsonPath;
  std::string junitPath;
  std::size_t repeat = 1;
  bool verbose = false;
  bool progress = false;
  double timeoutSeconds = 5;  // cmd: targets, per exchange with the driver
};
int runReplay(const ReplayCommand& c);

struct MutantsCommand {
  std::vector<std::string> paths;
  std::string jsonPath;
  bool list = false;
};
int runMutants(const MutantsCommand& c);

}  // namespace memconform::cli
