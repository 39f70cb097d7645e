// Bugs planted in the real helpers of @sqlite.org/sqlite-wasm 3.54.1-build1
// (`node driver.mjs --mutant NAME`), to show that the corpus and
// fuzz_differential against the release's dialect catch the mistakes glue
// code makes: stale views after growth, pop order, a missing unwind, a
// dropped `>>> 0`, i64 through a double, a missing NUL, unzeroed memory.
// Each one replaces or wraps one function of the helper object
// (sqlite3.wasm) or of Emscripten's runtime, re-evaluated from the text the
// package ships with one change, after the driver's hooks are in place:
// everything else is upstream's own code. A mutant is not a dialect
// (core/dialects.h): it is a bug that must be caught.

// Upstream's text of `name` with `from` replaced by `to`: the mutation must
// apply, or the mutant would be the release itself.
function mutated(release, name, from, to) {
  const text = release.declaration(name);
  if (!text.includes(from)) throw new Error(`mutant: ${name} of this release has no "${from}"`);
  return text.replace(from, to);
}

// Re-evaluates runtime functions of `release` in a scope that gives them
// this instance's memory and runtime views; returns the functions named in
// `names` (the last text defines them in order).
function evaluate(instance, texts, names, extra = {}) {
  const scope = {
    wasmMemory: instance.memory,
    get HEAPU8() { return instance.runtimeView(); },
    updateMemoryViews: () => instance.renewRuntimeView(),
    ...extra,
  };
  // eslint-disable-next-line no-new-func
  return new Function('scope', `with (scope) { ${texts.join('\n')}\n return { ${names.join(', ')} }; }`)(scope);
}

const utf8 = new TextEncoder();

// scopedAllocPtr and allocPtr as upstream's, but for how they zero their
// slots: zero(address, howMany, slotSize).
function plantPtrSlots(w, zero) {
  const slots = (alloc) => (howMany = 1, safePtrSize = true) => {
    const size = safePtrSize ? 8 : 4;
    const m = alloc(howMany * size);
    zero(Number(m), howMany, size);
    if (howMany === 1) return m;
    return Array.from({ length: howMany }, (_, k) => Number(m) + k * size);
  };
  w.scopedAllocPtr = slots((n) => w.scopedAlloc(n));
  w.allocPtr = slots((n) => w.alloc(n));
}

export const MUTANTS = {
  'heap8u-stale': {
    rule: 'VIEW-2', what: 'heap8u() keeps handing out the view it made first, detached once the memory grows',
    plant(i) { const first = i.wasm.heap8u(); i.wasm.heap8u = () => first; },
  },
  'heap32-stale': {
    rule: 'VIEW-2', what: 'heap32() keeps handing out the view it made first',
    plant(i) { const first = i.wasm.heap32(); i.wasm.heap32 = () => first; },
  },
  'heap-for-size-stale': {
    rule: 'VIEW-2', what: 'heapForSize() caches each view forever, by its arguments',
    plant(i) {
      const { heapForSize } = i.wasm;
      const cache = new Map();
      i.wasm.heapForSize = (n, unsigned = true) => {
        const key = `${n?.name ?? n}/${unsigned}`;
        if (!cache.has(key)) cache.set(key, heapForSize(n, unsigned));
        return cache.get(key);
      };
    },
  },
  'cstring-stale-view': {
    rule: 'VIEW-2', what: 'scopedAllocCString writes through the heap8u view of the start, detached once the memory grows',
    plant(i) {
      const w = i.wasm;
      const first = w.heap8u();
      w.scopedAllocCString = (s, withLength = false) => {
        if (typeof s !== 'string') return null;
        const u = utf8.encode(s);
        const p = w.scopedAlloc(u.length + 1);
        first.set(u, Number(p));
        first[Number(p) + u.length] = 0;
        return withLength ? [p, u.length] : p;
      };
    },
  },
  'cstring-no-nul-room': {
    rule: 'SCOPE-8', what: 'scopedAllocCString allocates the string\'s bytes only and writes the NUL past the block',
    plant(i) {
      const w = i.wasm;
      w.scopedAllocCString = (s, withLength = false) => {
        if (typeof s !== 'string') return null;
        const u = utf8.encode(s);
        const p = w.scopedAlloc(u.length);
        w.heap8u().set(u, Number(p));
        w.heap8u()[Number(p) + u.length] = 0;
        return withLength ? [p, u.length] : p;
      };
    },
  },
  'pop-fifo': {
    rule: 'SCOPE-6', what: 'scopedAllocPop releases a scope\'s entries first in, first out',
    plant(i) {
      const { scopedAllocPop } = i.wasm;
      i.wasm.scopedAllocPop = (...args) => {
        const scope = args.length ? args[0] : i.openScopes[i.openScopes.length - 1];
        if (Array.isArray(scope)) scope.reverse();  // upstream pops from the end
        return scopedAllocPop(...args);
      };
    },
  },
  'pop-handle-pops-top': {
    rule: 'SCOPE-5', what: 'scopedAllocPop(scope) pops the top scope whatever the handle',
    plant(i) { const { scopedAllocPop } = i.wasm; i.wasm.scopedAllocPop = () => scopedAllocPop(); },
  },
  'call-no-unwind': {
    rule: 'CALL-2', what: 'scopedAllocCall pops its scope only when its function returns: an exception leaves it pushed',
    plant(i) {
      const w = i.wasm;
      w.scopedAllocCall = (f) => {
        w.scopedAllocPush();
        const r = f();
        w.scopedAllocPop();
        return r;
      };
    },
  },
  'scoped-alloc-not-recorded': {
    rule: 'LEAK-2', what: 'scopedAlloc allocates without recording the block in the scope: its pop leaks it',
    plant(i) {
      const w = i.wasm;
      w.scopedAlloc = (n) => {
        if (!w.scopedAlloc.level) throw new Error('No scopedAllocPush() scope is active.');
        return w.alloc(n);
      };
      Object.defineProperty(w.scopedAlloc, 'level', { get: () => i.openScopes.length });
    },
  },
  'alloc-ptr-not-zeroed': {
    rule: 'SCOPE-9', what: 'scopedAllocPtr and allocPtr leave their pointer slots as the allocator left them',
    plant(i) { plantPtrSlots(i.wasm, () => {}); },
  },
  'alloc-ptr-one-past': {
    rule: 'SAFE-2', what: 'scopedAllocPtr and allocPtr zero their slots one slot late: the last write lands past the block',
    plant(i) {
      const w = i.wasm;
      plantPtrSlots(w, (m, howMany, size) => {
        for (let k = 1; k <= howMany; ++k) w.poke(m + k * size, 0, size === 8 ? 'i64' : 'i32');
      });
    },
  },
  'argv-stale-view': {
    rule: 'SAFE-2', what: 'scopedAllocMainArgv writes the pointers through a view taken before the strings were allocated, detached once one of them grows the memory',
    plant(i) {
      const w = i.wasm;
      w.scopedAllocMainArgv = (list) => {
        const table = Number(w.scopedAlloc((list.length + 1) * 4));
        const heap = w.heap32();
        list.forEach((e, k) => { heap[(table >> 2) + k] = Number(w.scopedAllocCString(`${e}`)); });
        heap[(table >> 2) + list.length] = 0;
        return table;
      };
    },
  },
  'poke-list-one-past': {
    rule: 'SAFE-2', what: 'a poke of a list tests its loop bound after each write (k <= length): one write more, at list[length], undefined >> n, address 0',
    plant(i) {
      const w = i.wasm;
      const { poke } = w;
      w.poke = function (ptr, value, type = 'i8') {
        if (!Array.isArray(ptr)) return poke.call(this, ptr, value, type);
        for (let k = 0; k <= ptr.length; ++k) poke.call(this, ptr[k], value, type);
        return this;
      };
    },
  },
  'i64-peek-through-double': {
    rule: 'PEEK-3', what: 'an i64 peek passes the value through a Number: bits above 2^53 are lost',
    plant(i) {
      const { peek } = i.wasm;
      const round = (v) => (typeof v === 'bigint' ? BigInt(Number(v)) : v);
      i.wasm.peek = (ptr, type = 'i8') => {
        const r = peek(ptr, type);
        return type === 'i64' ? (Array.isArray(r) ? r.map(round) : round(r)) : r;
      };
    },
  },
  'i64-poke-through-double': {
    rule: 'PEEK-4', what: 'an i64 poke passes a BigInt through a Number: bits above 2^53 are lost',
    plant(i) {
      const { poke } = i.wasm;
      i.wasm.poke = (ptr, value, type = 'i8') =>
        poke(ptr, type === 'i64' && typeof value === 'bigint' ? BigInt(Number(value)) : value, type);
    },
  },
  'resize-no-uint32': {
    rule: 'GROW-1', what: 'emscripten_resize_heap without `requestedSize >>>= 0`: negative and 2^32+ requests are not wrapped',
    plant(i, release) {
      const f = evaluate(i, [release.declaration('getHeapMax'), release.declaration('alignMemory'),
        release.declaration('growMemory'),
        mutated(release, '_emscripten_resize_heap', 'requestedSize >>>= 0;', '')], ['_emscripten_resize_heap']);
      i.resizeHeap = (size) => i.runtimeResize(() => f._emscripten_resize_heap(size));
    },
  },
  'mmap-alloc-not-zeroed': {
    rule: 'ALIGN-3', what: 'mmapAlloc does not zero the block memalign gave it',
    plant(i, release) {
      i.internals.mmapAlloc = i.internalFunction(mutated(release, 'mmapAlloc', 'if (ptr) zeroMemory(ptr, size);', ''), 'mmapAlloc');
    },
  },
  'zero-memory-one-more': {
    rule: 'ALIGN-2', what: 'zeroMemory zeroes one byte past the range it was given',
    plant(i, release) {
      i.internals.zeroMemory = i.internalFunction(mutated(release, 'zeroMemory', 'ptr + size', 'ptr + size + 1'), 'zeroMemory');
    },
  },
};

export function plantMutant(name, instance, release) {
  const m = MUTANTS[name];
  if (!m) throw new Error(`unknown mutant "${name}"; known: ${Object.keys(MUTANTS).join(', ')}`);
  m.plant(instance, release);
}
