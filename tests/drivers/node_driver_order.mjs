#!/usr/bin/env node
// The Node driver's results do not depend on the vectors run before: the
// corpus is replayed (`memconform replay --trace`) against `driver.mjs` in
// file order, in reverse order and in a shuffled order, and once more in
// file order with --fresh-instances (an instance whose memory grew is made
// again with the package's whole bootstrap, not rehomed: a new wasm instance
// under the same JavaScript), and every vector's result and op trace
// (values, addresses, events) must be the same in each. The shuffled and
// the fresh-instance replays run with --check-reset, which makes the driver
// also compare every byte of memory, its stack pointer and its function
// table with the instance's state at creation after each vector and each
// rehome (a difference fails the next vector's start): every vector's reset
// and every rehome is so checked at least once. It reads every page of every
// memory, 2 GiB for the largest, and costs ten times the replay (page
// faults), which is why the file-order and reversed replays go without it.
// Then each recorded sequence of sequences/ (vectors whose order matters:
// found by fuzzing, minimised) is replayed in its order with and without
// --fresh-instances, with the same results and no reset that left a
// difference, with the access check on and off. Exit 0 if so, 1 with the
// first differences, 2 on bad usage.
// Usage: node node_driver_order.mjs RELEASE MEMCONFORM [VECTOR_DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const [release, memconform, dir = join(here, '../../conformance/vectors')] = process.argv.slice(2);
if (!release || !memconform) {
  process.stderr.write('usage: node node_driver_order.mjs RELEASE MEMCONFORM [VECTOR_DIR]\n');
  process.exit(2);
}
const driver = join(here, '../../conformance/drivers/node/driver.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'memconform-order-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
// Interrupted (Ctrl-C, a kill), it still removes its files: Node's default
// for these signals exits without running the 'exit' handlers.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(128 + constants.signals[signal]));

const files = (d) => readdirSync(d).sort().flatMap((f) => {
  const p = join(d, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.json') ? [p] : [];
});
const vectors = files(dir).flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).vectors);

// Each vector's result by id, the vectors replayed in `order` against one
// driver process run with `flags`: its status, failures and op trace,
// without what depends on the order (its place in the file, the seconds it
// took) or names the target (whose flags differ). A vector may take seconds
// (--check-reset reading a 2-GiB memory on a busy machine): this test is
// about order, not speed, hence the generous --timeout.
function run(order, ...flags) {
  const file = join(tmp, 'order.json'), report = join(tmp, 'report.json');
  writeFileSync(file, JSON.stringify({ schema: 'memconform-vectors/1', area: 'order', description: 'the corpus in one order', vectors: order }));
  const target = ['cmd:node', driver, '--release', release, ...flags].join(' ');
  const replay = spawnSync(memconform, ['replay', '--timeout', '60', '--target', target, '--trace', '--json', report, file], { encoding: 'utf8' });
  if (replay.status !== 0 && replay.status !== 1) throw new Error(`memconform replay exit ${replay.status}: ${replay.stderr.slice(-2000)}`);
  const results = new Map();
  for (const { seconds, file: f, ...r } of JSON.parse(readFileSync(report, 'utf8')).results)
    results.set(r.id, JSON.stringify(r).replaceAll(target, 'TARGET').replace(/\/vectors\/\d+\//g, '/vectors/N/'));
  return results;
}
const resetError = /reset after the vector before left a difference|a rehomed instance differs/;

// Each recorded sequence in its order, rehomed and on fresh instances, with
// the access check and without it (nothing then marks a stray write for
// reset()): the number of responses that differ or that report a reset
// which left a difference.
function sequencesDiffer() {
  const sequences = join(here, 'sequences');
  let differ = 0;
  for (const f of readdirSync(sequences).filter((n) => n.endsWith('.json')).sort()) {
    const { vectors: sequence } = JSON.parse(readFileSync(join(sequences, f), 'utf8'));
    for (const flags of [[], ['--no-check-accesses']]) {
      const [rehomed, fresh] = [run(sequence, '--check-reset', ...flags), run(sequence, '--check-reset', '--fresh-instances', ...flags)];
      for (const v of sequence) {
        const left = [rehomed, fresh].find((r) => resetError.test(r.get(v.id)));
        if (left) console.log(`FAIL ${v.id} (${f} ${flags.join(' ')}): ${JSON.parse(left.get(v.id)).reason}`);
        else if (rehomed.get(v.id) !== fresh.get(v.id))
          console.log(`FAIL ${v.id} (${f} ${flags.join(' ')}): rehomed, it answered\n  ${rehomed.get(v.id).slice(0, 600)}\nnot\n  ${fresh.get(v.id).slice(0, 600)}`);
        else continue;
        ++differ;
      }
    }
  }
  return differ;
}

// A shuffle that is the same on every run (a linear congruential generator).
function shuffled(list, seed) {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; --i) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const results = {
  'file order': run(vectors),
  reversed: run([...vectors].reverse()),
  shuffled: run(shuffled(vectors, 18), '--check-reset'),
  'file order on fresh instances': run(vectors, '--check-reset', '--fresh-instances'),
};
const base = results['file order'];
let differences = 0;
let errors = 0;
for (const v of vectors) {
  const first = base.get(v.id);
  const failed = Object.entries(results).find(([, r]) => resetError.test(r.get(v.id)));
  if (failed) {
    if (errors++ < 5) console.log(`FAIL ${v.id} (${failed[0]}): ${JSON.parse(failed[1].get(v.id)).reason}`);
    continue;
  }
  for (const [name, r] of Object.entries(results)) {
    if (r.get(v.id) === first) continue;
    if (differences++ < 5) console.log(`FAIL ${v.id}: in ${name} it answered\n  ${r.get(v.id).slice(0, 600)}\nnot\n  ${first.slice(0, 600)}`);
  }
}
const total = vectors.length;
differences += sequencesDiffer();
if (differences || errors) {
  console.log(`${release}: ${differences} result(s) depend on the order or on rehoming, ${errors} reset(s) or rehome(s) left a difference, of ${total} vectors`);
  process.exit(1);
}
console.log(`ok   ${release}: ${total} vectors give the same results and traces in ${Object.keys(results).join(', ')}; every reset and rehome of the shuffled and fresh-instance replays restored the state byte for byte`);
