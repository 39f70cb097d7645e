// `memconform replay` and `memconform mutants`: the corpus against one target,
// or against every mutant, with reports for people and for CI.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "conformance/runner/loader.h"
#include "conformance/runner/report.h"
#include "core/mutants.h"

namespace memconform::cli {

struct ReplayCommand {
  std::vector<std::string> paths;
  std::string target = "reference";
  std::string expectations;
  std::string writeExpectations;  // an expectations file from this run
  std::string dialect;            // judge the target against this dialect of the reference
  std::string filter;
  std::string jsonPath;
  std::string junitPath;
  std::size_t repeat = 1;
  std::size_t maxFailures = 0;  // stop after this many failing vectors; 0: never
  bool verbose = false;
  bool trace = false;  // every vector's op trace in the JSON report
  bool progress = false;
  double timeoutSeconds = 5;  // cmd: targets, per exchange with the driver
};
int runReplay(const ReplayCommand& c);

// One planted bug against the corpus, in a child process (a crash is a kill).
struct MutantOutcome {
  std::string name, rule, description;
  bool killed = false;
  std::string by;   // the first killing vector, or "(crash)"
  std::string how;  // its first failure, or the crash
  double seconds = 0;
};
MutantOutcome runMutant(const MutantInfo& m, const conformance::Corpus& corpus);

// The baseline of a mutant run: the corpus without the vectors that fail
// (or are malformed) on the unmutated reference. Such a vector would "kill"
// every mutant without saying anything about it; each one left out is in
// `leftOut`, with its first failure.
struct Baseline {
  conformance::Corpus corpus;
  std::vector<conformance::VectorResult> leftOut;
};
Baseline mutantBaseline(const conformance::Corpus& corpus);

struct MutantsCommand {
  std::vector<std::string> paths;
  std::string jsonPath;
  bool list = false;
};
int runMutants(const MutantsCommand& c);

// `memconform dialects`: every variant (rule, releases, what upstream does)
// and every dialect with its variants.
int listDialects(std::ostream& out);

// `memconform matrix`: the corpus against several targets (each with the
// expectations file that names it), optionally every planted bug, written as
// a rules x targets matrix.
struct MatrixCommand {
  std::vector<std::string> paths;
  std::vector<std::string> targets, moreTargets;  // --targets T1,T2 and -t T3 -t T4: columns in that order
  std::vector<std::string> expectations;
  bool mutants = false;
  std::string spec;
  std::string markdownPath, htmlPath, jsonPath;
  double timeoutSeconds = 5;
  // --releases: every published release of @sqlite.org/sqlite-wasm and its
  // forks (releases.mjs of driverDir, installed into `cache`) as targets.
  bool releases = false;
  bool offline = false;
  std::string cache;                  // empty: releases.mjs's default
  std::vector<std::string> packages;  // empty: all of releases.mjs's
  std::vector<std::string> only;      // empty: every version
  std::string driverDir;              // conformance/drivers/node of the source tree
};
int runMatrix(const MatrixCommand& c);

}  // namespace memconform::cli
