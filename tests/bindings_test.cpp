// Names bound in a vector (conformance/runner/checks.h): found by scanning
// up to a few dozen names, through a hash index past that, the same either
// way; a trial match of event patterns is undone by truncating.
#include <gtest/gtest.h>

#include <string>

#include "conformance/runner/checks.h"

namespace memconform::conformance {
namespace {

double boundTo(const Bindings& b, const std::string& name) {
  const Value* v = b.find(name);
  return v && v->get<double>() ? *v->get<double>() : -1;
}

// Past the few dozen names a scan serves, lookups go through the index: every
// name is found with its value, rebinding changes the value in place (the
// first-bound order stays), and a name that differs from a bound one in one
// character, or is a prefix of one, is not bound.
TEST(Bindings, AThousandNamesAreFoundRebindInPlaceAndKeepTheirOrder) {
  Bindings b;
  for (int i = 0; i < 1000; ++i) b.set("p" + std::to_string(i), double(i));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(boundTo(b, "p" + std::to_string(i)), double(i)) << i;
  b.set("p7", 70.0);
  EXPECT_EQ(b.size(), 1000u);
  EXPECT_EQ(boundTo(b, "p7"), 70.0);
  EXPECT_EQ(std::next(b.begin(), 7)->first, "p7");
  for (const char* unbound : {"p1000", "q7", "p", "7p", "p07"}) EXPECT_FALSE(b.contains(unbound)) << unbound;
}

// Truncating forgets exactly the names bound after the mark, whether the
// index was in use before, after or neither; names bound again after it are
// found at their new values.
TEST(Bindings, TruncateForgetsOnlyTheNamesBoundAfterTheMark) {
  for (const std::size_t bound : {10, 100, 1000})
    for (const std::size_t mark : {0, 5, 64, 65, 90, 999}) {
      if (mark > bound) continue;
      SCOPED_TRACE(std::to_string(bound) + " names, truncated to " + std::to_string(mark));
      Bindings b;
      for (std::size_t i = 0; i < bound; ++i) b.set("n" + std::to_string(i), double(i));
      b.truncate(mark);
      EXPECT_EQ(b.size(), mark);
      for (std::size_t i = 0; i < bound; ++i) EXPECT_EQ(b.contains("n" + std::to_string(i)), i < mark) << i;
      for (std::size_t i = 0; i < 200; ++i) b.set("n" + std::to_string(i), 1000.0 + double(i));
      for (std::size_t i = 0; i < 200; ++i) EXPECT_EQ(boundTo(b, "n" + std::to_string(i)), 1000.0 + double(i)) << i;
      EXPECT_EQ(b.size(), std::max<std::size_t>(200, mark));
    }
}

// Names bound and forgotten again and again (a trial match that fails on
// every op of a long vector) leave forgotten slots behind: the index is
// rebuilt before they fill it, and a lookup of an unbound name ends.
TEST(Bindings, NamesForgottenOverAndOverDoNotFillTheIndex) {
  Bindings b;
  for (int i = 0; i < 100; ++i) b.set("n" + std::to_string(i), double(i));
  for (int i = 0; i < 20000; ++i) {
    b.set("t" + std::to_string(i), double(i));
    b.truncate(100);
  }
  EXPECT_FALSE(b.contains("t19999"));
  EXPECT_FALSE(b.contains("never"));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(boundTo(b, "n" + std::to_string(i)), double(i)) << i;
}

}  // namespace
}  // namespace memconform::conformance
