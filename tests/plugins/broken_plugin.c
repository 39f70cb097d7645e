/* Plugins that break the C ABI of memconform/target.h in one way each,
 * chosen at compile time, for tests/plugin_target_test.cpp:
 *   BROKEN_NO_ENTRY        exports no memconform_target_v1
 *   BROKEN_ABI_VERSION     declares ABI version 99
 *   BROKEN_CAPABILITY      declares a capability no vector knows
 *   BROKEN_CREATE_REFUSES  create() refuses every setup, with a reason
 *   BROKEN_STATUS          alloc returns a status outside the enum
 *   BROKEN_SWALLOWS_THROW  scoped_alloc_call returns OK whatever its body did
 */
#include <stdio.h>
#include <stdlib.h>

#include "memconform/target.h"

struct memconform_instance { uint64_t level; };

static memconform_instance *create(const memconform_setup *setup, const memconform_host *host, char *why, size_t n) {
  (void)setup, (void)host;
#ifdef BROKEN_CREATE_REFUSES
  snprintf(why, n, "this plugin refuses every setup");
  return NULL;
#else
  (void)why, (void)n;
  return calloc(1, sizeof(memconform_instance));
#endif
}
static void destroy(memconform_instance *in) { free(in); }
static uint64_t byte_length(memconform_instance *in) { (void)in; return 16777216; }
static void state(memconform_instance *in, memconform_state *out) { *out = (memconform_state){in->level, NULL, 0, NULL, 0}; }
#ifdef BROKEN_STATUS
static memconform_status alloc(memconform_instance *in, double size, uint32_t *ptr) {
  (void)in, (void)size, (void)ptr;
  return 42;
}
#endif
#ifdef BROKEN_SWALLOWS_THROW
static memconform_status call(memconform_instance *in, memconform_status (*body)(void *), void *context) {
  (void)in;
  body(context);
  return MEMCONFORM_OK;
}
#endif

#ifdef BROKEN_CAPABILITY
static const char *const capabilities[] = {"time-travel", NULL};
#else
static const char *const capabilities[] = {NULL};
#endif

static const memconform_target table = {
#ifdef BROKEN_ABI_VERSION
    .abi_version = 99,
#else
    .abi_version = MEMCONFORM_ABI_VERSION,
#endif
    .name = "broken",
    .capabilities = capabilities,
    .create = create,
    .destroy = destroy,
    .byte_length = byte_length,
    .state = state,
#ifdef BROKEN_STATUS
    .alloc = alloc,
#endif
#ifdef BROKEN_SWALLOWS_THROW
    .scoped_alloc_call = call,
#endif
};

#ifndef BROKEN_NO_ENTRY
MEMCONFORM_EXPORT const memconform_target *memconform_target_v1(void) { return &table; }
#else
const memconform_target *not_the_entry(void) { return &table; }
#endif
