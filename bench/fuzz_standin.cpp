// The ceiling fuzz_scope_ops is measured against (scripts/fuzz.sh
// throughput): the least a scoped-allocation fuzz target can do per input,
// built with the same flags (libFuzzer, ASan + UBSan, coverage of this
// file) and run with the same options file. Each byte is an op: push a
// scope; allocate a zeroed block into the top scope (refused without one,
// SCOPE-2); or pop the top scope; what is open at the end is popped. As
// glue does, a block comes from the runtime's allocator (malloc: ASan
// unpoisons it) and a pop frees each of the scope's blocks (ASan poisons
// them again, SAFE-2). No names, no values, no checks, no events: what
// fuzz_scope_ops spends beyond this is the harness's.
//
// Issue 22 gives this stand-in "about 55,000" exec/s; this one ran
// 73,937-103,723 (three 15-s runs, 2026-12-06). The bump arena poisoned by
// hand that stood here before (75e3864), with no allocator at all, ran
// 339,399-406,591 alternating with it. With the options files' 10-MB
// quarantine (af297c9): 114,382 (`scripts/fuzz.sh throughput 20`).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Reused: their storage is no per-input cost.
  static std::vector<void*> blocks;        // every live block, oldest first
  static std::vector<std::size_t> scopes;  // each open scope's first block in `blocks`
  auto popTop = [&] {
    for (std::size_t i = scopes.back(); i < blocks.size(); ++i) std::free(blocks[i]);
    blocks.resize(scopes.back());
    scopes.pop_back();
  };
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t op = data[i];
    if (op < 0x40) {
      scopes.push_back(blocks.size());
    } else if (op < 0xc0) {
      if (scopes.empty()) continue;  // no active scope: refused
      const std::size_t bytes = (std::size_t{op} - 0x40 + 1) * 8;  // 8..1024, 8-aligned
      void* block = std::malloc(bytes);
      if (block == nullptr) continue;
      std::memset(block, 0, bytes);
      blocks.push_back(block);
    } else if (!scopes.empty()) {
      popTop();
    }
  }
  while (!scopes.empty()) popTop();
  return 0;
}
