#!/usr/bin/env node
// Throughput of the driver, measured in one run on the vectors that do not
// need a fresh instance (the default memory, no growth faults, and a run that
// leaves the instance reusable):
//   direct: the same ops run in a plain Node loop in this process (VectorRun
//           on one instance, no protocol, no JSON, no pipe);
//   driver: the same vectors sent one at a time to `node driver.mjs` over
//           its stdin/stdout, as memconform's cmd: target sends them.
// Usage: node bench.mjs [--release R] [--seconds S] [VECTOR_DIR]
//        node bench.mjs --rounds OPS [--release R] [--seconds S]
// --rounds: the round of 8 glue ops of bench/ops_bench.cpp (push,
// scopedAlloc, poke i32, peek i32, alloc, poke f64, dealloc, pop), OPS ops
// of it, in ns per op: `bare`, the release's helpers called in a plain loop;
// `interpreter`, the same ops as one vector run by the driver's interpreter
// in this process (no protocol). memconform's side, the vector sent to the
// driver by the cmd: target, is BM_NodeDriverOps (scripts/bench.sh).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Release, RELEASES } from './lib/instance.mjs';
import { VectorRun } from './lib/run_vector.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : argv.splice(i, 2)[1];
};
const release = option('--release', Object.keys(RELEASES)[0]);
const seconds = Number(option('--seconds', '2'));
const rounds = option('--rounds', undefined);
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = argv[0] ?? join(here, '../../vectors');

const files = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.json') ? [p] : [];
});
const DEFAULT = { initialPages: 256, maximumPages: 32768 };
const candidates = files(dir).flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).vectors)
  .filter((v) => !v.setup || (!v.setup.growFaults && !v.setup.growth &&
    (!v.setup.memory || (v.setup.memory.initialPages === 256 && v.setup.memory.maximumPages === 32768))));

const r = await Release.open({ version: release });
let instance = await r.instance(DEFAULT.initialPages, DEFAULT.maximumPages);

function rate(runOnce) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) n += runOnce();
  return (n * 1000) / (performance.now() - start);
}

if (rounds !== undefined) {
  const ops = Number(rounds), OPS_PER_ROUND = 8;
  if (!(Number.isInteger(ops) && ops >= OPS_PER_ROUND)) throw new Error(`--rounds ${rounds}: expected an integer >= 8`);
  const n = Math.floor(ops / OPS_PER_ROUND), w = instance.wasm;
  const bare = rate(() => {
    for (let r = 0; r < n; ++r) {
      w.scopedAllocPush();
      const s = w.scopedAlloc(24);
      w.poke(s, r, 'i32');
      if (w.peek(s, 'i32') !== r) throw new Error('peek read back another value');
      const p = w.alloc(40);
      w.poke(p + 8, 0.5 * r, 'f64');
      w.dealloc(p);
      w.scopedAllocPop();
    }
    return n * OPS_PER_ROUND;
  });
  const vectorOps = [];
  for (let r = 0; r < n; ++r)
    vectorOps.push({ op: 'push' }, { op: 'scopedAlloc', size: 24, as: `s${r}` },
      { op: 'poke', address: `s${r}`, value: r, type: 'i32' }, { op: 'peek', address: `s${r}`, type: 'i32' },
      { op: 'alloc', size: 40, as: `p${r}` }, { op: 'poke', address: `p${r}+8`, value: 0.5 * r, type: 'f64' },
      { op: 'dealloc', ptr: `p${r}` }, { op: 'pop' });
  const vector = { id: 'bench/rounds', ops: vectorOps };
  const interpreter = rate(() => {
    new VectorRun(instance).run(vector);
    instance.reset();
    return n * OPS_PER_ROUND;
  });
  console.log(`bare ${(1e9 / bare).toFixed(1)} ns/op`);
  console.log(`interpreter ${(1e9 / interpreter).toFixed(1)} ns/op`);
  process.exit(0);
}
// Keep the vectors after which the instance is still reusable.
const reusable = [];
for (const v of candidates) {
  new VectorRun(instance).run(v);
  if (instance.reset() && instance.fits(DEFAULT)) reusable.push(v);
  else instance = await r.instance(DEFAULT.initialPages, DEFAULT.maximumPages);
}

const direct = rate(() => {
  for (const v of reusable) {
    new VectorRun(instance).run(v);
    instance.reset();
  }
  return reusable.length;
});

const child = spawn(process.execPath, [join(here, 'driver.mjs'), '--release', release], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
await lines.next();  // hello
const requests = reusable.map((v, i) => JSON.stringify({ id: i + 1, vector: { ...v, setup: { memory: DEFAULT } } }) + '\n');
let sent = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  for (const line of requests) {
    child.stdin.write(line);
    const { value } = await lines.next();
    if (!value?.startsWith('{"id"')) throw new Error(`driver answered: ${value}`);
  }
  sent += requests.length;
}
const driver = (sent * 1000) / (performance.now() - start);
child.stdin.end();

const fmt = (x) => Math.round(x).toLocaleString('en');
console.log(`@sqlite.org/sqlite-wasm ${release}: ${reusable.length} of ${candidates.length} default-memory vectors reuse an instance`);
console.log(`direct (plain Node loop, one process): ${fmt(direct)} vectors/s`);
console.log(`through the driver (JSON lines over a pipe): ${fmt(driver)} vectors/s`);
console.log(`overhead ratio direct/driver: ${(direct / driver).toFixed(1)}`);
