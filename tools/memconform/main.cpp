// The memconform command line: subcommands compose the library parts and
// hold no logic of their own.
#include <CLI/CLI.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/memconform/demo.h"
#include "tools/memconform/rules.h"

namespace fs = std::filesystem;
using namespace memconform::cli;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string runAndCapture(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buf;
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) output.append(buf.data(), n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " exited with status " + std::to_string(status));
  return output;
}

fs::path defaultTestBinary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return self.parent_path() / "memconform_tests";
}

int rules(const fs::path& spec, const fs::path& tests, bool verbose) {
  const auto ids = ruleIdsFromSpec(readFile(spec));
  if (ids.empty()) {
    std::cerr << "memconform rules: no rule IDs (| ID | table rows) in " << spec << "\n";
    return 2;
  }
  const auto names = testNamesFromGtestList(runAndCapture("'" + tests.string() + "' --gtest_list_tests"));
  const auto coverage = coverRules(ids, names);
  std::size_t uncovered = 0;
  std::cout << "rule       tests  covered by\n";
  for (const auto& id : ids) {
    const auto& list = coverage.testsByRule.at(id);
    uncovered += list.empty();
    std::cout << (list.empty() ? "! " : "  ") << std::left;
    std::cout.width(9);
    std::cout << id;
    std::cout.width(7);
    std::cout << list.size();
    if (list.empty()) std::cout << "NO TEST";
    for (std::size_t i = 0; i < list.size() && (verbose || i < 2); ++i) std::cout << (i ? ", " : "") << list[i];
    if (!verbose && list.size() > 2) std::cout << ", +" << list.size() - 2 << " more";
    std::cout << "\n";
  }
  for (const auto& [id, tests] : coverage.unknownCitations)
    std::cout << "? " << id << " is cited by " << tests.front() << " but is not a rule of " << spec.filename() << "\n";
  std::cout << ids.size() - uncovered << " of " << ids.size() << " rules covered by " << names.size() << " tests ("
            << spec.string() << ")\n";
  return uncovered == 0 && coverage.unknownCitations.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"memconform: memory-fuzzing and conformance harness for WebAssembly heap glue"};
  app.require_subcommand(1);

  fs::path spec = MEMCONFORM_SOURCE_DIR "/docs/SEMANTICS.md";
  fs::path tests = defaultTestBinary();
  bool verbose = false;
  auto* rulesCmd = app.add_subcommand("rules", "List every rule ID of the spec with the tests that cover it; "
                                               "exit 1 if a rule has none");
  rulesCmd->add_option("--spec", spec, "the specification")->check(CLI::ExistingFile)->capture_default_str();
  rulesCmd->add_option("--tests", tests, "the GoogleTest binary")->check(CLI::ExistingFile)->capture_default_str();
  rulesCmd->add_flag("-v,--verbose", verbose, "list every covering test");

  auto* demoCmd = app.add_subcommand("demo", "GROW table, a scope-stack session and the cost of a 2 GiB memory");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*rulesCmd) return rules(spec, tests, verbose);
    if (*demoCmd) return runDemo(std::cout);
  } catch (const std::exception& e) {
    std::cerr << "memconform: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
