// Seed corpus of fuzz_vector_json: single-vector files cut from the
// conformance corpus (every area, small vectors), so that mutations start
// from valid vector files. Written by all.mjs with the vectors.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, problems } from './lib.mjs';

const CHECK = process.argv.includes('--check');
const out = join(ROOT, '..', '..', 'corpus', 'fuzz_vector_json');

export default function writeSeeds() {
  const seeds = new Map();
  for (const area of readdirSync(ROOT).sort())
    for (const file of readdirSync(join(ROOT, area)).sort()) {
      const doc = JSON.parse(readFileSync(join(ROOT, area, file), 'utf8'));
      const small = doc.vectors.filter((v) => JSON.stringify(v).length < 1500);
      for (let i = 0; i < small.length; i += 12) {
        const single = { schema: doc.schema, area: doc.area, description: doc.description, notes: doc.notes, vectors: [small[i]] };
        seeds.set(small[i].id.replace(/[^a-z0-9]+/g, '-') + '.json', JSON.stringify(single) + '\n');
      }
    }
  if (CHECK) {
    let present = [];
    try { present = readdirSync(out).sort(); } catch { /* missing */ }
    const wanted = [...seeds.keys()].sort();
    if (JSON.stringify(present) !== JSON.stringify(wanted)) problems.push('corpus/fuzz_vector_json differs from what seeds.mjs produces');
    else for (const [name, text] of seeds) if (readFileSync(join(out, name), 'utf8') !== text) problems.push(`corpus/fuzz_vector_json/${name} differs`);
  } else {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const [name, text] of seeds) writeFileSync(join(out, name), text);
  }
  return seeds.size;
}
