// The op catalog (conformance/runner/ops.h) is the one list of ops; the JSON
// Schema and the implementer's guide must say the same, and every error kind
// and capability must be documented.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/capabilities.h"
#include "conformance/runner/ops.h"
#include "support.h"
#include "conformance/runner/vector.h"
#include "core/errors.h"

namespace memconform::conformance {
namespace {

using memconform::testing::readProjectFile;


TEST(OpCatalog, IndexedByKind) {
  for (std::size_t i = 0; i < allOps().size(); ++i) {
    const auto kind = static_cast<OpKind>(i);
    EXPECT_EQ(opSpec(kind).kind, kind) << opSpec(kind).name;
    EXPECT_EQ(findOp(opSpec(kind).name), &opSpec(kind));
  }
}

TEST(OpCatalog, SchemaDefinesEveryOpWithTheSameParameters) {
  const auto schema = nlohmann::json::parse(readProjectFile("conformance/schema/vectors.schema.json"));
  const auto& defs = schema["definitions"];
  std::set<std::string> schemaOps;
  for (const auto& name : defs["op"]["properties"]["op"]["enum"]) schemaOps.insert(name.get<std::string>());
  std::set<std::string> catalogOps;
  for (const auto& op : allOps()) {
    const std::string name(op.name);
    catalogOps.insert(name);
    ASSERT_TRUE(defs.contains("op_" + name)) << name;
    const auto& def = defs["op_" + name];
    std::set<std::string> properties, required, params{"op", "as", "expect", "rule", "comment"}, requiredParams{"op"};
    for (const auto& [key, value] : def["properties"].items()) properties.insert(key);
    for (const auto& key : def["required"]) required.insert(key.get<std::string>());
    for (const auto& p : op.params) {
      params.insert(std::string(p.name));
      if (p.required) requiredParams.insert(std::string(p.name));
    }
    EXPECT_EQ(properties, params) << name;
    EXPECT_EQ(required, requiredParams) << name;
    EXPECT_EQ(def["additionalProperties"], false) << name;
  }
  EXPECT_EQ(schemaOps, catalogOps);
}

TEST(OpCatalog, TheGuideDocumentsEveryOpErrorKindAndCapability) {
  const std::string guide = readProjectFile("docs/VECTORS.md");
  for (const auto& op : allOps())
    EXPECT_NE(guide.find("`" + std::string(op.name) + "`"), std::string::npos) << op.name;
  for (int k = 0; k <= static_cast<int>(kLastErrorKind); ++k) {
    const std::string name(errorKindName(static_cast<ErrorKind>(k)));
    EXPECT_NE(guide.find("`" + name + "`"), std::string::npos) << name;
  }
  for (const auto& c : knownCapabilities()) EXPECT_NE(guide.find("`" + c + "`"), std::string::npos) << c;
}

}  // namespace
}  // namespace memconform::conformance
