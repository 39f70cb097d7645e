// The adapter of @sqlite.org/sqlite-wasm's heap helpers to the driver kit
// (kit/index.mjs; docs/DRIVER_PROTOCOL.md, version 2): each op calls the
// helper it names on a pooled instance (lib/instance.mjs, lib/pool.mjs)
// inside the access check (SAFE-2, lib/sanitizer.mjs), through the same
// table as protocol 1's interpreter (lib/run_vector.mjs VectorRun.execute);
// the runner interprets the vector.
import { Skip } from '../kit/index.mjs';
import { VectorRun, errorKind } from './run_vector.mjs';
import { accessChecker } from './sanitizer.mjs';

const OPS = ['alloc', 'dealloc', 'mmapAlloc', 'alignMemory', 'zeroMemory', 'resize', 'grow', 'byteLength', 'heap',
  'heapForSize', 'viewLength', 'viewGet', 'viewSet', 'peek', 'poke', 'push', 'pop', 'scopedAlloc', 'scopedAllocCString',
  'scopedAllocPtr', 'allocPtr', 'scopedAllocMainArgv', 'installFunction', 'scopedInstallFunction', 'uninstallFunction',
  'level', 'setLevel'];

// `hello`: what the driver says of itself; `pool`: lib/pool.mjs's, whose
// instances the vectors take; `after(instance, memory)`: what to do with an
// instance when its vector is over (reset it and give it back).
export function sqliteAdapter({ hello, release, pool, after }) {
  let vector;  // { run, memory } of the vector being run
  const finish = () => {
    if (vector) after(vector.run.in, vector.memory);
    vector = undefined;
  };  // at the vector's end, or at the next start if the runner did not say
  return {
    hello,
    async start(setup, kit) {
      finish();
      const memory = setup.memory ?? { initialPages: 256, maximumPages: 32768 };
      if (memory.maximumPages > release.maximumPages)
        throw new Skip(`the module takes a memory of at most ${release.maximumPages} pages (its memory import's maximum); the vector's may grow to ${memory.maximumPages}`);
      if (memory.initialPages < release.minimumPages)
        throw new Skip(`the module needs a memory of at least ${release.minimumPages} pages (its memory import's minimum); the vector starts with ${memory.initialPages}`);
      const instance = await pool.take(memory);
      instance.faults = setup.growFaults ?? {};
      instance.events = { push: (e) => kit.event(e) };
      vector = { run: new VectorRun(instance), memory };
      return vector.run;
    },
    ops: Object.fromEntries(OPS.map((name) => [name, (run, args, kit, at) => run.checked(name, args, at)])),
    call: (run, body, kit, at) => run.checkedCall(at, body),
    scopeId: (run, scope) => run.in.scopeIds.get(scope),
    isView: (v) => ArrayBuffer.isView(accessChecker.unwrap(v)),  // the access check's proxies
    errorKind: (e, run) => errorKind(e, run.in.sqlite3),
    byteLength: (run) => run.in.memory.buffer.byteLength,
    accesses: (run) => run.takeAccesses(),
    state: (run) => ({ level: run.w.scopedAlloc.level, live: [...run.in.live.keys()], installed: [...run.in.installed],
      byteLength: run.in.memory.buffer.byteLength }),
    finish,
    close: finish,
  };
}
