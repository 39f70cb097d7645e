// MEM, ALIGN and VIEW vectors. Expectations: alignMemory values computed in
// Node with the ALIGN-1 formula, typed-array behaviour (lengths, unsigned
// reads, detached buffers) taken from real ArrayBuffers and
// WebAssembly.Memory in Node, the rest derived by hand from the rules.
import { emit, num, vec } from './lib.mjs';
import { resizeOutcome } from './grow_oracle.mjs';

const PAGE = 65536;
const mem = (initialPages, maximumPages = 32768) => ({ memory: { initialPages, maximumPages } });
// The memories of these vectors start at MEM-4's 256 pages, the smallest that
// real glue code can be instantiated with (its module's memory import asks
// for that much), and have room for a few pages more.
const B = 256;
let count = 0;

// MEM-1..5, checked against a real WebAssembly.Memory where it applies.
{
  const vs = [];
  const real = new WebAssembly.Memory({ initial: B, maximum: B + 4 });
  const grow = (pages) => { try { return { value: real.grow(pages) }; } catch (e) { return { error: e.constructor.name }; } };
  const oracle = (ops) => ops.map(grow);
  // The expected results of a grow sequence come from the real memory.
  const seq = (name, rules, deltas) => {
    const m = new WebAssembly.Memory({ initial: B, maximum: B + 4 });
    const ops = [];
    for (const d of deltas) {
      let r;
      try { r = { value: m.grow(d) }; } catch (e) { r = { error: e.constructor.name }; }
      ops.push({ op: 'grow', pages: num(d), expect: r });
      ops.push({ op: 'byteLength', expect: { value: m.buffer.byteLength, multipleOf: PAGE } });
    }
    vs.push(vec(`mem/grow/${name}`, rules, 'wasm', ops, { setup: mem(B, B + 4), final: { byteLength: m.buffer.byteLength } }));
  };
  oracle([]);
  seq('one-page', ['MEM-1', 'MEM-2'], [1]);
  seq('zero-pages', ['MEM-2'], [0]);
  seq('to-the-maximum', ['MEM-2'], [4]);
  seq('past-the-maximum', ['MEM-2', 'SAFE-4'], [5]);
  seq('step-by-step-to-the-maximum', ['MEM-2'], [1, 1, 1, 1, 1, 0]);
  seq('fraction-truncated', ['MEM-2'], [1.5, 0.9]);
  seq('negative-is-type-error', ['MEM-2'], [-1]);
  seq('nan-is-type-error', ['MEM-2'], [NaN]);
  seq('infinity-is-type-error', ['MEM-2'], [Infinity]);
  seq('2-pow-32-is-type-error', ['MEM-2'], [2 ** 32]);
  seq('2-pow-32-minus-1-is-range-error', ['MEM-2'], [2 ** 32 - 1]);
  seq('minus-zero-is-zero', ['MEM-2'], [-0]);
  vs.push(vec('mem/grow/new-pages-are-zero', ['MEM-2'], 'wasm', [
    { op: 'byteLength', as: 'end' }, { op: 'grow', pages: 2, expect: { value: B } },
    { op: 'peek', address: ['end', 'end+65536', 'end+131064'], type: 'i64', expect: { value: ['0n', '0n', '0n'] } }],
  { setup: mem(B, B + 4) }));
  vs.push(vec('mem/grow/preserves-bytes', ['MEM-3'], 'wasm', [
    { op: 'alloc', size: 16, as: 'p' }, { op: 'poke', address: 'p', value: '-81985529216486896n', type: 'i64' },
    { op: 'poke', address: 'p+8', value: 0.1, type: 'f64' }, { op: 'grow', pages: 3 },
    { op: 'peek', address: 'p', type: 'i64', expect: { value: '-81985529216486896n' } },
    { op: 'peek', address: 'p+8', type: 'f64', expect: { value: 0.1 } }, { op: 'dealloc', ptr: 'p' }], { setup: mem(B, B + 4) }));
  vs.push(vec('mem/grow/resize-preserves-bytes', ['MEM-3', 'GROW-3'], 'wasm', [
    { op: 'alloc', size: 8, as: 'p' }, { op: 'poke', address: 'p', value: 123456789, type: 'i32' },
    { op: 'resize', size: (B + 4) * PAGE, expect: { value: resizeOutcome({ initialPages: B, maximumPages: 2 * B }, (B + 4) * PAGE).result } },
    { op: 'peek', address: 'p', type: 'i32', expect: { value: 123456789 } }, { op: 'dealloc', ptr: 'p' }], { setup: mem(B, 2 * B) }));
  vs.push(vec('mem/grow/never-shrinks', ['MEM-3', 'GROW-5'], 'wasm', [
    { op: 'grow', pages: 2 }, { op: 'resize', size: PAGE, expect: { value: true } },
    { op: 'byteLength', expect: { value: resizeOutcome({ initialPages: B + 2, maximumPages: 2 * B }, PAGE).finalByteLength } }], { setup: mem(B, 2 * B) }));
  vs.push(vec('mem/defaults/initial-size', ['MEM-4', 'MEM-1'], 'seed', [
    { op: 'byteLength', expect: { acceptable: [
      { flag: 'initial-16mib', value: 16777216 }, { flag: 'initial-8mib', value: 8388608 }] } }]));
  vs.push(vec('mem/defaults/maximum-2gib', ['MEM-4', 'MEM-2'], 'seed', [
    { op: 'grow', pages: 32513, expect: { error: 'RangeError' } }, { op: 'byteLength', expect: { value: 16777216 } },
    { op: 'grow', pages: 32512, expect: { value: 256 } }, { op: 'byteLength', expect: { value: 2147483648 } },
    { op: 'grow', pages: 1, expect: { error: 'RangeError' } }, { op: 'grow', pages: 0, expect: { value: 32768 } }],
  { setup: mem(256, 32768) }));
  // The wasm32 ceiling: a memory whose maximum is 65536 pages (4 GiB). One
  // page past it, or a delta that does not fit a u32, fails with nothing
  // grown (MEM-2); a request above the default maxHeapSize of 2 GiB, 2^32 - 1
  // included, is refused before any attempt (GROW-2), so nothing grows
  // towards 4 GiB.
  vs.push(vec('mem/maximum-4gib/grow-past-65536-pages-fails', ['MEM-2', 'MEM-1'], 'wasm', [
    { op: 'grow', pages: 65536 - B + 1, expect: { error: 'RangeError', events: [{ grow: 65536 - B + 1, ok: false }] } },
    { op: 'grow', pages: 65536, expect: { error: 'RangeError', events: [{ grow: 65536, ok: false }] } },
    { op: 'grow', pages: 4294967295, expect: { error: 'RangeError', events: [{ grow: 4294967295, ok: false }] } },
    { op: 'byteLength', expect: { value: B * PAGE } }, { op: 'grow', pages: 0, expect: { value: B } }],
  { setup: mem(B, 65536) }));
  for (const size of [4294967295, 4294901761, 2147483649])
    vs.push(vec(`mem/maximum-4gib/resize-to-${size}-is-refused`, ['GROW-2', 'MEM-2'], 'seed', [
      { op: 'resize', size, expect: { value: false, events: [] } }, { op: 'byteLength', expect: { value: B * PAGE } }],
    { setup: mem(B, 65536) }));
  const faults = (name, growFaults, steps) => vs.push(vec(`mem/faults/${name}`, ['MEM-5', 'MEM-2'], 'decided',
    steps.map(([pages, result]) => ({ op: 'grow', pages, expect: typeof result === 'number' ? { value: result, events: [{ grow: pages, ok: true }] } : { error: 'RangeError', events: [{ grow: pages, ok: false }] } })),
    { setup: { ...mem(B, B + 12), growFaults } }));
  faults('first-grow-fails', { failAttempts: [1] }, [[1, 'fail'], [1, B], [1, B + 1]]);
  faults('second-grow-fails', { failAttempts: [2] }, [[1, B], [1, 'fail'], [1, B + 1]]);
  faults('grow-zero-counts', { failAttempts: [2] }, [[0, B], [1, 'fail'], [0, B]]);
  faults('failed-grows-count', { failAttempts: [1, 3] }, [[1, 'fail'], [1, B], [1, 'fail'], [1, B + 1]]);
  faults('above-page-count', { failAbovePages: B + 2 }, [[1, B], [2, 'fail'], [1, B + 1], [1, 'fail'], [0, B + 2]]);
  faults('above-current-size', { failAbovePages: B }, [[1, 'fail'], [0, B]]);
  count += emit('mem', 'memory', 'Linear memory (MEM-1..5): memory.grow results and failures (a RangeError past the ' +
    'maximum, a TypeError for arguments outside [EnforceRange] unsigned long, section 12), zeroed new pages, bytes ' +
    'kept across growth, the defaults, and injected faults counted over every grow call. Expectations for grow from ' +
    'a real WebAssembly.Memory in Node; the rest derived by hand from the rules.', vs, {
    'initial-16mib': 'MEM-4: the heap starts at 16 MiB, as in @sqlite.org/sqlite-wasm up to 3.50.x and the reference.',
    'initial-8mib': 'MEM-4: the heap starts at 8 MiB, as in @sqlite.org/sqlite-wasm from 3.51.0.',
  });
}

// The i32 words of `length` 0xff bytes after zeroing [from, from + n), read with a DataView.
function zeroedWords(length, from, n) {
  const view = new DataView(new ArrayBuffer(length));
  for (let i = 0; i < length; i++) view.setUint8(i, i >= from && i < from + n ? 0 : 0xff);
  return Array.from({ length: length / 4 }, (_, i) => view.getInt32(4 * i, true));
}

// ALIGN-1..5.
{
  const vs = [];
  const alignMemory = (size, alignment) => Math.ceil(size / alignment) * alignment;  // ALIGN-1
  const cases = [[0, 8], [1, 8], [7, 8], [8, 8], [9, 8], [15, 16], [17, 16], [10, 3], [7, 5], [100, 7], [1, 65536],
    [65536, 65536], [65537, 65536], [1.5, 1], [5, 2.5], [6, 2.5], [-5, 8], [-8, 8], [-9, 8], [2 ** 31 + 1, 65536],
    [2 ** 53, 3], [1e20, 7], [0.1, 0.1], [3, 0.5], [1, 1e-300], [5, Infinity], [NaN, 8], [Infinity, 8]];
  for (const [size, alignment] of cases) {
    const id = `align/align-memory/${String(num(size)).toLowerCase()}-by-${String(num(alignment)).toLowerCase()}`
      .replace(/\./g, 'p').replace(/\+/g, '').replace(/-by--/, '-by-minus').replace(/\/-/, '/minus');
    vs.push(vec(id, ['ALIGN-1'], 'seed', [
      { op: 'alignMemory', size: num(size), alignment: num(alignment), expect: { value: num(alignMemory(size, alignment)) } }],
    { tags: ['edge'] }));
  }
  for (const [name, alignment] of [['zero', 0], ['negative', -8], ['nan', NaN], ['minus-zero', -0]])
    vs.push(vec(`align/align-memory/alignment-${name}`, ['ALIGN-1'], 'decided', [
      { op: 'alignMemory', size: 8, alignment: num(alignment), expect: { error: 'InvalidArgument' } }]));
  vs.push(vec('align/zero-memory/zeroes-and-returns-address', ['ALIGN-2'], 'upstream', [
    { op: 'alloc', size: 16, as: 'p' }, { op: 'poke', address: ['p', 'p+4', 'p+8', 'p+12'], value: -1, type: 'i32' },
    { op: 'zeroMemory', address: 'p', size: 16, expect: { value: 'p' } },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [0, 0, 0, 0] } }, { op: 'dealloc', ptr: 'p' }]));
  vs.push(vec('align/zero-memory/exact-range', ['ALIGN-2'], 'upstream', [
    { op: 'alloc', size: 16, as: 'p' }, { op: 'poke', address: ['p', 'p+4', 'p+8', 'p+12'], value: -1, type: 'i32' },
    { op: 'zeroMemory', address: 'p+5', size: 6, expect: { value: 'p+5' } },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: zeroedWords(16, 5, 6) } }, { op: 'dealloc', ptr: 'p' }]));
  vs.push(vec('align/zero-memory/size-zero', ['ALIGN-2'], 'upstream', [
    { op: 'alloc', size: 8, as: 'p' }, { op: 'poke', address: 'p', value: 77, type: 'i8' },
    { op: 'zeroMemory', address: 'p', size: 0, expect: { value: 'p' } }, { op: 'peek', address: 'p', expect: { value: 77 } },
    { op: 'dealloc', ptr: 'p' }]));
  vs.push(vec('align/zero-memory/last-bytes', ['ALIGN-2'], 'decided', [
    { op: 'byteLength', as: 'end' }, { op: 'zeroMemory', address: 'end-8', size: 8, expect: { value: 'end-8' } }]));
  for (const [name, address, size] of [['crossing-the-end', 'end-4', 8], ['at-the-end', 'end', 1], ['negative-address', -1, 2],
    ['past-2-pow-32', 4294967296, 1]])
    vs.push(vec(`align/zero-memory/out-of-bounds-${name}`, ['ALIGN-2', 'PEEK-6', 'SAFE-4'], 'decided', [
      { op: 'byteLength', as: 'end' }, { op: 'poke', address: 'end-4', value: -1, type: 'i32' },
      { op: 'zeroMemory', address, size, expect: { error: 'OutOfBounds' } },
      { op: 'peek', address: 'end-4', type: 'i32', expect: { value: -1 } }]));
  for (const [name, size] of [['negative', -1], ['fraction', 1.5], ['nan', NaN]])
    vs.push(vec(`align/zero-memory/size-${name}`, ['ALIGN-2', 'SAFE-4'], 'decided', [
      { op: 'alloc', size: 8, as: 'p' }, { op: 'poke', address: 'p', value: 5, type: 'i8' },
      { op: 'zeroMemory', address: 'p', size: num(size), expect: { error: 'InvalidArgument' } },
      { op: 'peek', address: 'p', expect: { value: 5 } }, { op: 'dealloc', ptr: 'p' }]));
  for (const [size, aligned] of [[1, PAGE], [PAGE, PAGE], [PAGE + 1, 2 * PAGE], [3 * PAGE - 1, 3 * PAGE]])
    vs.push(vec(`align/mmap-alloc/size-${size}`, ['ALIGN-3'], 'seed', [
      { op: 'mmapAlloc', size, as: 'm', expect: { multipleOf: PAGE, nonZero: true, events: [{ alloc: 'm', size: aligned }] } },
      { op: 'peek', address: ['m', `m+${aligned - 8}`], type: 'i64', expect: { value: ['0n', '0n'] } },
      { op: 'dealloc', ptr: 'm', expect: { events: [{ dealloc: 'm' }] } }], { final: { live: [] } }));
  vs.push(vec('align/mmap-alloc/zeroed-over-dirty-memory', ['ALIGN-3', 'ALIGN-5'], 'seed', [
    { op: 'mmapAlloc', size: PAGE, as: 'm' }, { op: 'poke', address: ['m', 'm+8', 'm+65528'], value: '-1n', type: 'i64' },
    { op: 'dealloc', ptr: 'm' }, { op: 'mmapAlloc', size: PAGE, as: 'n', expect: { multipleOf: PAGE } },
    { op: 'peek', address: ['n', 'n+8', 'n+65528'], type: 'i64', expect: { value: ['0n', '0n', '0n'] } },
    { op: 'dealloc', ptr: 'n' }], { final: { live: [] } }));
  // A block memalign carves from memory that a long string filled and its
  // scope freed: mmapAlloc zeroes it all the same (ALIGN-3), wherever in
  // that memory the block lands.
  vs.push(vec('align/mmap-alloc/zeroed-over-a-freed-string', ['ALIGN-3', 'ALIGN-5'], 'seed', [
    { op: 'push', as: 's' }, { op: 'scopedAllocCString', value: 'x'.repeat(4 * PAGE), as: 'c' }, { op: 'pop', scope: 's' },
    { op: 'mmapAlloc', size: PAGE, as: 'n', expect: { multipleOf: PAGE } },
    { op: 'peek', address: ['n', 'n+1', 'n+4096', 'n+32768', 'n+65534', 'n+65535'], type: 'i8', expect: { value: [0, 0, 0, 0, 0, 0] } },
    { op: 'dealloc', ptr: 'n' }], { final: { live: [] } }));
  vs.push(vec('align/mmap-alloc/failure-returns-zero', ['ALIGN-3'], 'seed', [
    { op: 'mmapAlloc', size: 3000000000, expect: { value: 0 } }], { final: { live: [] } }));
  // Sizes that alignMemory rounds up to 2^32: a 4 GiB block cannot lie inside
  // a wasm32 memory beside anything else (SAFE-1), so memalign must fail and
  // mmapAlloc return 0 (ALIGN-3), with no allocation. (A memalign whose u32
  // size parameter wraps 2^32 to 0 would hand out a block instead.)
  for (const size of [4294901761, 4294967295, 4294967296])
    vs.push(vec(`align/mmap-alloc/rounded-to-2-pow-32-fails-${size}`, ['ALIGN-3', 'SAFE-1'], 'decided', [
      { op: 'mmapAlloc', size, expect: { value: 0, events: [] } }], { final: { live: [] } }));
  for (const size of [1, 2, 3, 5, 7, 8, 9, 12, 15, 16, 17, 24, 100, 1000, 4097])
    vs.push(vec(`align/alloc/size-${size}-is-8-aligned`, ['ALIGN-4', 'SAFE-1'], 'upstream', [
      { op: 'alloc', size, as: 'a', expect: { multipleOf: 8, events: [{ alloc: 'a', size }] } },
      { op: 'alloc', size, as: 'b', expect: { multipleOf: 8 } },
      { op: 'push' }, { op: 'scopedAlloc', size, as: 'c', expect: { multipleOf: 8 } }, { op: 'pop' },
      { op: 'dealloc', ptr: 'a' }, { op: 'dealloc', ptr: 'b' }], { final: { live: [] } }));
  vs.push(vec('align/zeroed/alloc-after-free', ['ALIGN-5'], 'seed', [
    { op: 'alloc', size: 32, as: 'x' }, { op: 'poke', address: ['x', 'x+8', 'x+16', 'x+24'], value: '-1n', type: 'i64' },
    { op: 'dealloc', ptr: 'x' }, { op: 'alloc', size: 32, as: 'y' },
    { op: 'peek', address: ['y', 'y+8', 'y+16', 'y+24'], type: 'i64', expect: { acceptable: [
      { flag: 'alloc-zeroes', value: ['0n', '0n', '0n', '0n'] }, { flag: 'alloc-keeps-bytes', ok: true }] } },
    { op: 'dealloc', ptr: 'y' }], { tags: ['doc-claim'] }));
  vs.push(vec('align/zeroed/scoped-alloc-after-free', ['ALIGN-5'], 'seed', [
    { op: 'push' }, { op: 'scopedAlloc', size: 24, as: 'x' }, { op: 'poke', address: ['x', 'x+8', 'x+16'], value: -1, type: 'f64' },
    { op: 'pop' }, { op: 'push' }, { op: 'scopedAlloc', size: 24, as: 'y' },
    { op: 'peek', address: ['y', 'y+8', 'y+16'], type: 'i64', expect: { acceptable: [
      { flag: 'alloc-zeroes', value: ['0n', '0n', '0n'] }, { flag: 'alloc-keeps-bytes', ok: true }] } },
    { op: 'pop' }], { tags: ['doc-claim'] }));
  vs.push(vec('align/zeroed/the-seed-claim-holds-for-mmap-alloc', ['ALIGN-5', 'ALIGN-3'], 'seed', [
    { op: 'mmapAlloc', size: 100, as: 'm' }, { op: 'peek', address: ['m', 'm+99'], type: 'i8', expect: { value: [0, 0] } },
    { op: 'dealloc', ptr: 'm' }], { tags: ['doc-claim'] }));
  vs.push(vec('align/zeroed/the-seed-claim-holds-for-alloc-ptr', ['ALIGN-5', 'SCOPE-9'], 'seed', [
    { op: 'allocPtr', howMany: 2, as: ['a', 'b'] }, { op: 'peek', address: ['a', 'b'], type: 'i64', expect: { value: ['0n', '0n'] } },
    { op: 'dealloc', ptr: 'a' }], { tags: ['doc-claim'] }));
  count += emit('align', 'align', 'alignMemory for powers of two and other alignments, fractions, negatives and special ' +
    'values (ALIGN-1, computed in Node with ceil(size / alignment) * alignment); zeroMemory and its bounds (ALIGN-2, ' +
    'section 12); mmapAlloc (ALIGN-3); 8-byte alignment of alloc (ALIGN-4); which memory is zeroed (ALIGN-5, the ' +
    'seed\'s claim, tag doc-claim). Expectations other than alignMemory derived by hand from the rules.', vs, {
    'alloc-zeroes': 'ALIGN-5: a block that reuses freed memory reads as zeros (the seed\'s claim "all allocated memory is zeroed").',
    'alloc-keeps-bytes': 'ALIGN-5: plain alloc memory keeps whatever bytes were there (Emscripten\'s malloc, sqlite3_malloc).',
  });
}

// VIEW-1..3 and SAFE-3.
{
  const vs = [];
  const kinds = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, f32: 4, f64: 8 };
  for (const [type, size] of Object.entries(kinds))
    vs.push(vec(`view/length/${type}`, ['VIEW-1'], 'seed', [
      { op: 'heap', type, as: 'v' }, { op: 'viewLength', view: 'v', expect: { value: (B * PAGE) / size } }], { setup: mem(B, B + 4) }));
  // Reads and writes through views agree with peek/poke, at element indexes
  // p >> log2(size). The block is zeroed first, so that what peek reads is
  // the vector's even where a view is refused (not the allocator's leftovers).
  const through = (type, shift, value, read, peekType) => vs.push(vec(`view/access/${type}`, ['VIEW-1', 'PEEK-2'], 'seed', [
    { op: 'alloc', size: 16, as: 'p' }, { op: 'poke', address: ['p', 'p+8'], value: '0n', type: 'i64' }, { op: 'heap', type, as: 'v' },
    { op: 'viewSet', view: 'v', index: shift ? `p>>${shift}` : 'p', value: num(value) },
    { op: 'viewGet', view: 'v', index: shift ? `p>>${shift}` : 'p', expect: { value: num(read) } },
    { op: 'peek', address: 'p', type: peekType, expect: { value: num(peekType === 'i64' ? BigInt.asIntN(64, BigInt(read)) : read > 2 ** 31 - 1 && peekType === 'i32' ? read - 2 ** 32 : read) } },
    { op: 'dealloc', ptr: 'p' }]));
  const rt = (C, v) => { const a = new C(1); a[0] = v; return a[0]; };
  through('u8', 0, 300, rt(Uint8Array, 300), 'i8' === 'x' ? 'i8' : 'i8');
  through('i16', 1, -2, rt(Int16Array, -2), 'i16');
  through('u32', 2, -1, rt(Uint32Array, -1), 'i32');
  through('i32', 2, 2 ** 31, rt(Int32Array, 2 ** 31), 'i32');
  through('f32', 2, 0.1, rt(Float32Array, 0.1), 'f32');
  through('f64', 3, -0, rt(Float64Array, -0), 'f64');
  through('i64', 3, -5n, rt(BigInt64Array, -5n), 'i64');
  through('u64', 3, -1n, rt(BigUint64Array, -1n), 'i64');
  const buffer = new ArrayBuffer(8);
  const u8 = new Uint8Array(buffer);
  for (const [name, index] of [['negative', -1], ['fraction', 1.5], ['length', 'end'], ['nan', NaN]]) {
    vs.push(vec(`view/index/${name}-reads-undefined`, ['VIEW-1'], 'ecma', [
      { op: 'byteLength', as: 'end' }, { op: 'heap', type: 'u8', as: 'v' },
      { op: 'viewGet', view: 'v', index: typeof index === 'string' ? index : num(index), expect: { value: 'undefined' } },
      { op: 'viewSet', view: 'v', index: typeof index === 'string' ? index : num(index), value: 1 }]));
  }
  if (u8[-1] !== undefined || u8[1.5] !== undefined || u8[NaN] !== undefined || u8[u8.length] !== undefined)
    throw new Error('typed-array oracle disagrees');
  // A Number index -0 is the property key "0": it reads and writes element 0.
  u8[0] = 7;
  if (u8[-0] !== 7) throw new Error('typed-array oracle disagrees on -0');
  vs.push(vec('view/index/minus-zero-is-index-zero', ['VIEW-1'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'viewGet', view: 'v', index: 0, as: 'z' },
    { op: 'viewGet', view: 'v', index: num(-0), expect: { value: 'z' } }]));
  vs.push(vec('view/index/number-into-bigint-view', ['VIEW-1', 'PEEK-4'], 'ecma', [
    { op: 'heap', type: 'i64', as: 'v' }, { op: 'viewSet', view: 'v', index: 0, value: 1, expect: { error: 'TypeError' } }]));
  vs.push(vec('view/index/bigint-into-number-view', ['VIEW-1', 'PEEK-4'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'viewSet', view: 'v', index: 0, value: '1n', expect: { error: 'TypeError' } }]));
  // Detach (VIEW-2, SAFE-3), checked against a real WebAssembly.Memory.
  {
    const m = new WebAssembly.Memory({ initial: B, maximum: B + 4 });
    const before = new Uint8Array(m.buffer);
    m.grow(1);
    if (before.length !== 0 || before[0] !== undefined) throw new Error('WebAssembly.Memory did not detach');
    const after0 = new Uint8Array(m.buffer); m.grow(0);
    if (after0.length !== 0) throw new Error('grow(0) did not detach');
  }
  vs.push(vec('view/detach/after-grow', ['VIEW-2', 'SAFE-3'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'viewLength', view: 'v', expect: { value: B * PAGE } }, { op: 'grow', pages: 1 },
    { op: 'viewLength', view: 'v', expect: { value: 0 } },
    { op: 'viewGet', view: 'v', index: 0, expect: { value: 'undefined', violations: ['SAFE-3'] } },
    { op: 'heap', type: 'u8', as: 'w' }, { op: 'viewLength', view: 'w', expect: { value: (B + 1) * PAGE } }], { setup: mem(B, B + 4) }));
  vs.push(vec('view/detach/after-resize', ['VIEW-2', 'GROW-5'], 'ecma', [
    { op: 'heap', type: 'i32', as: 'v' }, { op: 'resize', size: (B + 2) * PAGE, expect: { value: true } },
    { op: 'viewLength', view: 'v', expect: { value: 0 } }, { op: 'heap', type: 'i32', as: 'w' },
    { op: 'viewLength', view: 'w', expect: { value: resizeOutcome({ initialPages: B, maximumPages: 2 * B }, (B + 2) * PAGE).finalByteLength / 4 } }],
  { setup: mem(B, 2 * B) }));
  vs.push(vec('view/detach/after-grow-zero', ['VIEW-2'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'grow', pages: 0 }, { op: 'viewLength', view: 'v', expect: { value: 0 } },
    { op: 'heap', type: 'u8', as: 'w' }, { op: 'viewLength', view: 'w', expect: { value: B * PAGE } }], { setup: mem(B, B + 4) }));
  // The helpers' own views are refreshed as well (section 12, MEM-2): after
  // grow(0), a string is written into the block it is given, read back, and
  // released once by its scope (SCOPE-8).
  vs.push(vec('view/detach/helpers-write-after-grow-zero', ['VIEW-2', 'MEM-2', 'SCOPE-8', 'PEEK-5'], 'ecma', [
    { op: 'push', as: 's' }, { op: 'grow', pages: 0, expect: { value: B } },
    { op: 'scopedAllocCString', value: 'abc', as: 'c', expect: { events: [{ alloc: 'c', size: 4 }] } },
    { op: 'peek', address: ['c', 'c+1', 'c+2', 'c+3'], expect: { value: [97, 98, 99, 0] } },
    { op: 'pop', scope: 's', expect: { events: [{ dealloc: 'c' }] } }], { setup: mem(B, B + 4), final: { level: 0, live: [] } }));
  // Each helper that writes through the glue's views (the C-string and argv
  // helpers, the pointer slots) gets a view of the current buffer when it
  // writes (VIEW-2, section 12, MEM-2), and so does the accessor after it: a
  // glue that caches its views while byteLength is unchanged renews the cache
  // in the helper after the grow, and keeps it, stale, after the grow(0).
  // The first vector is the same without a helper.
  const helperWrites = {
    'no-helper': [],
    'c-string': [{ op: 'scopedAllocCString', value: 'a', as: 'c', expect: { events: [{ alloc: 'c', size: 2 }] } }],
    'argv-empty': [{ op: 'scopedAllocMainArgv', list: [], as: 'a', expect: { events: [{ alloc: 'a', size: 4 }] } }],
    'pointer-slot': [{ op: 'scopedAllocPtr', as: 'q', expect: { events: [{ alloc: 'q', size: 8 }] } }],
  };
  for (const [name, writes] of Object.entries(helperWrites))
    vs.push(vec(`view/detach/grow-${name}-grow-zero`, ['VIEW-2', 'MEM-2', ...(writes.length ? ['SCOPE-8'] : [])], 'ecma', [
      { op: 'push', as: 's' }, { op: 'grow', pages: 1, expect: { value: B } }, ...writes,
      { op: 'grow', pages: 0, expect: { value: B + 1 } }, { op: 'heap', type: 'u8', as: 'w' },
      { op: 'viewLength', view: 'w', expect: { value: (B + 1) * PAGE } }, { op: 'pop', scope: 's' }],
    { setup: mem(B, B + 4), final: { level: 0, live: [] } }));
  // zeroMemory fills through the runtime's own view (ALIGN-2), not the
  // glue's: a C string written after a grow(0) that followed it still lands
  // in its block, whether or not the glue caches its views.
  const resized = resizeOutcome({ initialPages: B, maximumPages: 2 * B }, (B + 1) * PAGE);
  vs.push(vec('view/detach/zero-memory-then-grow-zero-then-c-string', ['VIEW-2', 'ALIGN-2', 'SCOPE-8', 'GROW-5'], 'ecma', [
    { op: 'push', as: 's' }, { op: 'resize', size: (B + 1) * PAGE, expect: { value: resized.result } }, { op: 'alloc', size: 8, as: 'p' },
    { op: 'zeroMemory', address: 'p', size: 8 }, { op: 'grow', pages: 0, expect: { value: resized.finalByteLength / PAGE } },
    { op: 'scopedAllocCString', value: 'a', as: 'c', expect: { events: [{ alloc: 'c', size: 2 }] } },
    { op: 'peek', address: ['c', 'c+1', 'p'], expect: { value: [97, 0, 0] } }, { op: 'dealloc', ptr: 'p' },
    { op: 'pop', scope: 's', expect: { events: [{ dealloc: 'c' }] } }], { setup: mem(B, 2 * B), final: { level: 0, live: [] } }));
  vs.push(vec('view/detach/failed-grow-keeps-views', ['VIEW-2', 'MEM-2'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'grow', pages: 5, expect: { error: 'RangeError' } },
    { op: 'viewLength', view: 'v', expect: { value: B * PAGE } }, { op: 'viewGet', view: 'v', index: 0 }], { setup: mem(B, B + 4) }));
  vs.push(vec('view/detach/write-through-stale-view-is-ignored', ['VIEW-2', 'SAFE-3'], 'ecma', [
    { op: 'alloc', size: 8, as: 'p' }, { op: 'poke', address: 'p', value: 5 }, { op: 'heap', type: 'u8', as: 'v' },
    { op: 'grow', pages: 1 }, { op: 'viewSet', view: 'v', index: 'p', value: 9, expect: { violations: ['SAFE-3'] } },
    { op: 'peek', address: 'p', expect: { value: 5 } }, { op: 'dealloc', ptr: 'p' }], { setup: mem(B, B + 4) }));
  vs.push(vec('view/detach/allocation-growth-detaches', ['VIEW-2', 'SCOPE-3'], 'ecma', [
    { op: 'heap', type: 'u8', as: 'v' }, { op: 'alloc', size: (B + 4) * PAGE, as: 'big' },
    { op: 'viewLength', view: 'v', expect: { value: 0 } }, { op: 'heap', type: 'u8', as: 'w' },
    { op: 'viewSet', view: 'w', index: 'big', value: 1 }, { op: 'peek', address: 'big', expect: { value: 1 } },
    { op: 'dealloc', ptr: 'big' }], { setup: mem(B, 3 * B) }));
  vs.push(vec('view/detach/type-error-before-stale-check', ['VIEW-2', 'PEEK-4'], 'ecma', [
    { op: 'heap', type: 'i64', as: 'v' }, { op: 'grow', pages: 1 },
    { op: 'viewSet', view: 'v', index: 0, value: 1, expect: { error: 'TypeError' } }], { setup: mem(B, B + 4) }));
  // Every accessor right after growth, by a raw grow and by the resize
  // policy, hands out a view of the new length while the old one is
  // detached (VIEW-1, VIEW-2; VIEW-3 for heapForSize): the integer views of
  // `heap` and every width and constructor of heapForSize.
  {
    const grown = { grow: (B + 1) * PAGE, resize: resizeOutcome({ initialPages: B, maximumPages: 2 * B }, (B + 2) * PAGE).finalByteLength };
    const growth = { grow: { op: 'grow', pages: 1, expect: { value: B } }, resize: { op: 'resize', size: (B + 2) * PAGE, expect: { value: true } } };
    const accessors = [
      ...['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'].map((t) => [`heap-${t}`, { op: 'heap', type: t }, { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 }[t], ['VIEW-1', 'VIEW-2']]),
      ...[8, 16, 32, 64].flatMap((bits) => [false, true].map((unsigned) =>
        [`heap-for-size-${bits}-${unsigned ? 'unsigned' : 'signed'}`, { op: 'heapForSize', size: bits, unsigned }, bits / 8, ['VIEW-2', 'VIEW-3']])),
      ...[['Int8Array', 1], ['Uint16Array', 2], ['Int32Array', 4], ['BigUint64Array', 8]].map(([ctor, size]) =>
        [`heap-for-size-${ctor.toLowerCase()}`, { op: 'heapForSize', size: ctor }, size, ['VIEW-2', 'VIEW-3']]),
    ];
    const fresh = (id, via, [accessor, size, rules], grownBytes, options) =>
      vs.push(vec(id, via === 'resize' ? [...rules, 'GROW-5'] : rules, 'ecma', [
        { ...accessor, as: 'v' }, { op: 'viewLength', view: 'v', expect: { value: B * PAGE / size } }, growth[via],
        { ...accessor, as: 'w' }, { op: 'viewLength', view: 'w', expect: { value: grownBytes / size } },
        { op: 'viewLength', view: 'v', expect: { value: 0 } }], options));
    for (const via of ['grow', 'resize'])
      for (const [name, ...accessor] of accessors) fresh(`view/fresh-after-${via}/${name}`, via, accessor, grown[via], { setup: mem(B, 2 * B) });
    // The same in the default memory (MEM-4), which a build with a fixed
    // maximum sets up too: an Emscripten runtime's exported views are renewed
    // by its resize only (heap-views-are-runtimes, section 13).
    const grownDefault = { grow: (B + 1) * PAGE, resize: resizeOutcome({ initialPages: B }, (B + 2) * PAGE).finalByteLength };
    for (const via of ['grow', 'resize'])
      for (const [name, ...accessor] of accessors.filter(([n]) => n === 'heap-u8' || n === 'heap-i32'))
        fresh(`view/fresh-after-${via}/default-memory-${name}`, via, accessor, grownDefault[via], { setup: mem(B) });
  }
  // heapForSize (VIEW-3).
  const hfs = (name, size, unsigned, type, value, read) => vs.push(vec(`view/heap-for-size/${name}`, ['VIEW-3'], 'upstream', [
    { op: 'alloc', size: 8, as: 'p' }, { op: 'poke', address: 'p', value: num(value), type },
    { op: 'heapForSize', size, ...(unsigned === undefined ? {} : { unsigned }), as: 'v' },
    { op: 'viewGet', view: 'v', index: `p>>${Math.log2(typeof size === 'number' ? size / 8 : { Int16Array: 2, Uint32Array: 4, Float64Array: 8, BigInt64Array: 8, Int8Array: 1 }[size])}`.replace('>>0', ''), expect: { value: num(read) } },
    { op: 'dealloc', ptr: 'p' }]));
  hfs('8-default-unsigned', 8, undefined, 'i8', -1, 255);
  hfs('8-signed', 8, false, 'i8', -1, -1);
  hfs('16-default-unsigned', 16, undefined, 'i16', -1, 65535);
  hfs('16-signed', 16, false, 'i16', -1, -1);
  hfs('32-default-unsigned', 32, undefined, 'i32', -1, 4294967295);
  hfs('32-signed', 32, false, 'i32', -1, -1);
  hfs('64-default-unsigned', 64, undefined, 'i64', '-1n', 18446744073709551615n);
  hfs('64-signed', 64, false, 'i64', '-1n', -1n);
  hfs('constructor-int16', 'Int16Array', undefined, 'i16', -3, -3);
  hfs('constructor-uint32', 'Uint32Array', undefined, 'i32', -3, 4294967293);
  hfs('constructor-float64', 'Float64Array', undefined, 'f64', 0.5, 0.5);
  hfs('constructor-bigint64', 'BigInt64Array', undefined, 'i64', '-7n', -7n);
  hfs('constructor-int8', 'Int8Array', undefined, 'i8', 200, -56);
  for (const [name, size] of [['12', 12], ['0', 0], ['7p5', 7.5], ['nan', NaN], ['unknown-constructor', 'Foo'], ['lowercase-constructor', 'int8array']])
    vs.push(vec(`view/heap-for-size/invalid-${name}`, ['VIEW-3'], 'upstream', [
      { op: 'heapForSize', size: num(size), expect: { error: 'InvalidArgument' } }]));
  count += emit('view', 'views', 'Heap views (VIEW-1..3): lengths, reads and writes at element indexes (p >> log2(size)), ' +
    'invalid indexes reading undefined, BigInt/Number TypeErrors, views detached by every successful grow (also grow(0), ' +
    'resize and an allocation that grows memory) and kept by a failed one, stale-view use reported as SAFE-3, and ' +
    'heapForSize. Expectations from real typed arrays and WebAssembly.Memory in Node, and by hand from the rules.', vs);
}

export default count;
