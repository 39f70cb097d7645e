// Shared by the vector generators: writes one vector file in the project's
// layout (one op per line, so diffs stay readable), or, with --check, fails
// if the committed file differs from what the generator produces now.
//
// The generators encode expectations derived from docs/SEMANTICS.md by hand,
// or computed by an independent oracle (the GROW formula evaluated in
// JavaScript, real typed arrays, Node's UTF-8 encoder). None of them runs or
// reads the C++ reference.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const CHECK = process.argv.includes('--check');
export const problems = [];

// SEMANTICS.md section 10: the doubles that JSON cannot write become strings.
export const num = (x) => (typeof x === 'bigint' ? `${x}n` : Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity'
  : x === -Infinity ? '-Infinity' : Object.is(x, -0) ? '-0' : x);

const line = (v) => JSON.stringify(v);

function format(file) {
  const out = ['{'];
  out.push(`  "schema": "memconform-vectors/1",`);
  out.push(`  "area": ${line(file.area)},`);
  out.push(`  "description": ${line(file.description)},`);
  if (file.notes) out.push(`  "notes": ${JSON.stringify(file.notes, null, 2).replace(/\n/g, '\n  ')},`);
  out.push('  "vectors": [');
  file.vectors.forEach((v, i) => {
    out.push('    {');
    const keys = ['id', 'description', 'rules', 'source', 'tags', 'requires', 'setup'].filter((k) => v[k] !== undefined);
    for (const k of keys) out.push(`      ${line(k)}: ${line(v[k])},`);
    out.push('      "ops": [');
    v.ops.forEach((op, j) => out.push(`        ${line(op)}${j + 1 < v.ops.length ? ',' : ''}`));
    out.push(`      ]${v.final ? ',' : ''}`);
    if (v.final) out.push(`      "final": ${line(v.final)}`);
    out.push(`    }${i + 1 < file.vectors.length ? ',' : ''}`);
  });
  out.push('  ]', '}');
  return out.join('\n') + '\n';
}

// Writes (or checks) conformance/vectors/<area>/<topic>.json.
export function emit(area, topic, description, vectors, notes) {
  const ids = new Set();
  for (const v of vectors) {
    if (!v.id.startsWith(`${area}/`)) throw new Error(`vector id ${v.id} is not under ${area}/`);
    if (ids.has(v.id)) throw new Error(`duplicate id ${v.id}`);
    ids.add(v.id);
  }
  const path = join(ROOT, area, `${topic}.json`);
  const text = format({ area, description, notes, vectors });
  if (CHECK) {
    let old = '';
    try { old = readFileSync(path, 'utf8'); } catch { /* missing */ }
    if (old !== text) problems.push(`${relative(process.cwd(), path)} differs from what its generator produces`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return vectors.length;
}

// A vector with the common fields in a fixed order.
export const vec = (id, rules, source, ops, more = {}) => ({ id, rules, source, ...more, ops });
