// The function table behind SCOPE-11.
#include <gtest/gtest.h>

#include "core/function_table.h"
#include "support.h"

namespace memconform {
namespace {
using testing::errorOf;

// Rule SCOPE-11.
TEST(FunctionTable, SCOPE_11_FreedIndexesAreReusedMostRecentFirst) {
  FunctionTable table;
  const TableIndex a = table.install({"a", "v"}).value(), b = table.install({"b", "i(ii)"}).value(), c = table.install({"c", "vp"}).value();
  EXPECT_EQ(a, 1u);  // slot 0 is the null function
  EXPECT_EQ(b, 2u);
  EXPECT_EQ(c, 3u);
  EXPECT_EQ(table.uninstall(a).value().name, "a");
  table.uninstall(c).value();
  EXPECT_EQ(table.install({"d", "v"}).value(), c);  // the most recently freed
  EXPECT_EQ(table.install({"e", "v"}).value(), a);
  EXPECT_EQ(table.install({"f", "v"}).value(), 4u);
}

// Rule SCOPE-11.
TEST(FunctionTable, SCOPE_11_UninstallingAnEmptyOrReservedSlotIsRefused) {
  FunctionTable table;
  const TableIndex a = table.install({"a", "v"}).value();
  table.uninstall(a).value();
  EXPECT_EQ(errorOf([&] { table.uninstall(a).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { table.uninstall(0).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(errorOf([&] { table.uninstall(99).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(table.install({"b", "v"}).value(), a);  // the free list holds `a` once
  EXPECT_EQ(table.install({"c", "v"}).value(), 2u);
}

// Rule SCOPE-11.
TEST(FunctionTable, SCOPE_11_SignaturesAreChecked) {
  for (const char* ok : {"v", "i", "v(i)", "iii", "j(pP)", "d(fd)", "vs"}) EXPECT_TRUE(isValidSignature(ok)) << ok;
  for (const char* bad : {"", "x", "vv", "i(i", "(i)", "v(v)"}) EXPECT_FALSE(isValidSignature(bad)) << bad;
  FunctionTable table;
  EXPECT_EQ(errorOf([&] { table.install({"f", "q"}).value(); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(table.length(), 1u);
}

}  // namespace
}  // namespace memconform
