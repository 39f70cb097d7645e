#!/usr/bin/env node
// The function table the sqlite-wasm driver shows the package's JavaScript
// (conformance/drivers/node/lib/binding.mjs) behaves, after a vector grew and
// filled it and reset shrank it back (shrinkTable), as a new wasm table of
// the module: the same length, contents, return values, errors and error
// messages for get, set and grow at every index (in range, past the end
// where the wasm table under it still has slots, past that, and the ones the
// engine refuses to convert), and grow hands out the slots past the end
// emptied; a call_indirect through a slot past the end traps in both (with
// another message: the wasm table under it is longer, its slot empty).
// Exit 0 if every call matches, 1 otherwise.
import { Binding } from '../../conformance/drivers/node/lib/binding.mjs';

// A module with the driver's shape: it imports env.memory, exports a funcref
// table of 2 slots (no maximum) as __indirect_function_table, puts its
// function `f` in slot 1, and exports `call(i)`, a call_indirect of slot i.
const section = (id, ...bytes) => [id, bytes.length, ...bytes];
const name = (s) => [s.length, ...Buffer.from(s)];
const module = new WebAssembly.Module(new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, 2, 0x60, 0, 0, 0x60, 1, 0x7f, 0),                        // type 0: [] -> [], type 1: [i32] -> []
  ...section(2, 1, ...name('env'), ...name('memory'), 0x02, 0x00, 1),    // import env.memory, 1 page
  ...section(3, 2, 0, 1),                                                // function 0: type 0, function 1: type 1
  ...section(4, 1, 0x70, 0x00, 2),                                       // table 0: funcref, 2 slots
  ...section(7, 3, ...name('__indirect_function_table'), 0x01, 0, ...name('f'), 0x00, 0, ...name('call'), 0x00, 1),
  ...section(9, 1, 0x00, 0x41, 1, 0x0b, 1, 0),                           // elem: slot 1 = function 0
  ...section(10, 2, 2, 0, 0x0b, 7, 0, 0x20, 0, 0x11, 0, 0, 0x0b),          // f: nop; call: call_indirect type 0
]));

// The binding's table, grown and filled by a "vector", then reset.
const binding = new Binding(module, 1, 2);
const exports = binding.instantiate({ env: {} });
const shown = exports.__indirect_function_table;
shown.grow(3, binding.exportsNow.f);
shown.set(0, binding.exportsNow.f);
binding.shrinkTable(2);
shown.set(0, null);  // what reset does for a slot the vector filled in range
// A new wasm table of the module.
const fresh = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } }).exports;

// What a call did, comparable across instances: a function is "function",
// a trap "a trap" (its message is the engine's account of why).
function outcome(f) {
  try {
    const v = f();
    return typeof v === 'function' ? 'function' : JSON.stringify(v) ?? String(v);
  } catch (e) {
    return e instanceof WebAssembly.RuntimeError ? 'a trap' : `${e.constructor.name}: ${e.message}`;
  }
}
const calls = [
  ['instanceof Table', (t) => t instanceof WebAssembly.Table],
  ['length', (t) => t.length],
  ...[0, 1, 2, 3, 4, 5, -1, 2 ** 32, 'x', '1', 1.9, 2.5, 4.5, NaN, 10n].map((i) => [`get(${String(i)})`, (t) => t.get(i)]),
  ['call_indirect of slot 1', (t, f, call) => call(1)],
  ['call_indirect of slot 3, past the end', (t, f, call) => call(3)],
  ['set(2, null)', (t) => t.set(2, null)],
  ['set(3)', (t) => t.set(3)],
  ['set(1, 5)', (t) => t.set(1, 5)],
  ['set(4, 5)', (t) => t.set(4, 5)],
  ['grow(-1)', (t) => t.grow(-1)],
  ['grow(1n)', (t) => t.grow(1n)],
  ['grow(0)', (t) => t.grow(0)],
  ['grow(1)', (t) => t.grow(1)],
  ['length after grow(1)', (t) => t.length],
  ['get(2) after grow(1)', (t) => t.get(2)],
  ['get(3) after grow(1)', (t) => t.get(3)],
  ['grow(2, f)', (t, f) => t.grow(2, f)],
  ['get(3) after grow(2, f)', (t) => t.get(3)],
  ['get(4) after grow(2, f)', (t) => t.get(4)],
  ['grow(2) past the wasm table', (t) => t.grow(2)],
  ['length', (t) => t.length],
  ['get(6)', (t) => t.get(6)],
  ['set(6, f)', (t, f) => t.set(6, f)],
  ['get(6) after set', (t) => t.get(6)],
  ['get(7)', (t) => t.get(7)],
  ['grow(2 ** 31)', (t) => t.grow(2 ** 31)],
  ['length', (t) => t.length],
];
let failures = 0;
for (const [what, call] of calls) {
  const want = outcome(() => call(fresh.__indirect_function_table, fresh.f, fresh.call));
  const got = outcome(() => call(shown, binding.exportsNow.f, exports.call));
  if (got === want) console.log(`ok   ${what}: ${got}`);
  else {
    console.log(`FAIL ${what}: ${got}, a new table: ${want}`);
    ++failures;
  }
}
console.log(failures ? `${failures} call(s) differ from a new table's` : 'the table shown after a reset behaves as a new one');
process.exit(failures ? 1 : 0);
