#include "fuzz/checked_types.h"

#include <cstdint>
#include <cstring>

// The runtime's table (compiler-rt ubsan_type_hash.h: VptrTypeCacheSize,
// which the instrumented code's mask of 0x7f assumes). Weak: absent, it is null.
extern "C" [[gnu::weak]] std::uintptr_t __ubsan_vptr_type_cache[128];

namespace memconform::fuzz {

void forgetCheckedTypes() {
  std::uintptr_t* cache = __ubsan_vptr_type_cache;
  if (cache != nullptr) std::memset(cache, 0, sizeof(std::uintptr_t) * 128);
}

}  // namespace memconform::fuzz
