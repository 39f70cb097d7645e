#include "conformance/targets/factory.h"

#include <iostream>
#include <stdexcept>

#include "conformance/targets/driver_hello.h"
#include "conformance/targets/plugin_target.h"
#include "conformance/targets/reference_target.h"
#ifdef MEMCONFORM_WITH_WABT
#include "conformance/targets/wasm_target.h"
#endif

namespace memconform::conformance {

namespace {
// "dialect=NAME" or "variants=NAME,NAME" (core/dialects.h).
Dialect dialectOf(const std::string& query) {
  auto known = [](auto list) {
    std::string names;
    for (const auto& x : list) names += (names.empty() ? "" : ", ") + std::string(x.name);
    return names;
  };
  if (query.rfind("dialect=", 0) == 0) {
    if (const DialectInfo* d = findDialect(query.substr(8))) return d->variants;
    throw std::invalid_argument("unknown dialect \"" + query.substr(8) + "\" (known: " + known(allDialects()) + ")");
  }
  if (query.rfind("variants=", 0) == 0) {
    Dialect d;
    std::string list = query.substr(9) + ",";
    for (std::size_t start = 0, comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1) {
      const std::string name = list.substr(start, comma - start);
      const VariantInfo* v = findVariant(name);
      if (!v) throw std::invalid_argument("unknown variant \"" + name + "\" (known: " + known(allVariants()) + ")");
      d.set(static_cast<std::size_t>(v->id));
    }
    return d;
  }
  throw std::invalid_argument("reference?" + query + ": expected reference?dialect=NAME or reference?variants=NAME,NAME");
}
}  // namespace

std::unique_ptr<Target> makeTarget(const std::string& spec, const DriverLimits& limits) {
  if (spec == "reference") return std::make_unique<ReferenceTarget>();
  if (spec.rfind("reference?", 0) == 0) return std::make_unique<ReferenceTarget>(dialectOf(spec.substr(10)), spec);
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
      return makeDriverTarget(spec.substr(4), limits);
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
  if (spec.rfind("wasm:", 0) == 0) {
#ifdef MEMCONFORM_WITH_WABT
    return std::make_unique<WasmTarget>(spec);
#else
    throw std::invalid_argument("wasm: targets need wabt, which this build (the OSS-Fuzz one) has none of");
#endif
  }
  throw std::invalid_argument("unknown target \"" + spec +
                              "\" (use reference, reference?dialect=NAME, mutant:NAME, cmd:COMMAND, plugin:PATH.so or "
                              "wasm:PATH.wasm; "
                              "`memconform dialects`, `memconform mutants --list`)");
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
