// PEEK vectors: conversions of every type (checked by storing into and
// reading back from real typed arrays in Node, the ECMAScript oracle), byte
// order and rounding down of misaligned addresses (computed with DataView),
// lists, invalid types and every shape of out-of-bounds access.
import { emit, num, vec } from './lib.mjs';

const ARRAYS = { i8: Int8Array, i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array };

// What poke(p, value, type) then peek(p, type) gives, per ECMAScript: a
// typed-array store for Number types; BigInt(value) first for i64 (PEEK-4).
function roundTrip(type, value) {
  try {
    if (type === 'i64') {
      const a = new BigInt64Array(1);
      a[0] = typeof value === 'bigint' ? value : BigInt(value);
      return { value: a[0] };
    }
    const a = new ARRAYS[type](1);
    a[0] = value;
    return { value: a[0] };
  } catch (e) {
    return { error: e.constructor.name };  // TypeError or RangeError
  }
}

const label = (v) => (typeof v === 'bigint' ? `bigint-${v}` : String(num(v))).toLowerCase()
  .replace(/^-/, 'minus').replace(/\+/g, '').replace(/\./g, 'p').replace(/[^a-z0-9-]/g, '');

// Values chosen per type: the type's limits and one past them, fractions,
// the special doubles, precision edges and BigInts.
const COMMON = [0, -0, 1, -1, 1.5, -1.5, 2.9, -2.9, NaN, Infinity, -Infinity, 1e20, 5n];
const PER_TYPE = {
  i8: [127, 128, 255, 256, -128, -129, 383],
  i16: [32767, 32768, 65535, 65536, -32768, -32769],
  i32: [2147483647, 2147483648, 4294967295, 4294967296, -2147483648, -2147483649, 2 ** 53, -(2 ** 53) - 2],
  i64: [2 ** 53, 2 ** 53 + 2, -(2 ** 63), 9007199254740993n, 9223372036854775807n, 9223372036854775808n,
    18446744073709551615n, 18446744073709551616n, -9223372036854775809n, -1n],
  f32: [0.1, 16777217, 3.4028234663852886e38, 3.4028235677973366e38, 1e39, 1e-46, 1.401298464324817e-45, 5e-324],
  f64: [0.1, 5e-324, 1.7976931348623157e308, 2 ** 53 + 1],
};

const conversions = [];
for (const type of Object.keys(PER_TYPE)) {
  for (const value of [...COMMON, ...PER_TYPE[type]]) {
    const r = roundTrip(type, value);
    const id = `peek/convert/${type}-${label(value)}`;
    const rules = r.error ? ['PEEK-4', 'SAFE-4'] : ['PEEK-3', 'PEEK-4'];
    const marker = type === 'i64' ? '7n' : 7;  // a known value a failed poke must leave in place
    const ops = [
      { op: 'alloc', size: 16, as: 'p' },
      { op: 'poke', address: 'p', value: num(marker), type },
      r.error
        ? { op: 'poke', address: 'p', value: num(value), type, expect: { error: r.error } }
        : { op: 'poke', address: 'p', value: num(value), type },
      { op: 'peek', address: 'p', type, expect: { value: num(r.error ? marker : r.value) } },
      { op: 'dealloc', ptr: 'p' },
    ];
    conversions.push(vec(id, rules, 'ecma', ops, { tags: ['edge'] }));
  }
}
let count = emit('peek', 'convert', 'poke then peek of one value for each type: ToIntN wrapping and truncation, NaN and ' +
  '±Infinity to 0, -0, float32 rounding (overflow to Infinity, underflow to 0), integral Numbers and BigInts for i64 ' +
  'wrapping modulo 2^64, BigInt(fraction) RangeError, BigInt into a Number type TypeError (PEEK-3, PEEK-4); a failed ' +
  'poke leaves the old value (SAFE-4). Expectations: Node storing each value into a real typed array ' +
  '(BigInt(value) first for i64) and reading it back.', conversions);

// Byte order and rounding down (PEEK-2), computed with a DataView over a copy.
{
  const buf = new DataView(new ArrayBuffer(16));
  buf.setInt32(0, 0x04030201, true);
  buf.setInt32(4, -2, true);   // fe ff ff ff
  buf.setBigInt64(8, 0x1122334455667788n, true);
  const ops = [
    { op: 'alloc', size: 16, as: 'p' },
    { op: 'poke', address: 'p', value: 0x04030201, type: 'i32' },
    { op: 'poke', address: 'p+4', value: -2, type: 'i32' },
    { op: 'poke', address: 'p+8', value: '1234605616436508552n', type: 'i64' },
  ];
  const vs = [];
  const read = (name, reads) => vs.push(vec(`peek/byte-order/${name}`, ['PEEK-2', 'PEEK-3'], 'upstream',
    [...ops, ...reads.map(([off, type, value]) => ({ op: 'peek', address: off ? `p+${off}` : 'p', type, expect: { value } })),
      { op: 'dealloc', ptr: 'p' }]));
  read('bytes-of-i32', [0, 1, 2, 3].map((o) => [o, 'i8', buf.getInt8(o)]));
  read('halves-of-i32', [[0, 'i16', buf.getInt16(0, true)], [2, 'i16', buf.getInt16(2, true)]]);
  read('signed-bytes', [4, 5, 6, 7].map((o) => [o, 'i8', buf.getInt8(o)]));
  read('bytes-of-i64', [8, 9, 10, 11, 12, 13, 14, 15].map((o) => [o, 'i8', buf.getInt8(o)]));
  read('words-of-i64', [[8, 'i32', buf.getInt32(8, true)], [12, 'i32', buf.getInt32(12, true)]]);
  read('i64-of-two-i32', [[0, 'i64', `${buf.getBigInt64(0, true)}n`]]);
  read('f64-of-bytes', [[8, 'f64', num(buf.getFloat64(8, true))]]);
  read('f32-of-bytes', [[0, 'f32', num(buf.getFloat32(0, true))], [4, 'f32', num(buf.getFloat32(4, true))]]);
  // Misaligned addresses round down to a multiple of the size (ptr >> log2(size)).
  read('misaligned-i16', [[1, 'i16', buf.getInt16(0, true)], [3, 'i16', buf.getInt16(2, true)]]);
  read('misaligned-i32', [[1, 'i32', buf.getInt32(0, true)], [2, 'i32', buf.getInt32(0, true)], [3, 'i32', buf.getInt32(0, true)],
    [7, 'i32', buf.getInt32(4, true)]]);
  read('misaligned-i64', [[9, 'i64', `${buf.getBigInt64(8, true)}n`], [15, 'i64', `${buf.getBigInt64(8, true)}n`]]);
  read('misaligned-f64', [[12, 'f64', num(buf.getFloat64(8, true))]]);
  read('misaligned-f32', [[2, 'f32', num(buf.getFloat32(0, true))], [6, 'f32', num(buf.getFloat32(4, true))]]);
  // A misaligned poke writes at the rounded-down address.
  vs.push(vec('peek/byte-order/misaligned-poke-i32', ['PEEK-2'], 'upstream', [
    { op: 'alloc', size: 8, as: 'p' },
    { op: 'poke', address: 'p', value: 0, type: 'i32' },
    { op: 'poke', address: 'p+4', value: 0, type: 'i32' },
    { op: 'poke', address: 'p+5', value: 305419896, type: 'i32' },
    { op: 'peek', address: 'p+4', type: 'i32', expect: { value: 305419896 } },
    { op: 'peek', address: 'p', type: 'i32', expect: { value: 0 } },
    { op: 'dealloc', ptr: 'p' }]));
  vs.push(vec('peek/byte-order/misaligned-poke-i16', ['PEEK-2'], 'upstream', [
    { op: 'alloc', size: 8, as: 'p' },
    { op: 'poke', address: 'p', value: 0, type: 'i32' },
    { op: 'poke', address: 'p+3', value: 4660, type: 'i16' },
    { op: 'peek', address: 'p', type: 'i32', expect: { value: 4660 * 65536 } },
    { op: 'dealloc', ptr: 'p' }]));
  count += emit('peek', 'byte-order', 'Little-endian layout and rounding down of misaligned addresses (PEEK-2), signed ' +
    'results (PEEK-3). Expectations: a DataView in Node holding the same bytes.', vs);
}

// Types (PEEK-1): aliases, pointers, the default, and invalid names.
{
  const vs = [];
  const alias = (name, type, canonical, value, expected) => vs.push(vec(`peek/types/${name}`, ['PEEK-1'], 'upstream', [
    { op: 'alloc', size: 8, as: 'p' },
    { op: 'poke', address: 'p', value: num(value), type },
    { op: 'peek', address: 'p', type: canonical, expect: { value: num(expected) } },
    { op: 'peek', address: 'p', type, expect: { value: num(expected) } },
    { op: 'dealloc', ptr: 'p' }]));
  alias('i1-is-i8', 'i1', 'i8', 300, 44);
  alias('float-is-f32', 'float', 'f32', 0.1, Math.fround(0.1));
  alias('double-is-f64', 'double', 'f64', 0.1, 0.1);
  alias('pointer-is-i32', 'i8*', 'i32', 4294967295, -1);
  alias('pointer-to-pointer-is-i32', 'i32**', 'i32', 2147483648, -2147483648);
  alias('any-star-is-i32', 'char*', 'i32', 65537, 65537);
  alias('struct-pointer-is-i32', 'struct sqlite3*', 'i32', 1024, 1024);
  vs.push(vec('peek/types/default-is-i8', ['PEEK-1'], 'seed', [
    { op: 'alloc', size: 8, as: 'p' },
    { op: 'poke', address: 'p', value: 0, type: 'i32' },
    { op: 'poke', address: 'p', value: 511 },
    { op: 'peek', address: 'p', expect: { value: -1 } },
    { op: 'peek', address: 'p', type: 'i32', expect: { value: 255 } },
    { op: 'dealloc', ptr: 'p' }]));
  for (const bad of ['i128', 'u8', 'u32', 'int', 'I32', '', 'f16', 'i64 ', 'float64', 'ptr']) {
    const slug = bad === '' ? 'empty' : bad.toLowerCase().replace(/[^a-z0-9]/g, '-').replace(/-+$/, '-space');
    vs.push(vec(`peek/types/invalid-${slug}`, ['PEEK-1', 'SAFE-4'], 'upstream', [
      { op: 'alloc', size: 8, as: 'p' },
      { op: 'poke', address: 'p', value: 9, type: 'i8' },
      { op: 'peek', address: 'p', type: bad, expect: { error: 'InvalidType' } },
      { op: 'poke', address: 'p', value: 1, type: bad, expect: { error: 'InvalidType' } },
      { op: 'poke', address: 'p', value: '1n', type: bad, expect: { error: 'InvalidType' } },
      { op: 'peek', address: 'p', type: 'i8', expect: { value: 9 } },
      { op: 'dealloc', ptr: 'p' }]));
  }
  count += emit('peek', 'types', 'Peek/poke type names (PEEK-1): the aliases i1, float, double, any type ending in * as ' +
    'i32, the default i8, and names that are InvalidType for both peek and poke, with nothing written (SAFE-4). ' +
    'Expectations derived by hand from PEEK-1; converted values from Node typed arrays.', vs);
}

// Lists (PEEK-5).
{
  const vs = [];
  const base = [{ op: 'alloc', size: 16, as: 'p' }, { op: 'poke', address: 'p', value: 1, type: 'i32' },
    { op: 'poke', address: 'p+4', value: 2, type: 'i32' }, { op: 'poke', address: 'p+8', value: 3, type: 'i32' },
    { op: 'poke', address: 'p+12', value: 4, type: 'i32' }];
  const list = (name, rules, ops) => vs.push(vec(`peek/lists/${name}`, rules, 'seed', [...base, ...ops, { op: 'dealloc', ptr: 'p' }]));
  list('in-order', ['PEEK-5'], [{ op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [1, 2, 3, 4] } }]);
  list('reversed', ['PEEK-5'], [{ op: 'peek', address: ['p+12', 'p+8', 'p+4', 'p'], type: 'i32', expect: { value: [4, 3, 2, 1] } }]);
  list('repeated', ['PEEK-5'], [{ op: 'peek', address: ['p+4', 'p+4', 'p'], type: 'i32', expect: { value: [2, 2, 1] } }]);
  list('single-element-is-a-list', ['PEEK-5'], [{ op: 'peek', address: ['p+8'], type: 'i32', expect: { value: [3] } }]);
  list('empty-reads-nothing', ['PEEK-5'], [{ op: 'peek', address: [], type: 'i32', expect: { value: [] } }]);
  // The caller's list after the call is the list it passed (addressAfter:
  // the driver says what the list holds once the helper returned).
  list('caller-list-is-left-alone', ['PEEK-5'], [{ op: 'peek', address: ['p', 'p+4', 'p+8'], type: 'i32',
    expect: { value: [1, 2, 3], addressAfter: ['p', 'p+4', 'p+8'] } }]);
  list('caller-list-of-one-is-left-alone', ['PEEK-5'], [{ op: 'peek', address: ['p+8'], type: 'i32',
    expect: { value: [3], addressAfter: ['p+8'] } }]);
  list('empty-poke-writes-nothing', ['PEEK-5'], [{ op: 'poke', address: [], value: 9, type: 'i32' },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [1, 2, 3, 4] } }]);
  list('poke-writes-every-address', ['PEEK-5'], [{ op: 'poke', address: ['p', 'p+8'], value: -7, type: 'i32' },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [-7, 2, -7, 4] } }]);
  list('misaligned-list-rounds-down', ['PEEK-5', 'PEEK-2'], [{ op: 'peek', address: ['p+1', 'p+6', 'p+15'], type: 'i32', expect: { value: [1, 2, 4] } }]);
  list('mixed-widths-i8', ['PEEK-5', 'PEEK-2'], [{ op: 'peek', address: ['p', 'p+4', 'p+5'], type: 'i8', expect: { value: [1, 2, 0] } }]);
  list('i64-list', ['PEEK-5', 'PEEK-3'], [{ op: 'peek', address: ['p', 'p+8'], type: 'i64', expect: { value: [`${(2n << 32n) + 1n}n`, `${(4n << 32n) + 3n}n`] } }]);
  list('poke-i64-list', ['PEEK-5', 'PEEK-4'], [{ op: 'poke', address: ['p', 'p+8'], value: '-2n', type: 'i64' },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [-2, -1, -2, -1] } }]);
  list('list-with-one-out-of-bounds-reads-nothing', ['PEEK-5', 'PEEK-6'], [{ op: 'byteLength', as: 'end' },
    { op: 'peek', address: ['p', 'end'], type: 'i32', expect: { error: 'OutOfBounds' } }]);
  list('poke-list-with-one-out-of-bounds-writes-nothing', ['PEEK-5', 'PEEK-6', 'SAFE-4'], [{ op: 'byteLength', as: 'end' },
    { op: 'poke', address: ['p', 'p+4', 'end', 'p+8'], value: 0, type: 'i32', expect: { error: 'OutOfBounds' } },
    { op: 'peek', address: ['p', 'p+4', 'p+8', 'p+12'], type: 'i32', expect: { value: [1, 2, 3, 4] } }]);
  list('poke-list-negative-last-writes-nothing', ['PEEK-5', 'PEEK-6', 'SAFE-4'], [
    { op: 'poke', address: ['p', 'p+4', -4], value: 0, type: 'i32', expect: { error: 'OutOfBounds' } },
    { op: 'peek', address: ['p', 'p+4'], type: 'i32', expect: { value: [1, 2] } }]);
  count += emit('peek', 'lists', 'peek and poke with lists of addresses (PEEK-5): order, repeats, a one-element list, ' +
    'the caller\'s list left as it was, ' +
    'the empty list, misaligned elements, and lists with an out-of-bounds element (nothing read or written, PEEK-6, ' +
    'SAFE-4). Expectations derived by hand from PEEK-2, PEEK-5 and PEEK-6.', vs);
}

// Out of bounds (PEEK-6): every shape, for peek and poke.
{
  const vs = [];
  const shapes = [
    ['minus-1-i8', -1, 'i8'], ['minus-4-i32', -4, 'i32'], ['minus-8-i64', -8, 'i64'], ['end-i8', 'end', 'i8'],
    ['end-i32', 'end', 'i32'], ['end-plus-3-i32', 'end+3', 'i32'], ['end-plus-7-f64', 'end+7', 'f64'],
    ['2-pow-32', 4294967296, 'i8'], ['2-pow-32-minus-1', 4294967295, 'i8'], ['2-pow-53', 9007199254740992, 'i32'],
    ['minus-2-pow-53', -9007199254740992, 'i32'], ['minus-2-pow-31', -2147483648, 'i32'], ['end-plus-65536', 'end+65536', 'i16'],
  ];
  for (const [name, address, type] of shapes) {
    vs.push(vec(`peek/out-of-bounds/peek-${name}`, ['PEEK-6'], 'seed', [
      { op: 'byteLength', as: 'end' },
      { op: 'peek', address, type, expect: { error: 'OutOfBounds' } }]));
    vs.push(vec(`peek/out-of-bounds/poke-${name}`, ['PEEK-6', 'SAFE-4'], 'seed', [
      { op: 'byteLength', as: 'end' },
      { op: 'poke', address, value: type === 'i64' ? '1n' : 1, type, expect: { error: 'OutOfBounds' } }]));
  }
  // Edges that are in bounds: the last byte, and a misaligned address whose rounded-down access fits.
  for (const [name, address, type] of [['last-byte', 'end-1', 'i8'], ['last-i32', 'end-4', 'i32'],
    ['misaligned-last-i32', 'end-1', 'i32'], ['misaligned-last-f64', 'end-3', 'f64'], ['first-byte', 0, 'i8']]) {
    vs.push(vec(`peek/out-of-bounds/in-bounds-${name}`, ['PEEK-6', 'PEEK-2'], 'decided', [
      { op: 'byteLength', as: 'end' },
      { op: 'peek', address, type }]));
  }
  // Conversion errors come before bounds (section 12): a BigInt into i32 out of bounds is a TypeError.
  vs.push(vec('peek/out-of-bounds/type-error-before-bounds', ['PEEK-4', 'PEEK-6'], 'ecma', [
    { op: 'byteLength', as: 'end' },
    { op: 'poke', address: 'end', value: '1n', type: 'i32', expect: { error: 'TypeError' } },
    { op: 'poke', address: 'end', value: 1.5, type: 'i64', expect: { error: 'RangeError' } },
    { op: 'poke', address: 'end', value: 1, type: 'x', expect: { error: 'InvalidType' } }]));
  // Bounds follow growth.
  vs.push(vec('peek/out-of-bounds/end-moves-with-growth', ['PEEK-6', 'MEM-2'], 'seed', [
    { op: 'byteLength', as: 'end' },
    { op: 'peek', address: 'end', type: 'i32', expect: { error: 'OutOfBounds' } },
    { op: 'grow', pages: 1 },
    { op: 'peek', address: 'end', type: 'i32', expect: { value: 0 } },
    { op: 'peek', address: 'end+65535', type: 'i8', expect: { value: 0 } },
    { op: 'peek', address: 'end+65536', type: 'i8', expect: { error: 'OutOfBounds' } }]));
  count += emit('peek', 'out-of-bounds', 'Out-of-bounds peek and poke (PEEK-6): negative addresses, the end of memory, ' +
    'misaligned accesses that cross it, 2^32 and beyond; in-bounds edges; conversion errors before bounds errors; the ' +
    'bound moving with growth (fresh pages read 0, MEM-2). Addresses are relative to byteLength, read by the vector. ' +
    'Expectations derived by hand from PEEK-6 and section 12.', vs);
}

export default count;
