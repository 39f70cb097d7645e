// `memconform from-crash TARGET INPUT -o VECTOR.json`: a fuzz finding as a
// stand-alone vector. The input is decoded into its op sequence (the decoder
// of fuzz_scope_ops and fuzz_differential), minimised by removing ops while
// the same finding (op and rule) remains, and written with the reference's
// outcome of each op as its expectation, tagged from-fuzz. The written file
// is loaded back and replayed to show that it passes on the reference and
// fails on TARGET the same way.
#pragma once

#include <string>

namespace memconform::cli {

struct FromCrashCommand {
  // The side the target is compared with, and whose outcomes become the
  // vector's expectations: the reference, or the reference speaking the
  // target's dialect (as fuzz_differential's MEMCONFORM_REFERENCE).
  std::string reference = "reference";
  std::string target;  // reference or mutant:NAME
  std::string input;   // the crash file
  std::string output;  // the vector file to write
};

int runFromCrash(const FromCrashCommand& c);

}  // namespace memconform::cli
