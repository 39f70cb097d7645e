// SCOPE, CALL and LEAK/SAFE vectors. Expectations are derived by hand from
// the rules each vector cites (docs/SEMANTICS.md sections 6-8 and 12); byte
// contents of C strings come from Node's UTF-8 encoder (Buffer.from).
import { emit, vec } from './lib.mjs';

const push = (as, expect) => ({ op: 'push', ...(as ? { as } : {}), ...(expect ? { expect } : {}) });
const pop = (events, scope) => ({ op: 'pop', ...(scope !== undefined ? { scope } : {}), ...(events ? { expect: { events } } : {}) });
const popError = (error, scope) => ({ op: 'pop', ...(scope !== undefined ? { scope } : {}), expect: { error, events: [] } });
const sa = (size, as) => ({ op: 'scopedAlloc', size, as, expect: { events: [{ alloc: as, size }] } });
const level = (value) => ({ op: 'level', expect: { value } });
const fn = (as, signature = 'v(i)') => ({ op: 'scopedInstallFunction', signature, as, expect: { events: [{ install: as }] } });
const dealloc = (p) => ({ dealloc: p });
const uninstall = (f) => ({ uninstall: f });
const call = (body, expect, extra = {}) => ({ op: 'call', body, ...extra, ...(expect ? { expect } : {}) });
const utf8 = (s) => [...Buffer.from(s, 'utf8')].map((b) => (b > 127 ? b - 256 : b));  // as i8 peeks read them
// A string longer than the default memory (MEM-4: 256 pages, 16 MiB), written
// short (docs/VECTORS.md "Long strings written short"): the helper's
// own block grows the memory, so it must write through a view of the grown
// memory (VIEW-2, SAFE-3). 'ab' or 'xy' repeated, so that a byte read back
// says where it is.
const OVER_DEFAULT_MEMORY = 20 * 1024 * 1024;

let count = 0;

// SCOPE-1, SCOPE-4, SCOPE-7: push, pop, level.
{
  const vs = [];
  vs.push(vec('scope/stack/push-increments-level', ['SCOPE-1', 'SCOPE-7'], 'seed', [
    level(0), push('s1'), level(1), push('s2'), level(2), pop([]), level(1), pop([]), level(0)], { final: { level: 0 } }));
  vs.push(vec('scope/stack/ten-pushes-ten-pops', ['SCOPE-1', 'SCOPE-4'], 'seed', [
    ...Array.from({ length: 10 }, (_, i) => push(`s${i}`)), level(10),
    ...Array.from({ length: 10 }, () => pop([])), level(0)], { final: { level: 0 } }));
  vs.push(vec('scope/stack/pop-without-scope', ['SCOPE-4', 'SAFE-4'], 'upstream', [popError('InvalidState'), level(0)]));
  vs.push(vec('scope/stack/pop-after-all-popped', ['SCOPE-4', 'SAFE-4'], 'upstream', [
    push('s1'), pop([]), popError('InvalidState'), level(0)]));
  vs.push(vec('scope/stack/pop-releases-top-only', ['SCOPE-4', 'SCOPE-6'], 'seed', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), pop([dealloc('b')]), level(1), pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/stack/empty-scopes-release-nothing', ['SCOPE-1', 'SCOPE-6'], 'seed', [
    push('s1'), push('s2'), pop([], 's1'), pop([], 's2')], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/stack/level-is-read-only', ['SCOPE-7', 'SAFE-4'], 'upstream', [
    push('s1'), push('s2'), { op: 'setLevel', value: 0, expect: { error: 'ReadOnly' } }, level(2),
    { op: 'setLevel', value: 5, expect: { error: 'ReadOnly' } }, level(2), pop([]), pop([]),
    { op: 'setLevel', value: 1, expect: { error: 'ReadOnly' } }, level(0)], { final: { level: 0 } }));
  vs.push(vec('scope/stack/level-read-only-without-scopes', ['SCOPE-7'], 'upstream', [
    { op: 'setLevel', value: 0, expect: { error: 'ReadOnly' } }, level(0)]));
  count += emit('scope', 'stack', 'scopedAllocPush / scopedAllocPop() / level (SCOPE-1, SCOPE-4, SCOPE-7). ' +
    'Expectations derived by hand from those rules.', vs);
}

// SCOPE-5: popping by handle.
{
  const vs = [];
  vs.push(vec('scope/pop-handle/non-top-frees-only-that-scope', ['SCOPE-5', 'SCOPE-6'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), pop([dealloc('a')], 's1'), level(1),
    popError('InvalidState', 's1'), pop([dealloc('b')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/bottom-of-three', ['SCOPE-5'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(16, 'b'), push('s3'), sa(24, 'c'),
    pop([dealloc('a')], 's1'), level(2), pop([dealloc('c')]), pop([dealloc('b')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/middle-keeps-top-as-top', ['SCOPE-5', 'SCOPE-2'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), push('s3'), sa(8, 'c'),
    pop([dealloc('b')], 's2'), level(2), sa(8, 'd'), pop([dealloc('d'), dealloc('c')]), pop([dealloc('a')], 's1')],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/top-by-handle', ['SCOPE-5'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), pop([dealloc('b')], 's2'), pop([dealloc('a')], 's1')],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/stale-handle', ['SCOPE-5', 'SAFE-4'], 'upstream', [
    push('s1'), sa(8, 'a'), pop([dealloc('a')], 's1'), popError('InvalidState', 's1'), level(0)],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/stale-handle-with-live-scopes', ['SCOPE-5', 'SAFE-4'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), pop([dealloc('b')], 's2'), popError('InvalidState', 's2'), level(1),
    pop([dealloc('a')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/handle-of-top-popped-without-argument', ['SCOPE-5', 'SCOPE-4'], 'upstream', [
    push('s1'), push('s2'), pop([]), popError('InvalidState', 's2'), level(1), pop([], 's1')], { final: { level: 0 } }));
  vs.push(vec('scope/pop-handle/never-pushed-integer', ['SCOPE-5', 'SAFE-4'], 'upstream', [
    push('s1'), sa(8, 'a'), popError('InvalidState', 123456), level(1), pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/never-pushed-without-scopes', ['SCOPE-5'], 'upstream', [popError('InvalidState', 0), level(0)]));
  vs.push(vec('scope/pop-handle/double-pop-of-non-top', ['SCOPE-5', 'LEAK-1'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), pop([dealloc('a')], 's1'), popError('InvalidState', 's1'),
    popError('InvalidState', 's1'), pop([dealloc('b')], 's2')], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/pop-handle/all-in-push-order', ['SCOPE-5', 'SCOPE-6'], 'upstream', [
    push('s1'), sa(8, 'a'), push('s2'), sa(8, 'b'), push('s3'), sa(8, 'c'),
    pop([dealloc('a')], 's1'), pop([dealloc('b')], 's2'), pop([dealloc('c')], 's3')], { final: { level: 0, live: [] } }));
  count += emit('scope', 'pop-handle', 'scopedAllocPop(scope) for the top, a middle and the bottom scope, stale and ' +
    'never-pushed handles (SCOPE-5): only that scope is released, the others stay unchanged, a handle not on the stack ' +
    'is InvalidState and frees nothing. Expectations derived by hand from SCOPE-5 and SCOPE-6.', vs);
}

// SCOPE-2, SCOPE-3, SCOPE-6: scopedAlloc, failures, release order.
{
  const vs = [];
  vs.push(vec('scope/alloc/without-scope', ['SCOPE-2', 'SAFE-4'], 'seed', [
    { op: 'scopedAlloc', size: 8, expect: { error: 'NoActiveScope', events: [] } }, level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/after-last-pop', ['SCOPE-2'], 'seed', [
    push('s'), pop([]), { op: 'scopedAlloc', size: 8, expect: { error: 'NoActiveScope', events: [] } }], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/goes-to-top-scope', ['SCOPE-2'], 'seed', [
    push('s1'), push('s2'), sa(8, 'a'), pop([dealloc('a')], 's2'), pop([], 's1')], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/failure-records-nothing', ['SCOPE-3', 'SAFE-4'], 'upstream', [
    push('s'), sa(8, 'a'), { op: 'scopedAlloc', size: 3000000000, expect: { error: 'AllocFailed' } }, sa(16, 'b'),
    pop([dealloc('b'), dealloc('a')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/failure-as-last-entry', ['SCOPE-3'], 'upstream', [
    push('s'), sa(8, 'a'), { op: 'scopedAlloc', size: 3000000000, expect: { error: 'AllocFailed' } }, pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/failure-in-empty-scope', ['SCOPE-3'], 'upstream', [
    push('s'), { op: 'scopedAlloc', size: 4294967295, expect: { error: 'AllocFailed' } }, pop([])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/plain-alloc-failure', ['SCOPE-3', 'SAFE-4'], 'upstream', [
    { op: 'alloc', size: 3000000000, expect: { error: 'AllocFailed' } }], { final: { level: 0, live: [] } }));
  // No block of 2^32 bytes or more fits a wasm32 memory (SAFE-1): the
  // allocator returns 0 for any such size, also one that is 8 or 16 past a
  // multiple of 2^32 (not a smaller block: an i32 parameter that takes the
  // size modulo 2^32 would give one).
  for (const [name, size] of [['2p32-plus-8', 2 ** 32 + 8], ['2p33-plus-16', 2 ** 33 + 16]]) {
    vs.push(vec(`scope/alloc/plain-alloc-size-${name}-fails`, ['SCOPE-3', 'SAFE-1', 'SAFE-4'], 'decided', [
      { op: 'alloc', size, expect: { error: 'AllocFailed', events: [] } }], { final: { level: 0, live: [] } }));
    vs.push(vec(`scope/alloc/size-${name}-fails`, ['SCOPE-3', 'SAFE-1', 'SAFE-4'], 'decided', [
      push('s'), { op: 'scopedAlloc', size, expect: { error: 'AllocFailed', events: [] } }, pop([])], { final: { level: 0, live: [] } }));
  }
  vs.push(vec('scope/alloc/zero-size', ['SCOPE-3'], 'upstream', [
    push('s'), { op: 'scopedAlloc', size: 0, expect: { acceptable: [
      { flag: 'alloc-zero-fails', error: 'AllocFailed' }, { flag: 'alloc-zero-unique', nonZero: true, multipleOf: 8 }] } },
    pop()], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/plain-zero-size', ['SCOPE-3'], 'upstream', [
    { op: 'alloc', size: 0, as: 'z', expect: { acceptable: [
      { flag: 'alloc-zero-fails', error: 'AllocFailed' }, { flag: 'alloc-zero-unique', nonZero: true, multipleOf: 8 }] } },
    { op: 'dealloc', ptr: 0 }]));
  for (const n of [2, 3, 5, 8]) {
    const names = Array.from({ length: n }, (_, i) => `a${i}`);
    vs.push(vec(`scope/alloc/lifo-${n}-allocations`, ['SCOPE-6', 'LEAK-1'], 'seed', [
      push('s'), ...names.map((a, i) => sa(8 * (i + 1), a)), pop([...names].reverse().map(dealloc))],
    { final: { level: 0, live: [] } }));
  }
  vs.push(vec('scope/alloc/lifo-across-nested-scopes', ['SCOPE-6'], 'seed', [
    push('s1'), sa(8, 'a'), sa(8, 'b'), push('s2'), sa(8, 'c'), sa(8, 'd'), pop([dealloc('d'), dealloc('c')]),
    sa(8, 'e'), pop([dealloc('e'), dealloc('b'), dealloc('a')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/plain-alloc-not-released-by-pop', ['SCOPE-6', 'LEAK-2'], 'seed', [
    push('s'), { op: 'alloc', size: 8, as: 'p' }, sa(8, 'a'), pop([dealloc('a')]),
    { op: 'dealloc', ptr: 'p', expect: { events: [dealloc('p')] } }], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/plain-alloc-may-outlive-scopes', ['LEAK-2'], 'seed', [
    push('s'), { op: 'alloc', size: 8, as: 'p' }, pop([])], { final: { level: 0, live: ['p'] } }));
  vs.push(vec('scope/alloc/released-once', ['LEAK-1', 'SCOPE-6'], 'decided', [
    push('s'), sa(8, 'a'), pop([dealloc('a')]), { op: 'dealloc', ptr: 'a', expect: { error: 'InvalidArgument', events: [] } }],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/dealloc-owned-is-invalid-state', ['LEAK-1', 'SAFE-4'], 'decided', [
    push('s'), sa(8, 'a'), { op: 'dealloc', ptr: 'a', expect: { error: 'InvalidState', events: [] } }, pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/dealloc-owned-by-lower-scope', ['LEAK-1'], 'decided', [
    push('s1'), sa(8, 'a'), push('s2'), { op: 'dealloc', ptr: 'a', expect: { error: 'InvalidState', events: [] } },
    pop([]), pop([dealloc('a')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/alloc/dealloc-null-does-nothing', ['SCOPE-3'], 'upstream', [
    { op: 'dealloc', ptr: 0, expect: { events: [] } }]));
  vs.push(vec('scope/alloc/many-blocks-do-not-overlap', ['SAFE-1', 'ALIGN-4'], 'seed', [
    push('s'), ...Array.from({ length: 24 }, (_, i) => ({ op: 'scopedAlloc', size: i * 7 + 1, as: `b${i}`, expect: { multipleOf: 8 } })),
    ...Array.from({ length: 24 }, (_, i) => ({ op: 'poke', address: `b${i}`, value: i, type: 'i8' })),
    { op: 'peek', address: Array.from({ length: 24 }, (_, i) => `b${i}`), type: 'i8', expect: { value: Array.from({ length: 24 }, (_, i) => i) } },
    pop(Array.from({ length: 24 }, (_, i) => dealloc(`b${23 - i}`)))], { final: { level: 0, live: [] } }));
  count += emit('scope', 'alloc', 'scopedAlloc with and without a scope (SCOPE-2), allocation failures and alloc(0) ' +
    '(SCOPE-3), release order and exactly-once release (SCOPE-6, LEAK-1), plain allocations outside the scope ' +
    'discipline (LEAK-2), non-overlapping blocks (SAFE-1). Expectations derived by hand from those rules and section 12.',
  vs, {
    'alloc-zero-fails': 'SCOPE-3: alloc(0) throws AllocFailed, as sqlite3_malloc(0) returns 0 (the reference, @sqlite.org/sqlite-wasm).',
    'alloc-zero-unique': 'SCOPE-3: alloc(0) returns a unique non-null pointer, as Emscripten\'s malloc(0) does.',
  });
}

// SCOPE-6, SCOPE-11: function-table entries mixed with allocations.
{
  const vs = [];
  vs.push(vec('scope/functions/pop-uninstalls', ['SCOPE-11', 'SCOPE-6'], 'seed', [
    push('s'), fn('f'), pop([uninstall('f')])], { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/without-scope', ['SCOPE-11', 'SAFE-4'], 'seed', [
    { op: 'scopedInstallFunction', signature: 'v(i)', expect: { error: 'NoActiveScope', events: [] } }], { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/lifo-mixed-with-allocations', ['SCOPE-6', 'SCOPE-11'], 'upstream', [
    push('s'), sa(8, 'a'), fn('f'), sa(16, 'b'), fn('g', 'i(ii)'), pop([uninstall('g'), dealloc('b'), uninstall('f'), dealloc('a')])],
  { final: { level: 0, live: [], installed: [] } }));
  vs.push(vec('scope/functions/lifo-functions-only', ['SCOPE-6', 'SCOPE-11'], 'upstream', [
    push('s'), fn('f'), fn('g'), fn('h', 'iii'), pop([uninstall('h'), uninstall('g'), uninstall('f')])], { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/nested-scopes', ['SCOPE-6', 'SCOPE-11'], 'upstream', [
    push('s1'), fn('f'), sa(8, 'a'), push('s2'), fn('g'), pop([uninstall('g')]), pop([dealloc('a'), uninstall('f')])],
  { final: { level: 0, live: [], installed: [] } }));
  vs.push(vec('scope/functions/non-top-pop-uninstalls-its-own', ['SCOPE-5', 'SCOPE-11'], 'upstream', [
    push('s1'), fn('f'), push('s2'), fn('g'), pop([uninstall('f')], 's1'), pop([uninstall('g')])], { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/plain-install-and-uninstall', ['SCOPE-11'], 'upstream', [
    { op: 'installFunction', signature: 'v()', as: 'f', expect: { events: [{ install: 'f' }] } },
    { op: 'uninstallFunction', index: 'f', expect: { events: [uninstall('f')] } }], { final: { installed: [] } }));
  vs.push(vec('scope/functions/plain-install-survives-pop', ['SCOPE-11', 'LEAK-2'], 'upstream', [
    push('s'), { op: 'installFunction', signature: 'v()', as: 'f' }, pop([]),
    { op: 'uninstallFunction', index: 'f', expect: { events: [uninstall('f')] } }], { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/uninstall-owned-is-invalid-state', ['LEAK-1', 'SCOPE-11'], 'decided', [
    push('s'), fn('f'), { op: 'uninstallFunction', index: 'f', expect: { error: 'InvalidState', events: [] } }, pop([uninstall('f')])],
  { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/uninstall-twice', ['SCOPE-11'], 'decided', [
    { op: 'installFunction', signature: 'v()', as: 'f' }, { op: 'uninstallFunction', index: 'f' },
    { op: 'uninstallFunction', index: 'f', expect: { error: 'InvalidArgument', events: [] } }], { final: { installed: [] } }));
  vs.push(vec('scope/functions/uninstall-reserved-slot-0', ['SCOPE-11'], 'decided', [
    { op: 'uninstallFunction', index: 0, expect: { error: 'InvalidArgument', events: [] } }]));
  vs.push(vec('scope/functions/uninstall-after-pop', ['SCOPE-11', 'LEAK-1'], 'decided', [
    push('s'), fn('f'), pop([uninstall('f')]), { op: 'uninstallFunction', index: 'f', expect: { error: 'InvalidArgument', events: [] } }]));
  vs.push(vec('scope/functions/invalid-signature', ['SCOPE-11', 'SAFE-4'], 'decided', [
    push('s'), { op: 'scopedInstallFunction', signature: 'x(', expect: { error: 'InvalidArgument', events: [] } }, pop([])],
  { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/signature-forms', ['SCOPE-11'], 'upstream', [
    push('s'), fn('f', 'i(ii)'), fn('g', 'iii'), fn('h', 'v()'), fn('k', 'v'), fn('m', 'j(pP)'), fn('n', 'd(fs)'),
    pop([uninstall('n'), uninstall('m'), uninstall('k'), uninstall('h'), uninstall('g'), uninstall('f')])],
  { final: { level: 0, installed: [] } }));
  vs.push(vec('scope/functions/distinct-indexes', ['SCOPE-11'], 'upstream', [
    // Two live installs on one slot would be a LEAK-1 violation of the second install.
    push('s'), fn('f'), fn('g'), pop([uninstall('g'), uninstall('f')])],
  { final: { level: 0, installed: [] } }));
  // One function installed twice (the same "name", the same function object)
  // gets two slots, each uninstalled on its own (SCOPE-11, LEAK-1).
  vs.push(vec('scope/functions/same-function-twice-two-slots', ['SCOPE-11', 'LEAK-1'], 'upstream', [
    { op: 'installFunction', signature: 'v()', name: 'g', as: 'a', expect: { events: [{ install: 'a' }] } },
    { op: 'installFunction', signature: 'v()', name: 'g', as: 'b', expect: { events: [{ install: 'b' }] } },
    { op: 'uninstallFunction', index: 'a', expect: { events: [uninstall('a')] } },
    { op: 'uninstallFunction', index: 'b', expect: { events: [uninstall('b')] } }], { final: { installed: [] } }));
  // Where freed slots are handed out last-freed first (table-slot-reuse), a
  // failed install (a bad signature, SAFE-4) leaves the freed slot for the
  // next one.
  vs.push(vec('scope/functions/failed-install-keeps-the-freed-slot', ['SCOPE-11', 'SAFE-4'], 'upstream', [
    { op: 'installFunction', signature: 'v()', as: 'a' }, { op: 'uninstallFunction', index: 'a' },
    { op: 'installFunction', signature: 'x(', expect: { error: 'InvalidArgument', events: [] } },
    { op: 'installFunction', signature: 'v()', as: 'b', expect: { value: 'a', events: [{ install: 'a' }] } },
    { op: 'uninstallFunction', index: 'b' }], { requires: ['table-slot-reuse'], final: { installed: [] } }));
  vs.push(vec('scope/functions/last-freed-slot-first', ['SCOPE-11'], 'upstream', [
    { op: 'installFunction', signature: 'v()', as: 'a' }, { op: 'installFunction', signature: 'v()', as: 'b' },
    { op: 'uninstallFunction', index: 'a' }, { op: 'uninstallFunction', index: 'b' },
    { op: 'installFunction', signature: 'v()', as: 'c', expect: { value: 'b' } },
    { op: 'installFunction', signature: 'v()', as: 'd', expect: { value: 'a' } },
    { op: 'uninstallFunction', index: 'c' }, { op: 'uninstallFunction', index: 'd' }], { requires: ['table-slot-reuse'], final: { installed: [] } }));
  count += emit('scope', 'functions', 'scopedInstallFunction / installFunction / uninstallFunction (SCOPE-11): entries ' +
    'released by pop in LIFO order mixed with allocations (SCOPE-6), uninstalling scope-owned, reserved or free slots ' +
    '(section 12). Expectations derived by hand from SCOPE-6, SCOPE-11 and section 12.', vs);
}

// SCOPE-8: C strings.
{
  const vs = [];
  const cstr = (name, s, rules = ['SCOPE-8', 'SAFE-2']) => {
    const bytes = utf8(s);
    vs.push(vec(`scope/cstring/${name}`, rules, 'upstream', [
      push('s'),
      { op: 'scopedAllocCString', value: s, as: 'c', expect: { events: [{ alloc: 'c', size: bytes.length + 1 }] } },
      { op: 'peek', address: [...bytes, 0].map((_, i) => (i ? `c+${i}` : 'c')), type: 'i8', expect: { value: [...bytes, 0] } },
      pop([dealloc('c')])], { final: { level: 0, live: [] } }));
  };
  cstr('ascii', 'hello');
  cstr('empty', '');
  cstr('one-char', 'x');
  cstr('latin-1', 'héllo');
  cstr('cjk', '日本語');
  cstr('emoji', 'a😀b');
  cstr('embedded-nul', 'a\u0000b');
  cstr('eight-bytes', 'abcdefgh');
  cstr('sql', "SELECT 'x' FROM t WHERE a = ?1;");
  const withLength = (name, s) => {
    const n = Buffer.byteLength(s, 'utf8');
    vs.push(vec(`scope/cstring/with-length-${name}`, ['SCOPE-8'], 'upstream', [
      push('s'),
      { op: 'scopedAllocCString', value: s, withLength: true, as: ['c', 'n'],
        expect: { events: [{ alloc: 'c', size: n + 1 }], value: ['c', n] } },
      { op: 'peek', address: `c+${n}`, type: 'i8', expect: { value: 0 } },
      pop([dealloc('c')])], { final: { level: 0, live: [] } }));
  };
  withLength('ascii', 'hello');
  withLength('empty', '');
  withLength('multibyte', 'ü€😀');
  for (const [name, value] of [['number', 42], ['null', null], ['boolean', true], ['list', ['a']], ['fraction', 1.5]]) {
    vs.push(vec(`scope/cstring/non-string-${name}`, ['SCOPE-8'], 'upstream', [
      push('s'), { op: 'scopedAllocCString', value, expect: { value: null, events: [] } }, pop([])], { final: { level: 0, live: [] } }));
  }
  vs.push(vec('scope/cstring/non-string-without-scope', ['SCOPE-8'], 'upstream', [
    { op: 'scopedAllocCString', value: 7, expect: { value: null, events: [] } }]));
  vs.push(vec('scope/cstring/string-without-scope', ['SCOPE-8', 'SCOPE-2', 'SAFE-4'], 'upstream', [
    { op: 'scopedAllocCString', value: 'abc', expect: { error: 'NoActiveScope', events: [] } }], { final: { level: 0, live: [] } }));
  // The helper grows the memory for its own block (the memory is stated: on
  // a larger one nothing grows): a view taken before is detached, the accessor's view has the new length, and the bytes are all
  // there, the NUL too.
  vs.push(vec('scope/cstring/grows-the-memory-inside-the-helper', ['SCOPE-8', 'VIEW-2', 'SAFE-3', 'SAFE-2'], 'seed', [
    { op: 'heap', type: 'u8', as: 'before' },
    push('s'),
    { op: 'scopedAllocCString', value: { repeat: 'ab', count: OVER_DEFAULT_MEMORY / 2 }, as: 'c', expect: { nonZero: true } },
    { op: 'byteLength', as: 'n' },
    { op: 'viewLength', view: 'before', expect: { value: 0 } },
    { op: 'heap', type: 'u8', as: 'after' },
    { op: 'viewLength', view: 'after', expect: { value: 'n' } },
    { op: 'peek', address: ['c', 'c+1', `c+${OVER_DEFAULT_MEMORY - 2}`, `c+${OVER_DEFAULT_MEMORY - 1}`, `c+${OVER_DEFAULT_MEMORY}`],
      type: 'i8', expect: { value: [...utf8('abab'), 0] } },
    pop([dealloc('c')])], { setup: { memory: { initialPages: 256, maximumPages: 32768 } }, final: { level: 0, live: [] } }));
  vs.push(vec('scope/cstring/two-strings-lifo', ['SCOPE-8', 'SCOPE-6'], 'upstream', [
    push('s'), { op: 'scopedAllocCString', value: 'one', as: 'c1' }, { op: 'scopedAllocCString', value: 'two', as: 'c2' },
    pop([dealloc('c2'), dealloc('c1')])], { final: { level: 0, live: [] } }));
  count += emit('scope', 'cstring', 'scopedAllocCString (SCOPE-8): exactly the UTF-8 bytes plus a NUL in the top scope ' +
    '(an allocation one byte short is an out-of-bounds write, SAFE-2), withLength, non-string arguments. Byte values ' +
    'from Node\'s UTF-8 encoder; the rest derived by hand from SCOPE-8.', vs);
}

// SCOPE-9 and SCOPE-10: pointer slots and argv.
{
  const vs = [];
  vs.push(vec('scope/ptr/one-slot', ['SCOPE-9'], 'upstream', [
    push('s'), { op: 'scopedAllocPtr', as: 'p', expect: { events: [{ alloc: 'p', size: 8 }], multipleOf: 8 } },
    { op: 'peek', address: 'p', type: 'i64', expect: { value: '0n' } }, pop([dealloc('p')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/three-slots-one-allocation', ['SCOPE-9'], 'upstream', [
    push('s'), { op: 'scopedAllocPtr', howMany: 3, as: ['a', 'b', 'c'], expect: { events: [{ alloc: 'a', size: 24 }], value: ['a', 'a+8', 'a+16'] } },
    { op: 'peek', address: ['a', 'b', 'c'], type: 'i64', expect: { value: ['0n', '0n', '0n'] } }, pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/pointer-size-slots', ['SCOPE-9'], 'upstream', [
    push('s'), { op: 'scopedAllocPtr', howMany: 3, safePtrSize: false, as: ['a', 'b', 'c'], expect: { events: [{ alloc: 'a', size: 12 }], value: ['a', 'a+4', 'a+8'] } },
    { op: 'peek', address: ['a', 'b', 'c'], type: 'i32', expect: { value: [0, 0, 0] } }, pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/one-pointer-size-slot', ['SCOPE-9'], 'upstream', [
    push('s'), { op: 'scopedAllocPtr', howMany: 1, safePtrSize: false, as: 'p', expect: { events: [{ alloc: 'p', size: 4 }] } },
    { op: 'peek', address: 'p', type: 'i32', expect: { value: 0 } }, pop([dealloc('p')])], { final: { level: 0, live: [] } }));
  const dirty = [{ op: 'alloc', size: 64, as: 'x' },
    { op: 'poke', address: Array.from({ length: 8 }, (_, i) => (i ? `x+${8 * i}` : 'x')), value: '-1n', type: 'i64' },
    { op: 'dealloc', ptr: 'x' }];
  vs.push(vec('scope/ptr/slots-zeroed-over-dirty-memory', ['SCOPE-9', 'ALIGN-5'], 'upstream', [
    ...dirty, push('s'), { op: 'scopedAllocPtr', howMany: 8, as: ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'] },
    { op: 'peek', address: ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'], type: 'i64', expect: { value: Array(8).fill('0n') } },
    pop([dealloc('q0')])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/alloc-ptr-zeroed-over-dirty-memory', ['SCOPE-9', 'ALIGN-5'], 'upstream', [
    ...dirty, { op: 'allocPtr', howMany: 4, as: ['q0', 'q1', 'q2', 'q3'] },
    { op: 'peek', address: ['q0', 'q1', 'q2', 'q3'], type: 'i64', expect: { value: Array(4).fill('0n') } },
    { op: 'dealloc', ptr: 'q0' }], { final: { live: [] } }));
  vs.push(vec('scope/ptr/howmany-zero', ['SCOPE-9', 'SAFE-4'], 'decided', [
    push('s'), { op: 'scopedAllocPtr', howMany: 0, expect: { error: 'InvalidArgument', events: [] } }, pop([])], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/without-scope', ['SCOPE-9', 'SCOPE-2'], 'upstream', [
    { op: 'scopedAllocPtr', expect: { error: 'NoActiveScope', events: [] } }], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/ptr/alloc-ptr-is-caller-owned', ['SCOPE-9', 'LEAK-2'], 'upstream', [
    push('s'), { op: 'allocPtr', as: 'p', expect: { events: [{ alloc: 'p', size: 8 }] } }, pop([]),
    { op: 'peek', address: 'p', type: 'i64', expect: { value: '0n' } }, { op: 'dealloc', ptr: 'p', expect: { events: [dealloc('p')] } }],
  { final: { level: 0, live: [] } }));
  const argv = (name, list) => {
    const strings = list.map((s, i) => ({ alloc: `s${i}`, size: Buffer.byteLength(s, 'utf8') + 1 }));
    const slots = list.map((_, i) => `s${i}`).concat([0]);
    vs.push(vec(`scope/argv/${name}`, ['SCOPE-10'], 'upstream', [
      push('s'),
      { op: 'scopedAllocMainArgv', list, as: 't', expect: { events: [{ alloc: 't', size: 4 * (list.length + 1) }, ...strings] } },
      { op: 'peek', address: slots.map((_, i) => (i ? `t+${4 * i}` : 't')), type: 'i32', expect: { value: slots } },
      ...list.map((s, i) => ({ op: 'peek', address: [...utf8(s), 0].map((_, k) => (k ? `s${i}+${k}` : `s${i}`)), type: 'i8', expect: { value: [...utf8(s), 0] } })),
      pop([...list.map((_, i) => dealloc(`s${list.length - 1 - i}`)), dealloc('t')])], { final: { level: 0, live: [] } }));
  };
  argv('two-strings', ['a', 'bc']);
  argv('empty-list', []);
  argv('one-empty-string', ['']);
  argv('sqlite-shell', ['sqlite3', '-bail', ':memory:', 'SELECT 1;']);
  argv('utf8', ['naïve', '日本']);
  // One string of the list grows the memory inside the helper: the table
  // written before it and the pointers written after it are all there, read
  // back and followed (SCOPE-10, VIEW-2).
  vs.push(vec('scope/argv/grows-the-memory-inside-the-helper', ['SCOPE-10', 'VIEW-2', 'SAFE-3', 'SAFE-2'], 'seed', [
    push('s'),
    { op: 'scopedAllocMainArgv', list: ['prog', { repeat: 'xy', count: OVER_DEFAULT_MEMORY / 2 }, 'z'], as: 't', expect: { nonZero: true } },
    { op: 'peek', address: ['t', 't+4', 't+8'], type: '*', as: ['a0', 'a1', 'a2'] },
    { op: 'peek', address: 't+12', type: '*', expect: { value: 0 } },
    { op: 'peek', address: ['a0', 'a0+3', 'a0+4', 'a1', 'a1+1', `a1+${OVER_DEFAULT_MEMORY - 1}`, `a1+${OVER_DEFAULT_MEMORY}`, 'a2', 'a2+1'],
      type: 'i8', expect: { value: [...utf8('pg'), 0, ...utf8('xyy'), 0, ...utf8('z'), 0] } },
    pop()], { final: { level: 0, live: [] } }));
  vs.push(vec('scope/argv/without-scope', ['SCOPE-10', 'SCOPE-2'], 'upstream', [
    { op: 'scopedAllocMainArgv', list: ['a'], expect: { error: 'NoActiveScope', events: [] } }], { final: { level: 0, live: [] } }));
  // A string longer than the whole 64 KiB memory cannot be allocated by any allocator.
  const huge = 'x'.repeat(65600);
  vs.push(vec('scope/argv/failure-rolls-back', ['SCOPE-10', 'SAFE-4'], 'decided', [
    push('s'), { op: 'scopedAllocMainArgv', list: ['a', 'bc', huge], expect: { error: 'AllocFailed' } }, level(1), pop([])],
  { setup: { memory: { initialPages: 1, maximumPages: 1 } }, final: { level: 0, live: [] } }));
  vs.push(vec('scope/argv/failure-keeps-earlier-entries', ['SCOPE-10', 'SAFE-4'], 'decided', [
    push('s'), sa(8, 'a'), { op: 'scopedAllocMainArgv', list: ['y', huge], expect: { error: 'AllocFailed' } }, pop([dealloc('a')])],
  { setup: { memory: { initialPages: 1, maximumPages: 1 } }, final: { level: 0, live: [] } }));
  count += emit('scope', 'ptr-argv', 'scopedAllocPtr / allocPtr (SCOPE-9): one allocation, zeroed slots of 8 or 4 ' +
    'bytes, also over memory that held other bytes (ALIGN-5); scopedAllocMainArgv (SCOPE-10): the pointer table then ' +
    'one C string per element, the last slot 0, released strings first, and rolled back on failure (section 12). ' +
    'Expectations derived by hand from SCOPE-9, SCOPE-10 and section 12; bytes from Node\'s UTF-8 encoder.', vs);
}

// CALL-1..3.
{
  const vs = [];
  vs.push(vec('call/basic/pops-own-scope', ['CALL-1'], 'seed', [
    call([level(1), sa(8, 'a')], { events: [dealloc('a')] }), level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/returns-result', ['CALL-1'], 'seed', [
    call([sa(8, 'a')], { value: 'a', events: [dealloc('a')] }, { result: 'a' })], { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/empty-body', ['CALL-1'], 'seed', [call([], { value: 'undefined', events: [] }), level(0)]));
  vs.push(vec('call/basic/inside-a-pushed-scope', ['CALL-1', 'SCOPE-5'], 'seed', [
    push('s'), sa(8, 'a'), call([sa(8, 'b')], { events: [dealloc('b')] }), level(1), pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/body-leaves-a-scope-pushed', ['CALL-1', 'SCOPE-5'], 'seed', [
    call([sa(8, 'a'), push('inner'), sa(8, 'b')], { events: [dealloc('a')] }), level(1), pop([dealloc('b')], 'inner')],
  { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/body-leaves-an-empty-scope-pushed', ['CALL-1'], 'seed', [
    call([push('inner')], { events: [] }), level(1), pop([], 'inner')], { final: { level: 0 } }));
  vs.push(vec('call/basic/body-leaves-two-scopes-pushed', ['CALL-1'], 'seed', [
    call([sa(8, 'a'), push('i1'), sa(8, 'b'), push('i2'), sa(8, 'c')], { events: [dealloc('a')] }), level(2),
    pop([dealloc('c')]), pop([dealloc('b')])], { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/body-pops-the-calls-scope', ['CALL-1', 'SCOPE-5'], 'decided', [
    call([sa(8, 'a'), pop([dealloc('a')])], { error: 'InvalidState', events: [] }), level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/body-errors-do-not-unwind', ['CALL-1', 'SCOPE-3'], 'seed', [
    call([{ op: 'scopedAlloc', size: 3000000000, expect: { error: 'AllocFailed' } }, sa(8, 'a'),
      { op: 'pop', scope: 99999, expect: { error: 'InvalidState' } }], { events: [dealloc('a')] }), level(0)],
  { final: { level: 0, live: [] } }));
  vs.push(vec('call/basic/function-stays-installed-until-pop', ['CALL-1', 'LEAK-1', 'SCOPE-11'], 'seed', [
    call([fn('f'), sa(8, 'a'), { op: 'uninstallFunction', index: 'f', expect: { error: 'InvalidState', events: [] } }],
      { events: [dealloc('a'), uninstall('f')] })], { final: { level: 0, live: [], installed: [] } }));
  vs.push(vec('call/nested/two-levels', ['CALL-1'], 'seed', [
    call([sa(8, 'a'), call([level(2), sa(8, 'b')], { events: [dealloc('b')] }), level(1), sa(8, 'c')],
      { events: [dealloc('c'), dealloc('a')] })], { final: { level: 0, live: [] } }));
  vs.push(vec('call/nested/three-levels', ['CALL-1'], 'seed', [
    call([sa(8, 'a'), call([sa(8, 'b'), call([sa(8, 'c'), level(3)], { events: [dealloc('c')] })], { events: [dealloc('b')] })],
      { events: [dealloc('a')] })], { final: { level: 0, live: [] } }));
  vs.push(vec('call/nested/inner-leaves-scope-pushed', ['CALL-1'], 'seed', [
    call([sa(8, 'a'), call([push('x'), sa(8, 'b')], { events: [] }), level(2), pop([dealloc('b')], 'x')], { events: [dealloc('a')] })],
  { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/one-frame', ['CALL-1', 'CALL-2'], 'seed', [
    call([sa(8, 'a'), { op: 'throw' }], { error: 'Thrown', events: [dealloc('a')] }), level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/one-frame-with-functions', ['CALL-2', 'SCOPE-6'], 'seed', [
    call([fn('f'), sa(8, 'a'), fn('g'), { op: 'throw' }], { error: 'Thrown', events: [uninstall('g'), dealloc('a'), uninstall('f')] })],
  { final: { level: 0, live: [], installed: [] } }));
  vs.push(vec('call/throw/two-frames', ['CALL-2'], 'seed', [
    call([sa(8, 'a'), call([sa(8, 'b'), { op: 'throw', frames: 2 }], { error: 'Thrown', events: [dealloc('b')] })],
      { error: 'Thrown', events: [dealloc('a')] }), level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/three-frames', ['CALL-2'], 'seed', [
    call([sa(8, 'a'), call([sa(8, 'b'), call([sa(8, 'c'), { op: 'throw', frames: 3 }], { error: 'Thrown', events: [dealloc('c')] })],
      { error: 'Thrown', events: [dealloc('b')] })], { error: 'Thrown', events: [dealloc('a')] }), level(0)],
  { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/caught-by-outer-call', ['CALL-2'], 'seed', [
    call([sa(8, 'a'), call([sa(8, 'b'), { op: 'throw' }], { error: 'Thrown', events: [dealloc('b')] }), level(1), sa(8, 'c')],
      { events: [dealloc('c'), dealloc('a')] }), level(0)], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/two-of-three-frames', ['CALL-2'], 'seed', [
    call([sa(8, 'a'), call([call([sa(8, 'c'), { op: 'throw', frames: 2 }], { error: 'Thrown', events: [dealloc('c')] })],
      { error: 'Thrown', events: [] }), sa(8, 'd')], { events: [dealloc('d'), dealloc('a')] })], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/through-a-leftover-scope', ['CALL-1', 'CALL-2'], 'seed', [
    call([sa(8, 'a'), push('x'), sa(8, 'b'), { op: 'throw' }], { error: 'Thrown', events: [dealloc('a')] }), level(1),
    pop([dealloc('b')], 'x')], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/pushed-scope-outside-survives', ['CALL-3'], 'seed', [
    push('s'), sa(8, 'a'), call([sa(8, 'b'), { op: 'throw' }], { error: 'Thrown', events: [dealloc('b')] }), level(1),
    pop([dealloc('a')], 's')], { final: { level: 0, live: [] } }));
  vs.push(vec('call/throw/unpopped-scope-leaks', ['CALL-3', 'LEAK-2'], 'seed', [
    push('s'), sa(8, 'a'), call([{ op: 'throw' }], { error: 'Thrown', events: [] }), level(1)],
  { final: { level: 1, live: ['a'], violations: ['LEAK-2'] } }));
  vs.push(vec('call/throw/empty-call', ['CALL-2'], 'seed', [call([{ op: 'throw' }], { error: 'Thrown', events: [] }), level(0)]));
  vs.push(vec('call/throw/after-body-popped-own-scope', ['CALL-1', 'CALL-2'], 'decided', [
    call([pop([]), { op: 'throw' }], { error: 'InvalidState', events: [] }), level(0)]));
  vs.push(vec('call/throw/many-allocations', ['CALL-2', 'SCOPE-6'], 'seed', [
    call([...Array.from({ length: 6 }, (_, i) => sa(8 * (i + 1), `a${i}`)), { op: 'throw' }],
      { error: 'Thrown', events: Array.from({ length: 6 }, (_, i) => dealloc(`a${5 - i}`)) })], { final: { level: 0, live: [] } }));
  // The memory grows inside the body: the call's push happened at the old
  // size and its pop at the new one, and no grow goes unaccounted (SAFE-1).
  vs.push(vec('call/basic/body-grows-the-memory', ['CALL-1', 'SAFE-1'], 'seed', [
    { op: 'byteLength', as: 'b' }, call([{ op: 'resize', size: 'b+1', expect: { value: true } }, level(1)], { events: [] }),
    level(0)], { final: { level: 0, live: [] } }));
  count += emit('call', 'scoped-call', 'scopedAllocCall (CALL-1..3): the call pops the scope it pushed, also when its ' +
    'body leaves scopes pushed or pops it itself (section 12), nested calls, `throw` unwinding one or several frames, ' +
    'each popping its own scope, and scopes pushed outside any call surviving an exception. Expectations derived by ' +
    'hand from CALL-1..3 and SCOPE-6.', vs);
}

// LEAK and SAFE across ops.
{
  const vs = [];
  vs.push(vec('safety/leak/open-scope-at-end', ['LEAK-2'], 'decided', [push('s'), sa(8, 'a')],
    { final: { level: 1, live: ['a'], violations: ['LEAK-2'] } }));
  vs.push(vec('safety/leak/open-scope-with-function-at-end', ['LEAK-2', 'SCOPE-11'], 'decided', [push('s'), fn('f')],
    { final: { level: 1, installed: ['f'], violations: ['LEAK-2'] } }));
  vs.push(vec('safety/leak/clean-sequence', ['LEAK-1', 'LEAK-2'], 'seed', [
    push('s1'), sa(8, 'a'), fn('f'), call([sa(8, 'b'), push('s2'), sa(8, 'c')], { events: [dealloc('b')] }),
    pop([dealloc('c')], 's2'), pop([uninstall('f'), dealloc('a')], 's1')], { final: { level: 0, live: [], installed: [] } }));
  vs.push(vec('safety/state/failed-ops-change-nothing', ['SAFE-4'], 'decided', [
    push('s'), sa(16, 'a'), { op: 'poke', address: 'a', value: 5, type: 'i32' }, { op: 'byteLength', as: 'end' },
    { op: 'poke', address: ['a', 'end'], value: 9, type: 'i32', expect: { error: 'OutOfBounds' } },
    { op: 'poke', address: 'a', value: '1n', type: 'i32', expect: { error: 'TypeError' } },
    { op: 'poke', address: 'a', value: 1.5, type: 'i64', expect: { error: 'RangeError' } },
    { op: 'zeroMemory', address: 'a', size: -1, expect: { error: 'InvalidArgument' } },
    { op: 'pop', scope: 424242, expect: { error: 'InvalidState', events: [] } },
    { op: 'setLevel', value: 3, expect: { error: 'ReadOnly' } },
    { op: 'scopedAllocPtr', howMany: 0, expect: { error: 'InvalidArgument', events: [] } },
    { op: 'dealloc', ptr: 'a', expect: { error: 'InvalidState', events: [] } },
    { op: 'peek', address: 'a', type: 'i32', expect: { value: 5 } }, level(1), pop([dealloc('a')])],
  { final: { level: 0, live: [] } }));
  vs.push(vec('safety/overlap/interleaved-scopes-and-plain', ['SAFE-1'], 'seed', [
    { op: 'alloc', size: 40, as: 'p1' }, push('s'), sa(24, 'a'), { op: 'alloc', size: 8, as: 'p2' }, sa(100, 'b'),
    { op: 'dealloc', ptr: 'p1' }, sa(16, 'c'), { op: 'alloc', size: 33, as: 'p3' },
    { op: 'poke', address: ['a', 'b', 'c', 'p2', 'p3'], value: -1, type: 'i8' },
    pop([dealloc('c'), dealloc('b'), dealloc('a')]), { op: 'dealloc', ptr: 'p2' }, { op: 'dealloc', ptr: 'p3' }],
  { final: { level: 0, live: [] } }));
  count += emit('safety', 'invariants', 'Sequences that exercise LEAK-1/2 and SAFE-1/4 directly: scopes left open at the ' +
    'end (LEAK-2 must be reported), a clean mixed sequence, every kind of failed op leaving the state unchanged, and ' +
    'interleaved scoped and plain blocks. Expectations derived by hand from section 8.', vs);
}

export default count;
