#include "tools/memconform/driver_command.h"

#include <unistd.h>

#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "conformance/runner/loader.h"
#include "conformance/runner/protocol.h"
#include "conformance/targets/factory.h"
#include "tools/memconform/op_server.h"

namespace memconform::cli {

using namespace memconform::conformance;
using nlohmann::json;

namespace {

// One request line -> one response line. A request that cannot be run is an
// error response for its id, and the driver goes on.
json answer(const std::string& line, std::uint64_t& id, Target& target, const std::optional<MemoryConfig>& fixed) {
  id = 0;
  const json request = json::parse(line, nullptr, false);
  if (request.is_discarded() || !request.is_object()) return {{"id", nullptr}, {"error", "the request is not a JSON object"}};
  if (!request.contains("id") || !request["id"].is_number_unsigned()) return {{"id", nullptr}, {"error", "the request has no id"}};
  id = request["id"].get<std::uint64_t>();
  if (!request.contains("vector")) return {{"id", id}, {"error", "the request has no vector"}};
  const json file{{"schema", std::string(kSchemaName)}, {"area", "driver"}, {"description", "one request"}, {"vectors", {request["vector"]}}};
  std::vector<LoadError> errors;
  const VectorFile loaded = loadVectorFile("request " + std::to_string(id), file.dump(), errors);
  if (!errors.empty()) return {{"id", id}, {"error", describe(errors.front())}};
  Vector vector = loaded.vectors.front();
  if (fixed) vector.setup.memory = *fixed;  // whatever the request says
  const VectorRun run = runVector(vector, target, {.keepEndState = true});
  if (run.status != VectorRun::Status::Completed || !run.endState) return {{"id", id}, {"error", run.reason}};
  return protocol::responseJson(id, vector, run);
}

}  // namespace

int runDriver(const DriverCommand& c) {
  const std::unique_ptr<Target> target = makeTargetOrReport("driver", c.target);
  if (!target) return 2;
  protocol::Hello hello{.implementation = "memconform " + target->name(), .capabilities = target->capabilities()};
  // A target that runs part of the API (a plugin's NULL slots) lists its ops.
  std::set<OpKind> ops;
  for (const OpSpec& op : allOps())
    if (target->supports(op.kind)) ops.insert(op.kind);
  if (ops.size() < allOps().size()) hello.ops = std::move(ops);
  std::optional<MemoryConfig> fixed;
  if (!c.fixedMemory.empty()) {
    unsigned initial = 0, maximum = 0;
    char slash = 0;
    std::istringstream in(c.fixedMemory);
    if (!(in >> initial >> slash >> maximum) || slash != '/' || !in.eof() || initial > maximum || maximum > 65536) {
      std::cerr << "memconform driver: --fixed-memory \"" << c.fixedMemory
                << "\": expected INITIAL/MAXIMUM pages, INITIAL <= MAXIMUM <= 65536\n";
      return 2;
    }
    fixed = MemoryConfig{initial, maximum};
    hello.capabilities.erase("memory-config");
    hello.memory = fixed;
  }
  if (c.protocol == protocol::kOpAtATimeVersion) return serveOpAtATime(*target, hello, fixed, STDIN_FILENO, std::cout);
  std::cout << protocol::helloJson(hello).dump() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::uint64_t id = 0;
    std::cout << answer(line, id, *target, fixed).dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
  }
  return 0;
}

}  // namespace memconform::cli
