// Running a helper program from the command line tool and reading what it
// prints (GoogleTest's test list; conformance/drivers/node/releases.mjs).
#pragma once

#include <string>
#include <string_view>

namespace memconform::cli {

struct Captured {
  std::string output;  // its stdout (stderr passes through to ours)
  int exitCode = 0;    // its exit status; 128 + N if killed by signal N
};

// Runs `command` with /bin/sh -c; throws if it cannot be started.
Captured capture(const std::string& command);

// `text` as one word for /bin/sh: single-quoted, its own quotes escaped.
std::string shellWord(std::string_view text);

}  // namespace memconform::cli
