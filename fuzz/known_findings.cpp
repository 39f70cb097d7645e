#include "fuzz/known_findings.h"

namespace memconform::fuzz {

bool KnownFindings::tolerate(const std::string& op, const std::string& rule) {
  if (!expectations_.reasonForFinding(op, rule)) return false;
  ++seen_[op + "/" + rule];
  return true;
}

std::string KnownFindings::summary() const {
  std::string s;
  for (const auto& [signature, reason] : expectations_.findings) {
    const auto it = seen_.find(signature);
    s += "  " + signature + ": " + (it == seen_.end() ? "not seen" : std::to_string(it->second) + " inputs") + " (" +
         reason + ")\n";
  }
  return s;
}

}  // namespace memconform::fuzz
