// The GROW oracle: Emscripten's emscripten_resize_heap / growMemory written out
// in JavaScript as GROW-1..5 state them, over a memory with
// WebAssembly.Memory's grow contract plus the injected faults of MEM-5.
// Used by scripts/grow_oracle.mjs (unit-test table) and gen_grow.mjs (vectors).
export const PAGE = 65536;
export const MiB = 1024 * 1024;
export const DEFAULT_PARAMS = { geometricStep: 0.2, overgrowthCap: 96 * MiB, alignment: PAGE, maxHeapSize: 2147483648 };

export class FaultyMemory {  // WebAssembly.Memory.grow semantics + MEM-5 faults
  constructor({ initialPages, maximumPages, faults = {} }) {
    this.pages = initialPages;
    this.maximum = maximumPages;
    this.faults = faults;
    this.calls = 0;
    this.grows = [];  // every grow call: { pages, ok }
  }
  get buffer() { return { byteLength: this.pages * PAGE }; }
  grow(delta) {
    const ordinal = ++this.calls;
    const refuse = this.pages + delta > this.maximum || (this.faults.failAttempts ?? []).includes(ordinal)
      || (this.faults.failAbovePages !== undefined && this.pages + delta > this.faults.failAbovePages);
    this.grows.push({ pages: delta, ok: !refuse });
    if (refuse) throw new RangeError('WebAssembly.Memory.grow(): refused');
    const old = this.pages;
    this.pages += delta;
    return old;
  }
}

// GROW-1..5, as Emscripten's library_memory.js / library.js write them.
// `variant` selects growMemory's page computation (GROW-5): '>>>16' (this
// spec, Emscripten up to 3.1.66) or '|0' (Emscripten 3.1.70 and later, where a
// negative count makes memory.grow throw a TypeError before it grows anything).
export function makeResize(wasmMemory, params, variant = '>>>16') {
  const attempts = [];
  const calledGrow = [];  // per attempt: whether memory.grow was called at all
  const getHeapMax = () => params.maxHeapSize;
  const growMemory = (size) => {
    const b = wasmMemory.buffer;
    const pages = variant === '|0' ? (size - b.byteLength + 65535) / 65536 | 0 : (size - b.byteLength + 65535) >>> 16;
    calledGrow.push(pages >= 0);
    try {
      if (pages < 0) throw new TypeError('WebAssembly.Memory.grow(): negative delta');
      wasmMemory.grow(pages);
      return 1;
    } catch (e) {}
  };
  const emscripten_resize_heap = (requestedSize) => {
    const oldSize = wasmMemory.buffer.byteLength;
    requestedSize >>>= 0;
    const maxHeapSize = getHeapMax();
    if (requestedSize > maxHeapSize) return false;
    const alignUp = (x, multiple) => x + (multiple - x % multiple) % multiple;
    for (let cutDown = 1; cutDown <= 4; cutDown *= 2) {
      let overGrownHeapSize = oldSize * (1 + params.geometricStep / cutDown);
      overGrownHeapSize = Math.min(overGrownHeapSize, requestedSize + params.overgrowthCap);
      const newSize = Math.min(maxHeapSize, alignUp(Math.max(requestedSize, overGrownHeapSize), params.alignment));
      const replacement = growMemory(newSize);
      attempts.push({ newSize, ok: !!replacement });
      if (replacement) return true;
    }
    return false;
  };
  return { resize: emscripten_resize_heap, attempts, calledGrow };
}

// The observable outcome of one resize on a fresh memory, after a raw
// memory.grow of `rawGrow` pages first where one is given (its grow is not
// among the resize's).
export function resizeOutcome({ initialPages, maximumPages = 32768, faults = {}, params = {}, rawGrow }, requested, variant) {
  const memory = new FaultyMemory({ initialPages, maximumPages, faults });
  if (rawGrow !== undefined) {
    memory.grow(rawGrow);
    memory.grows.length = 0;
  }
  const { resize, attempts, calledGrow } = makeResize(memory, { ...DEFAULT_PARAMS, ...params }, variant);
  const result = resize(requested);
  return { result, attempts, calledGrow, grows: memory.grows, finalByteLength: memory.buffer.byteLength, memory };
}

// The note that explains every vector whose outcome differs under the '|0'
// variant of GROW-5.
export const OR_ZERO_NOTE = 'GROW-5: growMemory computes (size - byteLength + 65535) / 65536 | 0 (Emscripten >= 3.1.70) ' +
  'where the spec keeps >>> 16: a size one page below the heap\'s gives grow(0), which succeeds (resize returns true ' +
  'without growing); a size further below gives a negative page count, which memory.grow refuses with a TypeError ' +
  'before growing (no grow event), instead of a wrapped count that it refuses as too large';

// How a resize from `c` of `requested` plays out under the '|0' variant of
// GROW-5, or null if it plays out as under '>>>16'.
export function orZeroOutcome(c, requested) {
  const a = resizeOutcome(c, requested, '>>>16');
  const b = resizeOutcome(c, requested, '|0');
  const same = a.result === b.result && a.finalByteLength === b.finalByteLength
    && JSON.stringify(a.attempts) === JSON.stringify(b.attempts) && JSON.stringify(a.grows) === JSON.stringify(b.grows);
  return same ? null : b;
}
