// One live instance of the sqlite3.wasm helpers of @sqlite.org/sqlite-wasm
// with a memory of the vector's size, and the hooks that report what the
// helpers did (docs/DRIVER_PROTOCOL.md "Interpreting the vectors", step 3): alloc,
// dealloc, installFunction and uninstallFunction are wrapped on the helper
// object (the helpers call each other through it), and memory.grow on the
// memory object (Emscripten's growMemory calls it), where growth faults are
// injected too (MEM-5).
import { fileURLToPath } from 'node:url';
import { Binding } from './binding.mjs';
import { openPackage } from './package.mjs';
import { Real, accessChecker } from './sanitizer.mjs';
import { enforceRangeU32, noteMinima } from '../kit/index.mjs';

const PAGE = 65536;

// The releases pinned in package.json, each with its expectations file: an
// installed package's folder by version (any other installed package loads
// by its folder: Release.open({ packageDir }), lib/package.mjs).
// `dialect`: the variants of the release's dialect (core/dialects.cpp) under
// which the helpers themselves touch what SAFE-2 forbids; the access check
// accepts those accesses when asked to (--dialect-accesses).
export const RELEASES = {
  '3.54.1-build1': {
    dir: '../node_modules/@sqlite.org/sqlite-wasm/',
    dialect: ['views-cached-by-length', 'peek-empty-list-reads-zero', 'peek-poke-unchecked', 'zero-memory-fill'],
  },
  '3.41.2': {
    dir: '../node_modules/sqlite-wasm-3.41.2/',
    dialect: ['views-cached-by-length', 'peek-empty-list-reads-zero', 'peek-poke-unchecked', 'zero-memory-fill'],
  },
};

// The text of a top-level declaration of the module script (`var f = ...;` or
// `function f(...) {...}`), so that Emscripten's own alignMemory, zeroMemory
// and mmapAlloc, which the package does not export, can be run as shipped.
function declarationText(source, name) {
  const start = source.search(new RegExp(`(?:var|let|const)\\s+${name}\\s*=|function\\s+${name}\\s*\\(`));
  if (start < 0) throw new Error(`${name} not found in the module script`);
  const isFunction = source.startsWith('function', start);
  let depth = 0;
  for (let i = start; i < source.length; ++i) {
    const c = source[i];
    if ('({['.includes(c)) ++depth;
    else if (')}]'.includes(c)) {
      --depth;
      if (depth === 0 && c === '}' && isFunction) return source.slice(start, i + 1);
    } else if (depth === 0 && c === ';') return source.slice(start, i + 1);
  }
  throw new Error(`${name}: unterminated declaration`);
}

export class Release {
  // A pinned release by version, or the package installed in packageDir.
  static async open({ version, packageDir }) {
    if (packageDir === undefined) {
      const pinned = RELEASES[version];
      if (!pinned) throw new Error(`unknown release "${version}"; pinned: ${Object.keys(RELEASES).join(', ')} (any other: --package DIR)`);
      packageDir = fileURLToPath(new URL(pinned.dir, import.meta.url));
    }
    const p = await openPackage(packageDir);
    return new Release(p, new WebAssembly.Module(p.binary));
  }

  constructor({ name, version, layout, init, source }, module) {
    this.name = name;
    this.version = version;
    this.layout = layout;
    this.dialect = RELEASES[version]?.dialect;  // undefined for a release not pinned
    this.init = init;
    this.module = module;
    this.source = source;
    this.internals = ['alignMemory', 'zeroMemory', 'mmapAlloc'].map((n) => this.declaration(n)).join('\n');
    // The memories the module can be instantiated with (its import's limits).
    this.minimumPages = minimumImportPages(module);
    this.maximumPages = maximumImportPages(module, this.minimumPages);
  }

  // The text of a top-level declaration of the module script (for its
  // internals, and for a mutant that changes one: lib/mutants.mjs).
  declaration(name) {
    return declarationText(this.source, name);
  }

  async instance(initialPages, maximumPages) {
    return Instance.create(this, initialPages, maximumPages);
  }

  // What a new instance's memory holds: the bytes the module and its
  // allocator wrote while it started (all below `top`; the rest is zero).
  // The module starts the same way whatever the memory's size, so the first
  // instance's image serves the others; each is compared with it below
  // `top`, and one that differs gets its own. Finding `top` reads the whole
  // memory, which costs as much as the rest of an instance (every page is
  // touched for the first time), so it is read only when that comparison fails.
  image(bytes) {
    const known = this.startImage;
    if (known && bytes.length >= known.top && Buffer.compare(known.bytes, bytes.subarray(0, known.top)) === 0 &&
        (bytes.length === known.top || bytes[known.top] === 0))
      return known;
    const top = highestNonzeroByte(bytes) + 1;
    const image = { bytes: bytes.slice(0, top), top };
    this.startImage ??= image;
    return image;
  }
}

// The memory import's minimum, as the engine states it when a smaller
// memory is offered (every other import is a stand-in function).
function minimumImportPages(module) {
  const stub = new Proxy({}, { get: (_, key) => (key === 'memory' ? new WebAssembly.Memory({ initial: 0 }) : () => 0) });
  try {
    new WebAssembly.Instance(module, new Proxy({}, { get: () => stub }));
  } catch (e) {
    const m = /smaller than initial (\d+)/.exec(String(e.message));
    if (m) return Number(m[1]);
  }
  return 0;  // unknown: instance() will say why it fails
}

// Bytes past a vector's highest block that the allocator may have written
// (dlmalloc's chunk headers and the top chunk's; memalign's are inside).
const ALLOCATOR_MARGIN = 4096;
// Bytes beside a block that classify() names after it: dlmalloc's chunk
// header is the 8 bytes before a block, and a block's slack the few after.
const REDZONE = 16;
// How far past a block's end dlmalloc may move its break to make the block:
// its padding and a granularity step (4 KiB in Emscripten's build), twice.
const SBRK_STEP = 2 * (4096 + 64);

// The index of the last nonzero byte (-1 if none): whole 64-KiB pages are
// compared natively, from the end.
function highestNonzeroByte(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zeros = Buffer.alloc(PAGE);
  let end = bytes.length;
  while (end >= PAGE && buffer.compare(zeros, 0, PAGE, end - PAGE, end) === 0) end -= PAGE;
  while (end > 0 && bytes[end - 1] === 0) --end;
  return end - 1;
}

// The runs of 4-KiB pages of `image` whose bytes differ from `bytes`, as
// [start, end) pairs within the image.
function pagesThatDiffer(image, bytes) {
  const runs = [];
  const a = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; start < a.length; start += OS_PAGE) {
    const end = Math.min(start + OS_PAGE, a.length);
    if (a.compare(b, start, end, start, end) === 0) continue;
    const last = runs.at(-1);
    if (last && last[1] === start) last[1] = end;
    else runs.push([start, end]);
  }
  return runs;
}
const OS_PAGE = 4096;

// The memory import's maximum, as the engine states it when a memory with a
// larger one is offered (65536, wasm32's ceiling, if it states none).
function maximumImportPages(module, minimumPages) {
  const memory = new WebAssembly.Memory({ initial: minimumPages, maximum: 65536 });
  const stub = new Proxy({}, { get: (_, key) => (key === 'memory' ? memory : () => 0) });
  try {
    new WebAssembly.Instance(module, new Proxy({}, { get: () => stub }));
  } catch (e) {
    const m = /declared maximum (\d+)/.exec(String(e.message));
    if (m) return Number(m[1]);
  }
  return 65536;
}

export class Instance {
  static async create(release, initialPages, maximumPages) {
    const binding = new Binding(release.module, initialPages, maximumPages);
    const runtime = { resizing: 0 };  // calls of emscripten_resize_heap under way
    let imports, failed;
    const refused = new Promise((_, reject) => { failed = reject; });
    // The module instantiated over the binding with the imports the
    // package's runtime made, on a later microtask (which lets 3.41.2
    // register its post-run hook first); `refused` rejects if the module
    // refuses the memory.
    const instantiate = (imp, done) => {
      imports = imp;
      // Growth through the runtime's resize (from JS or from sbrk in the
      // module) renews the runtime's own views (updateMemoryViews).
      const resizeHeap = runtime.resizeHeap = imp.env.emscripten_resize_heap;
      imp.env.emscripten_resize_heap = (size) => {
        ++runtime.resizing;
        try {
          return resizeHeap(size);
        } finally {
          --runtime.resizing;
        }
      };
      queueMicrotask(() => {
        try {
          done(binding.instantiate(imp));
        } catch (e) {
          failed(e);
        }
      });
    };
    const options = {
      print: () => {},
      printErr: () => {},
      wasmMemory: binding.memory,
      instantiateWasm(imp, done) {
        instantiate(imp, (exports) => done({ exports }, release.module));
        return {};
      },
    };
    // 3.51's browser build replaces instantiateWasm with its own, which
    // fetches the binary and streams it in: it gets the same instantiation.
    const { instantiateStreaming } = WebAssembly;
    WebAssembly.instantiateStreaming = (source, imp) => {
      Promise.resolve(source).catch(() => {});  // its fetch of a file: URL, which Node refuses
      return new Promise((resolve) => instantiate(imp, (exports) => resolve({ instance: { exports }, module: release.module })));
    };
    const warn = console.warn;
    console.warn = () => {};  // "Ignoring inability to install OPFS sqlite3_vfs"
    let sqlite3;
    try {
      sqlite3 = await Promise.race([release.init(options), refused]);
    } finally {
      console.warn = warn;
      WebAssembly.instantiateStreaming = instantiateStreaming;
    }
    return new Instance(release, sqlite3, options, imports.env, binding, maximumPages, runtime);
  }

  constructor(release, sqlite3, module, env, binding, maximumPages, runtime) {
    const memory = binding.memory;
    this.binding = binding;
    // A request the C heap refused moves where it writes next (reset()).
    binding.onAllocationFailed = () => { this.allocationFailed = true; };
    this.runtime = runtime;
    this.sqlite3 = sqlite3;
    this.wasm = sqlite3.wasm;
    this.env = env;
    this.memory = memory;
    this.#startMemory(maximumPages);
    this.events = null;  // where events go; null between vectors
    this.live = new Map();  // ptr -> size, allocations of the current vector
    this.installed = new Set();
    this.mapped = new Set();  // mmapAlloc blocks: memalign's, not sqlite3_free's to release
    this.freed = new Map();  // ptr -> size, blocks of the current vector freed since (classify())
    this.dialectAccesses = new Set();  // variants whose accesses classify() accepts (RELEASES dialect)
    this.dirty = false;  // the vector may have led the allocator to write anywhere (reset())
    this.faults = {};
    this.growCalls = 0;
    this.lastMin = undefined;
    this.highWater = 0;  // the end of the highest block or write of the current vector
    this.allocatedBytes = 0;  // what the vector's blocks may have moved the C heap's break by (reset())
    this.allocationFailed = false;  // a request of the vector's was refused (reset())
    this.displaced = new Map();  // slot -> what it held before the vector first uninstalled it (reset())
    this.freshMemory = false;  // rehome() made a new memory: reset() writes the image into it (#restoreFresh)
    this.zerosFreed = 0;  // uninstallFunction(0) calls since the last reset (#takeFreeSlots)
    this.#hook();
    this.module = module;
    this.release = release;
    this.internals = this.#internals();
    this.resizeHeap = (size) => this.env.emscripten_resize_heap(size);
    this.pristine = this.#pristine();
  }

  // What the driver knows of a memory that has not grown yet (at creation,
  // and after rehome()).
  #startMemory(maximumPages) {
    // The runtime's HEAPU8 where the module does not export it (3.54.1): a
    // view renewed only when the runtime's resize grows the memory, as
    // Emscripten's updateMemoryViews does, so after a raw memory.grow it is
    // detached, as in the module (resize-reads-stale-heap, core/dialects.h).
    this.runtimeHeap = this.#runtimeHeapOf(this.memory.buffer);
    this.initialBytes = this.memory.buffer.byteLength;
    this.maximumPages = maximumPages;
    this.generation = 0;  // successful grows (VIEW-2)
    this.replacedAtSameLength = new WeakSet();  // buffers a grow(0) replaced
    this.buffers = new WeakMap([[this.memory.buffer, 0]]);  // buffer -> the generation it belongs to
  }

  #record(e) {
    if (this.events) this.events.push(e);
  }

  #hook() {
    const w = this.wasm;
    const { alloc, dealloc, installFunction, scopedInstallFunction, uninstallFunction } = w;
    // upstream's own, for reset() (mutants replace the helpers on the object).
    this.upstream = { scopedAlloc: w.scopedAlloc, scopedAllocPop: w.scopedAllocPop, installFunction, uninstallFunction, heap8u: w.heap8u };
    w.alloc = Object.assign((n) => {
      const p = alloc(n);
      this.#allocated(Number(p), Number(n));
      this.live.set(Number(p), n);
      this.#record({ alloc: Number(p), size: n });
      return p;
    }, alloc);
    w.dealloc = (p) => {
      const ptr = Number(p) >>> 0;  // the address free() gets: its i32 parameter wraps (section 12, SCOPE-3)
      if (ptr !== 0) {
        // A double free, or a memalign block into sqlite3_free: the C heap may be corrupt now.
        const size = this.live.get(ptr);
        if (size !== undefined) this.freed.set(ptr, Number(size));
        if (!this.live.delete(ptr) || this.mapped.has(ptr)) this.dirty = true;
        this.#record({ dealloc: ptr });
      }
      return dealloc(p);
    };
    const installing = (install) => (fn, sig) => {
      const i = install(fn, sig);
      this.installed.add(Number(i));
      this.#record({ install: Number(i) });
      return i;
    };
    w.installFunction = installing(installFunction);
    w.scopedInstallFunction = installing(scopedInstallFunction);
    w.uninstallFunction = (i) => {
      // The slot upstream empties (its index as the table converts it: "3",
      // 3.5 and 3 are slot 3) and what it holds: kept for reset() to put
      // back (the module's own functions and upstream's; the free list
      // comes back whatever upstream put on it), and an event if a numeric
      // index emptied a function.
      const table = w.functionTable();
      const slot = enforceRangeU32(i);
      const before = slot !== undefined && slot < table.length ? table.get(slot) : null;
      if (slot !== undefined && slot < table.length && !this.displaced.has(slot)) this.displaced.set(slot, before);
      const held = typeof i === 'number' && before !== null;
      const r = uninstallFunction(i);
      this.installed.delete(i);
      if (i === 0) ++this.zerosFreed;  // on upstream's free list, where it ends the search for a slot
      if (held) this.#record({ uninstall: i });
      return r;
    };
    // Scope handles are upstream's own objects; the driver numbers them and
    // keeps the stack's order to name the scope a pop removes.
    const { scopedAllocPush, scopedAllocPop } = w;
    this.scopeIds = new WeakMap();
    this.nextScope = 1;
    this.openScopes = [];
    w.scopedAllocPush = () => {
      const s = scopedAllocPush();
      this.scopeIds.set(s, this.nextScope++);
      this.openScopes.push(s);
      this.#record({ push: this.scopeIds.get(s) });
      return s;
    };
    w.scopedAllocPop = (...args) => {  // upstream tells pop() from pop(undefined) by arguments.length
      const at = args.length ? this.openScopes.indexOf(args[0]) : this.openScopes.length - 1;
      if (at < 0) return scopedAllocPop(...args);  // upstream refuses it before releasing anything
      // The pop event comes before the releases (SCOPE-4, SCOPE-5).
      this.#record({ pop: this.scopeIds.get(this.openScopes[at]) });
      this.openScopes.splice(at, 1);
      return scopedAllocPop(...args);
    };
    // memory.grow: count, inject faults (MEM-5), report (MEM-2), and note the
    // newSize of the resize policy's attempt (GROW-3), which is the last
    // Math.min that emscripten_resize_heap computed before calling grow.
    const grow = this.memory.grow.bind(this.memory);
    this.memory.grow = (delta) => {
      const attempt = this.resizing ? this.lastMin : undefined;
      const pages = enforceRangeU32(delta);
      if (pages === undefined) {
        // The engine's TypeError: no grow happened, but the attempt failed.
        try {
          return grow(delta);
        } finally {
          if (attempt !== undefined) this.#record({ resizeAttempt: attempt, ok: false });
        }
      }
      const ordinal = ++this.growCalls;
      const oldPages = this.memory.buffer.byteLength / PAGE;
      const faulted = (this.faults.failAttempts ?? []).includes(ordinal) ||
        (this.faults.failAbovePages !== undefined && oldPages + pages > this.faults.failAbovePages);
      let ok = false;
      try {
        if (faulted) throw new RangeError('WebAssembly.Memory.grow(): injected growth fault (MEM-5)');
        const before = this.memory.buffer, length = before.byteLength;
        const r = grow(pages);
        ok = true;
        if (this.memory.buffer.byteLength === length) this.replacedAtSameLength.add(before);
        this.buffers.set(this.memory.buffer, ++this.generation);
        accessChecker.watch(this.memory.buffer);
        if (this.runtime.resizing) this.runtimeHeap = this.#runtimeHeapOf(this.memory.buffer);
        return r;
      } finally {
        this.#record({ grow: pages, ok });
        if (attempt !== undefined) this.#record({ resizeAttempt: attempt, ok });
      }
    };
  }

  // emscripten_resize_heap(size) through the module's own import; Math.min
  // is watched only for the length of the call.
  resize(size) {
    this.resizing = true;
    try {
      return noteMinima(() => this.resizeHeap(size), (m) => { this.lastMin = m; });
    } finally {
      this.resizing = false;
      this.lastMin = undefined;
    }
  }

  // The runtime's HEAPU8: the module's own where it exports it (3.41.2),
  // else the driver's model of it.
  runtimeView() {
    return this.module.HEAPU8 ?? this.runtimeHeap;
  }

  renewRuntimeView() {
    this.runtimeHeap = this.#runtimeHeapOf(this.memory.buffer);
  }

  // The driver's model of the runtime's HEAPU8 is the runtime's: checked
  // (lib/sanitizer.mjs) as the module's own views are.
  #runtimeHeapOf(buffer) {
    accessChecker.watch(buffer);
    const view = new Real.Uint8Array(buffer);
    return accessChecker.installed ? accessChecker.checked(view) : view;
  }

  // Runs `f` as a call of the runtime's resize (its growth renews the
  // runtime's views).
  runtimeResize(f) {
    ++this.runtime.resizing;
    try {
      return f();
    } finally {
      --this.runtime.resizing;
    }
  }

  // Emscripten's alignMemory, zeroMemory and mmapAlloc as the module script
  // declares them, evaluated against this instance, and `extra` text after
  // them (a mutated declaration); returns the functions named.
  #evaluate(extra = '', names = ['alignMemory', 'zeroMemory', 'mmapAlloc']) {
    const self = this;
    const memalign = this.wasm.exports.emscripten_builtin_memalign;
    const scope = {
      get HEAPU8() { return self.runtimeView(); },
      // mmapAlloc's block is an allocation the caller owns (ALIGN-3).
      _emscripten_builtin_memalign: (alignment, size) => {
        const p = memalign(alignment, size);
        this.#allocated(p, size + alignment);
        if (p) {
          this.live.set(p, size);
          this.mapped.add(p);
          this.#record({ alloc: p, size });
        }
        return p;
      },
      abort: (what) => { throw new WebAssembly.RuntimeError(`Aborted(${what ?? ''})`); },
    };
    // eslint-disable-next-line no-new-func
    return new Function('scope', `with (scope) { ${this.release.internals}\n${extra}\n return { ${names.join(', ')} }; }`)(scope);
  }

  #internals() {
    return this.#evaluate();
  }

  // The function `name` declared by `text`, with the other internals beside it.
  internalFunction(text, name) {
    return this.#evaluate(text, [name])[name];
  }

  // The state every vector starts from, so that no vector sees what an
  // earlier one left (a block's old bytes, where the allocator puts the next
  // block, which table slot comes next): the bytes the module and its
  // allocator have written (all below `top`; the rest is zero, as the
  // allocator's break and the stack pointer say where it goes next), the
  // stack pointer, and the function table, its free slots handed out in
  // ascending order (normalized here, for each instance alike).
  #pristine() {
    const table = this.wasm.functionTable();
    const holes = this.#takeFreeSlots();
    for (const i of holes) table.set(i, null);
    const slots = Array.from({ length: table.length }, (_, i) => this.binding.slotSource(table.get(i), i));
    this.#freeInAscendingOrder(holes);
    return { ...this.release.image(new Real.Uint8Array(this.memory.buffer)), stack: this.#stack().save(), slots, holes };
  }

  // upstream's stack pointer (a wasm global, left low by a trap).
  #stack() {
    const x = this.wasm.exports;
    return x.stackSave ? { save: x.stackSave, restore: x.stackRestore }
      : { save: x.emscripten_stack_get_current, restore: x._emscripten_stack_restore };
  }

  // Every slot on upstream's free list, taken off it (by installing a
  // stand-in in each while the table cannot grow): the slots it listed.
  #takeFreeSlots() {
    const standIn = this.binding.exportsNow.sqlite3_initialize;  // a wasm function: upstream sets it as it is
    const end = new Error('the free list ended');
    const taken = [];
    let ends = 0;
    this.binding.tableGrowStandIn = () => { throw end; };
    try {
      for (let tries = 0; tries < 100000; ++tries) {
        try {
          taken.push(this.upstream.installFunction(standIn, 'i()'));
        } catch (e) {
          // Upstream would grow the table: its list ran out, or its search
          // stopped at a 0 on it (uninstallFunction(0) puts one there), with
          // the slots below it still listed. Anything else: a value a
          // vector put there that is not a slot, gone from the list.
          if (e === end && ++ends > this.zerosFreed) return taken;
        }
      }
    } finally {
      this.binding.tableGrowStandIn = undefined;
    }
    throw new Error('the function table\'s free list does not run out');
  }

  // Puts `holes` on upstream's free list, so that installs take them in
  // ascending order, and then grow the table.
  #freeInAscendingOrder(holes) {
    for (const i of [...holes].sort((a, b) => b - a)) this.upstream.uninstallFunction(i);
  }

  // Ready for the next vector, in the state the instance was created in
  // (#pristine). False if it cannot be: a memory that grew (not even by 0
  // pages, which replaces the buffer behind upstream's cached views) does
  // not shrink.
  reset() {
    this.events = null;
    this.faults = {};
    this.growCalls = 0;
    if (this.generation !== 0)
      return this.#unusable(this.memory.buffer.byteLength === this.initialBytes ? 'its memory grew by 0 pages' : 'its memory grew');
    const w = this.wasm;
    const p = this.pristine;
    try {
      // Scopes left open go, with nothing released through the allocator:
      // the bytes are restored below.
      const { dealloc, uninstallFunction } = w;
      w.dealloc = w.uninstallFunction = () => {};
      try {
        while (this.upstream.scopedAlloc.level > 0) this.upstream.scopedAllocPop();
      } finally {
        Object.assign(w, { dealloc, uninstallFunction });
      }
      this.#stack().restore(p.stack);
      const bytes = new Real.Uint8Array(this.memory.buffer);
      if (this.freshMemory) this.#restoreFresh(bytes);
      else bytes.set(p.bytes);
      // What a vector reached: its blocks, the allocator's headers beside
      // them, its writes; all of it after anything the runtime suspects.
      // After a refused request, dlmalloc extends its heap as a segment of
      // its own (sys_alloc: disable_contiguous): the segment's end, which it
      // marks, lies past the block by as much as its top chunk held; its
      // break moved by at most each block and a step (SBRK_STEP) since the
      // image (whose top chunk's end mark is in it).
      const reach = Math.max(this.highWater + ALLOCATOR_MARGIN, this.allocationFailed ? p.top + this.allocatedBytes : 0);
      const end = this.dirty ? bytes.length : Math.min(bytes.length, reach);
      if (end > p.top) bytes.fill(0, p.top, end);
      // The table: its length as it was (upstream's next slot past the end
      // is observable: uninstallFunction(0) makes the next install take
      // it), as the JavaScript sees it (lib/binding.mjs: a wasm table does
      // not shrink); the slots a vector emptied as they were; the free
      // list emptied, the free slots emptied and listed again.
      const table = w.functionTable();
      this.#takeFreeSlots();
      for (const [i, held] of this.displaced) if (i < p.slots.length) table.set(i, held);
      this.displaced.clear();
      this.binding.shrinkTable(p.slots.length);
      for (const i of p.holes) if (table.get(i) !== null) table.set(i, null);
      this.#freeInAscendingOrder(p.holes);
    } catch (e) {
      return this.#unusable(`reset failed: ${e?.message ?? e}`);
    }
    this.zerosFreed = 0;
    this.live.clear();
    this.freed.clear();
    this.mapped.clear();
    this.installed.clear();
    this.openScopes = [];
    this.nextScope = 1;
    this.highWater = 0;
    this.allocatedBytes = 0;
    this.allocationFailed = false;
    this.dirty = false;
    return true;
  }

  // Ready for a vector with a memory of this size after reset() said it is
  // not (its memory grew), without the package's bootstrap: a new wasm
  // instance under the same JavaScript (lib/binding.mjs) put in the state
  // this one was created in (#pristine: bytes, stack pointer, table and its
  // free list), the JavaScript's views of the memory renewed as a bootstrap
  // leaves them. False, with why, if it cannot be.
  rehome(initialPages, maximumPages) {
    const b = this.binding;
    const p = this.pristine;
    // A memory that did not change size (it grew by 0 pages) is kept, and
    // its wasm instance: reset() restores it as after any vector, once the
    // JavaScript's views are renewed.
    const sameMemory = this.memory.buffer.byteLength === initialPages * PAGE && this.maximumPages === maximumPages;
    try {
      if (!sameMemory) b.replace(initialPages, maximumPages);
    } catch (e) {
      return this.#unusable(`rehome: ${e?.message ?? e}`);
    }
    const table = this.wasm.functionTable();
    if (table.length < p.slots.length) table.grow(p.slots.length - table.length);
    p.slots.forEach((source, i) => 'own' in source || table.set(i, b.slotValue(source)));
    b.refreshViews(() => this.upstream.heap8u(), () => this.runtime.resizeHeap(0));
    this.#startMemory(maximumPages);
    if (!sameMemory) {  // the new memory is zero above the image
      this.dirty = this.allocationFailed = false;
      this.highWater = this.allocatedBytes = 0;
      this.freshMemory = true;
    }
    return this.reset();
  }

  // The image into a memory that a new wasm instance has just been made
  // over (rehome()): only the pages where the image differs from what the
  // instantiation wrote (the module's data and zeroed statics; the rest of a
  // new memory is zero), a fifth of the image for sqlite3.wasm, so that the
  // other pages are never touched (each first touch is a page fault). Which
  // pages those are is read once, from the first new memory.
  #restoreFresh(bytes) {
    const p = this.pristine;
    this.freshMemory = false;
    p.freshPages ??= pagesThatDiffer(p.bytes, bytes);
    for (const [start, end] of p.freshPages) bytes.set(p.bytes.subarray(start, end), start);
  }

  // After reset(): whether the instance is in its pristine state, byte for
  // byte (node driver.mjs --check-reset); the first difference if not.
  differenceFromPristine() {
    const p = this.pristine;
    const bytes = new Real.Uint8Array(this.memory.buffer);
    if (Buffer.compare(p.bytes, bytes.subarray(0, p.top)) !== 0) {
      const i = p.bytes.findIndex((b, at) => b !== bytes[at]);
      return `byte ${i} is ${bytes[i]}, was ${p.bytes[i]}`;
    }
    const last = highestNonzeroByte(bytes);
    if (last >= p.top) return `byte ${last} is ${bytes[last]}, was 0`;
    if (this.#stack().save() !== p.stack) return `stack pointer ${this.#stack().save()}, was ${p.stack}`;
    const table = this.wasm.functionTable();
    if (table.length !== p.slots.length) return `function table length ${table.length}, was ${p.slots.length}`;
    this.binding.keepOwnSlots = true;  // for the wasm instances to come
    for (let i = 0; i < p.slots.length; ++i) {
      const want = p.holes.includes(i) ? null : this.binding.slotValue(p.slots[i]);
      if (want !== undefined && table.get(i) !== want) return `function table slot ${i} changed`;
    }
    return undefined;
  }

  // Whether this instance can run a vector with this memory: its memory is
  // the size the vector starts with.
  fits({ initialPages, maximumPages }) {
    return this.generation === 0 && this.initialBytes === initialPages * PAGE && this.maximumPages === maximumPages;
  }

  // reset()'s false, with why (for --stats).
  #unusable(why) {
    this.unusable = why;
    return false;
  }

  // A block of the vector's: where it ends, and how far the C heap's break
  // may have moved to make it (reset()).
  #allocated(address, bytes) {
    this.#reached(address, bytes);
    for (const [p, size] of this.freed) if (address < p + size && address + bytes > p) this.freed.delete(p);
    if (address > 0) this.allocatedBytes += Math.max(0, bytes) + SBRK_STEP;
  }

  #reached(address, bytes) {
    if (address > 0) this.highWater = Math.max(this.highWater, address + Math.max(0, bytes));
  }

  // What an access of the helpers' outside the caller's own addresses hit,
  // as "CLASS: where" (the classes named as AddressSanitizer names its), or
  // null if it may touch it (lib/sanitizer.mjs; SAFE-2): a block of the
  // vector's, live, or the module's own bytes (its static data, its stack,
  // what sqlite3 allocated while it started: below the highest nonzero byte
  // at creation), unless a block freed since lies there. A helper that only
  // reads or writes the caller's addresses (`callerAddressed`: peek, poke,
  // zeroMemory) has no business with the module's own bytes.
  classify(address, size, view, callerAddressed = false) {
    if (view.buffer !== this.memory.buffer) {
      // views-cached-by-length: upstream renews its views when the byte
      // length changes, so after grow(0) its helpers use detached ones.
      if (this.dialectAccesses.has('views-cached-by-length') && this.replacedAtSameLength.has(view.buffer)) return null;
      return 'stale-view: a view of the memory before it grew, detached';
    }
    const end = address + size;
    for (const [p, n] of this.live) if (address >= p && end <= p + Number(n)) return null;
    for (const [p, n] of this.freed) if (address < p + n && end > p) return `heap-use-after-free: the ${n}-byte block at ${p}, freed earlier in the vector`;
    if (end > this.memory.buffer.byteLength) return `out-of-memory-bounds: beyond the end of the ${this.memory.buffer.byteLength}-byte memory`;
    for (const [p, n] of this.live) {
      const e = p + Number(n);
      if (address < e && end > e) return `heap-buffer-overflow: ${end - e} byte(s) beyond the end of the ${n}-byte block at ${p}`;
      if (address >= e && address < e + REDZONE) return `heap-buffer-overflow: ${address - e} bytes after the ${n}-byte block at ${p}`;
      if (end > p - REDZONE && address < p) return `heap-buffer-underflow: the allocator's header before the ${n}-byte block at ${p}`;
    }
    if (end <= this.pristine.top)
      return callerAddressed ? `module-data: the module's own bytes (static data, stack, start-up heap: below ${this.pristine.top}), not an address the caller chose` : null;
    return 'unowned-heap: memory no block of the vector holds';
  }

  bufferGeneration(buffer) {
    return this.buffers.get(buffer) ?? 0;
  }

  // A write of the current vector: reset() restores what it reached. One
  // outside the blocks the vector allocated (sqlite3's own heap, say) may
  // have led the allocator anywhere: reset() restores all of the memory.
  written(address, bytes) {
    const end = Math.min(address + bytes, this.memory.buffer.byteLength);  // none past the end
    if (!(address >= 0) || !(end > address)) return;
    this.#reached(address, end - address);
    for (const [p, size] of this.live) if (address >= p && end <= p + size) return;
    this.dirty = true;
  }
}
