// The adapter (kit/index.mjs) of an Emscripten build of SQLite with glue of
// its own (sql.js, wa-sqlite): a partial target for what Emscripten's
// runtime shares with the rules. emscripten_resize_heap is `resize` (GROW),
// memory.grow of the memory the module exports is `grow` (MEM), the
// module's HEAP8 ... HEAPF64 are the `heap` views (VIEW), malloc/free are
// alloc/dealloc (SCOPE-3: alloc is AllocFailed where malloc returns 0).
// The other ops are unsupported: their vectors are skipped by name.
//
// The module's memory starts at its own size and has the maximum its build
// fixes (getHeapMax): a vector's memory is set up by one resize to its
// initial size (GROW-3: through the resize path, so that the runtime's
// views are fresh) where one resize reaches it exactly; other setups are
// skipped.
import { parseArgs } from 'node:util';
import { Skip, Unsupported, keepRecent } from '../kit/index.mjs';

const PAGE = 65536;
// Instances whose memory is at most this large are used again: copying a
// larger one back costs more than a new instance.
const REUSED_BYTES = 64 << 20;
// Of the memory sizes its vectors ask for, an instance and an image are
// kept for the ones asked for last (a fuzzer's vectors come in one to four;
// the corpus's in more, which must not each keep an instance).
const KEPT_SIZES = 4;
class AllocFailed extends Error {}

// The runtime's view of each `heap` kind (VIEW-1), where the build has it.
const MODULE_VIEWS = { i8: 'HEAP8', u8: 'HEAPU8', i16: 'HEAP16', u16: 'HEAPU16', i32: 'HEAP32', u32: 'HEAPU32',
  i64: 'HEAP64', u64: 'HEAPU64', f32: 'HEAPF32', f64: 'HEAPF64' };

// A fresh module from `load(moduleArg)` (the package's factory) with the
// compiled wasm: the module, the memory it exports, and its
// emscripten_resize_heap, found among its imports by what it does (its
// geometric step 1 + .2 / n; the build minifies the names).
async function instantiate(name, compiled, load) {
  let imports, instance;
  const module = await load({
    instantiateWasm(info, receive) {
      imports = info;
      WebAssembly.instantiate(compiled, info).then((i) => receive((instance = i), compiled));
      return {};
    },
  });
  const memory = Object.values(instance.exports).find((x) => x instanceof WebAssembly.Memory);
  const resize = Object.values(Object.values(imports)[0]).find((f) => typeof f === 'function' && /1\+\.2\/\w/.test(String(f)));
  if (!memory || !resize) throw new Error(`${name}: its memory or emscripten_resize_heap is not where this driver looks`);
  // The heap maximum is what the policy refuses requests above first.
  const max = /if\((?:(\d+)<\w|\w>(\d+))\)return!1/.exec(String(resize));
  return { module, memory, resize, maxHeap: Number(max?.[1] ?? max?.[2] ?? 2147483648) };
}

// The kit adapter for the package `name` (its version in `implementation`),
// whose factory is `load` and whose wasm is `compiled`.
// Its instances of up to REUSED_BYTES are used again after a vector that
// left the memory's buffer as it was (restored from a copy made at set-up),
// unless the driver's command line says --fresh-instances (each vector a
// new one, to compare: the answers are the same).
export async function emscriptenAdapter({ name, implementation, compiled, load }) {
  const fresh = parseArgs({ options: { 'fresh-instances': { type: 'boolean' } } }).values['fresh-instances'] ?? false;
  const ready = new Map();   // initial pages -> an instance set up so, ready (KEPT_SIZES)
  const images = new Map();  // initial pages -> the memory's bytes as set up (KEPT_SIZES)
  const probe = await instantiate(name, compiled, load);
  const initialPages = probe.memory.buffer.byteLength / PAGE, maximumPages = probe.maxHeap / PAGE;
  // The view ops where the module exports its views (sql.js does not).
  const hasViews = probe.module.HEAPU8 instanceof Uint8Array;
  const viewOps = {
    heap(m, { type }) {
      const view = m.module[MODULE_VIEWS[type]];
      if (!view) throw new Unsupported(`the module has no ${MODULE_VIEWS[type] ?? type} view`);
      return view;
    },
    viewLength: (m, { view }) => view.length,
    viewGet: (m, { view, index }, kit) => { kit.staleUse(view); return view[index]; },
    viewSet: (m, { view, index, value }, kit) => { view[index] = value; kit.staleUse(view); },  // converts first (VIEW-1)
  };
  return {
    hello: {
      implementation: `${implementation} (Node ${process.versions.node}): emscripten_resize_heap, memory.grow, ${hasViews ? 'HEAP views, ' : ''}malloc/free`,
      capabilities: ['memory-config', 'raw-grow', 'grow-faults', ...(hasViews ? ['views'] : [])],
      minimumPages: initialPages,
      maximumPages,  // its fixed heap maximum: the fuzzers generate only this one
      wellBehavedCaller: true,  // dlmalloc: a double free or a write between blocks corrupts the C heap
    },
    async start(setup, kit) {
      const want = setup.memory ?? { initialPages: 256, maximumPages: 32768 };
      if (want.maximumPages !== maximumPages) throw new Skip(`the module's maximum is ${maximumPages} pages`);
      let m = ready.get(want.initialPages);
      ready.delete(want.initialPages);
      if (!m) {
        m = await instantiate(name, compiled, load);
        if (want.initialPages !== initialPages) m.resize(want.initialPages * PAGE);
        if (m.memory.buffer.byteLength !== want.initialPages * PAGE)
          throw new Skip(`one resize from the module's ${initialPages} pages cannot make exactly ${want.initialPages}`);
        m.buffer = m.memory.buffer;  // as the runtime's views see it
        // Every instance of a size is set up alike: one copy serves them all.
        if (!fresh && m.buffer.byteLength <= REUSED_BYTES) {
          m.image = images.get(want.initialPages) ?? new Uint8Array(m.buffer).slice();
          keepRecent(images, want.initialPages, m.image, KEPT_SIZES);
        }
      }
      m.live = new Set();
      m.failed = false;
      kit.observeMemory(m.memory, setup);
      m.resizeObserved = kit.observeResize(m.resize);
      return m;
    },
    // The instance again for the next vector of its size, its memory as it
    // was set up: only if the memory kept its buffer (no grow at all, which
    // would leave the runtime's views on the old one) and no op failed
    // otherwise than by malloc's 0 (an abort() stays aborted). The allocator's
    // state is all in the memory (dlmalloc, the sbrk pointer).
    finish(m) {
      if (!m.image || m.failed || m.memory.buffer !== m.buffer) return;
      new Uint8Array(m.buffer).set(m.image);
      keepRecent(ready, m.buffer.byteLength / PAGE, m, KEPT_SIZES);
    },
    ops: {
      alloc(m, { size }, kit) {
        const p = m.module._malloc(size);
        if (!p) throw new AllocFailed(`malloc(${size}) returned 0`);
        m.live.add(p);
        kit.event({ alloc: p, size });
        return p;
      },
      dealloc(m, { ptr }, kit) {
        const p = Number(ptr) >>> 0;  // free()'s i32 parameter
        if (p && m.live.delete(p)) kit.event({ dealloc: p });
        m.module._free(ptr);
      },
      resize: (m, { size }) => m.resizeObserved(size),
      grow: (m, { pages }) => m.memory.grow(pages),
      byteLength: (m) => m.memory.buffer.byteLength,
      ...(hasViews ? viewOps : {}),
    },
    errorKind(e, m) {
      if (e instanceof AllocFailed) return 'AllocFailed';
      m.failed = true;
      return e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'InvalidArgument';
    },
    byteLength: (m) => m.memory.buffer.byteLength,
    state: (m) => ({ level: 0, live: [...m.live], installed: [], byteLength: m.memory.buffer.byteLength }),
  };
}
