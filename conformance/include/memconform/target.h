/*
 * memconform/target.h - the C ABI (version 1) through which memconform
 * replays and fuzzes a native implementation of the WASM heap glue:
 *
 *   memconform replay --target plugin:./libmyglue.so
 *   MEMCONFORM_TARGET=plugin:./libmyglue.so build/fuzz/bin/fuzz_differential
 *
 * A plugin is a shared library that exports
 *
 *   const memconform_target *memconform_target_v1(void);
 *
 * returning a table of function pointers. Every operation of
 * docs/VECTORS.md ("Ops") has a slot; a NULL slot means "not
 * implemented", and a vector that uses that op is reported as skipped.
 * The runner resolves names, checks expectations and the LEAK/SAFE
 * invariants; the plugin only executes and reports events (as a driver does,
 * docs/DRIVER_PROTOCOL.md). Rule IDs refer to
 * docs/SEMANTICS.md.
 *
 * Conventions:
 * - Every operation returns MEMCONFORM_OK or the error kind of SEMANTICS.md
 *   section 9. It may describe the error with host->message before it returns.
 *   A failed operation must leave the state as it was (SAFE-4).
 * - Numbers arrive as doubles, exactly as JavaScript glue would receive them
 *   (NaN, -0, fractions and huge values included): checking them is the
 *   implementation's business.
 * - Events are reported through host->event, in the order they happen.
 * - Scope handles are any numbers below 2^62 the plugin chooses: a vector's
 *   literal n where a handle goes arrives as 2^62 + n, a handle never issued.
 * - Not thread-safe: the runner calls one instance from one thread.
 */
#ifndef MEMCONFORM_TARGET_H
#define MEMCONFORM_TARGET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMCONFORM_ABI_VERSION 1

/* SEMANTICS.md section 9, in that order. An int, not the enum type, so that
 * a value outside the list is a protocol error the runner reports, not
 * undefined behaviour in the runner. */
typedef int memconform_status;
enum memconform_status_codes {
  MEMCONFORM_OK = 0,
  MEMCONFORM_NO_ACTIVE_SCOPE = 1,
  MEMCONFORM_INVALID_STATE = 2,
  MEMCONFORM_ALLOC_FAILED = 3,
  MEMCONFORM_INVALID_TYPE = 4,
  MEMCONFORM_INVALID_ARGUMENT = 5,
  MEMCONFORM_OUT_OF_BOUNDS = 6,
  MEMCONFORM_READ_ONLY = 7,
  MEMCONFORM_RANGE_ERROR = 8,
  MEMCONFORM_TYPE_ERROR = 9,
  /* Only ever returned by a call body (the vector's `throw`): the plugin's
   * scoped_alloc_call pops its scope and returns it unchanged (CALL-1, 2). */
  MEMCONFORM_THROWN = 10,
  /* A trap inside a wasm module that the plugin runs (its allocator):
   * the message says which. */
  MEMCONFORM_TRAP = 11
};

typedef enum memconform_event_kind {
  MEMCONFORM_EVENT_ALLOC,          /* value: pointer, size: requested bytes */
  MEMCONFORM_EVENT_DEALLOC,        /* value: pointer */
  MEMCONFORM_EVENT_INSTALL,        /* value: function-table index */
  MEMCONFORM_EVENT_UNINSTALL,      /* value: function-table index */
  MEMCONFORM_EVENT_PUSH,           /* value: scope handle (SCOPE-1) */
  MEMCONFORM_EVENT_POP,            /* value: scope handle, before its entries are released */
  MEMCONFORM_EVENT_GROW,           /* value: pages, ok (MEM-2) */
  MEMCONFORM_EVENT_RESIZE_ATTEMPT, /* new_size, ok: one growMemory attempt (GROW-3) */
  MEMCONFORM_EVENT_STALE_VIEW      /* value: view generation, size: memory generation (SAFE-3) */
} memconform_event_kind;

typedef struct memconform_event {
  memconform_event_kind kind;
  uint64_t value;
  uint64_t size;
  double new_size;
  int ok;
} memconform_event;

/* What the runner gives an instance: where events and messages go. */
typedef struct memconform_host {
  void *context;
  void (*event)(void *context, const memconform_event *event);
  void (*message)(void *context, const char *text);
} memconform_host;

/* The vector's `setup` (MEM-4, MEM-5, GROW-6). */
typedef struct memconform_setup {
  uint32_t initial_pages;
  uint32_t maximum_pages;
  double geometric_step;  /* 0.2 */
  double overgrowth_cap;  /* 100663296 */
  double alignment;       /* 65536 */
  double max_heap_size;   /* 2147483648 */
  const uint64_t *fail_attempts; /* 1-based ordinals of memory.grow calls that fail */
  size_t fail_attempt_count;
  int has_fail_above_pages;
  uint32_t fail_above_pages;
} memconform_setup;

/* A number as JavaScript glue sees it: a Number, or a BigInt (i64 values,
 * PEEK-3, PEEK-4), given modulo 2^64, which is all a 64-bit store keeps. */
typedef struct memconform_number {
  int is_bigint;
  double number;        /* when !is_bigint */
  int64_t bigint;       /* when is_bigint: the 64 bits */
  int bigint_unsigned;  /* results only: read the bits as unsigned (a BigUint64Array element) */
} memconform_number;

/* The state after the last op; the arrays belong to the plugin and stay
 * valid until its next call. */
typedef struct memconform_state {
  uint64_t level;
  const uint32_t *live; /* live allocations */
  size_t live_count;
  const uint32_t *installed; /* installed function-table slots, not reserved ones */
  size_t installed_count;
} memconform_state;

/* A list result (scopedAllocPtr with howMany > 1): append each element. */
typedef struct memconform_list {
  void *context;
  void (*append)(void *context, double element);
} memconform_list;

typedef struct memconform_instance memconform_instance; /* the plugin's own */

typedef struct memconform_target {
  uint32_t abi_version; /* MEMCONFORM_ABI_VERSION */
  const char *name;     /* "example-scope-stack 1.0": shown in reports */
  /* NULL-terminated capability names of docs/VECTORS.md
   * ("memory-config", "grow-faults", "growth-params", "raw-grow", "views",
   * "function-table", "i64", "table-slot-reuse"). */
  const char *const *capabilities;

  /* A fresh instance as `setup` says, or NULL with the reason in `why`. */
  memconform_instance *(*create)(const memconform_setup *setup, const memconform_host *host, char *why,
                                 size_t why_size);
  void (*destroy)(memconform_instance *instance);
  uint64_t (*byte_length)(memconform_instance *instance);
  void (*state)(memconform_instance *instance, memconform_state *out);

  /* Linear memory and the resize policy (MEM, GROW, ALIGN). */
  memconform_status (*grow)(memconform_instance *, double pages, uint32_t *old_pages);
  memconform_status (*resize)(memconform_instance *, double requested_size, int *result);
  memconform_status (*align_memory)(memconform_instance *, double size, double alignment, double *result);
  memconform_status (*zero_memory)(memconform_instance *, double address, double size, double *result);
  memconform_status (*mmap_alloc)(memconform_instance *, double size, uint32_t *ptr);

  /* The allocator and the scope stack (SCOPE). */
  memconform_status (*alloc)(memconform_instance *, double size, uint32_t *ptr);
  memconform_status (*dealloc)(memconform_instance *, double ptr);
  memconform_status (*push)(memconform_instance *, uint64_t *scope);
  /* has_scope == 0: pop the top scope (SCOPE-4); else that scope (SCOPE-5). */
  memconform_status (*pop)(memconform_instance *, int has_scope, uint64_t scope);
  memconform_status (*scoped_alloc)(memconform_instance *, double size, uint32_t *ptr);
  /* utf8 == NULL: the argument is not a string (SCOPE-8 gives null: set
   * *is_null). Otherwise *ptr, and *length the byte length without the NUL. */
  memconform_status (*scoped_alloc_cstring)(memconform_instance *, const char *utf8, size_t utf8_length,
                                            uint32_t *ptr, uint64_t *length, int *is_null);
  /* scoped = 0: allocPtr. howMany 1 gives *ptr; more append every slot's
   * address to `slots` (SCOPE-9). */
  memconform_status (*alloc_ptr)(memconform_instance *, int scoped, double how_many, int safe_ptr_size, uint32_t *ptr,
                                 const memconform_list *slots);
  memconform_status (*scoped_alloc_main_argv)(memconform_instance *, const char *const *utf8, const size_t *lengths,
                                              size_t count, uint32_t *ptr);
  memconform_status (*level)(memconform_instance *, uint64_t *level);
  memconform_status (*set_level)(memconform_instance *, double value); /* SCOPE-7: ReadOnly */
  /* scopedAllocCall (CALL-1): push a scope, run body(body_context), pop that
   * scope whatever body returned, and return body's status; if the pop
   * itself fails, return the pop's error instead (section 12, CALL-1). */
  memconform_status (*scoped_alloc_call)(memconform_instance *, memconform_status (*body)(void *body_context),
                                         void *body_context);

  /* The function table (SCOPE-11). `name` only labels the function. */
  memconform_status (*install_function)(memconform_instance *, int scoped, const char *signature, const char *name,
                                        uint32_t *index);
  memconform_status (*uninstall_function)(memconform_instance *, double index);

  /* peek/poke (PEEK): `count` addresses; is_list tells peek(p) from
   * peek([p]) (PEEK-5). `type` is the string the caller passed ("i32",
   * "i64", "double", "char*", ...; NULL for the default "i8"). peek writes
   * `count` values to `values`. */
  memconform_status (*peek)(memconform_instance *, const double *addresses, size_t count, int is_list,
                            const char *type, memconform_number *values);
  memconform_status (*poke)(memconform_instance *, const double *addresses, size_t count, int is_list,
                            memconform_number value, const char *type);

  /* Typed views over the memory (VIEW-1..3), as JavaScript glue holds them:
   * a view made before a successful grow is detached (VIEW-2); a get or set
   * through it reports MEMCONFORM_EVENT_STALE_VIEW (SAFE-3). View handles
   * are any numbers the plugin chooses. `kind` is one of i8 u8 i16 u16 i32
   * u32 i64 u64 f32 f64. heap_for_size gets a size (8, 16, 32, 64) and
   * is_unsigned, or the name of a typed-array constructor ("Int16Array";
   * size is then NaN). view_get sets *is_undefined for an index that is not
   * an integer in [0, length), and on a detached view. view_set converts
   * the value first (a BigInt into a Number view is a TypeError, even when
   * detached), then ignores an invalid index or a detached view. */
  memconform_status (*heap)(memconform_instance *, const char *kind, uint64_t *view);
  memconform_status (*heap_for_size)(memconform_instance *, double size, const char *constructor, int is_unsigned,
                                     uint64_t *view);
  memconform_status (*view_length)(memconform_instance *, uint64_t view, double *length);
  memconform_status (*view_get)(memconform_instance *, uint64_t view, double index, memconform_number *value,
                                int *is_undefined);
  memconform_status (*view_set)(memconform_instance *, uint64_t view, double index, memconform_number value);
} memconform_target;

#if defined(__GNUC__)
#define MEMCONFORM_EXPORT __attribute__((visibility("default")))
#else
#define MEMCONFORM_EXPORT
#endif

/* What a plugin exports (define it with MEMCONFORM_EXPORT). */
MEMCONFORM_EXPORT const memconform_target *memconform_target_v1(void);
typedef const memconform_target *(*memconform_target_v1_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* MEMCONFORM_TARGET_H */
