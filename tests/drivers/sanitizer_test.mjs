#!/usr/bin/env node
// The Node driver's access check (conformance/drivers/node/lib/sanitizer.mjs,
// SAFE-2) sees every way JavaScript reads or writes a wasm memory through a
// view: element reads and writes, each method of %TypedArray%.prototype that
// touches elements (only the elements it touches: a search stops at what it
// found, every/some/find at the element that decided), iteration, the array
// a callback is handed, DataView's get/set, TextEncoder.encodeInto and
// TextDecoder.decode; and checked views keep the global constructors'
// identity. Each case runs in a scope that may touch [100, 108) and lists the
// accesses outside it. Exit 0 if every case sees what it should, 1 otherwise.
import { accessChecker } from '../../conformance/drivers/node/lib/sanitizer.mjs';

accessChecker.install();  // before any view is made, as the driver does
const memory = new WebAssembly.Memory({ initial: 1 });
accessChecker.watch(memory.buffer);
const u8 = new Uint8Array(memory.buffer);
const i32 = new Int32Array(memory.buffer);

// The accesses f makes outside [100, 108), as "R|W ADDRESS SIZE".
function outside(f) {
  const scope = { op: 'test', allowed: [[100, 108]], classify: () => 'outside: test' };
  accessChecker.during(scope, f);
  return (scope.found ?? []).map((v) => `${v.write ? 'W' : 'R'} ${v.address} ${v.size}`).join(', ');
}

let failures = 0;
function expect(what, f, want) {
  const got = outside(f);
  if (got === want) console.log(`ok   ${what}`);
  else {
    ++failures;
    console.log(`FAIL ${what}: accesses outside [${got}], want [${want}]`);
  }
}
function check(what, ok) {
  if (ok) console.log(`ok   ${what}`);
  else {
    ++failures;
    console.log(`FAIL ${what}`);
  }
}

const sub = (from, to) => u8.subarray(from, to);

expect('an element read inside, one outside', () => [u8[100], u8[108]], 'R 108 1');
expect('an element write outside', () => { u8[99] = 1; }, 'W 99 1');
expect('an Int32Array element: 4 bytes', () => i32[27], 'R 108 4');
expect('set through a subarray', () => sub(104, 112).set([1, 2, 3, 4, 5]), 'W 104 5');
expect('fill clamps to the view', () => sub(100, 110).fill(0, 6), 'W 106 4');
expect('copyWithin reads its source and writes its target', () => sub(100, 112).copyWithin(0, 8, 10), 'R 108 2');
expect('slice', () => sub(106, 110).slice(1), 'R 107 3');
expect('at(-1)', () => sub(100, 109).at(-1), 'R 108 1');
expect('at inside', () => sub(100, 109).at(3), '');
u8.fill(0, 90, 130);  // outside any scope: not checked
u8[104] = 7;
u8[109] = 9;
expect('indexOf stops at what it finds', () => sub(104, 112).indexOf(7), '');
expect('indexOf not found reads to the end', () => sub(104, 112).indexOf(200), 'R 104 8');
expect('lastIndexOf reads from the end back to what it finds', () => sub(100, 112).lastIndexOf(9), 'R 109 3');
expect('lastIndexOf from an index', () => sub(100, 112).lastIndexOf(7, 5), '');
expect('lastIndexOf from undefined is from 0', () => sub(100, 112).lastIndexOf(9, undefined), '');
expect('includes found inside', () => sub(104, 112).includes(7), '');
expect('includes not found', () => sub(104, 110).includes(200), 'R 104 6');
expect('join reads every element', () => sub(100, 109).join(','), 'R 100 9');
expect('toString reads every element', () => sub(107, 109).toString(), 'R 107 2');
expect('reverse reads and writes every element', () => sub(100, 110).reverse().reverse(), 'R 100 10, W 100 10, R 100 10, W 100 10');
expect('sort', () => sub(106, 109).sort(), 'R 106 3, W 106 3');
expect('toSorted / with read every element', () => [sub(106, 109).toSorted(), sub(106, 109).with(0, 1)], 'R 106 3, R 106 3');
expect('forEach reads each element', () => sub(106, 110).forEach(() => {}), 'R 108 1, R 109 1');
expect('every stops at the element that decided', () => sub(106, 112).every((x, i) => i < 1), '');
expect('some past the end of what it may touch', () => sub(106, 112).some((x, i) => i === 2), 'R 108 1');
expect('find hands the callback the checked view', () => sub(100, 110).find((x, i, a) => a[9] >= 0), 'R 109 1');
expect('map / filter', () => [sub(107, 109).map((x) => x), sub(107, 109).filter(() => true)], 'R 108 1, R 108 1');
expect('reduce without an initial value reads its first element itself', () => sub(108, 110).reduce((a, b) => a + b), 'R 108 1, R 109 1');
expect('reduceRight with one', () => sub(106, 109).reduceRight((a, b) => a + b, 0), 'R 108 1');
expect('findLast / findLastIndex from the end', () => [sub(100, 110).findLast(() => true), sub(100, 110).findLastIndex(() => true)], 'R 109 1, R 109 1');
expect('for...of reads each element it yields', () => { for (const x of sub(106, 109)) void x; }, 'R 108 1');
expect('spread and Array.from iterate', () => [[...sub(107, 109)], Array.from(sub(107, 109))], 'R 108 1, R 108 1');
expect('entries / values', () => [[...sub(107, 109).entries()], [...sub(107, 109).values()]], 'R 108 1, R 108 1');
expect('keys reads no element', () => [...sub(100, 120).keys()], '');
expect('length, byteOffset, buffer read no element', () => [sub(100, 120).length, sub(100, 120).byteOffset, u8.buffer], '');
const view = new DataView(memory.buffer, 100, 16);
expect('DataView get of 4 bytes at an offset', () => view.getUint32(6, true), 'R 106 4');
expect('DataView set of 8 bytes', () => view.setFloat64(0, 1.5), '');
expect('DataView BigInt64 past the end of what it may touch', () => view.setBigInt64(4, 1n), 'W 104 8');
expect('TextEncoder.encodeInto writes what it encodes', () => new TextEncoder().encodeInto('abcdefghij', sub(100, 120)), 'W 100 10');
expect('TextDecoder.decode reads the view', () => new TextDecoder().decode(sub(104, 110)), 'R 104 6');
check('a checked view\'s constructor is the global one', u8.constructor === Uint8Array && i32.constructor === Int32Array);
check('a checked DataView\'s constructor is the global one', view.constructor === DataView);
check('instanceof holds', u8 instanceof Uint8Array && view instanceof DataView && sub(1, 2) instanceof Uint8Array);
check('Object.prototype\'s methods are not taken for element methods', u8.hasOwnProperty('length') === false && typeof u8.valueOf() === 'object');
check('a view of another buffer is not checked', outside(() => new Uint8Array(16)[12]) === '');
process.exit(failures ? 1 : 0);
