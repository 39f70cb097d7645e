// memconform driver kit: the driver protocol, version 2, op at a time
// (docs/DRIVER_PROTOCOL.md). The runner interprets the vectors; the kit reads
// its lines, decodes the arguments (SEMANTICS.md section 10: BigInts, NaN,
// -0, undefined, handles), calls the adapter, and writes the results with
// the events the adapter reported. An adapter is one object:
//
//   serve({
//     hello: { implementation: 'my glue 1.0', capabilities: ['views', ...] },
//     start(setup, kit) { ...a fresh instance; throw new Skip('why') if it cannot },
//     ops: { alloc(instance, { size }, kit) { return instance.alloc(size); }, ... },
//     call(instance, body, kit) { return instance.scopedAllocCall(body); },
//     errorKind(error, instance) { return 'InvalidArgument'; },   // section 9
//     byteLength(instance) { return instance.memory.buffer.byteLength; },
//     state(instance) { return { level, live, installed, byteLength }; },
//     finish(instance) { ...the vector is over: release it (optional) },
//   });
//
// Events: the adapter calls kit.event({ alloc: ptr, size }) (and dealloc,
// install, uninstall, grow, resizeAttempt, staleView) as they happen, and
// kit.event({ push: scope }) / kit.event({ pop: scope }) with the scope
// object itself: the kit gives scopes and views their handle ids.
// kit.memory(setup) makes the WebAssembly.Memory a setup asks for, with the
// growth faults it names (MEM-5) and a grow event for each memory.grow;
// kit.observeMemory(memory, setup) does the same for a memory the
// implementation made; kit.observeResize(resize) reports the attempts of
// an Emscripten resize policy over that memory; kit.staleUse(view) reports
// a use of a view the memory has detached.
import { constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { SpinGate, involuntaryContextSwitches } from './spin_gate.mjs';

// start(): the implementation cannot be set up as the setup says.
export class Skip extends Error {}
// An op the adapter does not map: the vector is skipped.
export class Unsupported extends Error {}

// WebIDL [EnforceRange] unsigned long, as the engine converts the argument
// of WebAssembly.Memory.grow and of WebAssembly.Table's get, set and grow;
// undefined where the engine throws its TypeError.
export function enforceRangeU32(x) {
  if (typeof x === 'bigint' || typeof x === 'symbol') return undefined;
  const n = Number(x);
  if (!Number.isFinite(n)) return undefined;
  const t = Math.trunc(n);
  return t < 0 || t > 0xffffffff ? undefined : t;
}

// Runs f() with each minimum Math.min computes passed to note(m): an
// Emscripten resize policy's newSize (GROW-3) is the last one it computes
// before each memory.grow, and its build minifies every other name.
export function noteMinima(f, note) {
  const min = Math.min;
  Math.min = (...xs) => { const m = min(...xs); note(m); return m; };
  try {
    return f();
  } finally {
    Math.min = min;
  }
}

// The parameters that arrive as they are (docs/DRIVER_PROTOCOL.md, "Op"):
// the others are values.
const LITERAL = new Set(['type', 'signature', 'name', 'value:scopedAllocCString', 'withLength', 'list', 'unsigned', 'safePtrSize']);
const isLiteral = (op, param) => LITERAL.has(param) || LITERAL.has(`${param}:${op}`);
// Section 10's strings that stand for values.
export const SPECIAL = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0, undefined };
// The typed-array constructors, by name (VIEW-3).
export const TYPED_ARRAYS = new Set(['Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']);

// A literal with its long strings written short ({"repeat": TEXT, "count":
// N}, docs/VECTORS.md; the kit declares repeat-strings for its adapters)
// written out.
export function writtenOut(j) {
  if (Array.isArray(j)) return j.map(writtenOut);
  if (j && typeof j === 'object' && typeof j.repeat === 'string' && Number.isInteger(j.count)) return repeated(j.repeat, j.count);
  return j;
}

// TEXT.repeat(N), the same string object for the same long string asked
// again (a fuzzer sends its few lengths over and over): V8 builds a repeat
// as a tree of halves and copies it flat at the first use, which for the
// 9 MiB strings that make a helper grow the memory was 6% of the driver's
// time (docs/PERFORMANCE.md). Strings are immutable; the last few are kept.
const REPEATS_KEPT = 4;
const repeats = new Map();  // `${N}:${TEXT}` -> string, least recently used first
function repeated(text, count) {
  const key = `${count}:${text}`;
  const s = repeats.get(key) ?? text.repeat(count);
  keepRecent(repeats, key, s, REPEATS_KEPT);
  return s;
}

// map.set(key, value) in a map that keeps the `size` keys set last (its
// insertion order: least recently set first).
export function keepRecent(map, key, value, size) {
  map.delete(key);
  map.set(key, value);
  if (map.size > size) map.delete(map.keys().next().value);
}

// Lines on fd 0 and fd 1, read and written synchronously: a call's body
// runs inside the implementation's scopedAllocCall and reads its ops there.
// A read tries a non-blocking descriptor of the same pipe for SPIN_MS
// before it waits on fd 0: the runner's next op usually follows within
// microseconds, and a process that sleeps wakes tens of microseconds after
// it is written (docs/PERFORMANCE.md); not while its spins do not pay
// (spin_gate.mjs: with more busy processes than cores they hold a core
// the runner waits for).
//
// Answers are written when the kit is about to wait for the runner's next
// line (next() with no whole line read), not one by one: the answers to
// the ops ahead that one read brought go out in one write, and the runner
// wakes once for them.
const SPIN_MS = 0.2;
class Lines {
  #buffer = Buffer.alloc(1 << 16);
  #pending = '';
  #unsent = '';
  #gate = new SpinGate();
  // Only for a pipe: a file opened again would be read from its start.
  #polled = (() => {
    try {
      return fstatSync(0).isFIFO() ? openSync('/dev/stdin', constants.O_RDONLY | constants.O_NONBLOCK) : undefined;
    } catch {
      return undefined;  // a pipe that cannot be opened again: wait on fd 0 only
    }
  })();
  next() {
    for (;;) {
      const newline = this.#pending.indexOf('\n');
      if (newline >= 0) {
        const line = this.#pending.slice(0, newline);
        this.#pending = this.#pending.slice(newline + 1);
        return line;
      }
      this.flush();
      const n = this.#read();
      if (n === 0) return undefined;
      this.#pending += this.#buffer.toString('utf8', 0, n);
    }
  }
  #read() {
    if (this.#polled !== undefined) {
      // Each empty read throws an EAGAIN error: without a stack trace
      // it costs a small object, not a walk of the stack (and its garbage).
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        const n = this.#readNow() ?? this.#spin();
        if (n !== undefined) return n;
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
    return this.#wait();
  }
  // What the pipe holds within SPIN_MS, if the gate lets this wait spin;
  // undefined if nothing came.
  #spin() {
    if (!this.#gate.open()) return undefined;
    const switchesBefore = involuntaryContextSwitches();
    const until = performance.now() + SPIN_MS;
    let n;
    while ((n = this.#readNow()) === undefined && performance.now() < until);
    this.#gate.spun(n !== undefined && involuntaryContextSwitches() === switchesBefore);
    return n;
  }
  // What the pipe holds now, or undefined if it is empty (or cannot be
  // read without waiting).
  #readNow() {
    try {
      return readSync(this.#polled, this.#buffer, 0, this.#buffer.length, null);
    } catch {
      return undefined;
    }
  }
  #wait() {
    for (;;) {
      try {
        return readSync(0, this.#buffer, 0, this.#buffer.length, null);
      } catch (e) {
        if (e.code === 'EOF') return 0;
        if (e.code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);  // fd 0 made non-blocking by someone
      }
    }
  }
  send(j) {
    this.#unsent += JSON.stringify(j) + '\n';
  }
  // What send() kept, written now.
  flush() {
    if (this.#unsent === '') return;
    const bytes = Buffer.from(this.#unsent);
    this.#unsent = '';
    for (let at = 0; at < bytes.length;) {
      try {
        at += writeSync(1, bytes, at);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
      }
    }
  }
}

// The body's end, as the runner says it: {"throw": true}.
class RunnerThrow {}

class Kit {
  #events = [];
  #handles = new Map();  // "scope:id" or "view:id" -> object
  #ids = new Map();      // object -> { scope: id } or { view: id }
  #lastId = 0;
  #memory;           // kit.memory()'s, if the adapter made one
  #generation = 0;   // its successful grows (VIEW-2)
  #generations;      // buffer -> the generation it belongs to
  #resizing = false; // inside observeResize's resize
  #lastMin;          // the last Math.min of that resize
  #engineGrow = new WeakMap();  // memory -> its grow before observeMemory replaced it
  constructor(adapter) { this.adapter = adapter; this.lines = new Lines(); }

  event(e) {
    // A scope object as its handle's id (an adapter that numbers its
    // scopes itself passes the number).
    if (typeof e.push === 'object') e = { push: this.handle(e.push, 'scope').scope };
    else if (typeof e.pop === 'object') e = { pop: this.handle(e.pop, 'scope').scope };
    this.#events.push(e);
  }
  // {scope: id} or {view: id} for `object`: the kit numbers them, unless
  // the adapter numbers its scopes (adapter.scopeId(instance, scope)).
  handle(object, kind) {
    if (!this.#ids.has(object)) {
      const id = kind === 'scope' && this.adapter.scopeId ? this.adapter.scopeId(this.instance, object) : ++this.#lastId;
      this.#handles.set(`${kind}:${id}`, object);
      this.#ids.set(object, { [kind]: id });
    }
    return this.#ids.get(object);
  }

  // A WebAssembly.Memory as `setup` asks (MEM-1, MEM-4, defaults: 256 and
  // 32768 pages), whose grow(pages) applies the setup's growth faults
  // (MEM-5: the 1-based attempts failAttempts lists, and growth above
  // failAbovePages, fail as if past the maximum) and reports a grow event
  // for each call; a delta outside [EnforceRange] unsigned long is the
  // engine's TypeError, no call at all (SEMANTICS.md section 12, MEM-2).
  memory(setup, defaults = { initialPages: 256, maximumPages: 32768 }) {
    const { initialPages, maximumPages } = setup.memory ?? defaults;
    return this.observeMemory(new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages }), setup);
  }

  // The same for a memory the implementation made itself (one its module
  // exports): its grow is replaced on the object, so the module's own calls
  // go through it too.
  observeMemory(memory, setup = {}) {
    const faults = setup.growFaults ?? {};
    // The engine's grow, also when an instance comes back for another vector.
    if (!this.#engineGrow.has(memory)) this.#engineGrow.set(memory, memory.grow);
    const grow = this.#engineGrow.get(memory).bind(memory);
    let calls = 0;
    this.#generations = new WeakMap([[memory.buffer, 0]]);
    this.#generation = 0;
    this.#memory = memory;
    memory.grow = (delta) => {
      const pages = enforceRangeU32(delta);
      if (pages === undefined) {  // the engine's TypeError: no grow, a failed attempt
        try {
          return grow(delta);
        } finally {
          this.#attempted(false);
        }
      }
      const refused = (faults.failAttempts ?? []).includes(++calls) ||
        (faults.failAbovePages !== undefined && memory.buffer.byteLength / 65536 + pages > faults.failAbovePages);
      let ok = false;
      try {
        if (refused) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded (a growth fault of the setup)');
        const old = grow(pages);
        ok = true;
        this.#generations.set(memory.buffer, ++this.#generation);
        return old;
      } finally {
        this.event({ grow: pages, ok });
        this.#attempted(ok);
      }
    };
    return memory;
  }

  // `resize(size)` (an Emscripten build's emscripten_resize_heap) with its
  // attempts reported (GROW-3): each memory.grow it makes of the memory
  // observeMemory watches is one, after its grow event, and its newSize is
  // the last Math.min the policy computed.
  observeResize(resize) {
    return (size) => {
      this.#resizing = true;
      try {
        return noteMinima(() => resize(size), (m) => { this.#lastMin = m; });
      } finally {
        this.#resizing = false;
        this.#lastMin = undefined;
      }
    };
  }

  #attempted(ok) {
    if (this.#resizing) this.event({ resizeAttempt: this.#lastMin, ok });
  }

  // A get or set through `view` (a view the adapter handed out) after the
  // memory of kit.memory() replaced its buffer: a staleView event (SAFE-3).
  staleUse(view) {
    if (this.#memory && view.buffer !== this.#memory.buffer)
      this.event({ staleView: this.#generations.get(view.buffer) ?? 0, memory: this.#generation });
  }

  // A value of section 10 as JS: names are the runner's, handles ours.
  decode(j) {
    if (Array.isArray(j)) return j.map((x) => this.decode(x));
    if (j && typeof j === 'object') {
      const key = 'scope' in j ? `scope:${j.scope}` : `view:${j.view}`;
      if (!this.#handles.has(key)) throw new Error(`not a handle of this run: ${JSON.stringify(j)}`);
      return this.#handles.get(key);
    }
    if (typeof j !== 'string') return j;
    if (j in SPECIAL) return SPECIAL[j];
    if (/^-?\d+n$/.test(j)) return BigInt(j.slice(0, -1));
    return j;
  }
  argument(op, param, j) {
    if (isLiteral(op, param)) return writtenOut(j);
    // heapForSize(Int16Array): the constructor, by name.
    if (op === 'heapForSize' && typeof j === 'string' && TYPED_ARRAYS.has(j)) return globalThis[j];
    return this.decode(j);
  }
  // A JS value as section 10 writes it; a push's value is a scope handle,
  // a typed array a view handle.
  encode(v, op) {
    if (op === 'push') return this.handle(v, 'scope');
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity || v === -Infinity) return String(v);
      return Object.is(v, -0) ? '-0' : v;
    }
    if (typeof v === 'bigint') return `${v}n`;
    if (v === undefined || typeof v === 'function') return 'undefined';
    // A view (an adapter whose views are proxies says which are).
    if (ArrayBuffer.isView(v) || this.adapter.isView?.(v)) return this.handle(v, 'view');
    if (this.#ids.has(v)) return this.#ids.get(v);
    if (Array.isArray(v)) return v.map((x) => this.encode(x));
    return v;
  }

  // What happened since the last answer.
  report(out) {
    out.events = this.#events;
    this.#events = [];
    out.byteLength = this.adapter.byteLength(this.instance);
    const accesses = this.adapter.accesses?.(this.instance);
    if (accesses?.length) out.accesses = accesses;
    return out;
  }

  async start(setup) {
    this.#events = [];
    this.#handles.clear();
    this.#ids.clear();
    this.#lastId = 0;
    try {
      this.instance = await this.adapter.start(setup, this);
      this.#events = [];
      return { started: true };
    } catch (e) {
      if (e instanceof Skip) return { skipped: e.message };
      return { error: `driver: ${e?.stack ?? e}` };
    }
  }

  op({ op, at, args = {} }) {
    if (op === 'call') return this.adapter.call ? this.call(at) : { unsupported: 'the adapter maps no scopedAllocCall' };
    const f = this.adapter.ops[op];
    if (!f) return { unsupported: `the adapter maps no function to ${op}` };
    let decoded;
    try {
      decoded = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, this.argument(op, k, v)]));
    } catch (e) {
      return { invalid: e.message };
    }
    let out;
    try {
      const value = f.call(this.adapter.ops, this.instance, decoded, this, at);
      out = { value: this.encode(value, op) };
      // caller-list: the list as the helper left it (PEEK-5).
      if (op === 'peek' && Array.isArray(decoded.address)) out.addressAfter = this.encode(decoded.address);
    } catch (e) {
      if (e instanceof Unsupported) return { unsupported: e.message };
      out = { error: this.adapter.errorKind(e, this.instance), message: String(e?.message ?? e) };
    }
    return this.report(out);
  }

  // CALL-1, CALL-2: the implementation's scopedAllocCall runs a body that
  // asks the runner for its ops.
  call(at) {
    let out;
    try {
      const value = this.adapter.call(this.instance, () => {
        this.lines.send(this.report({ body: true }));
        for (;;) {
          const line = this.lines.next();
          if (line === undefined) throw new Error('the runner closed the input inside a call');
          const message = JSON.parse(line);
          if ('return' in message) return this.decode(message.return);
          if ('throw' in message) throw new RunnerThrow();
          this.lines.send(this.op(message));
        }
      }, this, at);
      out = { value: this.encode(value) };
    } catch (e) {
      if (e instanceof RunnerThrow) out = { error: 'Thrown', message: 'thrown by the runner' };
      else out = { error: this.adapter.errorKind(e, this.instance), message: String(e?.message ?? e) };
    }
    return this.report(out);
  }

  async answer(message) {
    if ('start' in message) return this.start(message.start);
    if ('op' in message) return this.op(message);
    if ('state' in message) return this.adapter.state(this.instance);
    if ('end' in message) {
      // Released after the answer is written: while the runner goes on.
      const instance = this.instance;
      this.instance = undefined;
      this.after = () => this.adapter.finish?.(instance);
      return { ended: true };
    }
    return { error: `driver: expected start, op, state or end, got ${JSON.stringify(message).slice(0, 200)}` };
  }
}

// Says hello and answers the runner until it closes the input. Within a
// vector everything is synchronous (a call's body reads its ops inside the
// implementation's scopedAllocCall); an adapter's start() may be async.
//
// While it serves, a timer keeps Node's event loop alive. Without one, an
// await that needs the loop (an async start(): WebAssembly.instantiate)
// finds it empty, and Node 20's main thread then waits in
// NodePlatform::DrainTasks for every background task to end; a concurrent
// compile that needs a garbage collection waits for the main thread to do
// it, and both wait for ever (nodejs/node#54918). Seen here as a start()
// that never answered, about once in 8 runs of 30 s against wa-sqlite. In a
// live loop the main thread runs the collection when it is asked. The
// driver's code may itself be running from DrainTasks (its top-level await
// resumed there): serving starts from the loop's own turn (setImmediate),
// so that every await of it returns to the loop.
export async function serve(adapter) {
  const alive = setInterval(() => {}, 2 ** 30);
  try {
    await new Promise((resolve) => setImmediate(resolve));
    await serveLines(adapter);
  } finally {
    clearInterval(alive);
  }
}

async function serveLines(adapter) {
  const kit = new Kit(adapter);
  const capabilities = [...new Set([...(adapter.hello.capabilities ?? []), 'repeat-strings'])];
  // The ops it maps: a fuzzer generates only these.
  const ops = [...Object.keys(adapter.ops), ...(adapter.call ? ['call'] : [])];
  // opsAhead: Lines keeps what it read past the line it returns, so the
  // runner may write the next ops' lines before it reads an answer.
  // Answers kept for one write go out however the driver ends: an
  // exception's exit too, so the runner sees which op the driver died in.
  process.on('exit', () => {
    try {
      kit.lines.flush();
    } catch {
      // the runner is gone: nobody to tell
    }
  });
  kit.lines.send({ hello: 'memconform-driver', protocol: 2, ...adapter.hello, capabilities, ops, opsAhead: true });
  for (let line; (line = kit.lines.next()) !== undefined;) {
    if (!line.trim()) continue;
    kit.lines.send(await kit.answer(JSON.parse(line)));
    const after = kit.after;
    kit.after = undefined;
    if (after) {
      kit.lines.flush();  // the runner goes on while the instance is reset
      after();
    }
  }
  adapter.close?.();
}
