#!/usr/bin/env node
// The Node driver's results do not depend on the vectors run before: the
// corpus is sent to `driver.mjs --check-reset` in file order, in reverse
// order and in a shuffled order, and once more in file order with
// --fresh-instances (an instance whose memory grew is made again
// with the package's whole bootstrap, not rehomed: a new wasm instance under
// the same JavaScript), and every vector's response (values, addresses,
// events, end state) must be the same in each; --check-reset makes the
// driver also compare every byte of memory, its stack pointer and its
// function table with the instance's state at creation after each vector
// and each rehome. Then each recorded sequence of sequences/ (vectors whose
// order matters: found by fuzzing, minimised) is sent in its order with and
// without --fresh-instances, with the same responses and no reset that left
// a difference, with the access check on and off. Exit 0 if so, 1 with
// the first differences, 2 on bad usage.
// Usage: node node_driver_order.mjs RELEASE [VECTOR_DIR] [--driver-args "..."]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const [release, dir = join(here, '../../conformance/vectors')] = process.argv.slice(2);
if (!release) {
  process.stderr.write('usage: node node_driver_order.mjs RELEASE [VECTOR_DIR]\n');
  process.exit(2);
}
const driver = join(here, '../../conformance/drivers/node/driver.mjs');

const files = (d) => readdirSync(d).sort().flatMap((f) => {
  const p = join(d, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.json') ? [p] : [];
});
const vectors = files(dir).flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).vectors);

// Responses by vector id, the vectors sent in `order` to one driver process.
async function run(order, ...flags) {
  const child = spawn(process.execPath, [driver, '--release', release, '--check-reset', ...flags], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the driver closed its output');
    return JSON.parse(value);
  };
  await next();  // hello
  const responses = new Map();
  for (const [n, v] of order.entries()) {
    child.stdin.write(JSON.stringify({ id: n + 1, vector: v }) + '\n');
    const { id, ...response } = await next();
    if (id !== n + 1) throw new Error(`response ${id} to request ${n + 1}`);
    responses.set(v.id, JSON.stringify(response));
  }
  child.stdin.end();
  return responses;
}

// Each recorded sequence in its order, rehomed and on fresh instances, with
// the access check and without it (nothing then marks a stray write for
// reset()): the number of responses that differ or that report a reset
// which left a difference.
async function sequencesDiffer() {
  const sequences = join(here, 'sequences');
  let differ = 0;
  for (const f of readdirSync(sequences).filter((n) => n.endsWith('.json')).sort()) {
    const { vectors: sequence } = JSON.parse(readFileSync(join(sequences, f), 'utf8'));
    for (const flags of [[], ['--no-check-accesses']]) {
      const [rehomed, fresh] = [await run(sequence, ...flags), await run(sequence, '--fresh-instances', ...flags)];
      for (const v of sequence) {
        const left = [rehomed, fresh].find((r) => resetError.test(r.get(v.id)));
        if (left) console.log(`FAIL ${v.id} (${f} ${flags.join(' ')}): ${JSON.parse(left.get(v.id)).error}`);
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

const orders = { 'file order': vectors, reversed: [...vectors].reverse(), shuffled: shuffled(vectors, 18) };
const results = {};
for (const [name, order] of Object.entries(orders)) results[name] = await run(order);
results['file order on fresh instances'] = await run(vectors, '--fresh-instances');
const base = results['file order'];
let differences = 0;
let errors = 0;
const resetError = /reset after this vector left a difference|a rehomed instance differs/;
for (const v of vectors) {
  const first = base.get(v.id);
  const failed = Object.entries(results).find(([, r]) => resetError.test(r.get(v.id)));
  if (failed) {
    if (errors++ < 5) console.log(`FAIL ${v.id} (${failed[0]}): ${JSON.parse(failed[1].get(v.id)).error}`);
    continue;
  }
  for (const [name, r] of Object.entries(results)) {
    if (r.get(v.id) === first) continue;
    if (differences++ < 5) console.log(`FAIL ${v.id}: in ${name} it answered\n  ${r.get(v.id).slice(0, 600)}\nnot\n  ${first.slice(0, 600)}`);
  }
}
const total = vectors.length;
differences += await sequencesDiffer();
if (differences || errors) {
  console.log(`${release}: ${differences} response(s) depend on the order or on rehoming, ${errors} reset(s) or rehome(s) left a difference, of ${total} vectors`);
  process.exit(1);
}
console.log(`ok   ${release}: ${total} vectors give the same responses in ${Object.keys(results).join(', ')}; every reset and rehome restored the state byte for byte`);
