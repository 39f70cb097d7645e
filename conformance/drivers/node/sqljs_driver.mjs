#!/usr/bin/env node
// memconform driver (protocol 2, an adapter on kit/) for sql.js, an
// Emscripten build of SQLite with glue of its own: a partial target for
// what that glue shares with the rules (lib/emscripten_adapter.mjs).
//   memconform replay --target 'cmd:node conformance/drivers/node/sqljs_driver.mjs'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import { serve } from './kit/index.mjs';
import { emscriptenAdapter } from './lib/emscripten_adapter.mjs';

const require = createRequire(import.meta.url);
const dist = require.resolve('sql.js');  // its dist/sql-wasm.js, beside its .wasm
const { version } = JSON.parse(readFileSync(new URL('../package.json', `file://${dist}`), 'utf8'));
const script = compileFunction(readFileSync(dist, 'utf8'), ['module', 'exports', 'require', '__dirname', '__filename'], { filename: dist });

serve(await emscriptenAdapter({
  name: `sql.js ${version}`,
  implementation: `sql.js ${version}`,
  compiled: await WebAssembly.compile(readFileSync(dist.replace(/\.js$/, '.wasm'))),
  load(moduleArg) {
    // initSqlJs keeps its first module: the script runs again for a fresh
    // one, compiled once (V8 keeps what it compiled of the same function).
    const module = { exports: {} };
    script(module, module.exports, require, dirname(dist), dist);
    return module.exports(moduleArg);
  },
}));
