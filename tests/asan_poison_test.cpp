// SAFE-2: bytes of linear memory outside live allocations are poisoned, so an
// implementation writing past its block or into freed memory through its own
// (instrumented) paths stops with an AddressSanitizer report, while the
// caller's explicit peek/poke stay legal anywhere in bounds.
#include <gtest/gtest.h>

#include "conformance/runner/executor.h"
#include "conformance/runner/loader.h"
#include "conformance/targets/reference_target.h"
#include "core/asan_poison.h"
#include "support.h"

namespace memconform {
namespace {
using testing::smallConfig;

class AsanPoison : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!asan::enabled()) GTEST_SKIP() << "SAFE-2 is enforced by AddressSanitizer: build with the asan preset";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// A planted bug of the kind real glue code has: a C-string copy that writes
// one byte more than it allocated.
void copyStringWithOffByOne(Instance& inst, const std::string& s) {
  inst.scopedAllocPush();
  const Address p = inst.scopedAlloc(s.size()).value();  // forgot the NUL
  inst.memory().internalWrite(p, s.c_str(), s.size() + 1);
}

// Rule SAFE-2.
TEST_F(AsanPoison, SAFE_2_AnOverflowThroughTheImplementationStopsWithAnAsanReport) {
  EXPECT_DEATH(
      {
        Instance inst(smallConfig());
        copyStringWithOffByOne(inst, "ten chars!");
      },
      "AddressSanitizer: use-after-poison");
}

// Rule SAFE-2.
TEST_F(AsanPoison, SAFE_2_AWriteIntoFreedMemoryStopsWithAnAsanReport) {
  EXPECT_DEATH(
      {
        Instance inst(smallConfig());
        const Address p = inst.alloc(64).value();
        inst.dealloc(p).value();
        inst.memory().internalFill(p, 0, 8);
      },
      "AddressSanitizer: use-after-poison");
}

// Rule SAFE-2.
TEST_F(AsanPoison, SAFE_2_ExactlyTheLiveBytesAreUnpoisoned) {
  Instance inst(smallConfig());
  const Address p = inst.alloc(10).value();
  EXPECT_FALSE(inst.memory().isPoisoned(p));
  EXPECT_FALSE(inst.memory().isPoisoned(p + 9));
  EXPECT_TRUE(inst.memory().isPoisoned(p + 10));  // past the request, inside its granule
  EXPECT_TRUE(inst.memory().isPoisoned(p + 16));  // the redzone
  EXPECT_TRUE(inst.memory().isPoisoned(p - 1));
  inst.dealloc(p).value();
  EXPECT_TRUE(inst.memory().isPoisoned(p));
}

// Rule SAFE-2.
TEST_F(AsanPoison, SAFE_2_CallerPeekAndPokeStayLegalOnPoisonedBytes) {
  Instance inst(smallConfig());
  ASSERT_TRUE(inst.memory().isPoisoned(100));
  inst.poke(100, 0x1234, "i32").value();  // no allocation there: still a legal explicit access
  EXPECT_EQ(std::get<double>(inst.peek(100, "i32").value()), 0x1234);
  inst.zeroMemory(100, 4).value();
  EXPECT_EQ(std::get<double>(inst.peek(100, "i32").value()), 0);
  View v = inst.heap(ElementType::U8);
  v.set(200, 5.0).value();
  EXPECT_EQ(std::get<double>(*v.get(200)), 5);
}

// Rule SAFE-2.
TEST_F(AsanPoison, SAFE_2_GrownMemoryStartsPoisoned) {
  Instance inst(smallConfig());
  const auto end = static_cast<Address>(inst.byteLength());
  inst.grow(1).value();
  EXPECT_TRUE(inst.memory().isPoisoned(end));
  EXPECT_TRUE(inst.memory().isPoisoned(end + 65535));
}

// Rule SAFE-2. Under ASan a smaller memory that reuses a larger one's address
// range keeps the pages past its end open (memory.cpp): their poison, not a
// closed page, stops the implementation there, and growing into them gives
// poisoned bytes again.
TEST_F(AsanPoison, SAFE_2_PagesPastTheEndOfAReusedRangeStayPoisoned) {
  { LinearMemory larger({4, 8}); }
  LinearMemory smaller({1, 8});  // the same reservation (8 pages), 3 pages past the end
  EXPECT_TRUE(smaller.isPoisoned(65536));
  EXPECT_TRUE(smaller.isPoisoned(4 * 65536 - 1));
  ASSERT_TRUE(smaller.grow(2));
  EXPECT_TRUE(smaller.isPoisoned(65536));
  EXPECT_TRUE(smaller.isPoisoned(3 * 65536 - 1));
  EXPECT_DEATH(
      {
        const std::uint8_t byte = 1;
        smaller.internalWrite(3 * 65536, &byte, 1);  // past the end, on a page that is open
      },
      "AddressSanitizer: use-after-poison");
}


// Rule SAFE-2. The planted bug of mutant:cstring-no-nul-room (allocate strlen
// bytes, write the NUL past them), replayed from a conformance vector, is
// reported by AddressSanitizer itself, not only by the invariant checker.
TEST_F(AsanPoison, SAFE_2_SCOPE_8_TheCStringMutantIsStoppedByAsanDuringReplay) {
  std::vector<conformance::LoadError> errors;
  const auto file = conformance::loadVectorFile(
      "cstring.json", testing::readProjectFile("conformance/vectors/scope/cstring.json"), errors);
  ASSERT_TRUE(errors.empty());
  const conformance::Vector* vector = nullptr;
  for (const auto& v : file.vectors)
    if (v.id == "scope/cstring/eight-bytes") vector = &v;
  ASSERT_NE(vector, nullptr);
  conformance::ReferenceTarget reference;
  EXPECT_TRUE(conformance::runVector(*vector, reference).failures.empty());
  EXPECT_DEATH(
      {
        conformance::ReferenceTarget mutant(Mutant::CStringNoNulRoom);
        conformance::runVector(*vector, mutant);
      },
      "ERROR: AddressSanitizer: use-after-poison");
}

}  // namespace
}  // namespace memconform
