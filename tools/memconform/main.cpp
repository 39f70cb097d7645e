// The memconform command line: subcommands compose the library parts and
// hold no logic of their own.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/memconform/capture.h"
#include "tools/memconform/corpus_checks.h"
#include "tools/memconform/demo.h"
#include "tools/memconform/from_crash.h"
#include "tools/memconform/driver_command.h"
#include "tools/memconform/replay_command.h"
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
  const Captured c = capture(command);
  if (c.exitCode != 0) throw std::runtime_error(command + " exited with status " + std::to_string(c.exitCode));
  return c.output;
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
  const auto names = testNamesFromGtestList(runAndCapture(shellWord(tests.string()) + " --gtest_list_tests"));
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

  const std::string defaultVectors = MEMCONFORM_SOURCE_DIR "/conformance/vectors";
  ReplayCommand replay;
  auto* replayCmd = app.add_subcommand("replay", "Replay conformance vectors against a target and report; exit 0 if "
                                                 "nothing failed or unexpectedly passed and some vector was compared "
                                                 "(not all skipped or filtered out), 1 otherwise, 2 for bad usage or "
                                                 "unreadable input");
  replayCmd->add_option("paths", replay.paths, "vector files or directories (default: the project's corpus)");
  replayCmd->add_option("-t,--target", replay.target, "reference, mutant:NAME (memconform mutants --list), cmd:COMMAND (a driver process), plugin:PATH.so (a C plugin) or wasm:PATH.wasm[?malloc=NAME&free=NAME&memalign=NAME] (the glue over a wasm module's allocator, in wabt)")
      ->capture_default_str();
  replayCmd->add_option("-e,--expectations", replay.expectations,
                        "expectations file: the ops each vector is known to fail, and how (docs/VECTORS.md, \"Expectations files\")");
  replayCmd->add_option("--dialect", replay.dialect,
                        "judge the target by the reference speaking this dialect (memconform dialects): it conforms "
                        "if it fails exactly the ops the dialect fails, the same way; instead of --expectations");
  replayCmd->add_option("--write-expectations", replay.writeExpectations,
                        "write an expectations file for this target: the actual outcome of every op that fails, with "
                        "the reasons and notes of --expectations (new ones say \"to triage\"); review it");
  replayCmd->add_option("-f,--filter", replay.filter, "glob over vector ids, e.g. 'scope/*'");
  replayCmd->add_option("--json", replay.jsonPath, "write the JSON report here ('-' for stdout)");
  replayCmd->add_option("--junit", replay.junitPath, "write a JUnit XML report here");
  replayCmd->add_option("--repeat", replay.repeat, "run the corpus N times and print the throughput")
      ->check(CLI::PositiveNumber);
  replayCmd->add_option("--max-failures", replay.maxFailures,
                        "stop after N vectors fail, pass unexpectedly or are malformed; the report counts the vector "
                        "runs not made (default 0: run them all)")
      ->check(CLI::NonNegativeNumber);
  replayCmd->add_flag("-v,--verbose", replay.verbose, "print expected failures, skips and the op trace of failures");
  replayCmd->add_flag("--trace", replay.trace, "put every vector's op trace (each op's result and events) in the JSON report, passing vectors' too");
  replayCmd->add_option("--timeout", replay.timeoutSeconds, "cmd: targets: seconds a driver may take for one vector")
      ->check(CLI::PositiveNumber)->capture_default_str();
  replayCmd->add_flag("--progress", replay.progress, "print progress on stderr (default when stderr is a terminal)");

  MutantsCommand mutants;
  auto* mutantsCmd = app.add_subcommand("mutants", "Replay the corpus against every planted bug and print the kill table; "
                                                   "exit 1 if a mutant survives");
  mutantsCmd->add_option("paths", mutants.paths, "vector files or directories (default: the project's corpus)");
  mutantsCmd->add_option("--json", mutants.jsonPath, "write the kill table as JSON here");
  mutantsCmd->add_flag("--list", mutants.list, "list the mutants and exit");

  auto* dialectsCmd = app.add_subcommand("dialects", "List the dialects of the reference (reference?dialect=NAME): "
                                                     "upstream's documented variants of the rules, per release line");

  std::vector<std::string> checkPaths;
  std::string schema = MEMCONFORM_SOURCE_DIR "/conformance/schema/vectors.schema.json";
  auto* validateCmd = app.add_subcommand("validate", "Check vector files: JSON Schema, loader rules, unique ids, rule IDs "
                                                     "that exist in the spec");
  validateCmd->add_option("paths", checkPaths, "vector files or directories (default: the project's corpus)");
  validateCmd->add_option("--schema", schema, "the JSON Schema")->check(CLI::ExistingFile)->capture_default_str();
  validateCmd->add_option("--spec", spec, "the specification")->check(CLI::ExistingFile)->capture_default_str();
  auto* coverageCmd = app.add_subcommand("coverage", "Rules x vectors; exit 1 if a rule has no vector");
  coverageCmd->add_option("paths", checkPaths, "vector files or directories (default: the project's corpus)");
  coverageCmd->add_option("--spec", spec, "the specification")->check(CLI::ExistingFile)->capture_default_str();
  coverageCmd->add_flag("-v,--verbose", verbose, "list the vectors of every rule");

  FromCrashCommand fromCrash;
  auto* fromCrashCmd = app.add_subcommand("from-crash", "Turn a fuzz_scope_ops / fuzz_differential input into a minimised "
                                                        "stand-alone vector that fails the same way on TARGET");
  fromCrashCmd->add_option("target", fromCrash.target, "reference, mutant:NAME, plugin:PATH.so or wasm:PATH.wasm")->required();
  fromCrashCmd->add_option("--reference", fromCrash.reference,
                           "the side to compare with and take expectations from, as fuzz_differential's "
                           "MEMCONFORM_REFERENCE (reference?dialect=NAME)")
      ->capture_default_str();
  fromCrashCmd->add_option("input", fromCrash.input, "the crash file")->required()->check(CLI::ExistingFile);
  fromCrashCmd->add_option("-o,--output", fromCrash.output, "the vector file to write")->required();

  MatrixCommand matrix;
  matrix.spec = spec.string();
  auto* matrixCmd = app.add_subcommand("matrix", "Replay the corpus against several targets and write a rules x targets "
                                                 "matrix (Markdown, HTML, JSON); exit 1 if a target fails a vector or "
                                                 "compares nothing, or a planted bug survives");
  matrixCmd->add_option("paths", matrix.paths, "vector files or directories (default: the project's corpus)");
  matrixCmd->add_option("--targets", matrix.targets, "comma-separated targets (reference, mutant:NAME, cmd:COMMAND, plugin:PATH, wasm:PATH.wasm)")
      ->delimiter(',')
      ->allow_extra_args(false);  // the words after it are paths, not more targets
  matrixCmd->add_option("-t,--target", matrix.moreTargets, "one more target (for commands that contain a comma)")
      ->allow_extra_args(false);
  matrixCmd->add_option("-e,--expectations", matrix.expectations,
                        "expectations files; each applies to the target its \"target\" field names")
      ->allow_extra_args(false);
  matrixCmd->add_flag("--mutants", matrix.mutants, "add a column: the planted bugs of each rule, killed or not");
  matrixCmd->add_option("--md", matrix.markdownPath, "write the Markdown matrix here ('-' for stdout)");
  matrixCmd->add_option("--html", matrix.htmlPath, "write the HTML page here");
  matrixCmd->add_option("--json", matrix.jsonPath, "write the matrix as JSON here");
  matrixCmd->add_option("--timeout", matrix.timeoutSeconds, "cmd: targets: seconds a driver may take for one vector")
      ->check(CLI::PositiveNumber)->capture_default_str();
  matrix.driverDir = MEMCONFORM_SOURCE_DIR "/conformance/drivers/node";
  matrixCmd->add_flag("--releases", matrix.releases,
                      "add every published release of @sqlite.org/sqlite-wasm from 3.40 on and of its forks (fetched "
                      "from the npm registry into --cache) through the Node driver, with no expectations; the pages "
                      "then say, per rule, in which release each behaviour changed. Exit 0 if every release was "
                      "fetched and ran every vector (failing some is what is being surveyed), 1 if not");
  matrixCmd->add_option("--cache", matrix.cache, "--releases: where releases are installed (default ~/.cache/memconform/packages)");
  matrixCmd->add_flag("--offline", matrix.offline, "--releases: only what the cache holds");
  matrixCmd->add_option("--package", matrix.packages,
                        "--releases: only this package (@sqlite.org/sqlite-wasm, @evolu/sqlite-wasm, "
                        "@libsql/libsql-wasm-experimental, @sqliteai/sqlite-wasm); repeatable")
      ->allow_extra_args(false);
  matrixCmd->add_option("--only", matrix.only, "--releases: only this version; repeatable")->allow_extra_args(false);

  DriverCommand driver;
  auto* driverCmd = app.add_subcommand("driver", "Serve the reference (or a planted bug) over the driver protocol on "
                                                 "stdin/stdout, as another implementation's driver would");
  driverCmd->add_option("--target", driver.target, "reference or mutant:NAME")->capture_default_str();
  driverCmd->add_option("--protocol", driver.protocol,
                        "1: whole vectors, interpreted by the driver; 2: op at a time, interpreted by the runner "
                        "(docs/DRIVER_PROTOCOL.md)")
      ->check(CLI::IsMember({1, 2}))
      ->capture_default_str();
  driverCmd->add_option("--fixed-memory", driver.fixedMemory,
                        "INITIAL/MAXIMUM pages: serve as an implementation with one fixed memory (hello \"memory\", no "
                        "memory-config): every vector runs on it");

  CLI11_PARSE(app, argc, argv);
  for (auto* paths : {&replay.paths, &mutants.paths, &checkPaths, &matrix.paths})
    if (paths->empty()) paths->push_back(defaultVectors);
  try {
    if (*rulesCmd) return rules(spec, tests, verbose);
    if (*demoCmd) return runDemo(std::cout);
    if (*replayCmd) return runReplay(replay);
    if (*mutantsCmd) return runMutants(mutants);
    if (*dialectsCmd) return listDialects(std::cout);
    if (*validateCmd) return runValidate(checkPaths, schema, spec.string());
    if (*coverageCmd) return runCoverage(checkPaths, spec.string(), verbose);
    if (*fromCrashCmd) return runFromCrash(fromCrash);
    if (*driverCmd) return runDriver(driver);
    if (*matrixCmd) return runMatrix(matrix);
  } catch (const std::exception& e) {
    std::cerr << "memconform: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
