// WebIDL [EnforceRange] unsigned long, as the engine converts the argument of
// WebAssembly.Memory.grow (SEMANTICS.md section 12, MEM-2) and the index and
// delta of WebAssembly.Table's get, set and grow; undefined where the engine
// throws its TypeError.
export function enforceRangeU32(x) {
  if (typeof x === 'bigint' || typeof x === 'symbol') return undefined;
  const n = Number(x);
  if (!Number.isFinite(n)) return undefined;
  const t = Math.trunc(n);
  return t < 0 || t > 0xffffffff ? undefined : t;
}
