#include "conformance/targets/factory.h"

#include <iostream>
#include <stdexcept>

#include "conformance/targets/cmd_target.h"
#include "conformance/targets/plugin_target.h"
#include "conformance/targets/reference_target.h"

namespace memconform::conformance {

std::unique_ptr<Target> makeTarget(const std::string& spec, const DriverLimits& limits) {
  if (spec == "reference") return std::make_unique<ReferenceTarget>();
  if (spec.rfind("mutant:", 0) == 0) {
    const std::string name = spec.substr(7);
    if (const MutantInfo* m = findMutant(name)) return std::make_unique<ReferenceTarget>(m->id);
    std::string known;
    for (const auto& m : allMutants()) known += (known.empty() ? "" : ", ") + std::string(m.name);
    throw std::invalid_argument("unknown mutant \"" + name + "\" (known: " + known + ")");
  }
  if (spec.rfind("cmd:", 0) == 0) {
    if (spec.size() == 4) throw std::invalid_argument("cmd: needs a command, e.g. 'cmd:node driver.mjs'");
    try {
      return std::make_unique<CmdTarget>(spec.substr(4), limits);
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
  }
  if (spec.rfind("plugin:", 0) == 0) {
    if (spec.size() == 7) throw std::invalid_argument("plugin: needs the path of a shared library, e.g. 'plugin:./libglue.so'");
    try {
      return std::make_unique<PluginTarget>(spec.substr(7));
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
  }
  throw std::invalid_argument("unknown target \"" + spec +
                              "\" (use reference, mutant:NAME, cmd:COMMAND or plugin:PATH.so; `memconform mutants --list`)");
}

std::unique_ptr<Target> makeTargetOrReport(const std::string& command, const std::string& spec, const DriverLimits& limits) {
  try {
    return makeTarget(spec, limits);
  } catch (const std::invalid_argument& e) {
    std::cerr << "memconform " << command << ": " << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace memconform::conformance
