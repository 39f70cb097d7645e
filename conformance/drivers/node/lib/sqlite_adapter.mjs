// The adapter of @sqlite.org/sqlite-wasm's heap helpers to the driver kit
// (kit/index.mjs; docs/DRIVER_PROTOCOL.md, version 2): each op calls the
// helper it names on a pooled instance (lib/instance.mjs, lib/pool.mjs)
// inside the access check (SAFE-2, lib/sanitizer.mjs); the runner
// interprets the vector.
import { Skip, Unsupported } from '../kit/index.mjs';
import { elementsOf, opScope, pokeWidth } from './op_access.mjs';
import { accessChecker, reportOf } from './sanitizer.mjs';

// The accessor behind each `heap` kind (VIEW-1); upstream has no float
// accessors, so f32 and f64 ask heapForSize for them.
const HEAPS = {
  i8: (w) => w.heap8(), u8: (w) => w.heap8u(), i16: (w) => w.heap16(), u16: (w) => w.heap16u(),
  i32: (w) => w.heap32(), u32: (w) => w.heap32u(), i64: (w) => w.heapForSize(64, false),
  u64: (w) => w.heapForSize(64, true), f32: (w) => w.heapForSize(Float32Array), f64: (w) => w.heapForSize(Float64Array),
};

// The kind (SEMANTICS.md section 9) of an exception the helpers raised,
// from its class or upstream's message.
function errorKind(e, sqlite3) {
  if (e instanceof sqlite3.WasmAllocError) return 'AllocFailed';
  if (e instanceof RangeError) return 'RangeError';
  if (e instanceof TypeError) return 'TypeError';
  const m = String(e?.message ?? e);
  if (e instanceof WebAssembly.RuntimeError && /out of bounds/.test(m)) return 'OutOfBounds';
  if (/No scopedAllocPush\(\) scope is active/.test(m)) return 'NoActiveScope';
  if (/Invalid state object/.test(m)) return 'InvalidState';
  if (/read-only/.test(m)) return 'ReadOnly';
  if (/Invalid type for p(eek|oke)/.test(m)) return 'InvalidType';
  return 'InvalidArgument';  // upstream's remaining toss()es reject their arguments
}

// The helper calls of one vector on an Instance: each op's helper with its
// arguments resolved, inside the access check (SAFE-2).
class HelperCalls {
  constructor(instance) {
    this.in = instance;
    this.w = instance.wasm;
    this.functions = new Map();  // an install's "name" -> its JavaScript function, one per name
    this.viewIds = new Map();
    this.accesses = [];  // what helpers touched that they may not, not yet reported (SAFE-2)
  }

  // The helper an op names, called with its arguments resolved inside the
  // access check (SAFE-2): its value, or its exception. What it touched
  // that it may not waits in `accesses` (takeAccesses()).
  checked(name, args, where) {
    return this.#checking(opScope(this.in, name, args, where), () => this.execute(name, args));
  }

  // Upstream's own scopedAllocCall(body) inside the access check (CALL-1).
  checkedCall(where, body) {
    return this.#checking(opScope(this.in, 'call', {}, where), () => this.w.scopedAllocCall(body));
  }

  #checking(scope, f) {
    try {
      return accessChecker.during(scope, f);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) this.in.dirty = true;
      throw e;
    } finally {
      this.accesses.push(...reportOf(scope));
      if (scope.wrote) this.in.dirty = true;  // it may have written anywhere: reset() restores all of memory
    }
  }

  takeAccesses() {
    return this.accesses.splice(0);
  }

  // The function an install passes: the same one for the same "name" (a
  // function installed twice, SCOPE-11), a new one without a name.
  function(name) {
    if (name === undefined) return () => 0;
    if (!this.functions.has(name)) this.functions.set(name, () => 0);
    return this.functions.get(name);
  }

  // The helper call an op names, with upstream's defaults left to upstream.
  execute(name, a) {
    const { w, in: i } = this;
    const given = (...keys) => keys.filter((k) => k in a).map((k) => a[k]);
    switch (name) {
      case 'alloc': return w.alloc(a.size);
      case 'dealloc': return w.dealloc(a.ptr);
      case 'mmapAlloc': return i.internals.mmapAlloc(a.size);
      case 'alignMemory': return i.internals.alignMemory(a.size, a.alignment);
      case 'zeroMemory': i.written(a.address, a.size); return i.internals.zeroMemory(a.address, a.size);
      case 'resize': return i.resize(a.size);
      case 'grow': return i.memory.grow(a.pages);
      case 'byteLength': return i.memory.buffer.byteLength;
      case 'heap':
        if (!(a.type in HEAPS)) throw new Unsupported(`heap: unknown view kind "${a.type}"`);
        return this.view(HEAPS[a.type](w));
      case 'heapForSize': return this.view(w.heapForSize(...given('size', 'unsigned')));
      case 'viewLength': return a.view.length;
      case 'viewGet': this.stale(a.view); return a.view[a.index];
      case 'viewSet':
        i.written(a.index * a.view.BYTES_PER_ELEMENT, a.view.BYTES_PER_ELEMENT);
        a.view[a.index] = a.value;  // converts first: a TypeError is no access at all
        this.stale(a.view);
        return undefined;
      case 'peek': return w.peek(...given('address', 'type'));
      case 'poke':
        // What upstream writes, for reset(): the element p lies in, or the
        // one its wrapped index reaches.
        for (const p of [].concat(a.address)) {
          const width = pokeWidth(a.type), { at, wrapped } = elementsOf(p, width);
          i.written(at, width);
          if (wrapped !== undefined) i.written(wrapped, width);
        }
        w.poke(...given('address', 'value', 'type'));
        return undefined;
      case 'push': return w.scopedAllocPush();
      case 'pop': return w.scopedAllocPop(...given('scope'));
      case 'scopedAlloc': return w.scopedAlloc(a.size);
      case 'scopedAllocCString': return w.scopedAllocCString(...given('value', 'withLength'));
      case 'scopedAllocPtr': return w.scopedAllocPtr(...given('howMany', 'safePtrSize'));
      case 'allocPtr': return w.allocPtr(...given('howMany', 'safePtrSize'));
      case 'scopedAllocMainArgv': return w.scopedAllocMainArgv(a.list);
      case 'installFunction': return w.installFunction(this.function(a.name), a.signature);
      case 'scopedInstallFunction': return w.scopedInstallFunction(this.function(a.name), a.signature);
      case 'uninstallFunction': w.uninstallFunction(a.index); return undefined;  // upstream returns the function
      case 'level': return w.scopedAlloc.level;
      case 'setLevel': w.scopedAlloc.level = a.value; return undefined;
      default: throw new Unsupported(`op "${name}" is not run by the driver`);
    }
  }

  view(v) {
    if (!this.viewIds.has(v)) this.viewIds.set(v, this.viewIds.size + 1);
    return v;
  }

  // A get or set through a view whose buffer is no longer the memory's (SAFE-3).
  stale(v) {
    if (ArrayBuffer.isView(accessChecker.unwrap(v)) && v.buffer !== this.in.memory.buffer)
      this.in.events.push({ staleView: this.in.bufferGeneration(v.buffer), memory: this.in.generation });
  }
}

// The memory a vector's setup asks for, or why the release's module cannot
// have it (its memory import's minimum and maximum).
function memoryFor(setup = {}, release) {
  const memory = setup.memory ?? { initialPages: 256, maximumPages: 32768 };
  if (memory.maximumPages > release.maximumPages)
    return { skipped: `the module takes a memory of at most ${release.maximumPages} pages (its memory import's maximum); the vector's may grow to ${memory.maximumPages}` };
  if (memory.initialPages < release.minimumPages)
    return { skipped: `the module needs a memory of at least ${release.minimumPages} pages (its memory import's minimum); the vector starts with ${memory.initialPages}` };
  return { memory };
}

const OPS = ['alloc', 'dealloc', 'mmapAlloc', 'alignMemory', 'zeroMemory', 'resize', 'grow', 'byteLength', 'heap',
  'heapForSize', 'viewLength', 'viewGet', 'viewSet', 'peek', 'poke', 'push', 'pop', 'scopedAlloc', 'scopedAllocCString',
  'scopedAllocPtr', 'allocPtr', 'scopedAllocMainArgv', 'installFunction', 'scopedInstallFunction', 'uninstallFunction',
  'level', 'setLevel'];

// `hello`: what the driver says of itself; `pool`: lib/pool.mjs's, whose
// instances the vectors take; `after(instance, memory)`: what to do with an
// instance when its vector is over (reset it and give it back).
export function sqliteAdapter({ hello, release, pool, after }) {
  let vector;  // { run, memory } of the vector being run
  const finish = () => {
    if (vector) after(vector.run.in, vector.memory);
    vector = undefined;
  };  // at the vector's end, or at the next start if the runner did not say
  return {
    hello,
    async start(setup, kit) {
      finish();
      const { memory, skipped } = memoryFor(setup, release);
      if (skipped) throw new Skip(skipped);
      const instance = await pool.take(memory);
      instance.faults = setup.growFaults ?? {};
      instance.events = { push: (e) => kit.event(e) };
      vector = { run: new HelperCalls(instance), memory };
      return vector.run;
    },
    ops: Object.fromEntries(OPS.map((name) => [name, (run, args, kit, at) => run.checked(name, args, at)])),
    call: (run, body, kit, at) => run.checkedCall(at, body),
    scopeId: (run, scope) => run.in.scopeIds.get(scope),
    isView: (v) => ArrayBuffer.isView(accessChecker.unwrap(v)),  // the access check's proxies
    errorKind: (e, run) => errorKind(e, run.in.sqlite3),
    byteLength: (run) => run.in.memory.buffer.byteLength,
    accesses: (run) => run.takeAccesses(),
    state: (run) => ({ level: run.w.scopedAlloc.level, live: [...run.in.live.keys()], installed: [...run.in.installed],
      byteLength: run.in.memory.buffer.byteLength }),
    finish,
    close: finish,
  };
}
