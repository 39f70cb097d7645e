#!/usr/bin/env node
// memconform driver (protocol 2, an adapter on kit/) for sql.js, an
// Emscripten build of SQLite with glue of its own: a partial target for
// what that glue shares with the rules (lib/emscripten_adapter.mjs).
//   memconform replay --target 'cmd:node conformance/drivers/node/sqljs_driver.mjs'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serve } from './kit/index.mjs';
import { emscriptenAdapter } from './lib/emscripten_adapter.mjs';

const require = createRequire(import.meta.url);
const dist = require.resolve('sql.js');  // its dist/sql-wasm.js, beside its .wasm
const { version } = JSON.parse(readFileSync(new URL('../package.json', `file://${dist}`), 'utf8'));

serve(await emscriptenAdapter({
  name: `sql.js ${version}`,
  implementation: `sql.js ${version}`,
  compiled: await WebAssembly.compile(readFileSync(dist.replace(/\.js$/, '.wasm'))),
  load(moduleArg) {
    delete require.cache[dist];  // initSqlJs keeps its first module: a fresh copy of the script
    return require(dist)(moduleArg);
  },
}));
