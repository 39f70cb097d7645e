// GROW vectors: emscripten_resize_heap from several heap sizes, with wrapped
// and special requests, injected growth faults, small maxima and other growth
// parameters. Every expectation (result, each growMemory attempt with its
// memory.grow page count, the final byteLength) is computed by the JavaScript
// oracle in grow_oracle.mjs, which evaluates Emscripten's formula itself.
import { emit, expectFailure, num, vec } from './lib.mjs';
import { PAGE, MiB, DEFAULT_PARAMS, OR_ZERO_NOTE, orZeroOutcome, resizeOutcome } from './grow_oracle.mjs';

const label = (r) => String(num(r)).replace(/[^0-9a-zA-Z.-]+/g, '').replace(/^-/, 'minus').replace(/\./g, 'p').toLowerCase();

// The events of a resize, in the vector's form: each attempt's memory.grow
// (none where a negative page count made grow throw first), then the attempt.
function resizeEvents(o) {
  const events = [];
  let g = 0;
  o.attempts.forEach((a, i) => {
    if (o.calledGrow[i]) events.push({ grow: o.grows[g].pages, ok: o.grows[g++].ok });
    events.push({ resizeAttempt: num(a.newSize), ok: a.ok });
  });
  return events;
}

function resizeVector(id, c, requested, extraRules = [], tags = []) {
  const o = resizeOutcome(c, requested);
  const rules = new Set(['GROW-3']);
  const wrapped = requested >>> 0;
  if (!(Number.isInteger(requested) && requested >= 0 && requested < 2 ** 32)) rules.add('GROW-1');
  const max = c.params?.maxHeapSize ?? DEFAULT_PARAMS.maxHeapSize;
  if (wrapped > max) { rules.delete('GROW-3'); rules.add('GROW-2'); }
  if (o.attempts.length && !o.result) rules.add('GROW-4');
  if (o.grows.some((g) => !g.ok) || o.attempts.some((a) => a.newSize < c.initialPages * PAGE)) rules.add('GROW-5');
  if (c.faults && Object.keys(c.faults).length) rules.add('MEM-5');
  if (c.params && Object.keys(c.params).length) rules.add('GROW-6');
  for (const r of extraRules) rules.add(r);
  const events = resizeEvents(o);
  // A raw memory.grow first (MEM-2): the resize is then op 1.
  const rawGrow = c.rawGrow === undefined ? [] : [{ op: 'grow', pages: c.rawGrow, expect: { value: c.initialPages } }];
  const at = rawGrow.length;
  const orZero = orZeroOutcome(c, requested);
  if (orZero) {
    // Per op, what the '|0' variant does: its resize, and the byteLength
    // and end state if they differ too.
    const ops = { [`/ops/${at}`]: { value: orZero.result, events: resizeEvents(orZero) } };
    const entry = { ops };
    if (orZero.finalByteLength !== o.finalByteLength) {
      ops[`/ops/${at + 1}`] = { value: orZero.finalByteLength };
      entry.final = { byteLength: orZero.finalByteLength };
    }
    expectFailure('emscripten-3.1.70-grow.json', 'mutant:grow-pages-or-zero', id, 'grow-pages-or-zero', OR_ZERO_NOTE, entry);
  }
  const setup = { memory: { initialPages: c.initialPages, maximumPages: c.maximumPages ?? 32768 } };
  if (c.params && Object.keys(c.params).length) setup.growth = c.params;
  if (c.faults && Object.keys(c.faults).length) setup.growFaults = c.faults;
  return vec(id, [...rules].sort(), 'upstream', [
    ...rawGrow,
    { op: 'resize', size: num(requested), expect: { value: o.result, events } },
    { op: 'byteLength', expect: { value: o.finalByteLength } },
  ], { tags: ['edge', ...tags], setup, final: { byteLength: o.finalByteLength } });
}

let count = 0;

// 1. From the default 16 MiB heap: every interesting request (GROW-1..5).
{
  const old = 256 * PAGE;
  const requests = [0, 1, 65535, 65536, 65537, old - 1, old, old + 1, old + PAGE, 96 * MiB - 1, 96 * MiB,
    96 * MiB + 1, 96 * MiB + PAGE, 200 * MiB, 2 ** 31 - PAGE, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32,
    2 ** 32 + 1, 2 ** 32 + PAGE, 2 ** 32 + 96 * MiB, -1, -PAGE, -(2 ** 31), -(2 ** 32) + 1, 1.5, 65536.7, -0.5,
    NaN, Infinity, -Infinity, 1e20, -0];
  const vs = requests.map((r) => resizeVector(`grow/default-heap/request-${label(r)}`, { initialPages: 256 }, r));
  count += emit('grow', 'default-heap', 'emscripten_resize_heap from the default 16 MiB heap (MEM-4) for requests at 0, ' +
    'around the current size, around the 96 MiB overgrowth cap, around 2 GiB and 2^32, negative, fractional and ' +
    'special values that ToUint32 wraps (GROW-1). Expectations: the JavaScript oracle ' +
    'conformance/generators/grow_oracle.mjs evaluating Emscripten\'s formula.', vs);
}

// 2. From other heap sizes, including 0, the 96 MiB boundary, 1 GiB and the maximum.
{
  const vs = [];
  for (const pages of [0, 1, 1535, 1536, 1537, 16384, 27306, 32767, 32768]) {
    const old = pages * PAGE;
    const requests = [...new Set([0, 1, old - 1, old, old + 1, old + PAGE, 96 * MiB + PAGE, 2 ** 31 - 1, 2 ** 31])]
      .filter((r) => r >= 0);
    for (const r of requests) {
      // Keep the large-heap cases few: each is a 1-2 GiB memory.
      if (pages >= 16384 && ![old + 1, 2 ** 31, 0].includes(r)) continue;
      vs.push(resizeVector(`grow/heap-sizes/from-${pages}-pages-request-${label(r)}`, { initialPages: pages }, r,
        pages === 1537 && r === 0 ? ['GROW-5'] : []));
    }
  }
  count += emit('grow', 'heap-sizes', 'emscripten_resize_heap from heaps of 0, 1, 1535-1537 (the 96 MiB boundary), ' +
    '16384, 27306, 32767 and 32768 pages. From 1537 pages, resize(0) computes a newSize one page below the heap, ' +
    'which `>>> 16` turns into a huge page count that fails three times (GROW-5). Expectations: the JavaScript ' +
    'oracle conformance/generators/grow_oracle.mjs.', vs);
}

// 3. Injected growth faults (MEM-5) on each attempt (GROW-3, GROW-4).
{
  const patterns = [
    ['first', { failAttempts: [1] }], ['second', { failAttempts: [2] }], ['first-two', { failAttempts: [1, 2] }],
    ['last-two', { failAttempts: [2, 3] }], ['all-three', { failAttempts: [1, 2, 3] }],
    ['first-and-third', { failAttempts: [1, 3] }], ['above-300', { failAbovePages: 300 }],
    ['above-260', { failAbovePages: 260 }], ['above-256', { failAbovePages: 256 }], ['above-1600', { failAbovePages: 1600 }],
  ];
  const vs = [];
  for (const [name, faults] of patterns)
    for (const [pages, r] of [[256, 16 * MiB + 1], [256, 17 * MiB], [1536, 100 * MiB]])
      vs.push(resizeVector(`grow/faults/${name}-from-${pages}-pages-request-${label(r)}`, { initialPages: pages, faults }, r));
  count += emit('grow', 'faults', 'emscripten_resize_heap when memory.grow is refused on chosen attempts or above a page ' +
    'count (MEM-5): the cutDown loop retries with smaller overgrowth, and when all three attempts fail the result is ' +
    'false and memory is unchanged (GROW-4). Expectations: the JavaScript oracle conformance/generators/grow_oracle.mjs ' +
    'with the same fault model.', vs);
}

// 4. A memory maximum below getHeapMax(): memory.grow throws, growMemory fails (GROW-5).
{
  const vs = [];
  for (const max of [256, 300, 1600])
    for (const r of [16 * MiB + 1, 18 * MiB, 26 * MiB, 100 * MiB])
      vs.push(resizeVector(`grow/small-maximum/max-${max}-request-${label(r)}`, { initialPages: 256, maximumPages: max }, r, ['MEM-2']));
  count += emit('grow', 'small-maximum', 'emscripten_resize_heap when the memory\'s own maximum is below getHeapMax(): ' +
    'attempts above it fail like refused grows (MEM-2, GROW-5). Expectations: the JavaScript oracle ' +
    'conformance/generators/grow_oracle.mjs.', vs);
}

// 5. Other growth parameters (GROW-6).
{
  const sets = [
    ['step-0.5', { geometricStep: 0.5 }], ['step-0', { geometricStep: 0 }], ['cap-1mib', { overgrowthCap: MiB }],
    ['cap-0', { overgrowthCap: 0 }], ['align-2mib', { alignment: 2 * MiB }], ['align-100000', { alignment: 100000 }],
    ['max-64mib', { maxHeapSize: 64 * MiB }],
  ];
  const vs = [];
  for (const [name, params] of sets)
    for (const [pages, r] of [[256, 16 * MiB + 1], [256, 40 * MiB], [1, 3 * MiB + 7]])
      vs.push(resizeVector(`grow/params/${name}-from-${pages}-pages-request-${label(r)}`, { initialPages: pages, params }, r));
  count += emit('grow', 'params', 'emscripten_resize_heap with growth parameters other than Emscripten\'s defaults ' +
    '(GROW-6): geometric step, overgrowth cap, alignment (also one that is not a power of two) and maximum. ' +
    'Expectations: the JavaScript oracle conformance/generators/grow_oracle.mjs.', vs);
}

// 6. After a raw memory.grow (MEM-2), oldSize is the byte length the grow
// left, not the one the runtime's resize last saw (GROW-3).
{
  const old = 256 * PAGE;
  const cases = [[1, old + PAGE + 1], [0, old + 1], [2, PAGE], [1, 96 * MiB]];
  const vs = cases.map(([pages, r]) =>
    resizeVector(`grow/after-raw-grow/grow-${pages}-request-${label(r)}`, { initialPages: 256, rawGrow: pages }, r, ['MEM-2']));
  count += emit('grow', 'after-raw-grow', 'emscripten_resize_heap after a raw memory.grow (also of 0 pages) of the ' +
    'default memory: oldSize is the byte length before the resize (GROW-3), so the overgrowth steps from the grown ' +
    'heap, and a request below it still grows. A runtime that reads oldSize from a view only its own resize renews ' +
    '(resize-reads-stale-heap) steps from 0. Expectations: the JavaScript oracle conformance/generators/grow_oracle.mjs.', vs);
}

export default count;
