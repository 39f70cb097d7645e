#include "conformance/runner/replay.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "conformance/runner/executor.h"

namespace memconform::conformance {

bool matchesFilter(const std::string& id, const std::string& glob) {
  return glob.empty() || fnmatch(glob.c_str(), id.c_str(), 0) == 0;
}

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

VectorResult runOne(const Vector& v, Target& target, const ReplayOptions& options) {
  VectorResult r{v.id, v.file, v.area, v.rules, Status::Pass, {}, {}, {}, {}, 0};
  const auto start = Clock::now();
  if (const auto missing = missingCapabilities(v, target); !missing.empty()) {
    r.status = Status::Skipped;
    for (const auto& c : missing) r.reason += (r.reason.empty() ? "requires " : ", ") + c;
    r.reason += " (not declared by " + target.name() + ")";
    return r;
  }
  // MEM-4 is about the memory a target has when nobody sets one up: a
  // target whose memory is fixed (hello "memory") has declared another.
  if (const auto fixed = target.fixedMemory(); fixed && !(*fixed == MemoryConfig{}) &&
                                                 std::find(v.rules.begin(), v.rules.end(), "MEM-4") != v.rules.end()) {
    r.status = Status::Skipped;
    r.reason = "checks the default memory (MEM-4); " + target.name() + " has a fixed one of " +
               std::to_string(fixed->initialPages) + " to " + std::to_string(fixed->maximumPages) + " pages";
    return r;
  }
  const KnownVector* known = options.expectations ? options.expectations->find(v.id) : nullptr;
  RunOptions runOptions;
  if (known && !known->failures.wholeVector()) runOptions.known = &known->failures;
  runOptions.keepEndState = static_cast<bool>(options.onRun);
  VectorRun run = runVector(v, target, runOptions);
  if (options.onRun) options.onRun(v, run);
  r.seconds = secondsSince(start);
  r.flags = std::move(run.flags);
  if (run.status == VectorRun::Status::Skipped) {
    r.status = Status::Skipped;
    r.reason = run.reason;
    return r;
  }
  if (run.status == VectorRun::Status::Error) {
    r.status = Status::Error;
    r.reason = run.reason;
    return r;
  }
  r.status = run.failures.empty() ? Status::Pass : Status::Fail;
  if (!known) {
    r.failures = std::move(run.failures);
  } else if (known->failures.wholeVector()) {
    // The older form: any failure of the vector is the known one.
    r.failures = std::move(run.failures);
    r.status = r.status == Status::Fail ? Status::ExpectedFail : Status::UnexpectedPass;
    r.reason = r.status == Status::ExpectedFail ? known->reason : "listed as failing (" + known->reason + "), but passes";
  } else {
    r.reason = known->reason;
    // Every listed op (and end state) must fail as listed; anything else
    // that fails is a failure of its own.
    std::string stale;
    for (const auto& [where, outcome] : known->failures.ops)
      if (!run.failedAsListed.count(where)) stale += (stale.empty() ? "" : ", ") + where;
    if (known->failures.final && !run.failedAsListed.count("/final")) stale += (stale.empty() ? "" : ", ") + std::string("/final");
    if (r.status == Status::Fail) {
      r.failures = std::move(run.failures);
      if (!run.knownFailures.empty())
        r.reason += " (" + std::to_string(run.knownFailures.size()) + " known failure(s) besides)";
    } else if (!stale.empty()) {
      r.status = Status::UnexpectedPass;
      r.reason = "listed as failing at " + stale + " (" + known->reason + "), but they do not fail as listed";
      r.failures = std::move(run.knownFailures);
    } else {
      r.status = Status::ExpectedFail;
      r.failures = std::move(run.knownFailures);
    }
  }
  if (r.status == Status::Fail || options.keepTrace) r.trace = formatTrace(run);
  return r;
}

std::string plural(std::size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

// Why a run compared nothing (Report::nothingCompared), or "" if some
// vector reached a verdict or a malformed one already fails the run.
std::string whyNothingCompared(const Report& report, const Corpus& corpus, std::size_t selected, const std::string& filter) {
  if (report.count(Status::Error) > 0) return "";
  if (selected > 0) {
    if (report.count(Status::Skipped) < report.results.size()) return "";
    const VectorResult& first = report.results.front();
    return "the target skipped " + (selected == 1 ? std::string("the only vector") : "all " + std::to_string(selected) + " vectors") +
           ", the first (" + first.id + ") because: " + first.reason;
  }
  if (corpus.files.empty()) return "no vector file was found in the paths given";
  std::size_t vectors = 0;
  for (const auto& f : corpus.files) vectors += f.vectors.size();
  if (vectors == 0) return "the " + plural(corpus.files.size(), "file holds", "files hold") + " no vectors";
  return "the filter \"" + filter + "\" matches none of the " + plural(vectors, "vector", "vectors") + " in " +
         plural(corpus.files.size(), "file", "files");
}
}  // namespace

Report replay(const Corpus& corpus, Target& target, const ReplayOptions& options) {
  Report report;
  report.target = target.name();
  report.implementation = target.implementation();
  report.capabilities = target.capabilities();
  report.minimumPages = target.minimumPages();
  report.maximumPages = target.maximumPages();
  report.fixedMemory = target.fixedMemory();
  report.files = corpus.files.size();
  const auto start = Clock::now();
  // Malformed vectors are results too (one per vector, with every problem),
  // so a report never silently shrinks.
  std::map<std::pair<std::string, std::string>, std::size_t> errorResult;
  for (const auto& e : corpus.errors) {
    if (!e.vectorId.empty() && !matchesFilter(e.vectorId, options.filter)) continue;
    const auto key = std::make_pair(e.file, e.vectorId);
    if (auto it = errorResult.find(key); it != errorResult.end()) {
      report.results[it->second].reason += "\n" + describe(e);
      continue;
    }
    errorResult[key] = report.results.size();
    report.results.push_back({e.vectorId.empty() ? e.file : e.vectorId, e.file,
                              e.vectorId.empty() ? "(file)" : e.vectorId.substr(0, e.vectorId.find('/')), {},
                              Status::Error, describe(e), {}, {}, {}, 0});
  }
  std::size_t total = 0;
  for (const auto& f : corpus.files)
    for (const auto& v : f.vectors) total += matchesFilter(v.id, options.filter);
  total *= options.repeat;
  std::size_t done = 0;
  std::size_t failing = report.results.size();  // the malformed vectors and files count too
  std::set<std::string> seen;
  for (std::size_t round = 0; round < options.repeat; ++round)
    for (const auto& f : corpus.files)
      for (const auto& v : f.vectors) {
        if (!matchesFilter(v.id, options.filter)) continue;
        if (options.maxFailures && failing >= options.maxFailures) {
          report.notRun = total - done;
          report.stoppedAfter = failing;
          report.seconds = secondsSince(start);
          return report;
        }
        seen.insert(v.id);
        VectorResult r = runOne(v, target, options);
        failing += failsTheRun(r.status);
        if (round == 0) report.results.push_back(std::move(r));
        ++done;
        if (options.progress && (done % 1000 == 0 || done == total)) options.progress(done, total);
      }
  if (options.expectations) {
    for (const auto& [id, known] : options.expectations->vectors)
      if (!seen.count(id) && options.filter.empty())
        report.warnings.push_back(options.expectations->path + ": \"" + id + "\" is not a vector of this corpus (stale entry?)");
    if (const std::size_t n = options.expectations->wholeVectorEntries())
      report.warnings.push_back(options.expectations->path + ": " + std::to_string(n) +
                                " entr" + (n == 1 ? "y covers a whole vector" : "ies cover whole vectors") +
                                " (a reason alone): any other failure in such a vector is hidden; give the ops it fails "
                                "(memconform replay --write-expectations writes them)");
  }
  report.nothingCompared = whyNothingCompared(report, corpus, seen.size(), options.filter);
  report.seconds = secondsSince(start);
  return report;
}

}  // namespace memconform::conformance
