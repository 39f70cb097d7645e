#!/usr/bin/env node
// Independent oracle for the GROW rules of docs/SEMANTICS.md.
//
// Evaluates Emscripten's emscripten_resize_heap / growMemory, written out in
// JavaScript as GROW-1..5 state them, over a table of cases, and prints the
// observable outcome of each (result, ordered attempts, final byteLength) as
// JSON. The C++ reference is compared with this table bit for bit
// (tests/grow_oracle_test.cpp); nothing here comes from the reference.
//
// The memory is a stand-in with WebAssembly.Memory's grow contract plus the
// injected faults of MEM-5; every fault-free case that fits in 64 MiB is also
// replayed on a real WebAssembly.Memory, and the script fails if the two differ.
//
// Usage: node scripts/grow_oracle.mjs > grow_oracle.json

import { PAGE, MiB, DEFAULT_PARAMS, FaultyMemory, makeResize } from '../conformance/generators/grow_oracle.mjs';

function run(c, memory) {
  const { resize, attempts } = makeResize(memory, c.params);
  const result = resize(c.requested);
  return { result, attempts, finalByteLength: memory.buffer.byteLength };
}

// JSON numbers as SEMANTICS.md section 10 writes them.
const encode = (x) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity'
  : Object.is(x, -0) ? '-0' : x);

const cases = [];
const add = (name, initialPages, requested, extra = {}) => cases.push({
  name, initialPages, requested,
  maximumPages: extra.maximumPages ?? 32768,
  faults: extra.faults ?? {},
  params: { ...DEFAULT_PARAMS, ...(extra.params ?? {}) },
});

// 1. Every starting size against every interesting request (GROW-1..4).
const initials = [0, 1, 16, 256, 1535, 1536, 1537, 16384, 27306, 32767, 32768];
const requestsFor = (pages) => {
  const old = pages * PAGE;
  return [0, 1, 65535, 65536, 65537, old - 1, old, old + 1, old + PAGE, 96 * MiB - 1, 96 * MiB, 96 * MiB + 1,
    96 * MiB + PAGE, 200 * MiB, 2 ** 31 - PAGE, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32,
    2 ** 32 + 1, 2 ** 32 + PAGE, 2 ** 32 + 96 * MiB, -1, -PAGE, -(2 ** 31), -(2 ** 32) + 1, 1.5, 65536.7,
    -0.5, NaN, Infinity, -Infinity, 1e20];
};
for (const p of initials)
  for (const r of requestsFor(p)) add(`initial ${p} pages, request ${encode(r)}`, p, r);

// 2. Injected growth faults (MEM-5) on each attempt pattern (GROW-3/4).
const faultPatterns = [
  { failAttempts: [1] }, { failAttempts: [2] }, { failAttempts: [1, 2] }, { failAttempts: [2, 3] },
  { failAttempts: [1, 2, 3] }, { failAttempts: [1, 3] }, { failAbovePages: 300 }, { failAbovePages: 260 },
  { failAbovePages: 256 }, { failAbovePages: 1600 },
];
for (const faults of faultPatterns)
  for (const [p, r] of [[256, 16 * MiB + 1], [256, 17 * MiB], [256, 0], [1536, 100 * MiB], [1, 200 * MiB], [256, 2 ** 31]])
    add(`faults ${JSON.stringify(faults)}, initial ${p} pages, request ${r}`, p, r, { faults });

// 3. A memory maximum below getHeapMax() (GROW-5: grow throws RangeError).
for (const max of [256, 300, 400, 1600])
  for (const r of [16 * MiB, 16 * MiB + 1, 18 * MiB, 25 * MiB, 26 * MiB, 100 * MiB, 2 ** 31])
    add(`maximum ${max} pages, initial 256, request ${r}`, 256, r, { maximumPages: max });

// 4. Other growth parameters (GROW-6).
const paramSets = [
  { geometricStep: 0.5 }, { geometricStep: 1 }, { geometricStep: 0 }, { overgrowthCap: MiB },
  { overgrowthCap: 0 }, { alignment: 2 * MiB }, { alignment: 100000 }, { maxHeapSize: 64 * MiB },
  { maxHeapSize: 64 * MiB + 1 }, { maxHeapSize: 4294901760 },
];
for (const params of paramSets)
  for (const [p, r] of [[256, 16 * MiB + 1], [256, 40 * MiB], [1536, 97 * MiB], [1, 3 * MiB + 7]])
    add(`params ${JSON.stringify(params)}, initial ${p} pages, request ${r}`, p, r,
      { params, maximumPages: params.maxHeapSize === 4294901760 ? 65535 : 32768 });


const table = [];
let crossChecked = 0;
for (const c of cases) {
  const expect = run(c, new FaultyMemory(c));
  if (Object.keys(c.faults).length === 0 && Math.max(c.initialPages * PAGE, expect.finalByteLength) <= 64 * MiB) {
    const real = run(c, new WebAssembly.Memory({ initial: c.initialPages, maximum: c.maximumPages }));
    if (JSON.stringify(real) !== JSON.stringify(expect)) {
      console.error(`oracle: stand-in memory disagrees with WebAssembly.Memory on "${c.name}"`,
        JSON.stringify(real), JSON.stringify(expect));
      process.exit(1);
    }
    crossChecked++;
  }
  table.push({
    name: c.name,
    memory: { initialPages: c.initialPages, maximumPages: c.maximumPages },
    faults: c.faults,
    params: c.params,
    requested: encode(c.requested),
    expect: { ...expect, attempts: expect.attempts.map((a) => ({ newSize: encode(a.newSize), ok: a.ok })) },
  });
}
process.stdout.write(JSON.stringify({
  generator: 'scripts/grow_oracle.mjs', node: process.version, crossCheckedWithWebAssemblyMemory: crossChecked,
  cases: table,
}, null, 1) + '\n');
