#!/usr/bin/env node
// Writes every generated vector file, or with --check verifies that the
// committed files are what the generators produce (CI runs the check).
// Usage: node conformance/generators/all.mjs [--check]
import { emitExpectations, problems } from './lib.mjs';

const modules = ['gen_grow.mjs', 'gen_peek.mjs', 'gen_scope.mjs', 'gen_memory.mjs'];
let total = 0;
for (const m of modules) total += (await import(`./${m}`)).default;
emitExpectations();
const seeds = (await import('./seeds.mjs')).default();
for (const p of problems) console.error(p);
console.log(`${total} generated vectors and ${seeds} fuzz seeds${process.argv.includes('--check') ? ' checked' : ' written'}; ` +
  `${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
