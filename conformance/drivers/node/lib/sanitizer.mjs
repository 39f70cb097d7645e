// A memory sanitizer for the helpers' JavaScript (SAFE-2; docs/SEMANTICS.md
// section 12): every access the implementation makes to the wasm memory
// through a typed array is checked against what it may touch while a helper
// runs on the caller's behalf.
//
// The typed-array and DataView constructors are replaced, before the
// package's JavaScript makes its views, by proxies that hand out a checked
// view (a Proxy of the real one) for any view of a watched buffer (a wasm
// memory's); so the views the helpers cache (upstream's heapWrappers, the
// runtime's HEAP*, its struct binder's DataViews) are checked too. A checked
// view's element reads and writes, every %TypedArray%.prototype method that
// touches elements (METHODS: only the elements it touches), iteration, and
// a DataView's get/set are accesses; TextEncoder's encodeInto and
// TextDecoder's decode take checked views and count as a write and a read
// (tests/drivers/sanitizer_test.mjs). Outside a checking scope (during()) nothing is checked:
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
export const Real = Object.fromEntries([...TYPES, 'DataView'].map((name) => [name, globalThis[name]]));

const INDEX = /^(?:0|[1-9]\d*)$/;
const MAX_REPORTED = 4;  // accesses described per op; the rest are counted

export class AccessChecker {
  constructor() {
    this.installed = false;
    this.watched = new WeakSet();   // buffers of wasm memories
    this.targets = new WeakMap();   // checked view -> the real one
    this.scopes = [];               // innermost last: { op, allowed, classify, found, count }
    this.constructors = new Map();  // the engine's constructor -> the global that replaced it
  }

  // Replaces the global typed-array constructors and TextEncoder/TextDecoder's
  // methods: from now on, views of watched buffers are checked.
  install() {
    if (this.installed) return;
    this.installed = true;
    const checker = this;
    for (const name of [...TYPES, 'DataView']) {
      const real = Real[name];
      globalThis[name] = new Proxy(real, {
        construct(target, args, newTarget) {
          const view = Reflect.construct(target, args.map((a) => checker.unwrap(a)), newTarget === globalThis[name] ? target : newTarget);
          if (!checker.watched.has(view.buffer)) return view;
          return name === 'DataView' ? checker.checkedDataView(view) : checker.checked(view);
        },
      });
      this.constructors.set(real, globalThis[name]);
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

  // A checked view of `view` (a real typed array of a watched buffer): its
  // element reads and writes, and every method of %TypedArray%.prototype
  // that reads or writes elements (METHODS), are accesses. Its
  // `constructor` is the global one (a proxy), as for the views the module
  // makes without the check (constructorOf).
  checked(view) {
    const checker = this;
    const proxy = new Proxy(view, {
      get(target, key) {
        if (typeof key === 'string' && INDEX.test(key)) {
          checker.access(target, Number(key), 1, false);
          return target[key];
        }
        if (key === 'constructor') return checker.constructorOf(target);
        if (Object.hasOwn(METHODS, key)) return METHODS[key](checker, target, proxy);
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

  // The global constructor of a checked view's real one (the proxy that
  // replaced it), so that code comparing the two sees them equal.
  constructorOf(view) {
    return this.constructors.get(view.constructor) ?? view.constructor;
  }

  // A checked DataView of a watched buffer: each get* reads and each set*
  // writes the bytes of its type at its byte offset.
  checkedDataView(view) {
    const checker = this;
    const proxy = new Proxy(view, {
      get(target, key) {
        if (key === 'constructor') return checker.constructorOf(target);
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        const width = DATA_VIEW_WIDTHS[String(key).slice(3)];
        if (!/^[gs]et/.test(String(key)) || !width) return value.bind(target);
        const write = String(key).startsWith('set');
        return (offset, ...rest) => {
          checker.access(target, Math.trunc(Number(offset)) || 0, 1, write, width, 1);
          return value.call(target, offset, ...rest);
        };
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

  // An access of `count` elements of `width` bytes of `view`, from the
  // element `index` (from byte `index * step`: a DataView's offsets are bytes).
  access(view, index, count, write, width = view.BYTES_PER_ELEMENT, step = width) {
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope || count <= 0) return;
    const address = view.byteOffset + index * step, size = count * width;
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
// (lastIndexOf clamps to [-1, length - 1]: `low` -1, `high` length - 1.)
function relative(x, length, otherwise, low = 0, high = length) {
  if (x === undefined) return otherwise;
  const n = Math.trunc(Number(x)) || 0;
  return n < 0 ? Math.max(length + n, low) : Math.min(n, high);
}

// The bytes a DataView's get<TYPE>/set<TYPE> reads or writes.
const DATA_VIEW_WIDTHS = { Int8: 1, Uint8: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4, Float32: 4, Float64: 8, BigInt64: 8, BigUint64: 8 };

// Methods that read every element (and, for sort and reverse, write them):
// checked as such, then run on the real view.
const wholeView = (name, write = false) => (checker, target) => function (...args) {
  checker.access(target, 0, target.length, false);
  if (write) checker.access(target, 0, target.length, true);
  const result = target[name](...args);
  return result === target ? this : result;
};

// Methods that call a callback per element, visited in order and possibly
// stopping early (every, some, find...): each element the engine hands the
// callback is a read, and the view it is handed is the checked one. reduce
// and reduceRight without an initial value read their first element
// themselves; their callback's index is its third argument.
const visiting = (name) => (checker, target, proxy) => function (callback, ...rest) {
  if (typeof callback !== 'function') return target[name](callback, ...rest);
  const reducing = name === 'reduce' || name === 'reduceRight';
  const at = reducing ? 2 : 1;
  if (reducing && !rest.length && target.length) checker.access(target, name === 'reduce' ? 0 : target.length - 1, 1, false);
  const result = target[name](function (...args) {
    checker.access(target, args[at], 1, false);
    args[at + 1] = proxy;
    return callback.apply(this, args);
  }, ...rest);
  return result === target ? this : result;
};

// The iterators over elements: each step reads the element it yields.
const iterating = (entries) => (checker, target) => function* () {
  for (let i = 0; i < target.length; ++i) {
    checker.access(target, i, 1, false);
    yield entries ? [i, target[i]] : target[i];
  }
};

// Searches from `from` (relative to the end if negative) to the element
// found, or to the end of the view.
// (The arguments are passed on as given: lastIndexOf(v, undefined) searches
// from 0, lastIndexOf(v) from the end.)
const searching = (name) => (checker, target) => function (...args) {
  const result = target[name](...args);
  const [value, from] = args;
  const n = target.length;
  if (name === 'lastIndexOf') {
    const start = args.length < 2 ? n - 1 : relative(from ?? 0, n, n - 1, -1, n - 1);
    const stop = result >= 0 ? result : 0;
    checker.access(target, stop, start - stop + 1, false);
  } else {
    const start = relative(from, n, 0);
    const found = name === 'includes' ? (result ? target.indexOf(value, start) : -1) : result;
    checker.access(target, start, (found >= 0 ? found + 1 : n) - start, false);  // includes(NaN): to its end
  }
  return result;
};

// The methods of a checked view that access memory, each checked and then
// run on the real view (%TypedArray%.prototype; keys, and the properties
// buffer, byteOffset, byteLength and length, touch no element).
const METHODS = {
  __proto__: null,
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
  at: (checker, target) => function at(index) {
    const n = target.length, i = Math.trunc(Number(index)) || 0, k = i < 0 ? n + i : i;
    if (k >= 0 && k < n) checker.access(target, k, 1, false);
    return target.at(index);
  },
  indexOf: searching('indexOf'),
  lastIndexOf: searching('lastIndexOf'),
  includes: searching('includes'),
  join: wholeView('join'),
  toString: wholeView('toString'),
  toLocaleString: wholeView('toLocaleString'),
  toReversed: wholeView('toReversed'),
  toSorted: wholeView('toSorted'),
  with: wholeView('with'),
  reverse: wholeView('reverse', true),
  sort: wholeView('sort', true),
  forEach: visiting('forEach'),
  map: visiting('map'),
  filter: visiting('filter'),
  every: visiting('every'),
  some: visiting('some'),
  find: visiting('find'),
  findIndex: visiting('findIndex'),
  findLast: visiting('findLast'),
  findLastIndex: visiting('findLastIndex'),
  reduce: visiting('reduce'),
  reduceRight: visiting('reduceRight'),
  values: iterating(false),
  entries: iterating(true),
  [Symbol.iterator]: iterating(false),
};

// The first stack frame outside this file: the implementation's line that
// made the access.
function implementationFrame() {
  const frames = new Error().stack.split('\n').slice(1).map((l) => l.trim());
  return frames.find((f) => !f.includes('/lib/sanitizer.mjs')) ?? frames[0] ?? '';
}

// The accesses of one op's scope that its helper may not make, as the
// driver reports them (the op result's "accesses", docs/DRIVER_PROTOCOL.md):
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
