// The plugin: target (conformance/include/memconform/target.h): the example C
// plugin passes every vector it can run, built with fewer capabilities it
// skips the vectors that need more, the same plugin with a planted
// CALL-1 bug fails exactly the CALL-1 vectors, and plugins that break the
// ABI are refused with a message that names the library and the problem.
#include "conformance/targets/plugin_target.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "conformance/runner/loader.h"
#include "conformance/runner/expectations.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"
#include "core/errors.h"
#include "fuzz/differential.h"
#include "fuzz/op_decoder.h"

namespace memconform::conformance {
namespace {

std::string plugin(const std::string& name) { return std::string(MEMCONFORM_PLUGIN_DIR) + "/lib" + name + ".so"; }

const Corpus& corpus() {
  static const Corpus c = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors"});
  return c;
}

std::string refusal(const std::string& spec) {
  try {
    makeTarget(spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(PluginTarget, ExamplePluginPassesEveryVector) {
  PluginTarget target(plugin("memconform_example_plugin"));
  const Report r = replay(corpus(), target, {});
  EXPECT_EQ(r.count(Status::Pass), r.results.size());
  for (const auto& v : r.results)
    EXPECT_EQ(v.status, Status::Pass) << v.id << ": " << v.reason << (v.failures.empty() ? "" : " " + v.failures.front().actual);
}

// A plugin that declares part of the capabilities (memconform_example_plugin_
// fixed_build: no memory-config, grow-faults, growth-params, raw-grow, i64)
// gets only the vectors it can run; those pass, the others are skipped with
// the capability they need.
TEST(PluginTarget, FixedBuildPluginPassesWhatItCanRunAndSkipsTheRest) {
  PluginTarget target(plugin("memconform_example_plugin_fixed_build"));
  const Report r = replay(corpus(), target, {});
  for (const auto& v : r.results) {
    EXPECT_TRUE(v.status == Status::Pass || v.status == Status::Skipped) << v.id << ": " << v.reason;
    if (v.status == Status::Skipped) EXPECT_NE(v.reason.find("requires"), std::string::npos) << v.id << ": " << v.reason;
  }
  EXPECT_GT(r.count(Status::Pass), 300u);
  EXPECT_GT(r.count(Status::Skipped), 200u);
}

// fuzz_differential against that plugin: the generated sequences are fitted
// to what it declares, so the reference and the plugin agree on each.
TEST(PluginTarget, FixedBuildPluginAgreesWithTheReferenceOnFittedFuzzInputs) {
  PluginTarget target(plugin("memconform_example_plugin_fixed_build"));
  ReferenceTarget reference;
  std::size_t inputs = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(MEMCONFORM_SOURCE_DIR) + "/corpus/fuzz_differential")) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Vector v = fuzz::decodeOps(bytes);
    fuzz::fitToTarget(v, target);
    const VectorRun expected = runVector(v, reference);
    const VectorRun actual = runVector(v, target);
    const auto d = fuzz::compareRuns(expected, actual);
    EXPECT_FALSE(d) << e.path().filename() << ": " << d->op << " " << d->rule << ": reference " << d->reference << " | plugin " << d->target;
    ++inputs;
  }
  EXPECT_GT(inputs, 100u);
}

// Rule CALL-1: scopedAllocCall pops the scope it pushed, not the top one. The
// planted bug is upstream's own divergence, so it must fail exactly the
// vectors that the sqlite-wasm expectations list for CALL-1.
TEST(PluginTarget, CALL_1_PlantedPopTopBugFailsWhatUpstreamFails) {
  PluginTarget target(plugin("memconform_example_plugin_pops_top"));
  const Report r = replay(corpus(), target, {});
  std::set<std::string> failed, upstream;
  for (const auto& v : r.results)
    if (v.status == Status::Fail) failed.insert(v.id);
  std::vector<LoadError> errors;
  const Expectations e =
      readExpectations(std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/expectations/sqlite-wasm-3.54.1-build1.json", errors);
  ASSERT_TRUE(errors.empty());
  for (const auto& [id, known] : e.vectors)
    if (known.reason.rfind("CALL-1:", 0) == 0) upstream.insert(id);
  EXPECT_FALSE(failed.empty());
  EXPECT_EQ(failed, upstream);
}

TEST(PluginTarget, BrokenPluginsAreRefusedWithTheReason) {
  EXPECT_NE(refusal("plugin:/nonexistent/libglue.so").find("/nonexistent/libglue.so: cannot load it"), std::string::npos);
  EXPECT_NE(refusal("plugin:" + plugin("broken_plugin_no_entry")).find("exports no memconform_target_v1"), std::string::npos);
  EXPECT_NE(refusal("plugin:" + plugin("broken_plugin_abi_version")).find("ABI version is 99"), std::string::npos);
  EXPECT_NE(refusal("plugin:" + plugin("broken_plugin_capability")).find("unknown capability \"time-travel\""),
            std::string::npos);
  EXPECT_NE(refusal("plugin:").find("needs the path"), std::string::npos);
}

TEST(PluginTarget, RefusedSetupSkipsTheVectorAndMissingOpsSkipIt) {
  PluginTarget refuses(plugin("broken_plugin_create_refuses"));
  ReplayOptions only;
  only.filter = "scope/alloc/*";
  Report r = replay(corpus(), refuses, only);
  ASSERT_FALSE(r.results.empty());
  for (const auto& v : r.results) {
    EXPECT_EQ(v.status, Status::Skipped) << v.id;
    EXPECT_NE(v.reason.find("refuses every setup"), std::string::npos) << v.reason;
  }
  PluginTarget partial(plugin("broken_plugin_status"));
  EXPECT_TRUE(partial.supports(OpKind::Alloc));
  EXPECT_FALSE(partial.supports(OpKind::Push));
  EXPECT_FALSE(partial.supports(OpKind::Heap));
}

TEST(PluginTarget, StatusOutsideTheEnumIsAVectorError) {
  PluginTarget target(plugin("broken_plugin_status"));
  ReplayOptions only;
  only.filter = "scope/alloc/*";
  const Report r = replay(corpus(), target, only);
  std::size_t errors = 0;
  for (const auto& v : r.results)
    if (v.status == Status::Error) {
      ++errors;
      EXPECT_NE(v.reason.find("returned status 42"), std::string::npos) << v.reason;
    }
  EXPECT_GT(errors, 0u);
}

// Rule CALL-2: a plugin whose scopedAllocCall swallows the body's throw is
// caught by the vectors that expect Thrown.
TEST(PluginTarget, CALL_2_SwallowedThrowFailsTheVector) {
  PluginTarget target(plugin("broken_plugin_swallows_throw"));
  Vector v;
  v.id = "call/swallowed";
  Op body;
  body.kind = OpKind::Throw;
  Op call;
  call.kind = OpKind::Call;
  call.body.push_back(body);
  auto e = std::make_shared<Expectation>();
  e->outcome.error = ErrorKind::Thrown;
  call.expect = e;
  v.ops.push_back(call);
  const VectorRun run = runVector(v, target);
  ASSERT_FALSE(run.failures.empty());
  EXPECT_NE(run.failures.front().expected.find("Thrown"), std::string::npos) << run.failures.front().expected;
}

}  // namespace
}  // namespace memconform::conformance
