// GROW-1..6 against the independent oracle: scripts/grow_oracle.mjs evaluates
// the JavaScript formula in Node over hundreds of cases; the reference must
// reproduce every result, every attempt (bit for bit) and the final size.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/resize_policy.h"

namespace memconform {
namespace {

double decodeNumber(const nlohmann::json& j) {  // SEMANTICS.md section 10
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (s == "-0") return -0.0;
  throw std::runtime_error("unknown number encoding " + s);
}

// Rules GROW-1, GROW-2, GROW-3, GROW-4, GROW-5, GROW-6.
TEST(GrowOracle, GROW_1_2_3_4_5_6_MatchTheJavaScriptOracleBitForBit) {
  std::ifstream in(MEMCONFORM_GROW_ORACLE);
  ASSERT_TRUE(in) << "missing " << MEMCONFORM_GROW_ORACLE << " (built by the grow_oracle target)";
  const auto table = nlohmann::json::parse(in);
  const auto& cases = table.at("cases");
  ASSERT_GE(cases.size(), 200u);
  std::size_t checked = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    GrowthFaults faults;
    if (c.at("faults").contains("failAttempts")) faults.failAttempts = c["faults"]["failAttempts"].get<std::vector<std::uint64_t>>();
    if (c.at("faults").contains("failAbovePages")) faults.failAbovePages = c["faults"]["failAbovePages"].get<std::uint32_t>();
    GrowthParams params;
    params.geometricStep = c["params"]["geometricStep"];
    params.overgrowthCap = c["params"]["overgrowthCap"];
    params.alignment = c["params"]["alignment"];
    params.maxHeapSize = c["params"]["maxHeapSize"];
    LinearMemory memory({c["memory"]["initialPages"], c["memory"]["maximumPages"]}, faults);

    const ResizeOutcome got = resizeHeap(memory, params, decodeNumber(c.at("requested")));

    const auto& expect = c.at("expect");
    EXPECT_EQ(got.result, expect.at("result").get<bool>());
    EXPECT_EQ(got.finalByteLength, expect.at("finalByteLength").get<std::uint64_t>());
    ASSERT_EQ(got.attempts.size(), expect.at("attempts").size());
    for (std::size_t i = 0; i < got.attempts.size(); ++i) {
      const double want = decodeNumber(expect["attempts"][i]["newSize"]);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(got.attempts[i].newSize), std::bit_cast<std::uint64_t>(want))
          << "attempt " << i << ": " << got.attempts[i].newSize << " vs " << want;
      EXPECT_EQ(got.attempts[i].ok, expect["attempts"][i]["ok"].get<bool>()) << "attempt " << i;
    }
    ++checked;
  }
  RecordProperty("oracle_cases", std::to_string(checked));
  std::printf("GROW oracle: %zu cases compared bit for bit\n", checked);
}

}  // namespace
}  // namespace memconform
