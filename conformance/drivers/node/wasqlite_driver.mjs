#!/usr/bin/env node
// memconform driver (protocol 2, an adapter on kit/) for wa-sqlite, an
// Emscripten build of SQLite with glue of its own (its synchronous build,
// dist/wa-sqlite.mjs): a partial target for what that glue shares with the
// rules (lib/emscripten_adapter.mjs).
//   memconform replay --target 'cmd:node conformance/drivers/node/wasqlite_driver.mjs'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serve } from './kit/index.mjs';
import { emscriptenAdapter } from './lib/emscripten_adapter.mjs';

const require = createRequire(import.meta.url);
const dist = require.resolve('wa-sqlite/dist/wa-sqlite.mjs');
const { version } = JSON.parse(readFileSync(new URL('../package.json', `file://${dist}`), 'utf8'));
const { default: factory } = await import(dist);  // each call makes a fresh module

serve(await emscriptenAdapter({
  name: `wa-sqlite ${version}`,
  implementation: `wa-sqlite ${version}`,
  compiled: await WebAssembly.compile(readFileSync(dist.replace(/\.mjs$/, '.wasm'))),
  load: factory,
}));
