#!/usr/bin/env node
// memconform driver (protocol 2, an adapter on kit/) for sql.js, an
// Emscripten build of SQLite with glue of its own: a partial target for
// what that glue shares with the rules: Emscripten's emscripten_resize_heap
// (GROW) over the memory its module exports, memory.grow (MEM), and
// malloc/free as alloc/dealloc (SCOPE-3: alloc is AllocFailed where malloc
// returns 0). The other ops are unsupported: their vectors are skipped.
//   memconform replay --target 'cmd:node conformance/drivers/node/sqljs_driver.mjs'
// The module's memory starts at its own size and has the wasm32 maximum its
// build fixes (getHeapMax): a vector's memory is set up by one resize to its
// initial size (GROW-3: through the resize path, so that the glue's views
// are fresh) where one resize reaches it exactly; the others are skipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Skip, serve } from './kit/index.mjs';

const require = createRequire(import.meta.url);
const dist = require.resolve('sql.js');  // its dist/sql-wasm.js, beside its .wasm
const { version } = JSON.parse(readFileSync(new URL('../package.json', `file://${dist}`), 'utf8'));
const compiled = await WebAssembly.compile(readFileSync(dist.replace(/\.js$/, '.wasm')));
const PAGE = 65536;

// A fresh module: its exports (_malloc, _free), its memory, and its
// emscripten_resize_heap, found among the module's imports by what it
// does (the build minifies the names).
async function instantiate() {
  let imports, instance;
  delete require.cache[dist];  // initSqlJs keeps its first module: a fresh copy of the script
  const sql = await require(dist)({
    instantiateWasm(info, receive) {
      imports = info;
      WebAssembly.instantiate(compiled, info).then((i) => receive((instance = i), compiled));
      return {};
    },
  });
  const memory = Object.values(instance.exports).find((x) => x instanceof WebAssembly.Memory);
  const resize = Object.values(Object.values(imports)[0]).find((f) => typeof f === 'function' && /1\+\.2\/\w/.test(String(f)));
  if (!memory || !resize) throw new Error(`sql.js ${version}: its memory or emscripten_resize_heap is not where this driver looks`);
  return { sql, memory, resize, maxHeap: Number(/Math\.min\((\d+),/.exec(String(resize))?.[1] ?? 2147483648) };
}

class AllocFailed extends Error {}
const probe = await instantiate();
const initialPages = probe.memory.buffer.byteLength / PAGE, maximumPages = probe.maxHeap / PAGE;

serve({
  hello: {
    implementation: `sql.js ${version} (Node ${process.versions.node}): emscripten_resize_heap, memory.grow, malloc/free`,
    capabilities: ['memory-config', 'raw-grow', 'grow-faults'],
    minimumPages: initialPages,
    wellBehavedCaller: true,  // dlmalloc: a double free or a write between blocks corrupts the C heap
  },
  async start(setup, kit) {
    const want = setup.memory ?? { initialPages: 256, maximumPages: 32768 };
    if (want.maximumPages !== maximumPages) throw new Skip(`the module's maximum is ${maximumPages} pages`);
    const m = await instantiate();
    if (want.initialPages !== initialPages) m.resize(want.initialPages * PAGE);
    if (m.memory.buffer.byteLength !== want.initialPages * PAGE)
      throw new Skip(`one resize from the module's ${initialPages} pages cannot make exactly ${want.initialPages}`);
    m.live = new Set();
    kit.observeMemory(m.memory, setup);
    // GROW-3: each memory.grow of a resize is one attempt (after its grow
    // event); its newSize is the last Math.min the policy computed.
    const observed = m.memory.grow;
    let lastMin, resizing = false;
    m.memory.grow = (pages) => {
      let ok = false;
      try {
        const old = observed(pages);
        ok = true;
        return old;
      } finally {
        if (resizing) kit.event({ resizeAttempt: lastMin, ok });
      }
    };
    m.resizeObserved = (size) => {
      const min = Math.min;
      Math.min = (...xs) => (lastMin = min(...xs));
      resizing = true;
      try {
        return m.resize(size);
      } finally {
        Math.min = min;
        resizing = false;
      }
    };
    return m;
  },
  ops: {
    alloc(m, { size }, kit) {
      const p = m.sql._malloc(size);
      if (!p) throw new AllocFailed(`malloc(${size}) returned 0`);
      m.live.add(p);
      kit.event({ alloc: p, size });
      return p;
    },
    dealloc(m, { ptr }, kit) {
      const p = Number(ptr) >>> 0;  // free()'s i32 parameter
      if (p && m.live.delete(p)) kit.event({ dealloc: p });
      m.sql._free(ptr);
    },
    resize: (m, { size }) => m.resizeObserved(size),
    grow: (m, { pages }) => m.memory.grow(pages),
    byteLength: (m) => m.memory.buffer.byteLength,
  },
  errorKind: (e) => (e instanceof AllocFailed ? 'AllocFailed' : e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'InvalidArgument'),
  byteLength: (m) => m.memory.buffer.byteLength,
  state: (m) => ({ level: 0, live: [...m.live], installed: [], byteLength: m.memory.buffer.byteLength }),
});
