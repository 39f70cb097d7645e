/*
 * An example memconform plugin (conformance/include/memconform/target.h):
 * the heap glue of SEMANTICS.md in plain C. A linear memory that grows
 * (MEM-1..5) under the resize policy (GROW-1..6), the allocator that section
 * 12 describes for SCOPE-3 (first fit from address 1024, 8-byte aligned, a
 * 16-byte gap after each block, the break extended through the resize
 * policy), the scope stack (SCOPE-1..11, CALL-1..3), a function table, and
 * peek/poke (PEEK-1..6) and typed views that detach when the memory grows
 * (VIEW-1..3). It is a starting point for wrapping a real native
 * implementation: each ex_ function is where yours would be called. It
 * implements every op and declares every capability.
 *
 *   memconform replay --target plugin:build/asan/lib/libmemconform_example_plugin.so
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memconform/target.h"

#define PAGE 65536u
#define HEAP_BASE 1024u        /* blocks start here; address 0 is never handed out */
#define ALIGNMENT 8u           /* ALIGN-4 */
#define GAP 16u                /* bytes after each block that are never handed out */
#define MAX_BLOCK 2147483648.0 /* a larger request fails (SCOPE-3) */
#define ADDRESS_SPACE 4294967296.0
#define TABLE_RESERVED 1u    /* slot 0 is the module's, never installed (SCOPE-11) */

typedef struct block { uint32_t ptr; uint64_t size, footprint; } block;
typedef struct range { uint64_t start, length; } range; /* free bytes below the break */
typedef struct view_kind { const char *kind, *constructor; unsigned size; int is_signed, is_float; } view_kind;
typedef struct view { const view_kind *kind; uint64_t generation; } view;
typedef struct entry { int is_function; uint32_t value; } entry; /* SCOPE-6 */
typedef struct scope { uint64_t handle; entry *entries; size_t count, capacity; } scope;

struct memconform_instance {
  memconform_host host;
  memconform_setup setup;   /* growth parameters and faults (GROW-6, MEM-5) */
  uint64_t *fail_attempts;  /* the setup's list, copied */
  uint8_t *memory;          /* maximum_pages reserved, byte_length of them in use */
  uint64_t reserved, byte_length, grow_calls;
  uint64_t generation; /* successful grows: a view of an older one is detached (VIEW-2) */
  view *views;         /* handle h is views[h - 1] */
  size_t view_count, view_capacity;
  block *blocks; /* live allocations, sorted by address */
  size_t block_count, block_capacity;
  range *free; /* sorted by start, never adjacent */
  size_t free_range_count, free_range_capacity;
  uint64_t brk;
  scope *scopes; /* the stack, bottom first */
  size_t scope_count, scope_capacity;
  uint64_t next_handle;
  uint8_t *table; /* 1: slot installed */
  uint32_t table_length;
  uint32_t *free_slots; /* uninstalled slots, most recent last */
  size_t free_slot_count, free_slot_capacity;
  uint32_t *live_out, *installed_out; /* state() results */
};

/* ---- helpers ---------------------------------------------------------- */

static void *grow_array(void *items, size_t *capacity, size_t need, size_t size) {
  if (need <= *capacity) return items;
  size_t cap = *capacity ? *capacity * 2 : 8;
  while (cap < need) cap *= 2;
  void *p = realloc(items, cap * size);
  if (!p) abort(); /* the harness's own memory, not the glue's */
  *capacity = cap;
  return p;
}

static void emit(memconform_instance *in, memconform_event_kind kind, uint64_t value, uint64_t size, int ok) {
  memconform_event e = {kind, value, size, 0.0, ok};
  in->host.event(in->host.context, &e);
}

static memconform_status fail(memconform_instance *in, memconform_status status, const char *what) {
  in->host.message(in->host.context, what);
  return status;
}

static int is_integer(double x) { return isfinite(x) && trunc(x) == x; }

/* ---- linear memory and the resize policy (MEM, GROW) -------------------- */

/* MEM-2 with the setup's faults (MEM-5): grow by `pages`, or fail and change nothing. */
static int memory_grow(memconform_instance *in, uint64_t pages) {
  const uint64_t ordinal = ++in->grow_calls, old = in->byte_length / PAGE, max = in->setup.maximum_pages;
  int ok = pages <= max && old <= max - pages;
  for (size_t i = 0; ok && i < in->setup.fail_attempt_count; ++i) ok = in->fail_attempts[i] != ordinal;
  if (ok && in->setup.has_fail_above_pages) ok = old + pages <= in->setup.fail_above_pages;
  if (ok) {
    in->byte_length += pages * PAGE; /* reserved bytes never written yet: zero (MEM-2) */
    in->generation++;                /* every successful grow, grow(0) too, detaches the views */
  }
  emit(in, MEMCONFORM_EVENT_GROW, pages, 0, ok);
  return ok;
}

/* ToUint32 (GROW-1, GROW-5). */
static uint32_t to_uint32(double x) {
  if (!isfinite(x)) return 0;
  double r = fmod(trunc(x), ADDRESS_SPACE);
  return (uint32_t)(r < 0 ? r + ADDRESS_SPACE : r);
}

/* emscripten_resize_heap (GROW-2..5), in double arithmetic as JavaScript does it. */
static int resize_heap(memconform_instance *in, double requested) {
  const memconform_setup *g = &in->setup;
  const double request = to_uint32(requested), old = (double)in->byte_length;
  if (request > g->max_heap_size) return 0;
  for (double cut_down = 1; cut_down <= 4; cut_down *= 2) {
    double over = old * (1 + g->geometric_step / cut_down);
    over = fmin(over, request + g->overgrowth_cap);
    const double x = fmax(request, over);
    const double new_size = fmin(g->max_heap_size, x + fmod(g->alignment - fmod(x, g->alignment), g->alignment));
    const uint32_t pages = to_uint32(new_size - (double)in->byte_length + 65535) >> 16;
    const int ok = memory_grow(in, pages);
    memconform_event e = {MEMCONFORM_EVENT_RESIZE_ATTEMPT, 0, 0, new_size, ok};
    in->host.event(in->host.context, &e);
    if (ok) return 1;
  }
  return 0;
}

static memconform_status ex_grow(memconform_instance *in, double pages, uint32_t *old_pages) {
  const double t = trunc(pages); /* WebIDL [EnforceRange] unsigned long (section 12, MEM-2) */
  if (!isfinite(pages) || t < 0 || t > 4294967295.0) return fail(in, MEMCONFORM_TYPE_ERROR, "grow: not an unsigned long");
  *old_pages = (uint32_t)(in->byte_length / PAGE);
  return memory_grow(in, (uint64_t)t) ? MEMCONFORM_OK : fail(in, MEMCONFORM_RANGE_ERROR, "grow: past the maximum");
}

static memconform_status ex_resize(memconform_instance *in, double size, int *result) {
  *result = resize_heap(in, size);
  return MEMCONFORM_OK;
}

/* ---- alignment and zeroing (ALIGN) --------------------------------------- */

static memconform_status ex_align_memory(memconform_instance *in, double size, double alignment, double *result) {
  if (!(alignment > 0)) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "alignMemory: the alignment must be positive");
  *result = ceil(size / alignment) * alignment; /* ALIGN-1 */
  return MEMCONFORM_OK;
}

static memconform_status ex_zero_memory(memconform_instance *in, double address, double size, double *result) {
  if (!is_integer(size) || size < 0) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "zeroMemory: the size is not a non-negative integer");
  if (!is_integer(address) || address < 0 || address + size > (double)in->byte_length)
    return fail(in, MEMCONFORM_OUT_OF_BOUNDS, "zeroMemory: the range is not inside the memory");
  memset(in->memory + (uint64_t)address, 0, (size_t)size); /* ALIGN-2 */
  *result = address;
  return MEMCONFORM_OK;
}

/* ---- the allocator (SCOPE-3, ALIGN-4) ----------------------------------- */

static uint64_t round_up(uint64_t x, uint64_t m) { return (x + m - 1) / m * m; }

static size_t find_block(const memconform_instance *in, uint32_t ptr) {
  for (size_t i = 0; i < in->block_count; ++i)
    if (in->blocks[i].ptr == ptr) return i;
  return (size_t)-1;
}

/* Returns [start, start + length) to the free list, merged with its neighbours. */
static void release_range(memconform_instance *in, uint64_t start, uint64_t length) {
  size_t i = 0;
  while (i < in->free_range_count && in->free[i].start < start) ++i;
  uint64_t end = start + length;
  if (i > 0 && in->free[i - 1].start + in->free[i - 1].length == start) {
    start = in->free[--i].start;
    memmove(in->free + i, in->free + i + 1, (--in->free_range_count - i) * sizeof(range));
  }
  if (i < in->free_range_count && in->free[i].start == end) {
    end += in->free[i].length;
    memmove(in->free + i, in->free + i + 1, (--in->free_range_count - i) * sizeof(range));
  }
  in->free = grow_array(in->free, &in->free_range_capacity, in->free_range_count + 1, sizeof(range));
  memmove(in->free + i + 1, in->free + i, (in->free_range_count - i) * sizeof(range));
  in->free[i] = (range){start, end - start};
  in->free_range_count++;
}

/* Carves [ptr, ptr + footprint) out of free range i; the rest stays free. */
static void take_range(memconform_instance *in, size_t i, uint64_t ptr, uint64_t footprint) {
  range r = in->free[i];
  memmove(in->free + i, in->free + i + 1, (--in->free_range_count - i) * sizeof(range));
  if (ptr + footprint < r.start + r.length) release_range(in, ptr + footprint, r.start + r.length - ptr - footprint);
  if (ptr > r.start) release_range(in, r.start, ptr - r.start);
}

/* memalign: first fit over the free ranges, else past the break, growing the
 * memory through the resize policy as sbrk does. 0 when it cannot. */
static uint32_t raw_memalign(memconform_instance *in, uint64_t alignment, double size) {
  if (!(size > 0) || size > MAX_BLOCK) return 0; /* alloc(0) fails, as sqlite3_malloc(0) does */
  if (alignment < ALIGNMENT) alignment = ALIGNMENT;
  const uint64_t footprint = round_up((uint64_t)size, ALIGNMENT) + GAP;
  uint64_t ptr = 0;
  size_t i = 0;
  for (; i < in->free_range_count; ++i) {
    ptr = round_up(in->free[i].start, alignment);
    if (ptr <= in->free[i].start + in->free[i].length && footprint <= in->free[i].start + in->free[i].length - ptr) break;
  }
  if (i == in->free_range_count) {
    uint64_t start = in->brk;
    if (in->free_range_count && in->free[in->free_range_count - 1].start + in->free[in->free_range_count - 1].length == in->brk)
      start = in->free[in->free_range_count - 1].start;
    ptr = round_up(start, alignment);
    const uint64_t new_brk = ptr + footprint;
    if (new_brk >= (uint64_t)ADDRESS_SPACE) return 0;
    if (new_brk > in->byte_length && (!resize_heap(in, (double)new_brk) || new_brk > in->byte_length)) return 0;
    release_range(in, in->brk, new_brk - in->brk);
    in->brk = new_brk;
    i = in->free_range_count - 1; /* the range that now ends at the break holds ptr */
  }
  take_range(in, i, ptr, footprint);
  size_t at = 0;
  while (at < in->block_count && in->blocks[at].ptr < ptr) ++at;
  in->blocks = grow_array(in->blocks, &in->block_capacity, in->block_count + 1, sizeof(block));
  memmove(in->blocks + at + 1, in->blocks + at, (in->block_count - at) * sizeof(block));
  in->blocks[at] = (block){(uint32_t)ptr, (uint64_t)size, footprint};
  in->block_count++;
  emit(in, MEMCONFORM_EVENT_ALLOC, ptr, (uint64_t)size, 1);
  return (uint32_t)ptr;
}

/* ALIGN-3: a zeroed block of whole 64 KiB pages, or 0. */
static memconform_status ex_mmap_alloc(memconform_instance *in, double size, uint32_t *ptr) {
  double aligned = 0;
  ex_align_memory(in, size, 65536, &aligned);
  *ptr = aligned >= 0 && aligned <= ADDRESS_SPACE ? raw_memalign(in, 65536, aligned) : 0;
  if (*ptr) memset(in->memory + *ptr, 0, (size_t)aligned);
  return MEMCONFORM_OK;
}

static void raw_dealloc(memconform_instance *in, size_t index) {
  block b = in->blocks[index];
  memmove(in->blocks + index, in->blocks + index + 1, (in->block_count - index - 1) * sizeof(block));
  in->block_count--;
  release_range(in, b.ptr, b.footprint);
  emit(in, MEMCONFORM_EVENT_DEALLOC, b.ptr, 0, 1);
}

static void raw_uninstall(memconform_instance *in, uint32_t index) {
  in->table[index] = 0;
  in->free_slots = grow_array(in->free_slots, &in->free_slot_capacity, in->free_slot_count + 1, sizeof(uint32_t));
  in->free_slots[in->free_slot_count++] = index;
  emit(in, MEMCONFORM_EVENT_UNINSTALL, index, 0, 1);
}

/* The scope on the stack that owns this entry, or -1 (SCOPE-6, LEAK-1). */
static long owner(const memconform_instance *in, int is_function, uint32_t value) {
  for (size_t s = 0; s < in->scope_count; ++s)
    for (size_t i = 0; i < in->scopes[s].count; ++i)
      if (in->scopes[s].entries[i].is_function == is_function && in->scopes[s].entries[i].value == value) return (long)s;
  return -1;
}

static void record(memconform_instance *in, int is_function, uint32_t value) {
  scope *top = &in->scopes[in->scope_count - 1];
  top->entries = grow_array(top->entries, &top->capacity, top->count + 1, sizeof(entry));
  top->entries[top->count++] = (entry){is_function, value};
}

static memconform_status ex_alloc(memconform_instance *in, double size, uint32_t *ptr) {
  if (!is_integer(size) || size < 0) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "alloc: the size is not a non-negative integer");
  *ptr = raw_memalign(in, ALIGNMENT, size);
  return *ptr ? MEMCONFORM_OK : fail(in, MEMCONFORM_ALLOC_FAILED, "alloc: out of memory");
}

static memconform_status ex_dealloc(memconform_instance *in, double address) {
  const uint32_t ptr = to_uint32(address); /* free()'s i32 parameter wraps it (section 12, SCOPE-3) */
  if (ptr == 0) return MEMCONFORM_OK;      /* dealloc(0) does nothing */
  const size_t i = find_block(in, ptr);
  if (i == (size_t)-1) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "dealloc: not a live block");
  if (owner(in, 0, ptr) >= 0) return fail(in, MEMCONFORM_INVALID_STATE, "dealloc: a scope on the stack owns it");
  raw_dealloc(in, i);
  return MEMCONFORM_OK;
}

/* ---- the scope stack (SCOPE-1..7) --------------------------------------- */

static memconform_status ex_push(memconform_instance *in, uint64_t *handle) {
  in->scopes = grow_array(in->scopes, &in->scope_capacity, in->scope_count + 1, sizeof(scope));
  in->scopes[in->scope_count++] = (scope){in->next_handle, NULL, 0, 0};
  *handle = in->next_handle++;
  emit(in, MEMCONFORM_EVENT_PUSH, *handle, 0, 1);
  return MEMCONFORM_OK;
}

/* Removes scope `s` from wherever it is and releases its entries, last
 * first (SCOPE-5, SCOPE-6). */
static void pop_at(memconform_instance *in, size_t s) {
  scope gone = in->scopes[s];
  memmove(in->scopes + s, in->scopes + s + 1, (in->scope_count - s - 1) * sizeof(scope));
  in->scope_count--;
  emit(in, MEMCONFORM_EVENT_POP, gone.handle, 0, 1);
  for (size_t i = gone.count; i-- > 0;) {
    if (gone.entries[i].is_function) raw_uninstall(in, gone.entries[i].value);
    else raw_dealloc(in, find_block(in, gone.entries[i].value));
  }
  free(gone.entries);
}

static memconform_status ex_pop(memconform_instance *in, int has_scope, uint64_t handle) {
  if (!in->scope_count) return fail(in, MEMCONFORM_INVALID_STATE, "pop: no scope on the stack");
  size_t s = in->scope_count - 1;
  if (has_scope) {
    for (s = 0; s < in->scope_count && in->scopes[s].handle != handle; ++s) {}
    if (s == in->scope_count) return fail(in, MEMCONFORM_INVALID_STATE, "pop: that scope is not on the stack");
  }
  pop_at(in, s);
  return MEMCONFORM_OK;
}

static memconform_status ex_scoped_alloc(memconform_instance *in, double size, uint32_t *ptr) {
  if (!in->scope_count) return fail(in, MEMCONFORM_NO_ACTIVE_SCOPE, "scopedAlloc: no scope pushed");
  memconform_status st = ex_alloc(in, size, ptr);
  if (st == MEMCONFORM_OK) record(in, 0, *ptr);
  return st;
}

/* Releases the blocks allocated since `mark` (in reverse), for SAFE-4. */
static void undo_scoped(memconform_instance *in, size_t mark) {
  scope *top = &in->scopes[in->scope_count - 1];
  while (top->count > mark) raw_dealloc(in, find_block(in, top->entries[--top->count].value));
}

static memconform_status ex_scoped_alloc_cstring(memconform_instance *in, const char *utf8, size_t length,
                                                 uint32_t *ptr, uint64_t *byte_length, int *is_null) {
  *is_null = utf8 == NULL; /* SCOPE-8: a non-string gives null, before anything else */
  if (*is_null) return MEMCONFORM_OK;
  memconform_status st = ex_scoped_alloc(in, (double)length + 1, ptr);
  if (st != MEMCONFORM_OK) return st;
  memcpy(in->memory + *ptr, utf8, length);
  in->memory[*ptr + length] = 0;
  *byte_length = length;
  return MEMCONFORM_OK;
}

/* SCOPE-9: one zeroed block of howMany slots. */
static memconform_status ex_alloc_ptr(memconform_instance *in, int scoped, double how_many, int safe, uint32_t *ptr,
                                      const memconform_list *slots) {
  if (!is_integer(how_many) || how_many < 1) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "allocPtr: howMany must be at least 1");
  const double slot = safe ? 8 : 4;
  memconform_status st = scoped ? ex_scoped_alloc(in, how_many * slot, ptr) : ex_alloc(in, how_many * slot, ptr);
  if (st != MEMCONFORM_OK) return st;
  memset(in->memory + *ptr, 0, (size_t)(how_many * slot));
  if (how_many > 1)
    for (double i = 0; i < how_many; ++i) slots->append(slots->context, *ptr + i * slot);
  return MEMCONFORM_OK;
}

/* SCOPE-10: the table first, then each string; all or nothing (SAFE-4). */
static memconform_status ex_scoped_alloc_main_argv(memconform_instance *in, const char *const *utf8,
                                                   const size_t *lengths, size_t count, uint32_t *ptr) {
  if (!in->scope_count) return fail(in, MEMCONFORM_NO_ACTIVE_SCOPE, "scopedAllocMainArgv: no scope pushed");
  const size_t mark = in->scopes[in->scope_count - 1].count;
  memconform_status st = ex_scoped_alloc(in, (double)(count + 1) * 4, ptr);
  for (size_t i = 0; st == MEMCONFORM_OK && i < count; ++i) {
    uint32_t s = 0;
    uint64_t n = 0;
    int is_null = 0;
    st = ex_scoped_alloc_cstring(in, utf8[i], lengths[i], &s, &n, &is_null);
    if (st == MEMCONFORM_OK) memcpy(in->memory + *ptr + 4 * i, &s, 4); /* little-endian hosts */
  }
  if (st != MEMCONFORM_OK) {
    undo_scoped(in, mark);
    return st;
  }
  memset(in->memory + *ptr + 4 * count, 0, 4);
  return MEMCONFORM_OK;
}

static memconform_status ex_level(memconform_instance *in, uint64_t *level) {
  *level = in->scope_count;
  return MEMCONFORM_OK;
}

static memconform_status ex_set_level(memconform_instance *in, double value) {
  (void)value;
  return fail(in, MEMCONFORM_READ_ONLY, "level is read-only (SCOPE-7)");
}

/* CALL-1: pop the scope this call pushed, whatever the body did. */
static memconform_status ex_scoped_alloc_call(memconform_instance *in, memconform_status (*body)(void *), void *context) {
  uint64_t mine = 0;
  ex_push(in, &mine);
  memconform_status result = body(context);
#ifdef EXAMPLE_PLANTED_BUG_POPS_TOP
  memconform_status popped = ex_pop(in, 0, 0); /* a planted bug for the tests: upstream's CALL-1 divergence */
#else
  memconform_status popped = ex_pop(in, 1, mine);
#endif
  return popped != MEMCONFORM_OK ? popped : result;
}

/* ---- the function table (SCOPE-11) -------------------------------------- */

/* Upstream's signature letters, result first: "i(ii)" or "iii" (section 12). */
static int valid_signature(const char *sig) {
  static const char args[] = "ijfdpPs";
  if (!sig || !*sig || (*sig != 'v' && !strchr(args, *sig))) return 0;
  size_t n = strlen(++sig);
  if (n && sig[0] == '(') {
    if (sig[n - 1] != ')') return 0;
    ++sig, n -= 2;
  }
  for (size_t i = 0; i < n; ++i)
    if (!strchr(args, sig[i])) return 0;
  return 1;
}

static memconform_status ex_install_function(memconform_instance *in, int scoped, const char *signature,
                                             const char *name, uint32_t *index) {
  (void)name;
  if (scoped && !in->scope_count) return fail(in, MEMCONFORM_NO_ACTIVE_SCOPE, "scopedInstallFunction: no scope pushed");
  if (!valid_signature(signature)) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "installFunction: invalid signature");
  if (in->free_slot_count) {
    *index = in->free_slots[--in->free_slot_count]; /* the most recently freed first */
  } else {
    *index = in->table_length++;
    in->table = realloc(in->table, in->table_length);
    if (!in->table) abort();
  }
  in->table[*index] = 1;
  emit(in, MEMCONFORM_EVENT_INSTALL, *index, 0, 1);
  if (scoped) record(in, 1, *index);
  return MEMCONFORM_OK;
}

static memconform_status ex_uninstall_function(memconform_instance *in, double index) {
  if (!is_integer(index) || index < TABLE_RESERVED || index >= in->table_length || !in->table[(uint32_t)index])
    return fail(in, MEMCONFORM_INVALID_ARGUMENT, "uninstallFunction: no function installed there");
  if (owner(in, 1, (uint32_t)index) >= 0) return fail(in, MEMCONFORM_INVALID_STATE, "uninstallFunction: a scope on the stack owns it");
  raw_uninstall(in, (uint32_t)index);
  return MEMCONFORM_OK;
}

/* ---- peek and poke (PEEK-1..6) ------------------------------------------ */

static const view_kind kinds[] = {
    {"i8", "Int8Array", 1, 1, 0},           {"u8", "Uint8Array", 1, 0, 0},
    {"i16", "Int16Array", 2, 1, 0},         {"u16", "Uint16Array", 2, 0, 0},
    {"i32", "Int32Array", 4, 1, 0},         {"u32", "Uint32Array", 4, 0, 0},
    {"i64", "BigInt64Array", 8, 1, 0},      {"u64", "BigUint64Array", 8, 0, 0},
    {"f32", "Float32Array", 4, 1, 1},       {"f64", "Float64Array", 8, 1, 1},
};

static int is_bigint_kind(const view_kind *k) { return k->size == 8 && !k->is_float; }

/* PEEK-1: the element a peek/poke type names (signed; "*" is i32 on
 * wasm32), NULL if it is not a type. */
static const view_kind *peek_kind(const char *type) {
  static const struct { const char *name; size_t kind; } names[] = {
      {"i1", 0}, {"i8", 0}, {"i16", 2}, {"i32", 4}, {"i64", 6}, {"f32", 8}, {"float", 8}, {"f64", 9}, {"double", 9}};
  if (!type) return &kinds[0];
  if (*type && type[strlen(type) - 1] == '*') return &kinds[4];
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i)
    if (!strcmp(names[i].name, type)) return &kinds[names[i].kind];
  return NULL;
}

/* PEEK-2, PEEK-6: the rounded-down address, if the access is in bounds. */
static int locate(const memconform_instance *in, double address, unsigned size, uint64_t *at) {
  if (!is_integer(address) || address < 0) return 0;
  uint64_t a = (uint64_t)address / size * size;
  if (address >= 18446744073709551616.0 || a + size > in->byte_length) return 0;
  *at = a;
  return 1;
}

/* ToIntN / ToUintN bits of a Number (PEEK-4): truncate, wrap modulo 2^64.
 * Every step is exact: a remainder beyond 2^63 in size is a multiple of a
 * large power of two, so adding 2^64 to it loses nothing. */
static uint64_t wrap_bits(double x) {
  if (!isfinite(x)) return 0;
  const double two63 = 9223372036854775808.0, two64 = 18446744073709551616.0;
  double r = fmod(trunc(x), two64);
  if (r >= two63) return (uint64_t)(r - two63) | (uint64_t)1 << 63;
  if (r >= -two63) return (uint64_t)(int64_t)r;
  return (uint64_t)(r + two64);
}

/* The element of `kind` at `at`, as JavaScript reads it (PEEK-3, VIEW-1). */
static memconform_number load(const memconform_instance *in, uint64_t at, const view_kind *k) {
  uint64_t bits = 0;
  memcpy(&bits, in->memory + at, k->size); /* little-endian hosts */
  memconform_number v = {0, 0, 0, 0};
  if (k->is_float && k->size == 4) { float f; uint32_t b = (uint32_t)bits; memcpy(&f, &b, 4); v.number = f; }
  else if (k->is_float) memcpy(&v.number, &bits, 8);
  else if (is_bigint_kind(k)) v = (memconform_number){1, 0, (int64_t)bits, !k->is_signed};
  else if (k->is_signed) v.number = (double)((int64_t)(bits << (64 - 8 * k->size)) >> (64 - 8 * k->size));
  else v.number = (double)bits;
  return v;
}

/* The bits a store of `value` into an element of `kind` writes (PEEK-4), or
 * the error of the conversion. A Number into a 64-bit element is BigInt(n)
 * for poke (`number_to_bigint`); a BigInt64Array store refuses it. */
static memconform_status convert(memconform_instance *in, const view_kind *k, memconform_number value,
                                 int number_to_bigint, uint64_t *bits) {
  if (is_bigint_kind(k) && !value.is_bigint) {
    if (!number_to_bigint) return fail(in, MEMCONFORM_TYPE_ERROR, "a Number into a BigInt element");
    if (!is_integer(value.number)) return fail(in, MEMCONFORM_RANGE_ERROR, "BigInt() of a non-integer");
    *bits = wrap_bits(value.number);
  } else if (value.is_bigint) {
    if (!is_bigint_kind(k)) return fail(in, MEMCONFORM_TYPE_ERROR, "a BigInt into a Number element");
    *bits = (uint64_t)value.bigint;
  } else if (k->is_float && k->size == 4) {
    float f = (float)value.number;
    uint32_t b;
    memcpy(&b, &f, 4);
    *bits = b;
  } else if (k->is_float) {
    memcpy(bits, &value.number, 8);
  } else {
    *bits = wrap_bits(value.number);
  }
  return MEMCONFORM_OK;
}

static memconform_status ex_peek(memconform_instance *in, const double *addresses, size_t count, int is_list,
                                 const char *type, memconform_number *values) {
  (void)is_list;
  const view_kind *k = peek_kind(type);
  if (!k) return fail(in, MEMCONFORM_INVALID_TYPE, "peek: not a type of PEEK-1");
  uint64_t at[count ? count : 1];
  for (size_t i = 0; i < count; ++i)
    if (!locate(in, addresses[i], k->size, &at[i])) return fail(in, MEMCONFORM_OUT_OF_BOUNDS, "peek: out of bounds");
  for (size_t i = 0; i < count; ++i) values[i] = load(in, at[i], k);
  return MEMCONFORM_OK;
}

static memconform_status ex_poke(memconform_instance *in, const double *addresses, size_t count, int is_list,
                                 memconform_number value, const char *type) {
  (void)is_list;
  const view_kind *k = peek_kind(type);
  if (!k) return fail(in, MEMCONFORM_INVALID_TYPE, "poke: not a type of PEEK-1");
  uint64_t bits = 0;
  const memconform_status converted = convert(in, k, value, 1, &bits);
  if (converted != MEMCONFORM_OK) return converted;
  uint64_t at[count ? count : 1];
  for (size_t i = 0; i < count; ++i) /* SAFE-4: all in bounds, or nothing written */
    if (!locate(in, addresses[i], k->size, &at[i])) return fail(in, MEMCONFORM_OUT_OF_BOUNDS, "poke: out of bounds");
  for (size_t i = 0; i < count; ++i) memcpy(in->memory + at[i], &bits, k->size);
  return MEMCONFORM_OK;
}

/* ---- views (VIEW-1..3) ------------------------------------------------------ */

static memconform_status make_view(memconform_instance *in, const view_kind *kind, uint64_t *handle) {
  in->views = grow_array(in->views, &in->view_capacity, in->view_count + 1, sizeof(view));
  in->views[in->view_count++] = (view){kind, in->generation};
  *handle = in->view_count;
  return MEMCONFORM_OK;
}

static memconform_status ex_heap(memconform_instance *in, const char *kind, uint64_t *handle) {
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i)
    if (!strcmp(kinds[i].kind, kind)) return make_view(in, &kinds[i], handle);
  return fail(in, MEMCONFORM_INVALID_ARGUMENT, "heap: not a view kind");
}

/* VIEW-3: 8, 16, 32 (signed or not), 64 (BigInt), or one of the ten constructors. */
static memconform_status ex_heap_for_size(memconform_instance *in, double size, const char *constructor, int is_unsigned,
                                          uint64_t *handle) {
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i) {
    const view_kind *k = &kinds[i];
    if (constructor ? !strcmp(k->constructor, constructor)
                    : !k->is_float && size == 8.0 * k->size && k->is_signed == !is_unsigned)
      return make_view(in, k, handle);
  }
  return fail(in, MEMCONFORM_INVALID_ARGUMENT, "heapForSize: expecting 8, 16, 32, 64 or a typed-array constructor");
}

static view *find_view(memconform_instance *in, uint64_t handle) {
  return handle >= 1 && handle <= in->view_count ? &in->views[handle - 1] : NULL;
}

static uint64_t view_elements(const memconform_instance *in, const view *v) {
  return v->generation == in->generation ? in->byte_length / v->kind->size : 0; /* detached: length 0 */
}

static memconform_status ex_view_length(memconform_instance *in, uint64_t handle, double *length) {
  view *v = find_view(in, handle);
  if (!v) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "not a view of this instance");
  *length = (double)view_elements(in, v); /* reading the length of a detached view is no stale use */
  return MEMCONFORM_OK;
}

/* The element at `index`, if it is one (IsValidIntegerIndex; -0 is index 0). */
static int element(const memconform_instance *in, const view *v, double index, uint64_t *at) {
  if (!is_integer(index) || index < 0 || index >= (double)view_elements(in, v)) return 0;
  *at = (uint64_t)index * v->kind->size;
  return 1;
}

static void stale(memconform_instance *in, const view *v) {
  emit(in, MEMCONFORM_EVENT_STALE_VIEW, v->generation, in->generation, 1); /* SAFE-3 */
}

static memconform_status ex_view_get(memconform_instance *in, uint64_t handle, double index, memconform_number *value,
                                     int *is_undefined) {
  view *v = find_view(in, handle);
  if (!v) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "not a view of this instance");
  uint64_t at = 0;
  if (v->generation != in->generation) stale(in, v);
  *is_undefined = !element(in, v, index, &at);
  if (!*is_undefined) *value = load(in, at, v->kind);
  return MEMCONFORM_OK;
}

static memconform_status ex_view_set(memconform_instance *in, uint64_t handle, double index, memconform_number value) {
  view *v = find_view(in, handle);
  if (!v) return fail(in, MEMCONFORM_INVALID_ARGUMENT, "not a view of this instance");
  /* The store converts first (section 12, VIEW-1): a TypeError even on a detached view. */
  uint64_t bits = 0;
  const memconform_status converted = convert(in, v->kind, value, 0, &bits);
  if (converted != MEMCONFORM_OK) return converted;
  if (v->generation != in->generation) {
    stale(in, v); /* the write is ignored */
    return MEMCONFORM_OK;
  }
  uint64_t at = 0;
  if (element(in, v, index, &at)) memcpy(in->memory + at, &bits, v->kind->size);
  return MEMCONFORM_OK;
}

/* ---- the instance -------------------------------------------------------- */

static memconform_instance *ex_create(const memconform_setup *setup, const memconform_host *host, char *why,
                                      size_t why_size) {
#ifdef EXAMPLE_FIXED_BUILD
  /* Built one way, as most real glue is: the memory, growth parameters and
   * faults of MEM-4, GROW-6 and MEM-5 are its build's, whatever the setup
   * says. It declares no capability to set them (capabilities below). */
  static const memconform_setup fixed = {.initial_pages = 256,          /* MEM-4: 16 MiB */
                                         .maximum_pages = 32768,        /* MEM-4: 2 GiB */
                                         .geometric_step = 0.2,         /* GROW-6 */
                                         .overgrowth_cap = 100663296,   /* 96 MiB */
                                         .alignment = 65536,
                                         .max_heap_size = 2147483648.0};  /* no faults (MEM-5) */
  setup = &fixed;
#endif
  memconform_instance *in = calloc(1, sizeof *in);
  if (!in) abort();
  in->host = *host;
  in->setup = *setup;
  in->fail_attempts = malloc((setup->fail_attempt_count + 1) * sizeof(uint64_t));
  if (!in->fail_attempts) abort();
  if (setup->fail_attempt_count) memcpy(in->fail_attempts, setup->fail_attempts, setup->fail_attempt_count * sizeof(uint64_t));
  /* The whole maximum is reserved at once and committed by the kernel only
   * where it is written, so growing never moves the memory. */
  in->reserved = ((uint64_t)setup->maximum_pages > setup->initial_pages ? setup->maximum_pages : setup->initial_pages) * (uint64_t)PAGE;
  if (!in->reserved) in->reserved = PAGE;
  in->memory = mmap(NULL, in->reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (in->memory == MAP_FAILED) {
    snprintf(why, why_size, "cannot reserve %llu bytes", (unsigned long long)in->reserved);
    free(in->fail_attempts);
    free(in);
    return NULL;
  }
  in->byte_length = (uint64_t)setup->initial_pages * PAGE;
  in->brk = HEAP_BASE;
  in->next_handle = 1;
  in->table_length = TABLE_RESERVED;
  in->table = calloc(TABLE_RESERVED, 1);
  return in;
}

static void ex_destroy(memconform_instance *in) {
  for (size_t s = 0; s < in->scope_count; ++s) free(in->scopes[s].entries);
  free(in->scopes);
  free(in->blocks);
  free(in->free);
  munmap(in->memory, in->reserved);
  free(in->fail_attempts);
  free(in->table);
  free(in->free_slots);
  free(in->live_out);
  free(in->installed_out);
  free(in->views);
  free(in);
}

static uint64_t ex_byte_length(memconform_instance *in) { return in->byte_length; }

static void ex_state(memconform_instance *in, memconform_state *out) {
  free(in->live_out);
  free(in->installed_out);
  in->live_out = malloc((in->block_count + 1) * sizeof(uint32_t));
  in->installed_out = malloc((in->table_length + 1) * sizeof(uint32_t));
  if (!in->live_out || !in->installed_out) abort();
  for (size_t i = 0; i < in->block_count; ++i) in->live_out[i] = in->blocks[i].ptr;
  size_t n = 0;
  for (uint32_t i = 0; i < in->table_length; ++i)
    if (in->table[i]) in->installed_out[n++] = i;
  *out = (memconform_state){in->scope_count, in->live_out, in->block_count, in->installed_out, n};
}

#ifdef EXAMPLE_FIXED_BUILD
/* table-slot-reuse: ex_install_function hands out the most recently freed slot first. */
static const char *const capabilities[] = {"views", "function-table", "table-slot-reuse", NULL};
#else
static const char *const capabilities[] = {"memory-config", "grow-faults", "growth-params", "raw-grow",
                                            "views", "function-table", "i64", "table-slot-reuse", NULL};
#endif

static const memconform_target example = {
    .abi_version = MEMCONFORM_ABI_VERSION,
    .name = "example heap glue in C 1.0",
    .capabilities = capabilities,
    .create = ex_create,
    .destroy = ex_destroy,
    .byte_length = ex_byte_length,
    .state = ex_state,
    .grow = ex_grow,
    .resize = ex_resize,
    .align_memory = ex_align_memory,
    .zero_memory = ex_zero_memory,
    .mmap_alloc = ex_mmap_alloc,
    .alloc = ex_alloc,
    .dealloc = ex_dealloc,
    .push = ex_push,
    .pop = ex_pop,
    .scoped_alloc = ex_scoped_alloc,
    .scoped_alloc_cstring = ex_scoped_alloc_cstring,
    .alloc_ptr = ex_alloc_ptr,
    .scoped_alloc_main_argv = ex_scoped_alloc_main_argv,
    .level = ex_level,
    .set_level = ex_set_level,
    .scoped_alloc_call = ex_scoped_alloc_call,
    .install_function = ex_install_function,
    .uninstall_function = ex_uninstall_function,
    .peek = ex_peek,
    .poke = ex_poke,
    .heap = ex_heap,
    .heap_for_size = ex_heap_for_size,
    .view_length = ex_view_length,
    .view_get = ex_view_get,
    .view_set = ex_view_set,
};

MEMCONFORM_EXPORT const memconform_target *memconform_target_v1(void) { return &example; }
