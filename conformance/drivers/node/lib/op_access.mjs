// What each op's helper may touch besides the vector's live blocks and the
// module's own bytes (SAFE-2, SEMANTICS.md section 12): the addresses the
// caller chose in peek, poke and zeroMemory (and, there, nothing else),
// everything for the caller's own accesses through a view. For
// accessChecker.during (lib/sanitizer.mjs).

// The bytes a poke of `type` writes (upstream's type names; pointers are
// i32 in wasm32); 8 for a type upstream refuses, which writes nothing.
export function pokeWidth(type = 'i8') {
  const t = String(type).endsWith('*') ? 'i32' : String(type);
  return { i1: 1, i8: 1, i16: 2, i32: 4, float: 4, f32: 4 }[t] ?? 8;
}

// The ranges a caller-addressed op names (the caller's own addresses: the
// helper may touch them, SAFE-2), as [begin, end).
export function callerRanges(name, a, dialectAccesses, byteLength) {
  if (name === 'zeroMemory' && typeof a.address === 'number' && typeof a.size === 'number') {
    // zero-memory-fill: upstream's HEAPU8.fill(0, ptr, ptr + size) counts
    // negative indices from the end and clamps both to the memory.
    if (!dialectAccesses.has('zero-memory-fill')) return [[a.address, a.address + a.size]];
    const index = (x) => { const n = Math.trunc(x) || 0; return Math.min(Math.max(n < 0 ? byteLength + n : n, 0), byteLength); };
    return [[index(a.address), index(a.address + a.size)]];
  }
  if (name !== 'peek' && name !== 'poke') return [];
  const width = pokeWidth(a.type);
  // peek-empty-list-reads-zero: upstream's peek([]) reads address 0.
  if (name === 'peek' && Array.isArray(a.address) && !a.address.length && dialectAccesses.has('peek-empty-list-reads-zero')) return [[0, width]];
  return [].concat(a.address).filter((p) => typeof p === 'number').flatMap((p) => {
    const { at, wrapped } = elementsOf(p, width);
    return wrapped !== undefined && dialectAccesses.has('peek-poke-unchecked')
      ? [[at, at + width], [wrapped, wrapped + width]] : [[at, at + width]];
  });
}

// The element of `width` bytes that address p lies in (the caller's), and
// the one upstream's index ToInt32(p) >> log2(width) reaches if that is
// another (peek-poke-unchecked: 2^32 and +-2^53 reach 0).
export function elementsOf(p, width) {
  const at = Math.floor(p / width) * width;
  const wrapped = ((p | 0) >> Math.log2(width)) * width;
  return { at, wrapped: wrapped !== at && wrapped >= 0 ? wrapped : undefined };
}

// Ops through a view the helpers returned: the caller's own accesses.
export const CALLERS_OWN = new Set(['viewGet', 'viewSet', 'viewLength']);
// Ops whose helper touches the addresses the caller names and nothing else
// (callerRanges): not even the module's own bytes.
const CALLER_ADDRESSED = new Set(['peek', 'poke', 'zeroMemory']);
export const EVERYWHERE = [[-Infinity, Infinity]];

// The access check's scope of op `name` at `where` on `instance`.
export function opScope(instance, name, args, where) {
  const allowed = CALLERS_OWN.has(name) ? EVERYWHERE : callerRanges(name, args, instance.dialectAccesses, instance.memory.buffer.byteLength);
  const callerAddressed = CALLER_ADDRESSED.has(name);
  return { op: `${where} ${name}`, allowed, classify: (a, n, v) => instance.classify(a, n, v, callerAddressed) };
}
