// Runs one vector's ops on an Instance and reports what happened, op by op
// (docs/DRIVER_PROTOCOL.md "The driver protocol, version 1"). It resolves the
// vector's names itself and judges nothing: the runner compares.
import { SPECIAL, TYPED_ARRAYS, writtenOut } from '../kit/index.mjs';
import { DriverError, HelperCalls, errorKind } from './sqlite_adapter.mjs';
import { accessChecker } from './sanitizer.mjs';

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

class Unbound extends Error {}
// A vector's `throw` (CALL-2) on its way to the call it unwinds to, with the
// results of the op list it leaves.
class VectorThrow {
  constructor(frames, results) { this.frames = frames; this.results = results; }
}

// Protocol 1's interpreter over the helper calls of the sqlite-wasm adapter.
export class VectorRun extends HelperCalls {
  constructor(instance) {
    super(instance);
    this.names = new Map();
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
      return TYPED_ARRAYS.has(j) ? globalThis[j] : j;
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
