// The module's wasm instance as the package's JavaScript sees it: a memory,
// exports and a function table that stand for whichever wasm instance is
// current, so that the wasm instance can be replaced (its memory grew, and a
// memory does not shrink) while the package's JavaScript, whose bootstrap
// costs 10-20 times a vector, stays (Instance.rehome).
//
// What the JavaScript captured at bootstrap goes on working on the current
// instance: each function export is a forwarder with the export's name and
// arity (upstream checks arities), the table and the memory are proxies of
// the current ones (`instanceof` holds). The module's own state is its
// memory, its one mutable global (the stack pointer) and its table; the
// caller (Instance) puts each back as it was after bootstrap.
//
// The table the JavaScript sees is as long as `tableLength` says, which may
// be shorter than the wasm table under it: a table does not shrink, but a
// vector that grew it (every install past its end does) leaves the next
// vector the length it started with (shrinkTable), without a new wasm
// instance. Slots past that length are empty and read, written and grown
// into as the engine does past a table's end (its errors, its messages).
// Only the module's own code could tell: a call_indirect it made through a
// slot there would find it empty rather than out of bounds.
import { accessChecker } from './sanitizer.mjs';
import { enforceRangeU32 } from '../kit/index.mjs';

export class Binding {
  constructor(module, initialPages, maximumPages) {
    this.module = module;
    this.memoryNow = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    accessChecker.watch(this.memoryNow.buffer);  // before the package makes its views
    this.exportsNow = null;       // the current wasm instance's exports
    this.grow = undefined;        // memory.grow as the driver hooks it (Instance #hook)
    this.bufferStandIn = null;    // refreshViews(): what `buffer` is for a moment
    this.growStandIn = undefined; // refreshViews(): what `grow` is for a moment
    this.tableGrowStandIn = undefined;  // the table's grow, for a moment (Instance #takeFreeSlots)
    const binding = this;
    const growNow = (delta) => binding.memoryNow.grow(delta);
    this.memory = new Proxy(this.memoryNow, {
      get(_, key) {
        if (key === 'buffer') return binding.bufferStandIn ?? binding.memoryNow.buffer;
        if (key === 'grow') return binding.growStandIn ?? binding.grow ?? growNow;
        return current(binding.memoryNow, key);
      },
      set(_, key, value) {
        if (key !== 'grow') return false;
        binding.grow = value;
        return true;
      },
    });
  }

  // The first wasm instance, with the imports the package's runtime made
  // (their `memory` is the proxy: the wasm instance gets the current memory).
  // Returns the exports the package sees; `ownSlots` are its table's
  // functions as instantiated (before the package installs any of its own).
  instantiate(imports) {
    this.imports = imports;
    this.#instantiate();
    this.ownSlots = this.ownSlotsNow = tableContents(this.exportsNow.__indirect_function_table);
    this.exportNames = new Map(Object.entries(this.exportsNow).map(([name, value]) => [value, name]));
    this.exports = this.#standIns();
    return this.exports;
  }

  // A new wasm instance with a new memory of this size, as instantiated
  // (its memory zero but for the module's data, its table the module's).
  // Throws, changing nothing, if the engine refuses the memory. Its table's
  // own functions are kept (ownSlotsNow) only if keepOwnSlots is set:
  // reading a table costs a third of a replace.
  replace(initialPages, maximumPages) {
    const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    accessChecker.watch(memory.buffer);
    const previous = this.memoryNow;
    this.memoryNow = memory;
    try {
      this.#instantiate();
    } catch (e) {
      this.memoryNow = previous;
      throw e;
    }
    this.ownSlotsNow = this.keepOwnSlots ? tableContents(this.exportsNow.__indirect_function_table) : undefined;
  }

  // What the first instance's table slot held, for any instance: the
  // function the module puts in that slot (`own`: a new instance has it
  // there), an export by name, or the same value (null, or a function the
  // package made from a JavaScript function: it belongs to no instance).
  slotSource(value, index) {
    if (value !== null && value === this.ownSlots[index]) return { own: index };
    const name = this.exportNames.get(value);
    return name !== undefined ? { export: name } : { value };
  }

  // What the slot holds in the current instance's pristine table (undefined
  // for an own slot whose function was not kept: keepOwnSlots).
  slotValue(source) {
    if ('own' in source) return this.ownSlotsNow?.[source.own];
    return 'export' in source ? this.exportsNow[source.export] : source.value;
  }

  // The JavaScript's views of the memory renewed as on a fresh bootstrap:
  // `helpers` reads upstream's cached views once while the memory's buffer
  // is an empty stand-in (upstream renews its cache when the byte length
  // changes) and once more; `runtime` runs the runtime's resize with a grow
  // that does nothing, which renews the runtime's HEAP views.
  refreshViews(helpers, runtime) {
    this.bufferStandIn = EMPTY;
    try {
      helpers();
    } finally {
      this.bufferStandIn = null;
    }
    helpers();
    this.growStandIn = () => this.memoryNow.buffer.byteLength / 65536;
    try {
      runtime();
    } finally {
      this.growStandIn = undefined;
    }
  }

  // The JavaScript's table as long as it was at `length` (no longer than it
  // is): the slots past it emptied, for the next grow to hand out again.
  shrinkTable(length) {
    const table = this.#tableNow();
    for (let i = length; i < this.tableLength; ++i) if (table.get(i) !== null) table.set(i, null);
    this.tableLength = Math.min(this.tableLength, length);
  }

  #instantiate() {
    const imports = { ...this.imports, env: { ...this.imports.env, memory: this.memoryNow } };
    this.exportsNow = new WebAssembly.Instance(this.module, imports).exports;
    this.tableLength = this.#tableNow()?.length;
  }

  #tableNow() {
    return this.exportsNow.__indirect_function_table;
  }

  // Table.grow as the JavaScript sees it: the slots past its length (empty)
  // first, then the wasm table's own growth. Returns the old length.
  #growTable(delta, init) {
    const table = this.#tableNow();
    const by = enforceRangeU32(delta);
    if (by === undefined) return table.grow(delta, ...init);  // the engine's TypeError
    const old = this.tableLength, spare = table.length - old;
    if (by > spare) {
      try {
        table.grow(by - spare, ...init);
      } catch (e) {
        throw e instanceof RangeError ? new RangeError(`WebAssembly.Table.grow(): failed to grow table by ${by}`) : e;
      }
    }
    const value = init.length ? init[0] : null;
    for (let i = old; i < old + Math.min(by, spare); ++i) table.set(i, value);
    this.tableLength = old + by;
    return old;
  }

  // The table export as the JavaScript sees it (the class comment).
  #tableStandIn(first) {
    const binding = this;
    const past = (method, index) => {
      const i = enforceRangeU32(index);
      if (i !== undefined && i >= binding.tableLength) throw new RangeError(`WebAssembly.Table.${method}(): invalid index ${i} into function table`);
    };
    const methods = new Map([
      ['get', function get(index) { past('get', index); return binding.#tableNow().get(...arguments); }],
      ['set', function set(index) { past('set', index); return binding.#tableNow().set(...arguments); }],
      ['grow', function grow(delta, ...init) { return binding.tableGrowStandIn ? binding.tableGrowStandIn(delta, ...init) : binding.#growTable(delta, init); }],
    ]);
    return new Proxy(first, {
      get: (_, key) => (key === 'length' ? binding.tableLength : methods.get(key) ?? current(binding.#tableNow(), key)),
    });
  }

  // The exports the package's JavaScript holds: forwarders and a table proxy.
  // An allocator export that returns 0 for a request calls
  // `onAllocationFailed`: a failed sbrk leaves dlmalloc's top chunk written
  // where no block of the vector reaches (reset() then restores it all).
  #standIns() {
    const binding = this;
    const standIns = {};
    for (const [name, value] of Object.entries(this.exportsNow)) {
      if (typeof value === 'function' && ALLOCATORS.has(name)) {
        const forward = function (...args) {
          const p = binding.exportsNow[name](...args);
          if (p === 0 && binding.onAllocationFailed) binding.onAllocationFailed();
          return p;
        };
        Object.defineProperty(forward, 'length', { value: value.length });
        Object.defineProperty(forward, 'name', { value: value.name });
        standIns[name] = forward;
      } else if (typeof value === 'function') {
        const forward = function (...args) { return binding.exportsNow[name](...args); };
        Object.defineProperty(forward, 'length', { value: value.length });
        Object.defineProperty(forward, 'name', { value: value.name });
        standIns[name] = forward;
      } else if (value === this.#tableNow()) {
        standIns[name] = this.#tableStandIn(value);
      } else {
        standIns[name] = new Proxy(value, { get: (_, key) => current(binding.exportsNow[name], key) });
      }
    }
    return standIns;
  }
}

// refreshViews()'s stand-in buffer, one for all: while a new memory's
// buffer is young, V8 answers any ArrayBuffer allocation with a scavenge.
const EMPTY = new ArrayBuffer(0);

// The exports through which the package asks the C heap for memory.
const ALLOCATORS = new Set(['malloc', 'sqlite3_malloc', 'sqlite3_malloc64', 'sqlite3_realloc', 'sqlite3_realloc64', 'realloc',
  'memalign', 'emscripten_builtin_memalign']);

// A property of the current object; a method bound to it.
function current(object, key) {
  const value = Reflect.get(object, key);
  return typeof value === 'function' ? value.bind(object) : value;
}

function tableContents(table) {
  return Array.from({ length: table.length }, (_, i) => table.get(i));
}
