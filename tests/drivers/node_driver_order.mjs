#!/usr/bin/env node
// The Node driver's results do not depend on the vectors run before: the
// corpus is sent to `driver.mjs --check-reset` in file order, in reverse
// order and in a shuffled order, and every vector's response (values,
// addresses, events, end state) must be the same in each; --check-reset
// makes the driver also compare every byte of memory, its stack pointer
// and its function table with the instance's state at creation after each
// vector. Exit 0 if so, 1 with the first differences, 2 on bad usage.
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
async function run(order) {
  const child = spawn(process.execPath, [driver, '--release', release, '--check-reset'], { stdio: ['pipe', 'pipe', 'inherit'] });
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
const base = results['file order'];
let differences = 0;
let errors = 0;
for (const v of vectors) {
  const first = base.get(v.id);
  if (first.includes('reset after this vector left a difference')) {
    if (errors++ < 5) console.log(`FAIL ${v.id}: ${JSON.parse(first).error}`);
    continue;
  }
  for (const [name, r] of Object.entries(results)) {
    if (r.get(v.id) === first) continue;
    if (differences++ < 5) console.log(`FAIL ${v.id}: in ${name} it answered\n  ${r.get(v.id).slice(0, 600)}\nnot\n  ${first.slice(0, 600)}`);
  }
}
const total = vectors.length;
if (differences || errors) {
  console.log(`${release}: ${differences} response(s) depend on the order, ${errors} reset(s) left a difference, of ${total} vectors`);
  process.exit(1);
}
console.log(`ok   ${release}: ${total} vectors give the same responses in ${Object.keys(orders).join(', ')}; every reset restored the state byte for byte`);
