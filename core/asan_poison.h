// SAFE-2 support: mark bytes of linear memory that are not inside a live
// allocation as poisoned, so that AddressSanitizer stops any instrumented
// access to them. Without ASan these compile to nothing.
#pragma once

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMCONFORM_ASAN 1
#endif
#endif
#if !defined(MEMCONFORM_ASAN) && defined(__SANITIZE_ADDRESS__)
#define MEMCONFORM_ASAN 1
#endif

#ifdef MEMCONFORM_ASAN
#include <sanitizer/asan_interface.h>
#endif

// Functions that perform the caller's explicit accesses (peek, poke, views,
// zeroMemory): legal anywhere inside the memory, so not instrumented, and kept
// from being turned into (intercepted) memcpy/memset calls. Nor do they get
// coverage hooks: their byte loops would call a comparison hook every 8
// bytes (clearing a used memory's written range took 1.5% of fuzz_scope_ops) and
// tell the fuzzer nothing about the rules.
#define MEMCONFORM_CALLER_ACCESS __attribute__((no_sanitize("address", "coverage"), no_builtin))

namespace memconform::asan {

constexpr bool enabled() {
#ifdef MEMCONFORM_ASAN
  return true;
#else
  return false;
#endif
}

inline void poison(void* p, std::size_t n) {
#ifdef MEMCONFORM_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
#endif
}

inline void unpoison(void* p, std::size_t n) {
#ifdef MEMCONFORM_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
#endif
}

inline bool isPoisoned(const void* p) {
#ifdef MEMCONFORM_ASAN
  return __asan_address_is_poisoned(p) != 0;
#else
  (void)p;
  return false;
#endif
}

// True if any byte of [p, p + n) is poisoned (a check of the shadow only:
// 1/8 of the bytes, and the data pages are not touched).
inline bool anyPoisoned(const void* p, std::size_t n) {
#ifdef MEMCONFORM_ASAN
  return __asan_region_is_poisoned(const_cast<void*>(p), n) != nullptr;
#else
  (void)p;
  (void)n;
  return false;
#endif
}

}  // namespace memconform::asan
