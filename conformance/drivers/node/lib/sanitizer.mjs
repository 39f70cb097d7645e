// A memory sanitizer for the helpers' JavaScript (SAFE-2; docs/SEMANTICS.md
// section 12): every access the implementation makes to the wasm memory
// through a typed array is checked against what it may touch while a helper
// runs on the caller's behalf.
//
// The typed-array constructors are replaced, before the package's
// JavaScript makes its views, by proxies that hand out a checked view (a
// Proxy of the real one) for any view of a watched buffer (a wasm memory's);
// so the views the helpers cache (upstream's heapWrappers, the runtime's
// HEAP*) are checked too. A checked view's element reads and writes, and
// its set/fill/copyWithin/slice/subarray, are accesses; TextEncoder's
// encodeInto and TextDecoder's decode take checked views and count as a
// write and a read. Outside a checking scope (during()) nothing is checked:
// the caller's own reads and writes through a view the helpers returned
// (viewGet, viewSet) are the caller's. The driver's own views of memory are
// made with the real constructors (Real).
//
// Where an access is allowed is the scope's business: `allowed`, ranges the
// caller chose (peek/poke/zeroMemory addresses), then `classify(address,
// size, view)`, which names the region an access outside what the helper may
// touch hit (Instance.classify), or returns null.

const TYPES = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

// The constructors as the engine made them: for the driver's own views.
export const Real = Object.fromEntries(TYPES.map((name) => [name, globalThis[name]]));

const INDEX = /^(?:0|[1-9]\d*)$/;
const MAX_REPORTED = 4;  // accesses described per op; the rest are counted

export class AccessChecker {
  constructor() {
    this.installed = false;
    this.watched = new WeakSet();   // buffers of wasm memories
    this.targets = new WeakMap();   // checked view -> the real one
    this.scopes = [];               // innermost last: { op, allowed, classify, found, count }
  }

  // Replaces the global typed-array constructors and TextEncoder/TextDecoder's
  // methods: from now on, views of watched buffers are checked.
  install() {
    if (this.installed) return;
    this.installed = true;
    const checker = this;
    for (const name of TYPES) {
      const real = Real[name];
      globalThis[name] = new Proxy(real, {
        construct(target, args, newTarget) {
          const view = Reflect.construct(target, args.map((a) => checker.unwrap(a)), newTarget === globalThis[name] ? target : newTarget);
          return checker.watched.has(view.buffer) ? checker.checked(view) : view;
        },
      });
    }
    const { encodeInto } = TextEncoder.prototype;
    TextEncoder.prototype.encodeInto = function (source, destination) {
      const real = checker.unwrap(destination);
      const result = encodeInto.call(this, source, real);
      if (real !== destination) checker.access(real, 0, result.written, true);
      return result;
    };
    const { decode } = TextDecoder.prototype;
    TextDecoder.prototype.decode = function (input, options) {
      const real = checker.unwrap(input);
      if (real !== input && ArrayBuffer.isView(real)) checker.access(real, 0, real.length, false);
      return decode.call(this, real, options);
    };
  }

  // A wasm memory's buffer (each one it has, as it grows): its views are checked.
  watch(buffer) {
    if (this.installed) this.watched.add(buffer);
  }

  // The real view behind a checked one (anything else as it is).
  unwrap(x) {
    return (x !== null && typeof x === 'object' && this.targets.get(x)) || x;
  }

  // A checked view of `view` (a real typed array of a watched buffer).
  checked(view) {
    const checker = this;
    const proxy = new Proxy(view, {
      get(target, key) {
        if (typeof key === 'string' && INDEX.test(key)) {
          checker.access(target, Number(key), 1, false);
          return target[key];
        }
        if (typeof key === 'string' && key in METHODS) return METHODS[key](checker, target, proxy);
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      set(target, key, value) {
        if (typeof key === 'string' && INDEX.test(key)) checker.access(target, Number(key), 1, true);
        target[key] = value;
        return true;
      },
    });
    this.targets.set(proxy, view);
    return proxy;
  }

  // Runs f with accesses checked against `scope` ({ op, allowed: [[begin,
  // end)], classify(address, size, view) -> region or null }); what f
  // touched that it may not is left in the scope (reportOf(scope)). A scope
  // inside it (a call's body op) keeps its own.
  during(scope, f) {
    if (!this.installed) return f();
    this.scopes.push(scope);
    try {
      return f();
    } finally {
      this.scopes.pop();
    }
  }

  // An access of `count` elements of `view` from element `index`.
  access(view, index, count, write) {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope || count <= 0) return;
    const width = view.BYTES_PER_ELEMENT;
    const address = view.byteOffset + index * width, size = count * width;
    if (scope.allowed.some(([begin, end]) => address >= begin && address + size <= end)) return;
    const region = scope.classify(address, size, view);
    if (region === null) return;
    scope.count = (scope.count ?? 0) + 1;
    scope.wrote ||= write;
    scope.found ??= [];
    if (scope.found.length < MAX_REPORTED) scope.found.push({ write, address, size, region, at: implementationFrame() });
  }
}

// Index arguments as the typed-array methods take them: relative to the end
// if negative, clamped to [0, length].
function relative(x, length, otherwise) {
  if (x === undefined) return otherwise;
  const n = Math.trunc(Number(x)) || 0;
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}

// The methods of a checked view that access memory, each checked and then
// run on the real view.
const METHODS = {
  set: (checker, target) => function set(source, offset = 0) {
    const real = checker.unwrap(source);
    const length = real.length ?? 0;
    if (real !== source) checker.access(real, 0, length, false);
    checker.access(target, Math.trunc(Number(offset)) || 0, length, true);
    return target.set(real, offset);
  },
  fill: (checker, target) => function fill(value, start, end) {
    const from = relative(start, target.length, 0), to = relative(end, target.length, target.length);
    checker.access(target, from, to - from, true);
    target.fill(value, start, end);
    return this;
  },
  copyWithin: (checker, target) => function copyWithin(to, start, end) {
    const at = relative(to, target.length, 0), from = relative(start, target.length, 0);
    const n = Math.min(relative(end, target.length, target.length) - from, target.length - at);
    checker.access(target, from, n, false);
    checker.access(target, at, n, true);
    target.copyWithin(to, start, end);
    return this;
  },
  slice: (checker, target) => function slice(start, end) {
    const from = relative(start, target.length, 0), to = relative(end, target.length, target.length);
    checker.access(target, from, to - from, false);
    return target.slice(start, end);
  },
  subarray: (checker, target) => function subarray(start, end) {
    return checker.checked(target.subarray(start, end));
  },
};

// The first stack frame outside this file: the implementation's line that
// made the access.
function implementationFrame() {
  const frames = new Error().stack.split('\n').slice(1).map((l) => l.trim());
  return frames.find((f) => !f.includes('/lib/sanitizer.mjs')) ?? frames[0] ?? '';
}

// The accesses of one op's scope that its helper may not make, as the
// driver reports them (the op result's "accesses", conformance/README.md):
// one line each, worded as AddressSanitizer words its reports; the first
// MAX_REPORTED, then how many more. Empty if there were none.
export function reportOf(scope) {
  const lines = (scope.found ?? []).map((v) =>
    `${v.write ? 'WRITE' : 'READ'} of size ${v.size} at ${v.address} (${v.region}) by ${scope.op}, ${v.at}`);
  if (scope.count > lines.length) lines.push(`and ${scope.count - lines.length} more access(es) of ${scope.op}`);
  return lines;
}

// The one checker of the process: the typed-array constructors are global.
export const accessChecker = new AccessChecker();
