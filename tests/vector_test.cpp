// OpArgs (conformance/runner/vector.h): an op's arguments behave as the
// std::map they replace: name order, emplace keeps what is there, [] adds.
#include "conformance/runner/vector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memconform::conformance {
namespace {

double numberOf(const Expr& e) { return *std::get<Value>(e.form).get<double>(); }

std::vector<std::string> names(const OpArgs& args) {
  std::vector<std::string> out;
  for (const auto& [name, expr] : args) out.push_back(name);
  return out;
}

TEST(OpArgs, IteratesInNameOrderWhateverTheInsertionOrder) {
  OpArgs args;
  args["value"] = Expr{Value(1.0)};
  args["address"] = Expr{Value(2.0)};
  args.emplace("type", Expr{Value(std::string("i32"))});
  args.emplace("safePtrSize", Expr{Value(true)});
  EXPECT_EQ(names(args), (std::vector<std::string>{"address", "safePtrSize", "type", "value"}));
  EXPECT_EQ(args.size(), 4u);
}

TEST(OpArgs, EmplaceKeepsAnExistingArgumentAsAMapDoes) {
  OpArgs args;
  EXPECT_TRUE(args.emplace("size", Expr{Value(8.0)}).second);
  const auto [it, added] = args.emplace("size", Expr{Value(16.0)});
  EXPECT_FALSE(added);
  EXPECT_EQ(numberOf(it->second), 8.0);
  EXPECT_EQ(args.size(), 1u);
}

TEST(OpArgs, IndexingAddsAnUndefinedArgumentOnce) {
  OpArgs args;
  EXPECT_TRUE(std::get<Value>(args["frames"].form).isUndefined());
  args["frames"] = Expr{Value(2.0)};
  EXPECT_EQ(numberOf(args["frames"]), 2.0);
  EXPECT_EQ(args.size(), 1u);
}

TEST(OpArgs, FindAndCountSeeOnlyWholeNames) {
  OpArgs args;
  args["scope"] = Expr{Value(1.0)};
  args["size"] = Expr{Value(2.0)};
  EXPECT_EQ(args.count("size"), 1u);
  EXPECT_EQ(args.count("s"), 0u);
  EXPECT_EQ(args.count("sizes"), 0u);
  EXPECT_EQ(args.find("scope")->first, "scope");
  EXPECT_EQ(args.find("result"), args.end());
  const OpArgs& constant = args;
  EXPECT_EQ(numberOf(constant.find("size")->second), 2.0);
  EXPECT_EQ(constant.find("siz"), constant.end());
  args.clear();
  EXPECT_TRUE(args.empty());
}

}  // namespace
}  // namespace memconform::conformance
