// Runs one vector's ops on an Instance and reports what happened, op by op
// (docs/DRIVER_PROTOCOL.md "The driver protocol, version 1"). It resolves the
// vector's names itself and judges nothing: the runner compares.
import { accessChecker, reportOf } from './sanitizer.mjs';

// The JSON form of each op's parameters, in the order the helper takes
// them: `value` parameters are numbers, special numbers ("NaN", "-0"),
// BigInts ("5n"), names ("p+4", "p>>2") or lists of these; `literal`
// parameters are passed as they are.
const PARAMS = {
  alloc: { size: 'value' },
  dealloc: { ptr: 'value' },
  mmapAlloc: { size: 'value' },
  alignMemory: { size: 'value', alignment: 'value' },
  zeroMemory: { address: 'value', size: 'value' },
  resize: { size: 'value' },
  grow: { pages: 'value' },
  byteLength: {},
  heap: { type: 'literal' },
  heapForSize: { size: 'sizeOrConstructor', unsigned: 'literal' },
  viewLength: { view: 'value' },
  viewGet: { view: 'value', index: 'value' },
  viewSet: { view: 'value', index: 'value', value: 'value' },
  peek: { address: 'value', type: 'literal' },
  poke: { address: 'value', value: 'value', type: 'literal' },
  push: {},
  pop: { scope: 'value' },
  scopedAlloc: { size: 'value' },
  scopedAllocCString: { value: 'literal', withLength: 'literal' },
  scopedAllocPtr: { howMany: 'value', safePtrSize: 'literal' },
  allocPtr: { howMany: 'value', safePtrSize: 'literal' },
  scopedAllocMainArgv: { list: 'literal' },
  installFunction: { signature: 'literal', name: 'literal' },
  scopedInstallFunction: { signature: 'literal', name: 'literal' },
  uninstallFunction: { index: 'value' },
  level: {},
  setLevel: { value: 'value' },
  call: { result: 'value' },
  throw: { frames: 'literal' },
};

const TYPED_ARRAYS = ['Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
const SPECIAL = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0, undefined };

// The accessor behind each `heap` kind (VIEW-1); upstream has no float
// accessors, so f32 and f64 ask heapForSize for them.
const HEAPS = {
  i8: (w) => w.heap8(), u8: (w) => w.heap8u(), i16: (w) => w.heap16(), u16: (w) => w.heap16u(),
  i32: (w) => w.heap32(), u32: (w) => w.heap32u(), i64: (w) => w.heapForSize(64, false),
  u64: (w) => w.heapForSize(64, true), f32: (w) => w.heapForSize(Float32Array), f64: (w) => w.heapForSize(Float64Array),
};

// The bytes a poke of `type` writes (upstream's type names; pointers are
// i32 in wasm32); 8 for a type upstream refuses, which writes nothing.
function pokeWidth(type = 'i8') {
  const t = String(type).endsWith('*') ? 'i32' : String(type);
  return { i1: 1, i8: 1, i16: 2, i32: 4, float: 4, f32: 4 }[t] ?? 8;
}

// A literal with its long strings written short ({"repeat": TEXT, "count":
// N}, docs/VECTORS.md "Long strings written short") written out.
function writtenOut(j) {
  if (Array.isArray(j)) return j.map(writtenOut);
  if (j && typeof j === 'object' && typeof j.repeat === 'string' && Number.isInteger(j.count)) return j.repeat.repeat(j.count);
  return j;
}

// The ranges a caller-addressed op names (the caller's own addresses: the
// helper may touch them, SAFE-2), as [begin, end).
function callerRanges(name, a, dialectAccesses, byteLength) {
  if (name === 'zeroMemory' && typeof a.address === 'number' && typeof a.size === 'number') {
    // zero-memory-fill: upstream's HEAPU8.fill(0, ptr, ptr + size) counts
    // negative indices from the end and clamps both to the memory.
    if (!dialectAccesses.has('zero-memory-fill')) return [[a.address, a.address + a.size]];
    const index = (x) => { const n = Math.trunc(x) || 0; return Math.min(Math.max(n < 0 ? byteLength + n : n, 0), byteLength); };
    return [[index(a.address), index(a.address + a.size)]];
  }
  if (name !== 'peek' && name !== 'poke') return [];
  const width = pokeWidth(a.type);
  // peek-empty-list-reads-zero: upstream's peek([]) reads address 0.
  if (name === 'peek' && Array.isArray(a.address) && !a.address.length && dialectAccesses.has('peek-empty-list-reads-zero')) return [[0, width]];
  return [].concat(a.address).filter((p) => typeof p === 'number').flatMap((p) => {
    const { at, wrapped } = elementsOf(p, width);
    return wrapped !== undefined && dialectAccesses.has('peek-poke-unchecked')
      ? [[at, at + width], [wrapped, wrapped + width]] : [[at, at + width]];
  });
}

// The element of `width` bytes that address p lies in (the caller's), and
// the one upstream's index ToInt32(p) >> log2(width) reaches if that is
// another (peek-poke-unchecked: 2^32 and +-2^53 reach 0).
function elementsOf(p, width) {
  const at = Math.floor(p / width) * width;
  const wrapped = ((p | 0) >> Math.log2(width)) * width;
  return { at, wrapped: wrapped !== at && wrapped >= 0 ? wrapped : undefined };
}

// Ops through a view the helpers returned: the caller's own accesses.
const CALLERS_OWN = new Set(['viewGet', 'viewSet', 'viewLength']);
// Ops whose helper touches the addresses the caller names and nothing else
// (callerRanges): not even the module's own bytes.
const CALLER_ADDRESSED = new Set(['peek', 'poke', 'zeroMemory']);
const EVERYWHERE = [[-Infinity, Infinity]];

class Unbound extends Error {}
// A request the driver cannot make sense of: the whole vector is answered
// with an error, never passed off as the helper's own exception.
class DriverError extends Error {}
// A vector's `throw` (CALL-2) on its way to the call it unwinds to, with the
// results of the op list it leaves.
class VectorThrow {
  constructor(frames, results) { this.frames = frames; this.results = results; }
}

// The kind (SEMANTICS.md section 9) of an exception the helpers raised,
// from its class or upstream's message.
export function errorKind(e, sqlite3) {
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

export class VectorRun {
  constructor(instance) {
    this.in = instance;
    this.functions = new Map();  // an install's "name" -> its JavaScript function, one per name
    this.w = instance.wasm;
    this.names = new Map();
    this.viewIds = new Map();
    this.accesses = [];  // what helpers touched that they may not, not yet reported (SAFE-2)
  }

  run(vector) {
    const results = this.ops(vector.ops, '/ops');
    const { in: i, w } = this;
    return {
      results,
      final: { level: w.scopedAlloc.level, live: [...i.live.keys()], installed: [...i.installed], byteLength: i.memory.buffer.byteLength },
    };
  }

  // Results of a list of ops; a throw leaves the rest null and passes up.
  ops(list, path) {
    const results = list.map(() => null);
    for (let k = 0; k < list.length; ++k) {
      const op = list[k];
      if (op.op === 'throw') throw new VectorThrow(op.frames ?? 1, results);
      if (op.op !== 'call') {
        results[k] = this.op(op, `${path}/${k}`);
        continue;
      }
      const { result, unwinding } = this.call(op, `${path}/${k}`);
      results[k] = result;
      if (unwinding) throw new VectorThrow(unwinding, results);
    }
    return results;
  }

  op(op, where) {
    let args;
    try {
      args = this.args(op);
    } catch (e) {
      if (e instanceof Unbound) return null;  // an earlier failed op never bound the name
      throw e;
    }
    const events = (this.in.events = []);
    let out;
    try {
      const raw = this.checked(op.op, args, where);
      out = { value: this.wire(raw) };
      // caller-list: the list the helper was given, as it left it (PEEK-5).
      if (op.op === 'peek' && Array.isArray(args.address)) out.addressAfter = this.wire(args.address);
      this.bind(op, raw, events);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof DriverError) throw e;
      out = this.error(e);
    }
    return this.finish(out, events);
  }

  // The helper an op names, called with its arguments resolved inside the
  // access check (SAFE-2): its value, or its exception. What it touched
  // that it may not waits in `accesses` (takeAccesses()).
  checked(name, args, where) {
    return this.#checking(this.scope(name, where,
      CALLERS_OWN.has(name) ? EVERYWHERE : callerRanges(name, args, this.in.dialectAccesses, this.in.memory.buffer.byteLength)),
    () => this.execute(name, args));
  }

  // Upstream's own scopedAllocCall(body) inside the access check (CALL-1).
  checkedCall(where, body) {
    return this.#checking(this.scope('call', where, []), () => this.w.scopedAllocCall(body));
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

  error(e) {
    return { error: errorKind(e, this.in.sqlite3), message: String(e.message) };
  }

  // An op's result with its events, the memory's size after it and what
  // its helper touched that it may not (SAFE-2, "accesses").
  finish(out, events) {
    out.events = events;
    out.byteLength = this.in.memory.buffer.byteLength;
    const accesses = this.takeAccesses();
    if (accesses.length) out.accesses = accesses;
    this.in.events = null;
    return out;
  }

  // What the helper of op `name` at `where` may touch beyond the live blocks
  // (and the module's own bytes, but for CALLER_ADDRESSED ops): `allowed`
  // ([begin, end) ranges the caller chose), for accessChecker.during
  // (lib/sanitizer.mjs).
  scope(name, where, allowed) {
    const callerAddressed = CALLER_ADDRESSED.has(name);
    return { op: `${where} ${name}`, allowed, classify: (a, n, v) => this.in.classify(a, n, v, callerAddressed) };
  }

  // scopedAllocCall(() => { body; return result }) through upstream's own
  // scopedAllocCall (CALL-1): its push and pop are this op's events, each
  // body op has its own. A throw of k frames ends here with Thrown and goes
  // on with k - 1 (CALL-2).
  call(op, where) {
    const own = (this.in.events = []);
    let body = op.body.map(() => null);
    let out;
    let unwinding = 0;
    try {
      const value = this.checkedCall(where, () => {
        try {
          body = this.ops(op.body, `${where}/body`);
        } catch (e) {
          if (e instanceof VectorThrow) body = e.results;
          throw e;
        } finally {
          this.in.events = own;
        }
        try {
          return 'result' in op ? this.value(op.result) : undefined;
        } catch (e) {
          if (e instanceof Unbound) return undefined;  // the body failed to bind it
          throw e;
        }
      });
      out = { value: this.wire(value) };
    } catch (e) {
      if (e instanceof VectorThrow) {
        out = { error: 'Thrown', message: 'thrown by the vector' };
        unwinding = e.frames - 1;
      } else if (e instanceof Error && !(e instanceof DriverError)) out = this.error(e);
      else throw e;
    }
    out.body = body;
    return { result: this.finish(out, own), unwinding };
  }

  // Names: `as` binds the value (or each element of a list); event patterns
  // with a bare unbound name bind it to the observed event's subject, in order.
  bind(op, value, events) {
    const as = op.as === undefined ? [] : [].concat(op.as);
    if (as.length === 1) this.names.set(as[0], value);
    else if (Array.isArray(value) && value.length === as.length) as.forEach((n, i) => this.names.set(n, value[i]));
    const patterns = op.expect?.events;
    if (!patterns) return;
    const resource = events.filter((e) => !('push' in e || 'pop' in e || 'staleView' in e));
    patterns.forEach((p, i) => {
      const key = Object.keys(p).find((k) => k !== 'size' && k !== 'ok');
      const e = resource[i];
      if (e && key in e && typeof p[key] === 'string' && /^[A-Za-z_]\w*$/.test(p[key]) && !this.names.has(p[key]))
        this.names.set(p[key], e[key]);
    });
  }

  args(op) {
    const spec = PARAMS[op.op];
    if (!spec) throw new DriverError(`unknown op "${op.op}"`);
    const out = {};
    for (const [name, kind] of Object.entries(spec))
      if (name in op && !(op.op === 'call' && name === 'result')) out[name] = this.argument(op[name], kind);
    return out;
  }

  argument(j, kind) {
    if (kind === 'literal') return writtenOut(j);
    // heapForSize: a typed-array constructor by name; any other string as it is.
    if (kind === 'sizeOrConstructor' && typeof j === 'string' && !(j in SPECIAL))
      return TYPED_ARRAYS.includes(j) ? globalThis[j] : j;
    return this.value(j);
  }

  // A `value` argument, names resolved (SEMANTICS.md section 10).
  value(j) {
    if (Array.isArray(j)) return j.map((x) => this.value(x));
    if (typeof j !== 'string') return j;
    if (j in SPECIAL) return SPECIAL[j];
    if (/^-?\d+n$/.test(j)) return BigInt(j.slice(0, -1));
    const m = /^([A-Za-z_]\w*)(?:([+-])(\d+))?(?:>>([1-3]))?$/.exec(j);
    if (!m || !this.names.has(m[1])) throw new Unbound(j);
    const bound = this.names.get(m[1]);
    if (m[2] === undefined && m[4] === undefined) return bound;
    if (typeof bound !== 'number') throw new Unbound(j);
    const x = bound + (m[2] === '-' ? -1 : 1) * Number(m[3] ?? 0);
    return m[4] ? Math.floor(x / 2 ** Number(m[4])) : x;
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
        if (!(a.type in HEAPS)) throw new DriverError(`heap: unknown view kind "${a.type}"`);
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
      default: throw new DriverError(`op "${name}" is not run by the driver`);
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

  // A JS value as the protocol writes it (SEMANTICS.md section 10).
  wire(v) {
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return 'Infinity';
      if (v === -Infinity) return '-Infinity';
      return Object.is(v, -0) ? '-0' : v;
    }
    if (typeof v === 'bigint') return `${v}n`;
    if (v === undefined || typeof v === 'function') return 'undefined';
    if (Array.isArray(v) && this.in.scopeIds.has(v)) return { scope: this.in.scopeIds.get(v) };
    if (Array.isArray(v)) return v.map((x) => this.wire(x));
    if (ArrayBuffer.isView(accessChecker.unwrap(v))) return { view: this.viewIds.get(this.view(v)) };
    return v;
  }
}
