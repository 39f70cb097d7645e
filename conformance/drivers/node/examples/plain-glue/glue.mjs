// A minimal heap glue in plain JavaScript, written from docs/SEMANTICS.md:
// the helpers that SQLite's wasm build offers (alloc, scopes, peek and poke,
// heap views, the resize policy, a function table), over a plain
// WebAssembly.Memory and a simple first-fit allocator. It is the
// implementation under test of the example driver beside it (driver.mjs),
// which shows how an adapter on the driver kit looks. It calls its own
// allocator, memory and table through the object's properties (this.alloc,
// this.memory.grow, ...), as upstream's helpers do, so that an adapter can
// wrap them to observe events.

// An error of the kind section 9 names (the adapter reports `kind`).
export class GlueError extends Error {
  constructor(kind, message) { super(message); this.kind = kind; }
}
const fail = (kind, message) => { throw new GlueError(kind, message); };

const PAGE = 65536;
const VIEWS = { i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array,
  i64: BigInt64Array, u64: BigUint64Array, f32: Float32Array, f64: Float64Array };
const CONSTRUCTORS = new Set(Object.values(VIEWS));
// PEEK-1: a type's view; aliases and pointers (i32 on wasm32).
const PEEK_TYPES = { i8: 'i8', i1: 'i8', i16: 'i16', i32: 'i32', i64: 'i64', f32: 'f32', float: 'f32', f64: 'f64', double: 'f64' };
const SIGNATURE = /^[vijfdpPs](\([ijfdpPs]*\)|[ijfdpPs]*)$/;  // SCOPE-11: result first

// `bugs`: names of BUGS to plant (the example driver's --bug), to show
// that the corpus catches each.
export const BUGS = {
  'argv-stale-view': 'scopedAllocMainArgv writes each string pointer through a view taken before the string grew the memory (VIEW-2)',
  'call-pops-top': 'scopedAllocCall pops the top scope, not the one it pushed (CALL-1)',
  'peek-empties-list': 'peek(list) shifts the addresses off the caller\'s list (PEEK-5)',
  'resize-no-uint32': 'emscripten_resize_heap forgets `>>> 0` on its argument (GROW-1)',
  'pop-in-order': 'a pop releases its entries first to last (SCOPE-6)',
};

export function createGlue({ memory, growth = {}, bugs = new Set() }) {
  const { geometricStep = 0.2, overgrowthCap = 100663296, alignment = 65536, maxHeapSize = 2147483648 } = growth;
  const blocks = new Map();  // ptr -> size: the live blocks (SAFE-1)
  const scopes = [];         // the scope stack: each scope is a list of entries
  const owner = new Map();   // "alloc:ptr" or "fn:index" -> the scope that owns it
  const table = [null];      // slot 0 is reserved
  const freeSlots = [];      // most recently freed last (SCOPE-11)
  let views = null;          // the views of memory.buffer, made again when it changes (VIEW-2)

  const glue = {
    memory,
    byteLength: () => memory.buffer.byteLength,

    // VIEW-1, VIEW-2: views over the whole memory, fresh after every growth.
    view(kind) {
      if (!views || views.buffer !== memory.buffer) views = { buffer: memory.buffer };
      return (views[kind] ??= new VIEWS[kind](memory.buffer));
    },
    heapForSize(n, unsigned = true) {  // VIEW-3
      if (CONSTRUCTORS.has(n)) return glue.view(Object.keys(VIEWS).find((k) => VIEWS[k] === n));
      const bits = { 8: '8', 16: '16', 32: '32', 64: '64' }[n];
      if (!bits || typeof n !== 'number') fail('InvalidArgument', `heapForSize: ${String(n)} is not 8, 16, 32, 64 or a typed array`);
      return glue.view(`${unsigned ? 'u' : 'i'}${bits}`);
    },

    // GROW-1..6: emscripten_resize_heap(requestedSize).
    resize(requestedSize) {
      const requested = bugs.has('resize-no-uint32') ? requestedSize : requestedSize >>> 0;
      if (requested > maxHeapSize) return false;
      const oldSize = memory.buffer.byteLength;
      for (let cutDown = 1; cutDown <= 4; cutDown *= 2) {
        let overGrown = oldSize * (1 + geometricStep / cutDown);
        overGrown = Math.min(overGrown, requested + overgrowthCap);
        const x = Math.max(requested, overGrown);
        const newSize = Math.min(maxHeapSize, x + ((alignment - (x % alignment)) % alignment));
        if (glue.growMemory(newSize)) return true;
      }
      return false;
    },
    growMemory(size) {  // GROW-5
      try {
        glue.memory.grow((size - memory.buffer.byteLength + 65535) >>> 16);
        return true;
      } catch {
        return false;
      }
    },

    // SCOPE-3, ALIGN-4: first fit among the gaps between blocks, 8-aligned,
    // each block followed by 16 bytes no other block takes; past the end the
    // memory grows through the resize policy. 0 when it cannot.
    malloc(size, align = 8) {
      if (size === 0 || size > 2 ** 31) return 0;
      let at = 1024;
      for (const [p, n] of [...blocks].sort((a, b) => a[0] - b[0])) {
        const start = Math.ceil(at / align) * align;
        if (start + size + 16 <= p) break;
        at = Math.max(at, p + Math.max(n, 1) + 16);
      }
      const ptr = Math.ceil(at / align) * align;
      if (ptr + size + 16 > 2 ** 32) return 0;
      if (ptr + size + 16 > memory.buffer.byteLength && !glue.resize(ptr + size + 16)) return 0;
      blocks.set(ptr, size);
      return ptr;
    },
    free(ptr) { blocks.delete(ptr); },
    alloc(size) {
      const ptr = glue.malloc(size);
      if (!ptr) fail('AllocFailed', `alloc(${size}) failed`);
      return ptr;
    },
    memalign(align, size) { return glue.malloc(size, align); },
    dealloc(ptr) {
      const p = (ptr | 0) >>> 0;  // free()'s i32 parameter
      if (p === 0) return;
      if (owner.has(`alloc:${p}`)) fail('InvalidState', `${p} belongs to a scope on the stack`);  // SCOPE-6
      if (!blocks.has(p)) fail('InvalidArgument', `${p} is not a live block`);
      glue.free(p);
    },
    live: () => [...blocks.keys()],

    // ALIGN-1..3.
    alignMemory(size, alignment) {
      if (!(alignment > 0)) fail('InvalidArgument', `alignment ${alignment} is not positive`);
      return Math.ceil(size / alignment) * alignment;
    },
    zeroMemory(address, size) {
      if (!Number.isInteger(size) || size < 0) fail('InvalidArgument', `size ${size}`);
      if (address < 0 || address + size > memory.buffer.byteLength) fail('OutOfBounds', `[${address}, ${address + size})`);
      glue.view('u8').fill(0, address, address + size);
      return address;
    },
    mmapAlloc(size) {
      const aligned = glue.alignMemory(size, PAGE);
      if (aligned >= 2 ** 32) return 0;
      const ptr = glue.memalign(PAGE, aligned);
      if (ptr) glue.view('u8').fill(0, ptr, ptr + aligned);
      return ptr;
    },

    // PEEK-1..6: checked completely before anything is written.
    peek(address, type = 'i8') {
      const t = peekType(type);
      if (!Array.isArray(address)) return read(t, address);
      const values = address.map((p) => at(t, p)).map((p) => read(t, p));
      if (bugs.has('peek-empties-list')) address.length = 0;
      return values;
    },
    poke(address, value, type = 'i8') {
      const t = peekType(type);
      const v = t === 'i64' ? (typeof value === 'bigint' ? value : BigInt(value)) : value;
      if (t !== 'i64' && typeof v === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
      const list = [].concat(address);
      const places = list.map((p) => at(t, p));
      for (const p of places) glue.view(t)[p / VIEWS[t].BYTES_PER_ELEMENT] = v;
    },

    // SCOPE-1..11.
    get level() { return scopes.length; },
    set level(_) { fail('ReadOnly', 'level is read-only'); },
    scopedAllocPush() {
      const scope = [];
      scopes.push(scope);
      return scope;
    },
    scopedAllocPop(...args) {
      const at = args.length ? scopes.indexOf(args[0]) : scopes.length - 1;
      if (at < 0) fail('InvalidState', args.length ? 'not a scope on the stack' : 'no scope to pop');
      const [scope] = scopes.splice(at, 1);
      for (const key of scope) owner.delete(key);
      for (const key of bugs.has('pop-in-order') ? scope : scope.reverse()) {
        const [kind, n] = key.split(':');
        if (kind === 'fn') glue.uninstallFunction(Number(n));
        else glue.dealloc(Number(n));
      }
    },
    scopes: () => scopes,
    topScope() {
      if (!scopes.length) fail('NoActiveScope', 'no scopedAllocPush() scope is active');
      return scopes[scopes.length - 1];
    },
    own(scope, kind, n) {
      scope.push(`${kind}:${n}`);
      owner.set(`${kind}:${n}`, scope);
      return n;
    },
    scopedAlloc(size) {
      const scope = glue.topScope();
      return glue.own(scope, 'alloc', glue.alloc(size));
    },
    scopedAllocCString(s, withLength = false) {
      if (typeof s !== 'string') return null;
      const bytes = new TextEncoder().encode(s);
      const ptr = glue.scopedAlloc(bytes.length + 1);
      glue.view('u8').set(bytes, ptr);
      glue.view('u8')[ptr + bytes.length] = 0;
      return withLength ? [ptr, bytes.length] : ptr;
    },
    allocPtr(howMany = 1, safePtrSize = true, alloc = glue.alloc) {
      if (!(howMany >= 1)) fail('InvalidArgument', `howMany ${howMany}`);
      const slot = safePtrSize ? 8 : 4;
      const ptr = alloc(howMany * slot);
      glue.view('u8').fill(0, ptr, ptr + howMany * slot);
      return howMany === 1 ? ptr : Array.from({ length: howMany }, (_, i) => ptr + i * slot);
    },
    scopedAllocPtr(howMany = 1, safePtrSize = true) {
      // howMany before the scope, as the reference checks them.
      if (howMany >= 1) glue.topScope();
      return glue.allocPtr(howMany, safePtrSize, glue.scopedAlloc);
    },
    scopedAllocMainArgv(list) {
      const scope = glue.topScope();
      const mark = scope.length;
      try {
        const argv = glue.scopedAlloc((list.length + 1) * 4);
        list.forEach((s, i) => {
          // The string first: its block may grow the memory, and a view
          // taken before would drop the write (VIEW-2).
          if (bugs.has('argv-stale-view')) {
            glue.view('u32')[argv / 4 + i] = glue.scopedAllocCString(String(s));
            return;
          }
          const ptr = glue.scopedAllocCString(String(s));
          glue.view('u32')[argv / 4 + i] = ptr;
        });
        glue.view('u32')[argv / 4 + list.length] = 0;
        return argv;
      } catch (e) {
        // SCOPE-10: what this call allocated goes again (SAFE-4).
        for (const key of scope.splice(mark).reverse()) {
          owner.delete(key);
          glue.dealloc(Number(key.split(':')[1]));
        }
        throw e;
      }
    },
    installFunction(fn, signature) {
      if (typeof signature !== 'string' || !SIGNATURE.test(signature)) fail('InvalidArgument', `bad signature ${signature}`);
      const index = freeSlots.length ? freeSlots.pop() : table.length;
      table[index] = fn;
      return index;
    },
    scopedInstallFunction(fn, signature) {
      const scope = glue.topScope();
      return glue.own(scope, 'fn', glue.installFunction(fn, signature));
    },
    uninstallFunction(index) {
      if (typeof table[index] !== 'function') fail('InvalidArgument', `slot ${index} holds no function`);
      if (owner.has(`fn:${index}`)) fail('InvalidState', `slot ${index} belongs to a scope on the stack`);
      const fn = table[index];
      table[index] = null;
      freeSlots.push(index);
      return fn;
    },
    installed: () => table.flatMap((f, i) => (typeof f === 'function' ? [i] : [])),

    // CALL-1, CALL-2: pops the scope it pushed, whatever the body did.
    scopedAllocCall(fn) {
      const scope = glue.scopedAllocPush();
      try {
        return fn();
      } finally {
        if (bugs.has('call-pops-top')) glue.scopedAllocPop();
        else glue.scopedAllocPop(scope);
      }
    },
  };

  function peekType(type) {
    const t = String(type).endsWith('*') ? 'i32' : PEEK_TYPES[type];
    if (!t) fail('InvalidType', `invalid type for peek/poke: ${type}`);
    return t;
  }
  // PEEK-2, PEEK-6: the element address p lies in, inside the memory.
  function at(t, p) {
    const width = VIEWS[t].BYTES_PER_ELEMENT;
    const start = Math.floor(p / width) * width;
    if (!(p >= 0) || start + width > memory.buffer.byteLength) fail('OutOfBounds', `${t} at ${p}`);
    return start;
  }
  function read(t, p) { return glue.view(t)[at(t, p) / VIEWS[t].BYTES_PER_ELEMENT]; }

  return glue;
}
