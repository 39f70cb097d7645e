#!/usr/bin/env node
// An example driver, written from docs/DRIVER_PROTOCOL.md ("version 2") and
// the kit's header alone: it puts the plain JavaScript glue beside it
// (glue.mjs) under memconform's conformance corpus.
//   memconform replay --target 'cmd:node conformance/drivers/node/examples/plain-glue/driver.mjs'
//   node driver.mjs --bug NAME   plants one of glue.mjs's BUGS (--list-bugs)
// The adapter maps each op to the glue's function and reports what the glue
// did as events, by wrapping the functions the glue calls through its own
// properties (its allocator, table, scope stack and resize policy).
import { parseArgs } from 'node:util';
import { serve } from '../../kit/index.mjs';
import { BUGS, createGlue, GlueError } from './glue.mjs';

const { values: options } = parseArgs({ options: { bug: { type: 'string' }, 'list-bugs': { type: 'boolean' } } });
if (options['list-bugs']) {
  for (const [name, what] of Object.entries(BUGS)) console.log(`${name.padEnd(20)}${what}`);
  process.exit(0);
}
if (options.bug !== undefined && !BUGS[options.bug]) {
  console.error(`Error: unknown bug "${options.bug}"; known: ${Object.keys(BUGS).join(', ')}`);
  process.exit(2);
}

// One function per install "name", so that installing the same one twice
// passes the same function (SCOPE-11); a new one for an install without a name.
const functions = new Map();
const fn = (name) => (name === undefined ? () => 0 : functions.get(name) ?? functions.set(name, () => 0).get(name));

// The glue for a vector's setup, its calls observed as events.
function observed(setup, kit) {
  const g = createGlue({ memory: kit.memory(setup), growth: setup.growth, bugs: new Set([options.bug].filter(Boolean)) });
  const { malloc, free, growMemory, installFunction, uninstallFunction, scopedAllocPush, scopedAllocPop } = g;
  g.malloc = (size, align) => {
    const ptr = malloc(size, align);
    if (ptr) kit.event({ alloc: ptr, size });
    return ptr;
  };
  g.free = (ptr) => { kit.event({ dealloc: ptr }); free(ptr); };
  g.growMemory = (size) => {  // the grow event first, then the attempt (GROW-3)
    const ok = growMemory(size);
    kit.event({ resizeAttempt: size, ok });
    return ok;
  };
  g.installFunction = (f, signature) => {
    const index = installFunction(f, signature);
    kit.event({ install: index });
    return index;
  };
  g.uninstallFunction = (index) => {
    const f = uninstallFunction(index);
    kit.event({ uninstall: index });
    return f;
  };
  g.scopedAllocPush = () => {
    const scope = scopedAllocPush();
    kit.event({ push: scope });
    return scope;
  };
  g.scopedAllocPop = (...args) => {  // the pop event before what it releases (SCOPE-4, SCOPE-5)
    const scopes = g.scopes();
    const scope = args.length ? args[0] : scopes[scopes.length - 1];
    if (scopes.includes(scope)) kit.event({ pop: scope });
    return scopedAllocPop(...args);
  };
  return g;
}

// The arguments the vector gave, in the order the function takes them: an
// absent one is left out, so that the glue's default applies.
const given = (a, ...names) => names.filter((n) => n in a).map((n) => a[n]);

serve({
  hello: {
    implementation: `plain-glue example (memconform conformance/drivers/node/examples)${options.bug ? ` with the bug ${options.bug}` : ''}`,
    capabilities: ['memory-config', 'grow-faults', 'growth-params', 'raw-grow', 'views', 'function-table',
      'table-slot-reuse', 'i64', 'caller-list'],
  },
  start: (setup, kit) => observed(setup, kit),
  ops: {
    alloc: (g, a) => g.alloc(a.size),
    dealloc: (g, a) => g.dealloc(a.ptr),
    mmapAlloc: (g, a) => g.mmapAlloc(a.size),
    alignMemory: (g, a) => g.alignMemory(a.size, a.alignment),
    zeroMemory: (g, a) => g.zeroMemory(a.address, a.size),
    resize: (g, a) => g.resize(a.size),
    grow: (g, a) => g.memory.grow(a.pages),
    byteLength: (g) => g.byteLength(),
    heap: (g, a) => g.view(a.type),
    heapForSize: (g, a) => g.heapForSize(...given(a, 'size', 'unsigned')),
    viewLength: (g, a) => a.view.length,
    viewGet: (g, a, kit) => { kit.staleUse(a.view); return a.view[a.index]; },
    viewSet: (g, a, kit) => { a.view[a.index] = a.value; kit.staleUse(a.view); },  // converts first (VIEW-1)
    peek: (g, a) => g.peek(...given(a, 'address', 'type')),
    poke: (g, a) => g.poke(...given(a, 'address', 'value', 'type')),
    push: (g) => g.scopedAllocPush(),
    pop: (g, a) => g.scopedAllocPop(...given(a, 'scope')),
    scopedAlloc: (g, a) => g.scopedAlloc(a.size),
    scopedAllocCString: (g, a) => g.scopedAllocCString(...given(a, 'value', 'withLength')),
    scopedAllocPtr: (g, a) => g.scopedAllocPtr(...given(a, 'howMany', 'safePtrSize')),
    allocPtr: (g, a) => g.allocPtr(...given(a, 'howMany', 'safePtrSize')),
    scopedAllocMainArgv: (g, a) => g.scopedAllocMainArgv(a.list),
    installFunction: (g, a) => g.installFunction(fn(a.name), a.signature),
    scopedInstallFunction: (g, a) => g.scopedInstallFunction(fn(a.name), a.signature),
    uninstallFunction: (g, a) => { g.uninstallFunction(a.index); },
    level: (g) => g.level,
    setLevel: (g, a) => { g.level = a.value; },
  },
  call: (g, body) => g.scopedAllocCall(body),
  errorKind: (e) => (e instanceof GlueError ? e.kind : e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'InvalidArgument'),
  byteLength: (g) => g.byteLength(),
  state: (g) => ({ level: g.level, live: g.live(), installed: g.installed(), byteLength: g.byteLength() }),
});
