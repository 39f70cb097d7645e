#!/usr/bin/env node
// memconform driver (protocol 1, conformance/README.md) for the heap helpers
// of @sqlite.org/sqlite-wasm:
//   node driver.mjs [--release 3.54.1-build1|3.41.2] [--mutant NAME] [--label TEXT] [--check-reset] [--stats FILE]
//   node driver.mjs --list-mutants
// Reads one vector per line on stdin, runs its ops on the real sqlite3.wasm
// helper object and writes what happened; the runner judges. --mutant plants
// one bug in the helpers (lib/mutants.mjs); --label only marks the process.
// Every vector starts from the state its instance was created in (reset());
// --check-reset compares every byte, the stack pointer and the function
// table with it after each vector (slow; for tests).
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Release, RELEASES } from './lib/instance.mjs';
import { MUTANTS, plantMutant } from './lib/mutants.mjs';
import { VectorRun } from './lib/run_vector.mjs';

let release, options;
try {
  ({ values: options } = parseArgs({
    options: {
      release: { type: 'string', default: Object.keys(RELEASES)[0] },
      mutant: { type: 'string' },
      label: { type: 'string' },
      'list-mutants': { type: 'boolean' },
      'check-reset': { type: 'boolean' },
      stats: { type: 'string' },
    },
  }));
  if (options['list-mutants']) {
    for (const [name, m] of Object.entries(MUTANTS)) process.stdout.write(`${name.padEnd(28)}${m.rule.padEnd(10)}${m.what}\n`);
    process.exit(0);
  }
  if (options.mutant && !MUTANTS[options.mutant])
    throw new Error(`unknown mutant "${options.mutant}"; known: ${Object.keys(MUTANTS).join(', ')}`);
  release = await Release.open(options.release);
} catch (e) {
  const missing = e?.code === 'ERR_MODULE_NOT_FOUND' ? ' (run scripts/setup.sh, which runs npm ci here)' : '';
  process.stderr.write(`Error: memconform sqlite-wasm driver: ${e?.message ?? e}${missing}\n`);
  process.exit(2);
}
const send = (j) => process.stdout.write(JSON.stringify(j) + '\n');

send({
  hello: 'memconform-driver',
  protocol: 1,
  implementation: `@sqlite.org/sqlite-wasm ${release.version}${options.mutant ? ` with the bug ${options.mutant}` : ''} (Node ${process.versions.node})`,
  // Not growth-params: emscripten_resize_heap's steps are constants of the build.
  // table-slot-reuse: upstream's free list hands out the last freed slot first.
  capabilities: ['i64', 'grow-faults', 'memory-config', 'views', 'function-table', 'raw-grow', 'table-slot-reuse'],
  minimumPages: release.minimumPages,  // its memory import's minimum: below it, "skipped"
  wellBehavedCaller: true,  // dlmalloc: a double free or a write between blocks corrupts the C heap
});

// Instances ready for a vector, one per memory size asked for lately (a
// fuzzer's vectors come in a few sizes): each is reset to the state it was
// created in after every vector, and replaced when its memory grew.
const ready = new Map();  // "initial/maximum" -> Instance, least recently used first
const POOL = 4;
// --stats FILE: how many vectors ran, how many instances were made for them
// and why instances were replaced, and the milliseconds spent making
// instances, running vectors and resetting, appended as one JSON line when
// the runner closes the pipe.
const stats = { vectors: 0, instances: 0, replaced: {}, ms: { instances: 0, vectors: 0, resets: 0 } };
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  let id;
  try {
    const request = JSON.parse(line);
    id = request.id;
    send(await run(request.vector, id));
  } catch (e) {
    ready.clear();  // whatever they were doing, they are not trusted any more
    send({ id: id ?? 0, error: `driver: ${e?.stack ?? e}` });
  }
}
if (options.stats) appendFileSync(options.stats, JSON.stringify({ release: release.version, ...stats }) + '\n');

async function run(vector, id) {
  const memory = vector.setup?.memory ?? { initialPages: 256, maximumPages: 32768 };
  if (memory.maximumPages > release.maximumPages)
    return { id, skipped: `the module takes a memory of at most ${release.maximumPages} pages (its memory import's maximum); the vector's may grow to ${memory.maximumPages}` };
  if (memory.initialPages < release.minimumPages)
    return { id, skipped: `the module needs a memory of at least ${release.minimumPages} pages (its memory import's minimum); the vector starts with ${memory.initialPages}` };
  const key = `${memory.initialPages}/${memory.maximumPages}`;
  let instance = ready.get(key);
  ready.delete(key);
  let t = performance.now();
  if (!instance?.fits(memory)) {
    instance = await release.instance(memory.initialPages, memory.maximumPages);
    if (options.mutant) plantMutant(options.mutant, instance, release);
    ++stats.instances;
    stats.ms.instances += performance.now() - t;
    t = performance.now();
  }
  ++stats.vectors;
  instance.faults = vector.setup?.growFaults ?? {};
  const response = { id, ...new VectorRun(instance).run(vector) };
  stats.ms.vectors += performance.now() - t;
  t = performance.now();
  const reset = instance.reset();
  stats.ms.resets += performance.now() - t;
  if (!reset) stats.replaced[instance.unusable] = (stats.replaced[instance.unusable] ?? 0) + 1;
  if (reset) {
    // --check-reset: the next vector would start from the state this one did.
    const left = options['check-reset'] ? instance.differenceFromPristine() : undefined;
    if (left) return { id, error: `driver: reset after this vector left a difference: ${left}` };
    ready.set(key, instance);
    if (ready.size > POOL) ready.delete(ready.keys().next().value);
  }
  return response;
}
