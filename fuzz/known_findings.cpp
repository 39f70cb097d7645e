#include "fuzz/known_findings.h"

#include <algorithm>

namespace memconform::fuzz {

bool KnownFindings::tolerate(const Difference& d) {
  const std::string signature = d.signature();
  for (const std::string& key : {signature, d.op + "/" + d.rule})
    if (expectations_.findings.count(key)) {
      ++seen_[key];
      if (key != signature) ++underCoarse_[key][signature];
      return true;
    }
  return false;
}

std::vector<std::string> KnownFindings::coarseKeys() const {
  std::vector<std::string> out;
  for (const auto& [key, reason] : expectations_.findings)
    if (std::count(key.begin(), key.end(), '/') == 1) out.push_back(key);
  return out;
}

std::string KnownFindings::summary() const {
  std::string s;
  for (const auto& [signature, reason] : expectations_.findings) {
    const auto it = seen_.find(signature);
    s += "  " + signature + ": " + (it == seen_.end() ? "not seen" : std::to_string(it->second) + " inputs") + " (" +
         reason + ")\n";
    if (const auto under = underCoarse_.find(signature); under != underCoarse_.end())
      for (const auto& [fine, inputs] : under->second) s += "    " + fine + ": " + std::to_string(inputs) + " inputs\n";
  }
  return s;
}

nlohmann::json KnownFindings::summaryJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [signature, reason] : expectations_.findings) {
    const auto it = seen_.find(signature);
    nlohmann::json under = nlohmann::json::object();
    if (const auto u = underCoarse_.find(signature); u != underCoarse_.end())
      for (const auto& [fine, inputs] : u->second) under[fine] = inputs;
    j[signature] = {{"inputs", it == seen_.end() ? 0 : it->second}, {"reason", reason}, {"under", under}};
  }
  return j;
}

}  // namespace memconform::fuzz
