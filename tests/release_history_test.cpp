// When behaviour changed across releases (`memconform matrix --releases`,
// conformance/runner/release_history.h): a change is listed once, at the
// first release that shows it, under the rules it concerns; where a
// release's allocator, table or script put things is not a change; the
// memory import's limits are compared; package lines are not compared with
// each other.
#include "conformance/runner/release_history.h"

#include <gtest/gtest.h>

#include <sstream>

#include "conformance/runner/checks.h"
#include "conformance/runner/executor.h"

namespace memconform::conformance {
namespace {

VectorResult passing(std::string id, std::vector<std::string> rules) {
  VectorResult v;
  v.id = std::move(id);
  v.rules = std::move(rules);
  return v;
}

// A vector that failed one op with `actual`, after an op whose events were `events`.
VectorResult failing(std::string id, std::string rule, std::string actual, std::string events = "[]") {
  VectorResult v = passing(std::move(id), {rule});
  v.status = Status::Fail;
  Failure f;
  f.pointer = "/vectors/3/ops/1";
  f.op = "peek";
  f.rule = rule;
  f.expected = "value 0";
  f.actual = std::move(actual);
  v.failures.push_back(f);
  v.trace.push_back({"/vectors/3/ops/0", "alloc", "value", std::move(events)});
  return v;
}

Report report(std::vector<VectorResult> results, std::uint32_t minimumPages = 256) {
  Report r;
  r.results = std::move(results);
  r.minimumPages = minimumPages;
  return r;
}

const std::vector<std::string> kRules{"GROW-5", "SCOPE-3", "SCOPE-11", "SAFE-2"};

// Four releases of P and one of Q: GROW-5's vector starts failing in P 2 and
// stays so; the others fail alike in every release, their addresses, slots
// and script positions aside; P 3 needs a smaller memory.
ReleaseHistory sample() {
  std::vector<Report> reports{
      report({passing("grow/a", {"GROW-5"}),
              failing("scope/b", "SCOPE-3", "events [dealloc(1008)]", "[alloc(1000, size 16)]"),
              failing("scope/c", "SCOPE-11", "events [uninstall(600)]; value 600", "[install(600)]"),
              failing("peek/d", "SAFE-2", "READ of size 4 at 0 (module-data: below 663517) at f (file:///x/jswasm/sqlite3.mjs:7039:30)")}),
      report({failing("grow/a", "GROW-5", "value 33554432"),
              failing("scope/b", "SCOPE-3", "events [dealloc(2008)]", "[alloc(2000, size 16)]"),
              failing("scope/c", "SCOPE-11", "events [uninstall(611)]; value 611", "[install(611)]"),
              failing("peek/d", "SAFE-2", "READ of size 4 at 0 (module-data: below 667613) at Installer.f (file:///y/dist/node.mjs:7123:30)")}),
      report({failing("grow/a", "GROW-5", "value 33554432"), passing("scope/b", {"SCOPE-3"})}, 128),
      report({failing("grow/a", "GROW-5", "value 33554432"), passing("scope/b", {"SCOPE-3"})}, 128),
      report({passing("grow/a", {"GROW-5"})}),
  };
  std::vector<Release> releases{{"P", "1", "/x", 0}, {"P", "2", "/y", 1}, {"P", "3", "/z", 2}, {"P", "3-build1", "/w", 3},
                                {"Q", "1", "/q", 4}};
  return buildHistory(reports, releases, kRules);
}

TEST(ReleaseHistory, AChangeIsListedOnceAtTheFirstReleaseThatShowsIt) {
  const ReleaseHistory h = sample();
  ASSERT_EQ(h.byRule.count("GROW-5"), 1u);
  const auto& grow = h.byRule.at("GROW-5");
  ASSERT_EQ(grow.size(), 1u);  // P 3 and P 3-build1 behave as P 2; Q 1 is not compared with P
  EXPECT_EQ(grow[0].from, "1");
  EXPECT_EQ(grow[0].to, "2");
  ASSERT_EQ(grow[0].vectors.size(), 1u);
  EXPECT_EQ(grow[0].vectors[0].before, "passes");
  EXPECT_EQ(grow[0].vectors[0].after, "ops/1 [GROW-5]: value 33554432");
}

TEST(ReleaseHistory, AddressesSlotsAndScriptPositionsAreComparedByRole) {
  const ReleaseHistory h = sample();
  // scope/b, scope/c and peek/d fail alike in P 1 and P 2.
  EXPECT_EQ(h.byRule.count("SCOPE-11"), 0u);
  EXPECT_EQ(h.byRule.count("SAFE-2"), 0u);
  ASSERT_EQ(h.byRule.count("SCOPE-3"), 1u);
  ASSERT_EQ(h.byRule.at("SCOPE-3").size(), 1u);  // only where scope/b starts to pass
  EXPECT_EQ(h.byRule.at("SCOPE-3")[0].to, "3");
  EXPECT_EQ(h.byRule.at("SCOPE-3")[0].vectors[0].before, "ops/1 [SCOPE-3]: events [dealloc(block#1+8)]");
  VectorResult c = failing("scope/c", "SCOPE-11", "events [uninstall(611)]; value 611", "[install(611)]");
  EXPECT_EQ(behaviourOf(c, ""), "ops/1 [SCOPE-11]: events [uninstall(slot#1)]; value slot#1");
}

TEST(ReleaseHistory, TheMemoryImportIsCompared) {
  const ReleaseHistory h = sample();
  ASSERT_EQ(h.memory.size(), 1u);
  EXPECT_EQ(h.memory[0].to, "3");
  EXPECT_EQ(h.memory[0].vectors[0].before, "initial pages at least 256, maximum at most 65536");
  EXPECT_EQ(h.memory[0].vectors[0].after, "initial pages at least 128, maximum at most 65536");
  EXPECT_EQ(h.changes(), 3u);  // GROW-5 at 2, SCOPE-3 at 3, memory at 3
}

TEST(ReleaseHistory, PagesNameTheReleaseOfEachChange) {
  std::ostringstream md, html;
  const ReleaseHistory h = sample();
  writeHistoryMarkdown(h, md);
  writeHistoryHtml(h, html);
  EXPECT_NE(md.str().find("| GROW-5 | P 2 (1) |"), std::string::npos) << md.str();
  EXPECT_NE(md.str().find("| memory import (initial size) | P 3 |"), std::string::npos) << md.str();
  EXPECT_NE(html.str().find("P 2 (from 1): 1 vector"), std::string::npos) << html.str();
  EXPECT_EQ(historyJson(h)["rules"]["GROW-5"][0]["to"], "2");
}

}  // namespace
}  // namespace memconform::conformance
