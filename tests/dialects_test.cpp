// Dialects (core/dialects.h): the reference speaking a release's dialect
// passes every vector that the release passes through the Node driver and
// fails the same ops, the same way (both runs judged with the release's
// per-op expectations file, less the SAFE-2 reports of the driver's access
// check); every variant changes what some vector sees,
// and the named dialects and variants are the ones the target spec accepts.
#include "core/dialects.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "conformance/runner/expectations.h"
#include "conformance/runner/replay.h"
#include "conformance/targets/factory.h"
#include "conformance/targets/reference_target.h"

namespace memconform::conformance {
namespace {

const Corpus& corpus() {
  static const Corpus c = loadCorpus({std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/vectors"});
  return c;
}

Expectations expectationsOf(const std::string& release) {
  std::vector<LoadError> errors;
  Expectations e = readExpectations(
      std::string(MEMCONFORM_SOURCE_DIR) + "/conformance/expectations/sqlite-wasm-" + release + ".json", errors);
  EXPECT_TRUE(errors.empty());
  return e;
}

std::map<std::string, VectorResult> byId(const Report& r) {
  std::map<std::string, VectorResult> out;
  for (const auto& v : r.results) out[v.id] = v;
  return out;
}

// The release's expectations but for what only the driver's access check
// sees (its SAFE-2 reports, docs/SEMANTICS.md section 12): the reference
// has no such check (ASan's poisoning is its SAFE-2, and a dialect's
// accesses are allowed).
Expectations withoutAccessReports(Expectations e) {
  for (auto& [id, known] : e.vectors)
    for (auto& [pointer, op] : known.failures.ops) std::erase(op.outcome.violations, std::string("SAFE-2"));
  return e;
}

// The one test of the issue: release and dialect, vector by vector.
void expectTheDialectFailsWhatTheReleaseFails(const std::string& release, const std::string& dialect) {
  const Expectations e = expectationsOf(release), withoutAccesses = withoutAccessReports(e);
  ReplayOptions options;
  options.expectations = &e;
  auto driver = makeTarget("cmd:node " + std::string(MEMCONFORM_SOURCE_DIR) +
                           "/conformance/drivers/node/driver.mjs --release " + release);
  const auto real = byId(replay(corpus(), *driver, options));
  ReferenceTarget speaking(findDialect(dialect)->variants, "reference?dialect=" + dialect);
  options.expectations = &withoutAccesses;
  const auto spoken = byId(replay(corpus(), speaking, options));
  std::size_t compared = 0, failing = 0;
  for (const auto& [id, r] : real) {
    if (r.status == Status::Skipped) continue;  // the release cannot run it (its module's minimum memory, a capability)
    ++compared;
    failing += r.status == Status::ExpectedFail;
    ASSERT_TRUE(r.status == Status::Pass || r.status == Status::ExpectedFail) << release << " " << id << ": " << r.reason;
    const VectorResult& d = spoken.at(id);
    EXPECT_EQ(statusName(d.status), statusName(r.status))
        << dialect << " " << id << ": " << d.reason
        << (d.failures.empty() ? "" : "; " + d.failures.front().pointer + ": expected " + d.failures.front().expected +
                                          "; actual " + d.failures.front().actual);
  }
  EXPECT_GT(compared, 500u);
  EXPECT_GT(failing, 70u);  // the releases fail 76 and 79 vectors: the dialect fails the same ones
  std::cout << release << ": " << compared << " vectors compared, " << failing << " failed as listed by both\n";
}

TEST(Dialects, SqliteWasm354FailsWhatRelease354_1Fails) {
  expectTheDialectFailsWhatTheReleaseFails("3.54.1-build1", "sqlite-wasm-3.54");
}

TEST(Dialects, SqliteWasm341FailsWhatRelease341_2Fails) {
  expectTheDialectFailsWhatTheReleaseFails("3.41.2", "sqlite-wasm-3.41");
}

// Every variant of a dialect is needed: without it the dialect gives another
// outcome on some vector (a switch that no replay can see would be dead
// code). A variant in no dialect changes some vector on its own. The ones
// no vector reaches yet are listed, so that the list can only shrink.
std::string outcomes(const Report& r) {
  std::string out;
  for (const auto& v : r.results) {
    out += v.id + ":" + std::string(statusName(v.status));
    for (const auto& f : v.failures) out += " " + f.pointer + "=" + f.actual;
    out += "\n";
  }
  return out;
}

TEST(Dialects, EveryVariantChangesWhatSomeVectorSees) {
  // Variants that no vector reaches yet (table-free-list-upstream is reached
  // by scope/functions/failed-install-keeps-the-freed-slot, which requires
  // table-slot-reuse).
  const std::set<std::string_view> notYetReached{};
  std::set<Variant> inADialect;
  for (const auto& d : allDialects()) {
    const std::string all = outcomes(replay(corpus(), *makeTarget("reference?dialect=" + std::string(d.name)), {}));
    for (const auto& v : allVariants()) {
      if (!d.variants.test(static_cast<std::size_t>(v.id))) continue;
      inADialect.insert(v.id);
      Dialect without = d.variants;
      without.reset(static_cast<std::size_t>(v.id));
      ReferenceTarget target(without, "reference?variants=" + variantNames(without));
      const bool changes = outcomes(replay(corpus(), target, {})) != all;
      if (notYetReached.count(v.name)) EXPECT_FALSE(changes) << v.name << " is reached now: take it off the list";
      else EXPECT_TRUE(changes) << d.name << " without " << v.name << " changes no vector";
    }
  }
  const std::string spec = outcomes(replay(corpus(), *makeTarget("reference"), {}));
  for (const auto& v : allVariants())
    if (!inADialect.count(v.id))
      EXPECT_NE(outcomes(replay(corpus(), *makeTarget("reference?variants=" + std::string(v.name)), {})), spec)
          << v.name << " changes no vector";
}

TEST(Dialects, TargetsNameADialectOrVariants) {
  EXPECT_EQ(makeTarget("reference?dialect=sqlite-wasm-3.54")->name(), "reference?dialect=sqlite-wasm-3.54");
  EXPECT_EQ(makeTarget("reference?variants=call-pops-top,align-unchecked")->name(),
            "reference?variants=call-pops-top,align-unchecked");
  for (const auto& [spec, message] : std::vector<std::pair<std::string, std::string>>{
           {"reference?dialect=nope", "unknown dialect \"nope\" (known: sqlite-wasm-3.41, "},
           {"reference?variants=call-pops-top,nope", "unknown variant \"nope\" (known: grow-pages-fraction, "},
           {"reference?x=1", "expected reference?dialect=NAME or reference?variants=NAME,NAME"}}) {
    try {
      makeTarget(spec);
      ADD_FAILURE() << spec << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  // docs/SEMANTICS.md section 13 names every variant and dialect.
  std::ifstream in(std::string(MEMCONFORM_SOURCE_DIR) + "/docs/SEMANTICS.md");
  const std::string spec((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& v : allVariants()) EXPECT_NE(spec.find("| `" + std::string(v.name) + "` |"), std::string::npos) << v.name;
  for (const auto& d : allDialects()) EXPECT_NE(spec.find("| `" + std::string(d.name) + "` |"), std::string::npos) << d.name;
  // Each release line's dialect has the variants seen in it.
  for (const auto& d : allDialects())
    for (const auto& v : allVariants())
      if (d.variants.test(static_cast<std::size_t>(v.id)) && d.name.rfind("sqlite-wasm-3.", 0) == 0)
        EXPECT_NE(v.seenIn.find(d.name.substr(12)), std::string_view::npos) << d.name << " has " << v.name;
}

}  // namespace
}  // namespace memconform::conformance
