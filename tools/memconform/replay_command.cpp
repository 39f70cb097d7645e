#include "tools/memconform/replay_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations_writer.h"
#include "conformance/runner/matrix.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "core/dialects.h"
#include "core/mutants.h"
#include "tools/memconform/capture.h"
#include "tools/memconform/rules.h"

namespace memconform::cli {

using namespace memconform::conformance;

namespace {

bool readAll(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

// Paths that cannot be read at all make the input unusable (exit 2); a file
// that can be read but is malformed gives `error` results (exit 1).
bool unreadable(const Corpus& corpus) {
  return std::any_of(corpus.errors.begin(), corpus.errors.end(), [](const LoadError& e) { return e.unreadable; });
}

void writeTo(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path.empty()) return;
  if (path == "-") return write(std::cout);
  std::ofstream out(path);
  write(out);
  if (!out) throw std::runtime_error("cannot write " + path);
}

// An expectations file, or nullopt after saying on stderr why it is unusable.
std::optional<Expectations> readExpectations(const std::string& command, const std::string& path) {
  std::vector<LoadError> errors;
  Expectations e = conformance::readExpectations(path, errors);
  for (const auto& err : errors) std::cerr << "memconform " << command << ": " << describe(err) << "\n";
  if (!errors.empty()) return std::nullopt;
  return e;
}

// The corpus, or nullopt after saying why a path cannot be read at all.
std::optional<Corpus> readCorpus(const std::string& command, const std::vector<std::string>& paths) {
  Corpus corpus = loadCorpus(paths);
  if (!unreadable(corpus)) return corpus;
  for (const auto& e : corpus.errors) std::cerr << "memconform " << command << ": " << describe(e) << "\n";
  return std::nullopt;
}

DriverLimits limitsFor(double timeoutSeconds) {
  DriverLimits limits;
  limits.timeout = std::chrono::milliseconds(static_cast<long long>(timeoutSeconds * 1000));
  return limits;
}

// A warning in the report if a driver timed out: how many vectors, the
// first, the limit and how to raise it (a busy machine, or a driver that
// touches a memory of gigabytes, can need more than the default 5 s).
void warnOfTimeouts(Report& report, double timeoutSeconds) {
  std::size_t n = 0;
  const VectorResult* first = nullptr;
  for (const auto& r : report.results) {
    if (r.status != Status::Error || errorType(r) != "timeout") continue;
    if (!first) first = &r;
    ++n;
  }
  if (!first) return;
  std::ostringstream w;
  w << n << " vector(s) timed out, the first " << first->id << ": the driver took longer than " << timeoutSeconds
    << " s to answer; if it is slow rather than hung, give it longer with --timeout SECONDS";
  report.warnings.push_back(w.str());
}

// What the reference speaking `dialect` fails, op by op, as expectations for
// `spec`: a target conforms to the dialect if it fails exactly those.
std::optional<Expectations> dialectExpectations(const Corpus& corpus, const std::string& spec, const std::string& dialect,
                                                const std::string& filter) {
  const DialectInfo* d = findDialect(dialect);
  if (!d) {
    std::cerr << "memconform replay: unknown dialect \"" << dialect << "\" (memconform dialects)\n";
    return std::nullopt;
  }
  ReferenceTarget speaking(d->variants, "reference?dialect=" + dialect);
  ExpectationsWriter written(spec, nullptr, "the dialect " + dialect + " fails it so (core/dialects.h)");
  ReplayOptions options;
  options.filter = filter;
  options.onRun = [&](const Vector& v, const VectorRun& run) { written.add(v, run); };
  replay(corpus, speaking, options);
  std::vector<LoadError> errors;
  Expectations e = loadExpectations("dialect " + dialect, written.document().dump(), errors);
  for (const auto& error : errors) std::cerr << "memconform replay: " << describe(error) << "\n";
  if (!errors.empty()) return std::nullopt;
  return e;
}

}  // namespace

int runReplay(const ReplayCommand& c) {
  const std::unique_ptr<Target> target = makeTargetOrReport("replay", c.target, limitsFor(c.timeoutSeconds));
  if (!target) return 2;
  Expectations expectations;
  if (!c.expectations.empty()) {
    auto e = readExpectations("replay", c.expectations);
    if (!e) return 2;
    if (const std::string why = targetMismatch(*e, c.target); !why.empty()) {
      std::cerr << "memconform replay: " << why << "\n";
      return 2;
    }
    expectations = std::move(*e);
  }
  const auto loaded = readCorpus("replay", c.paths);
  if (!loaded) return 2;
  const Corpus& corpus = *loaded;
  if (!c.dialect.empty()) {
    if (!c.expectations.empty()) {
      std::cerr << "memconform replay: --dialect and --expectations both say what the target may fail: give one\n";
      return 2;
    }
    auto e = dialectExpectations(corpus, c.target, c.dialect, c.filter);
    if (!e) return 2;
    expectations = std::move(*e);
  }
  ReplayOptions options;
  options.filter = c.filter;
  options.expectations = c.expectations.empty() && c.dialect.empty() ? nullptr : &expectations;
  options.repeat = c.repeat;
  options.keepTrace = c.trace;
  options.maxFailures = c.maxFailures;
  // Progress on stderr when a person watches (a terminal) or when asked.
  bool progressLineOpen = false;  // a progress line without its newline yet
  if (c.progress || isatty(STDERR_FILENO))
    options.progress = [&progressLineOpen](std::size_t done, std::size_t total) {
      progressLineOpen = done != total;
      std::cerr << "\r" << done << "/" << total << " vectors" << (progressLineOpen ? "" : "\n") << std::flush;
    };
  ExpectationsWriter written(c.target, options.expectations);
  if (!c.writeExpectations.empty())
    options.onRun = [&](const Vector& v, const VectorRun& run) { written.add(v, run); };
  Report report = replay(corpus, *target, options);
  if (progressLineOpen) std::cerr << "\n";  // a run stopped early (--max-failures) ends its progress line
  warnOfTimeouts(report, c.timeoutSeconds);
  writeText(report, std::cout, c.verbose);
  if (!c.writeExpectations.empty()) {
    writeTo(c.writeExpectations, [&](std::ostream& out) { out << written.text(); });
    std::cout << "expectations for " << written.entries() << " failing vector(s) written to " << c.writeExpectations
              << " (review it: reasons \"to triage\", numbers that stand for places)\n";
  }
  if (c.repeat > 1) {
    const double n = double(report.results.size() - corpus.errors.size()) * double(c.repeat);
    std::cout << "throughput: " << std::fixed << std::setprecision(0) << n / report.seconds << " vectors/s (" << n
              << " vector runs in " << std::setprecision(3) << report.seconds << " s)\n";
  }
  writeTo(c.jsonPath, [&](std::ostream& out) { writeJson(report, out); });
  writeTo(c.junitPath, [&](std::ostream& out) { writeJunit(report, out); });
  if (!c.dialect.empty()) {
    const std::size_t differ = report.failing();
    if (differ == 0) std::cout << target->name() << " conforms to dialect " << c.dialect << "\n";
    else std::cout << target->name() << " does not conform to dialect " << c.dialect << ": " << differ << " vector(s) differ\n";
  }
  return report.exitCode();
}

// Replays the corpus against one mutant in a child process, so that a mutant
// that crashes (an ASan report, a segfault) is a kill, not the end of the run.
MutantOutcome runMutant(const MutantInfo& m, const Corpus& corpus) {
  MutantOutcome o;
  o.name = m.name;
  o.rule = m.rule;
  o.description = m.description;
  const auto start = std::chrono::steady_clock::now();
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe() failed");
  std::cout.flush();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    close(out[0]);
    close(err[0]);
    dup2(err[1], STDERR_FILENO);
    auto target = makeTarget("mutant:" + std::string(m.name));
    ReplayOptions options;
    options.maxFailures = 1;
    const Report report = replay(corpus, *target, options);
    nlohmann::json result{{"killed", false}};
    for (const auto& r : report.results)
      if (r.status == Status::Fail || r.status == Status::Error) {
        std::string how = r.status == Status::Error ? r.reason : "";
        if (!r.failures.empty())
          how = r.failures.front().pointer + " [" + r.failures.front().rule + "] expected " + r.failures.front().expected +
                "; actual " + r.failures.front().actual;
        result = {{"killed", true}, {"by", r.id}, {"how", how}};
        break;
      }
    const std::string line = result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    [[maybe_unused]] auto n = write(out[1], line.data(), line.size());
    _exit(0);
  }
  close(out[1]);
  close(err[1]);
  auto drain = [](int fd) {
    std::string s;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, std::size_t(n));
    close(fd);
    return s;
  };
  const std::string stderrText = drain(err[0]);
  const std::string result = drain(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !result.empty()) {
    const auto j = nlohmann::json::parse(result);
    o.killed = j["killed"].get<bool>();
    if (o.killed) {
      o.by = j["by"].get<std::string>();
      o.how = j["how"].get<std::string>();
    }
    return o;
  }
  // A crash is a kill: the sanitizer (or the kernel) caught the planted bug.
  o.killed = true;
  o.by = "(crash)";
  const auto asan = stderrText.find("ERROR: AddressSanitizer");
  if (asan != std::string::npos) o.how = stderrText.substr(asan, stderrText.find('\n', asan) - asan);
  else o.how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) : "exit status " + std::to_string(WEXITSTATUS(status));
  return o;
}

Baseline mutantBaseline(const Corpus& corpus) {
  Baseline b{corpus, {}};
  auto reference = makeTarget("reference");
  const Report report = replay(corpus, *reference, {});
  std::set<std::string> failing;
  for (const auto& r : report.results)
    if (r.status == Status::Fail || r.status == Status::Error) {
      failing.insert(r.id);
      b.leftOut.push_back(r);
    }
  for (auto& f : b.corpus.files)
    std::erase_if(f.vectors, [&](const Vector& v) { return failing.count(v.id) > 0; });
  b.corpus.errors.clear();  // malformed vectors are in leftOut
  return b;
}

namespace {
// Says which vectors the baseline left out, and why.
void sayLeftOut(const Baseline& b, std::ostream& out) {
  if (b.leftOut.empty()) return;
  out << b.leftOut.size() << " vector(s) fail on the unmutated reference and are left out (a vector that fails "
      << "without a planted bug would kill every mutant and prove nothing):\n";
  for (const auto& r : b.leftOut)
    out << "  " << r.id << ": "
        << (r.failures.empty() ? r.reason
                               : r.failures.front().pointer + " [" + r.failures.front().rule + "] expected " +
                                     r.failures.front().expected + "; actual " + r.failures.front().actual)
               .substr(0, 200)
        << "\n";
}
}  // namespace

int runMutants(const MutantsCommand& c) {
  if (c.list) {
    for (const auto& m : allMutants()) std::cout << std::left << std::setw(30) << m.name << std::setw(10) << m.rule << m.description << "\n";
    return 0;
  }
  const Corpus loaded = loadCorpus(c.paths);
  if (unreadable(loaded) || loaded.vectorCount() == 0) {
    for (const auto& e : loaded.errors) std::cerr << "memconform mutants: " << describe(e) << "\n";
    std::cerr << "memconform mutants: no vectors to replay\n";
    return 2;
  }
  const Baseline baseline = mutantBaseline(loaded);
  sayLeftOut(baseline, std::cout);
  const Corpus& corpus = baseline.corpus;
  std::vector<MutantOutcome> outcomes;
  std::size_t killed = 0;
  std::cout << std::left << std::setw(30) << "mutant" << std::setw(10) << "rule" << std::setw(8) << "killed"
            << "first killing vector\n";
  for (const auto& m : allMutants()) {
    outcomes.push_back(runMutant(m, corpus));
    const auto& o = outcomes.back();
    killed += o.killed;
    std::cout << std::left << std::setw(30) << o.name << std::setw(10) << o.rule << std::setw(8) << (o.killed ? "yes" : "NO")
              << (o.killed ? o.by : "-") << "\n";
    if (o.killed) std::cout << std::setw(48) << "" << o.how.substr(0, 160) << "\n";
  }
  std::cout << killed << " of " << outcomes.size() << " mutants killed by " << corpus.vectorCount() << " vectors";
  if (!baseline.leftOut.empty()) std::cout << " (" << baseline.leftOut.size() << " left out: they fail on the reference)";
  std::cout << "\n";
  writeTo(c.jsonPath, [&](std::ostream& out) {
    nlohmann::json mutants = nlohmann::json::array(), leftOut = nlohmann::json::array();
    for (const auto& o : outcomes)
      mutants.push_back({{"mutant", o.name}, {"rule", o.rule}, {"description", o.description}, {"killed", o.killed},
                         {"by", o.by}, {"how", o.how}, {"seconds", o.seconds}});
    for (const auto& r : baseline.leftOut) leftOut.push_back({{"id", r.id}, {"status", statusName(r.status)}});
    const nlohmann::json doc{{"mutants", mutants}, {"killed", killed}, {"total", outcomes.size()},
                             {"vectors", corpus.vectorCount()}, {"leftOut", leftOut}};
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  });
  return killed == outcomes.size() ? 0 : 1;
}

int listDialects(std::ostream& out) {
  out << "variants (core/dialects.h):\n";
  for (const auto& v : allVariants())
    out << "  " << std::left << std::setw(28) << v.name << std::setw(10) << v.rule << v.seenIn << "\n"
        << "      " << v.description << "\n";
  out << "dialects (--target 'reference?dialect=NAME'):\n";
  for (const auto& d : allDialects())
    out << "  " << std::left << std::setw(28) << d.name << d.description << "\n      " << variantNames(d.variants) << "\n";
  return 0;
}

// --releases: the releases releases.mjs installed (or found in the cache),
// each package's in version order; nullopt, said on stderr, if there are
// none. `complete` is false if some could not be fetched.
std::optional<std::vector<Release>> installedReleases(const MatrixCommand& c, bool& complete) {
  std::string command = "node " + shellWord(c.driverDir + "/releases.mjs");
  if (!c.cache.empty()) command += " --cache " + shellWord(c.cache);
  if (c.offline) command += " --offline";
  for (const auto& p : c.packages) command += " --package " + shellWord(p);
  for (const auto& v : c.only) command += " --only " + shellWord(v);
  const Captured got = capture(command);
  complete = got.exitCode == 0;
  if (got.exitCode != 0 && got.exitCode != 1) {
    std::cerr << "memconform matrix: no release to run (" << command << " exited with status " << got.exitCode << ")\n";
    return std::nullopt;
  }
  std::vector<Release> out;
  try {
    for (const auto& r : nlohmann::json::parse(got.output))
      out.push_back({r.at("package").get<std::string>(), r.at("version").get<std::string>(), r.at("dir").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "memconform matrix: " << command << " printed no list of releases: " << e.what() << "\n";
    return std::nullopt;
  }
  return out;
}

int runMatrix(const MatrixCommand& c) {
  std::vector<std::string> specs = c.targets;
  specs.insert(specs.end(), c.moreTargets.begin(), c.moreTargets.end());
  std::vector<Release> releases;
  bool allFetched = true;
  if (c.releases) {
    auto installed = installedReleases(c, allFetched);
    if (!installed) return 2;
    releases = std::move(*installed);
    for (auto& r : releases) {
      r.report = specs.size();
      specs.push_back("cmd:node " + shellWord(c.driverDir + "/driver.mjs") + " --package " + shellWord(r.dir));
    }
  }
  if (specs.empty()) specs.push_back("reference");
  // Each expectations file names its target; it applies to that column.
  std::map<std::string, Expectations> expectationsFor;
  for (const auto& path : c.expectations) {
    auto e = readExpectations("matrix", path);
    if (!e) return 2;
    const auto named = std::find_if(specs.begin(), specs.end(), [&](const std::string& s) { return namesTarget(e->target, s); });
    if (named == specs.end()) {
      std::cerr << "memconform matrix: " << path << " is for target \"" << e->target << "\", which is not one of --targets\n";
      return 2;
    }
    expectationsFor[*named] = std::move(*e);
  }
  std::string specText;
  if (!readAll(c.spec, specText)) {
    std::cerr << "memconform matrix: cannot read the spec " << c.spec << "\n";
    return 2;
  }
  const auto loaded = readCorpus("matrix", c.paths);
  if (!loaded) return 2;
  std::vector<Report> reports;
  for (const auto& spec : specs) {
    const std::unique_ptr<Target> target = makeTargetOrReport("matrix", spec, limitsFor(c.timeoutSeconds));
    if (!target) return 2;
    ReplayOptions options;
    const auto e = expectationsFor.find(spec);
    if (e != expectationsFor.end()) options.expectations = &e->second;
    reports.push_back(replay(*loaded, *target, options));
    warnOfTimeouts(reports.back(), c.timeoutSeconds);
    const Report& r = reports.back();
    std::cout << std::left << std::setw(44) << r.implementation << " " << r.count(Status::Pass) << " pass, "
              << r.count(Status::ExpectedFail) << " xfail, " << r.count(Status::Fail) << " fail, "
              << r.count(Status::UnexpectedPass) << " xpass, " << r.count(Status::Skipped) << " skipped, "
              << r.count(Status::Error) << " errors  (" << std::fixed << std::setprecision(2) << r.seconds << " s)\n";
    std::cout.unsetf(std::ios::fixed);
    for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
    if (!r.nothingCompared.empty()) std::cout << "  nothing was compared: " << r.nothingCompared << "\n";
  }
  std::vector<MutantKill> kills;
  if (c.mutants) {
    const Baseline baseline = mutantBaseline(*loaded);
    sayLeftOut(baseline, std::cout);
    for (const auto& m : allMutants()) {
      const MutantOutcome o = runMutant(m, baseline.corpus);
      kills.push_back({o.name, o.rule, o.description, o.killed, o.by});
    }
    const auto killed = std::count_if(kills.begin(), kills.end(), [](const MutantKill& k) { return k.killed; });
    std::cout << "planted bugs: " << killed << " of " << kills.size() << " killed\n";
  }
  const std::vector<std::string> rules = ruleIdsFromSpec(specText);
  Matrix matrix = buildMatrix(rules, std::move(reports), std::move(kills));
  if (c.releases) {
    matrix.history = buildHistory(matrix.reports, releases, rules);
    std::cout << releases.size() << " releases; " << matrix.history->changes() << " behaviour changes between consecutive releases\n";
  }
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  matrix.generated = when;
  writeTo(c.markdownPath, [&](std::ostream& out) { writeMarkdown(matrix, out); });
  writeTo(c.htmlPath, [&](std::ostream& out) { writeHtml(matrix, out); });
  writeTo(c.jsonPath, [&](std::ostream& out) { writeJson(matrix, out); });
  for (const auto& [path, what] : {std::pair{c.markdownPath, "Markdown"}, std::pair{c.htmlPath, "HTML"}, std::pair{c.jsonPath, "JSON"}})
    if (!path.empty() && path != "-") std::cout << what << ": " << path << "\n";
  if (c.releases) {
    // A survey: failures are its content; a release not fetched or a vector not run is not.
    const bool ran = std::all_of(releases.begin(), releases.end(),
                                 [&](const Release& r) { return matrix.reports[r.report].count(Status::Error) == 0; });
    if (!allFetched) std::cout << "some releases could not be fetched (above)\n";
    if (!ran) std::cout << "some releases could not run every vector (ERROR in the table)\n";
    return allFetched && ran ? 0 : 1;
  }
  return matrix.exitCode();
}

}  // namespace memconform::cli
