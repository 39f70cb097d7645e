// The ceiling fuzz_scope_ops is measured against (scripts/fuzz.sh
// throughput): the least a scoped-allocation fuzz target can do per input,
// built with the same flags (libFuzzer, ASan + UBSan, coverage of this
// file). Each byte is an op: push a scope, allocate from a bump arena into
// the top scope (refused without one, SCOPE-2) with the block unpoisoned
// and zeroed, or pop the top scope, whose blocks are poisoned again (SAFE-2);
// what is open at the end is popped. No names, no values, no checks, no
// events: what fuzz_scope_ops spends beyond this is the harness's.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/asan_poison.h"

namespace {
constexpr std::size_t kArenaBytes = 1 << 20;
alignas(16) std::uint8_t arena[kArenaBytes];

struct Scope {
  std::size_t start;  // the arena's top when it was pushed
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool poisoned = (memconform::asan::poison(arena, kArenaBytes), true);
  (void)poisoned;
  static std::vector<Scope> scopes;  // reused: its storage is no per-input cost
  std::size_t top = 0;
  auto popTop = [&] {
    const std::size_t start = scopes.back().start;
    scopes.pop_back();
    memconform::asan::poison(arena + start, top - start);
    top = start;
  };
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t op = data[i];
    if (op < 0x40) {
      scopes.push_back({top});
    } else if (op < 0xc0) {
      const std::size_t bytes = (std::size_t{op} - 0x40 + 1) * 8;  // 8..1024, 8-aligned
      if (scopes.empty() || top + bytes > kArenaBytes) continue;  // no active scope, or no room: refused
      memconform::asan::unpoison(arena + top, bytes);
      std::memset(arena + top, 0, bytes);
      top += bytes;
    } else if (!scopes.empty()) {
      popTop();
    }
  }
  while (!scopes.empty()) popTop();
  return 0;
}
