#!/usr/bin/env node
// The round of 8 glue ops of bench/ops_bench.cpp (push, scopedAlloc,
// poke i32, peek i32, alloc, poke f64, dealloc, pop), OPS ops of it, in ns
// per op, in one run:
//   bare: the release's helpers called in a plain Node loop;
//   adapter: the same ops through the driver's sqlite-wasm adapter
//            (lib/sqlite_adapter.mjs) in this process, a vector started
//            and finished around them as the kit does, no protocol and no
//            pipe. Both without the access check (SAFE-2): installed, it
//            wraps every view the package makes, the bare loop's too
//            (driver.mjs --no-check-accesses).
// memconform's side, the round sent op by op to `node driver.mjs` by the
// cmd: target, is BM_NodeDriverOps (scripts/bench.sh).
// Usage: node bench.mjs [--rounds OPS] [--release R] [--seconds S]
import { parseArgs } from 'node:util';
import { Release, RELEASES } from './lib/instance.mjs';
import { InstancePool } from './lib/pool.mjs';
import { sqliteAdapter } from './lib/sqlite_adapter.mjs';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1000' },
    release: { type: 'string', default: Object.keys(RELEASES)[0] },
    seconds: { type: 'string', default: '2' },
  },
});
const ops = Number(options.rounds), OPS_PER_ROUND = 8, seconds = Number(options.seconds);
if (!(Number.isInteger(ops) && ops >= OPS_PER_ROUND)) throw new Error(`--rounds ${options.rounds}: expected an integer >= 8`);
const n = Math.floor(ops / OPS_PER_ROUND);
const DEFAULT = { initialPages: 256, maximumPages: 32768 };

const release = await Release.open({ version: options.release });

// Ops a second, `runOnce` (which returns how many it ran) repeated for
// `seconds`.
async function rate(runOnce) {
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) done += await runOnce();
  return (done * 1000) / (performance.now() - start);
}

const bareInstance = await release.instance(DEFAULT.initialPages, DEFAULT.maximumPages);
const w = bareInstance.wasm;
const bare = await rate(() => {
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
  bareInstance.reset();
  return n * OPS_PER_ROUND;
});

const stats = { instances: 0, instancesAhead: 0, rehomed: 0, replaced: {}, ms: { instances: 0, instancesAhead: 0, rehomes: 0 } };
const pool = new InstancePool((initialPages, maximumPages) => release.instance(initialPages, maximumPages), stats);
const adapter = sqliteAdapter({ hello: {}, release, pool, after: (instance, memory) => pool.give(memory, instance, instance.reset()) });
const kit = { event() {} };  // the events a vector's ops report: not kept here
const { push, scopedAlloc, poke, peek, alloc, dealloc, pop } = adapter.ops;
const adapted = await rate(async () => {
  const run = await adapter.start({ memory: DEFAULT }, kit);
  for (let r = 0, at = 0; r < n; ++r) {
    push(run, {}, kit, `/ops/${at++}`);
    const s = scopedAlloc(run, { size: 24 }, kit, `/ops/${at++}`);
    poke(run, { address: s, value: r, type: 'i32' }, kit, `/ops/${at++}`);
    if (peek(run, { address: s, type: 'i32' }, kit, `/ops/${at++}`) !== r) throw new Error('peek read back another value');
    const p = alloc(run, { size: 40 }, kit, `/ops/${at++}`);
    poke(run, { address: p + 8, value: 0.5 * r, type: 'f64' }, kit, `/ops/${at++}`);
    dealloc(run, { ptr: p }, kit, `/ops/${at++}`);
    pop(run, {}, kit, `/ops/${at++}`);
  }
  adapter.finish();
  return n * OPS_PER_ROUND;
});
pool.close();
console.log(`bare ${(1e9 / bare).toFixed(1)} ns/op`);
console.log(`adapter ${(1e9 / adapted).toFixed(1)} ns/op`);
