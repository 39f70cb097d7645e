#!/usr/bin/env node
// memconform driver (protocol 2, op at a time: docs/DRIVER_PROTOCOL.md) for
// the heap helpers of @sqlite.org/sqlite-wasm:
//   node driver.mjs [--release 3.54.1-build1|3.41.2 | --package DIR] [--mutant NAME] [--label TEXT] [--check-reset] [--no-check-accesses] [--dialect-accesses] [--fresh-instances] [--stats FILE]
//   node driver.mjs --list-mutants
// --release loads a release pinned in package.json; --package the one
// installed in DIR (its package.json's folder): any release of
// @sqlite.org/sqlite-wasm from 3.41.2 on, or a fork with the same helpers,
// whatever its layout (lib/package.mjs; releases.mjs installs them).
// An adapter on the driver kit (kit/index.mjs, lib/sqlite_adapter.mjs):
// the runner interprets each vector and sends its ops one by one; each
// calls the real sqlite3.wasm helper it names, and the runner judges what
// happened. --mutant plants one bug in the helpers (lib/mutants.mjs);
// --label only marks the process.
// Every vector starts from the state its instance was created in (reset());
// --check-reset compares every byte, the stack pointer and the function
// table with it after each vector and after each rehome (slow; for tests):
// a difference is the next start's error. An instance whose memory grew is
// rehomed: a new wasm instance under the same JavaScript (lib/binding.mjs);
// --fresh-instances makes a new one with the package's whole bootstrap
// instead (to compare: the results are the same). Every access the
// helpers' JavaScript makes to the memory is checked (lib/sanitizer.mjs,
// SAFE-2): an op whose helper touches what it may not reports each such
// access ("accesses"), which the runner counts as the op's SAFE-2
// violation; --dialect-accesses accepts the accesses of the release's own
// documented variants (RELEASES dialect: for fuzzing against the reference
// in the release's dialect, where they are known); --no-check-accesses
// turns the check off (throughput without it). --check-accesses, the
// default, is accepted, and so is --protocol 2, the only protocol it
// speaks (protocol 1, whole vectors interpreted by the driver, was removed;
// the runner still reads drivers that speak it).
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Release, RELEASES } from './lib/instance.mjs';
import { MUTANTS, plantMutant } from './lib/mutants.mjs';
import { InstancePool, countReplaced } from './lib/pool.mjs';
import { accessChecker } from './lib/sanitizer.mjs';
import { sqliteAdapter } from './lib/sqlite_adapter.mjs';
import { serve } from './kit/index.mjs';

let release, options;
try {
  ({ values: options } = parseArgs({
    options: {
      release: { type: 'string' },
      package: { type: 'string' },
      mutant: { type: 'string' },
      label: { type: 'string' },
      'list-mutants': { type: 'boolean' },
      'check-reset': { type: 'boolean' },
      'check-accesses': { type: 'boolean' },
      'no-check-accesses': { type: 'boolean' },
      'dialect-accesses': { type: 'boolean' },
      'fresh-instances': { type: 'boolean' },
      stats: { type: 'string' },
      protocol: { type: 'string', default: '2' },
    },
  }));
  if (options['list-mutants']) {
    for (const [name, m] of Object.entries(MUTANTS)) process.stdout.write(`${name.padEnd(28)}${m.rule.padEnd(10)}${m.what}\n`);
    process.exit(0);
  }
  if (options.mutant && !MUTANTS[options.mutant])
    throw new Error(`unknown mutant "${options.mutant}"; known: ${Object.keys(MUTANTS).join(', ')}`);
  if (options.protocol !== '2')
    throw new Error(`--protocol ${options.protocol}: this driver speaks protocol 2 only (op at a time); protocol 1's whole-vector interpreter was removed`);
  if (options['check-accesses'] && options['no-check-accesses']) throw new Error('--check-accesses and --no-check-accesses contradict each other');
  if (options.release !== undefined && options.package !== undefined) throw new Error('--release and --package name two packages: give one');
  if (!options['no-check-accesses']) accessChecker.install();  // before the package makes its views
  release = await Release.open({ version: options.release ?? (options.package ? undefined : Object.keys(RELEASES)[0]), packageDir: options.package });
  if (options['dialect-accesses'] && !release.dialect)
    throw new Error(`--dialect-accesses: no dialect is known for ${release.name} ${release.version} (pinned: ${Object.keys(RELEASES).join(', ')})`);
} catch (e) {
  const missing = e?.code === 'ERR_MODULE_NOT_FOUND' ? ' (run scripts/setup.sh, which runs npm ci here)' : '';
  process.stderr.write(`Error: memconform sqlite-wasm driver: ${e?.message ?? e}${missing}\n`);
  process.exit(2);
}
const hello = {
  implementation: `${release.name} ${release.version}${options.mutant ? ` with the bug ${options.mutant}` : ''} (Node ${process.versions.node})`,
  // Not growth-params: emscripten_resize_heap's steps are constants of the build.
  // table-slot-reuse: upstream's free list hands out the last freed slot first.
  // repeat-strings: long strings come written short (kit/index.mjs writtenOut).
  // caller-list: a peek of a list reports the list as the helper left it.
  capabilities: ['i64', 'grow-faults', 'memory-config', 'views', 'function-table', 'raw-grow', 'table-slot-reuse',
    'repeat-strings', 'caller-list'],
  minimumPages: release.minimumPages,  // its memory import's minimum: below it, "skipped"
  wellBehavedCaller: true,  // dlmalloc: a double free or a write between blocks corrupts the C heap
};

// --stats FILE: how many vectors ran, how many instances were made while a
// vector waited and how many ahead (lib/pool.mjs), why instances were
// replaced, and the milliseconds spent on each, appended as one JSON line
// when the runner closes the pipe.
const stats = { vectors: 0, instances: 0, instancesAhead: 0, rehomed: 0, replaced: {}, ms: { instances: 0, instancesAhead: 0, rehomes: 0, resets: 0 } };
const pool = new InstancePool(async (initialPages, maximumPages) => {
  const instance = await release.instance(initialPages, maximumPages);
  if (options['dialect-accesses']) instance.dialectAccesses = new Set(release.dialect);
  if (options.mutant) plantMutant(options.mutant, instance, release);
  return instance;
}, stats, {
  // A mutant may hold what it saw of the first memory (lib/mutants.mjs): its
  // instances are made again, as the bug would meet a new page load.
  rehome: !options.mutant && !options['fresh-instances'],
  check: (instance) => (options['check-reset'] ? instance.differenceFromPristine() : undefined),
});
await serve(sqliteAdapter({ hello, release, pool, after: (instance, memory) => reset(instance, memory) }));
pool.close();
if (options.stats) {
  const cpu = process.cpuUsage();  // the whole process's: parsing, writing, collecting garbage too
  stats.ms.cpu = (cpu.user + cpu.system) / 1000;
  stats.ms.wall = performance.now();
  appendFileSync(options.stats, JSON.stringify({ release: release.version, ...stats }) + '\n');
}

// f(), its milliseconds added to stats.ms[what].
function timed(what, f) {
  const t = performance.now();
  try {
    return f();
  } finally {
    stats.ms[what] += performance.now() - t;
  }
}

// The instance reset and back in the pool for the next vector of its
// memory. --check-reset: what the reset left different fails the next
// vector's start (lib/pool.mjs, as a rehome's difference does).
function reset(instance, memory) {
  ++stats.vectors;
  const reusable = timed('resets', () => instance.reset());
  if (!reusable) countReplaced(stats, instance.unusable);
  const left = reusable && options['check-reset'] ? instance.differenceFromPristine() : undefined;
  if (left) pool.fail(memory, `reset after the vector before left a difference: ${left}`);
  else pool.give(memory, instance, reusable);
}
