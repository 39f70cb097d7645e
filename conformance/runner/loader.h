// Loads vector files (docs/VECTORS.md) into the in-memory form of
// vector.h. Nothing in a file can crash it: every problem becomes a LoadError
// that names the file, the vector id and the JSON pointer of the bad field,
// and the other vectors of the file still load.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "conformance/runner/vector.h"

namespace memconform::conformance {

struct LoadError {
  std::string file;
  std::string vectorId;  // empty when the problem is not inside a vector
  std::string pointer;   // JSON pointer of the bad place ("" is the whole file)
  std::string message;
  bool unreadable = false;  // the path itself could not be read (not a problem in its content)
};
std::string describe(const LoadError& e);  // "file: vector id: /pointer: message"

inline constexpr std::string_view kSchemaName = "memconform-vectors/1";
inline constexpr std::size_t kMaxCallDepth = 64;  // nesting of call bodies

// Parses one file's text. Vectors with problems are left out of the result
// and reported in `errors`.
VectorFile loadVectorFile(const std::string& path, std::string_view text, std::vector<LoadError>& errors);

// An expectations file's known outcome of an op (KnownOutcome): `expect`'s
// grammar without "acceptable", with "type"; and its known end state:
// `final`'s grammar. Names need not be bound where they are read: they
// resolve when the op runs (an event's unbound name binds, as in `expect`).
std::optional<KnownOutcome> loadKnownOutcome(const std::string& file, const std::string& vectorId, const nlohmann::json& j,
                                             const std::string& pointer, std::vector<LoadError>& errors);
std::optional<FinalState> loadKnownFinal(const std::string& file, const std::string& vectorId, const nlohmann::json& j,
                                         const std::string& pointer, std::vector<LoadError>& errors);

// A vector's `setup` on its own (a driver's start message in protocol 2).
std::optional<Setup> loadSetup(const std::string& origin, const nlohmann::json& j, const std::string& pointer,
                               std::vector<LoadError>& errors);

struct Corpus {
  std::vector<VectorFile> files;
  std::vector<LoadError> errors;
  std::size_t vectorCount() const;
};
// Loads files and directories (every *.json below a directory, in sorted
// order). An unreadable path is a LoadError too.
Corpus loadCorpus(const std::vector<std::string>& paths);

// True for a valid binding name: [A-Za-z_][A-Za-z0-9_]*, except the words
// that section 10 gives a meaning (NaN, Infinity, undefined).
bool isValidName(std::string_view name);

// The patterns of ids, checked by hand: std::regex's matcher recurses once
// per character, so a long string in a file would overflow the stack.
bool isRuleId(std::string_view text);         // [A-Z]+-[0-9]+ ("SCOPE-5")
bool mentionsRuleId(std::string_view text);   // a rule ID as a word somewhere in `text`
bool isVectorId(std::string_view id);         // [a-z0-9][a-z0-9._-]* words separated by '/'

}  // namespace memconform::conformance
