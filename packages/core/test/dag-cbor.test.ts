import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { encode, decode, EncodingError } from '../src/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** The EncodingError `fn` throws (fails the test when it throws nothing or something else). */
function encodingError(fn: () => unknown): EncodingError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EncodingError);
    return error as EncodingError;
  }
  throw new Error('expected an EncodingError, but nothing was thrown');
}

// ---------------------------------------------------------------------------------------------
// Generators

const SAFE_EDGES = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1];
const safeEdge = fc
  .tuple(fc.constantFrom(...SAFE_EDGES), fc.integer({ min: -2, max: 2 }), fc.boolean())
  .map(([edge, delta, negative]) => (negative ? -(edge + delta) : edge + delta))
  .filter((n) => Number.isSafeInteger(n));
const MAX_UINT64 = 2n ** 64n - 1n;
const WIDE_EDGES = [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 2n, MAX_UINT64];
const wideEdge = fc.constantFrom(...WIDE_EDGES, ...WIDE_EDGES.map((n) => -n));
const integerArb = fc.oneof(
  safeEdge,
  fc.integer(),
  fc.maxSafeInteger(),
  wideEdge,
  // Beyond 2^53 integers are BigInt, up to 2^64-1 and down to -(2^64-1): -(2^64) is excluded on purpose.
  fc.bigInt({ min: 2n ** 53n, max: MAX_UINT64 }),
  fc.bigInt({ min: -MAX_UINT64, max: -(2n ** 53n) - 1n }),
);
const floatArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.constantFrom(0.5, -0.5, 1.1, 1e-300, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 1e300, 0.1 + 0.2),
);
const cidArb = fc
  .tuple(fc.constantFrom(0x71, 0x55), fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .map(([codec, digest]) => CID.createV1(codec, Digest.create(0x12, digest)));
const stringArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  // Longer strings take cbor-x's other (native) string decoding path.
  fc.string({ unit: 'binary', minLength: 16, maxLength: 120 }),
  fc.constantFrom('', 'é', '日本語', '🎉🎉', '\u0000', 'a\u{10FFFF}b', '\uFEFF'),
);
const keyArb = fc
  .oneof(
    fc.constantFrom('a', 'b', 'aa', 'ab', 'B', 'é', 'e', '日本', '🎉', 'z🎉', '1', '10', '9', '0', '01', '-1', '2.5', 'length', 'constructor'),
    fc.nat(120).map(String),
    fc.string({ unit: 'binary', maxLength: 5 }),
    fc.string({ unit: 'binary-ascii', maxLength: 4 }),
  )
  .filter((key) => key !== '__proto__');
const leafArb = fc.oneof(
  integerArb,
  floatArb,
  stringArb,
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
  cidArb,
);
const entriesArb = <T>(value: fc.Arbitrary<T>) => fc.uniqueArray(fc.tuple(keyArb, value), { selector: ([key]) => key, maxLength: 6 });
const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 4, depthSize: 'small' }, leafArb, tie('array'), tie('object'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: entriesArb(tie('value')).map((entries) => Object.fromEntries(entries)),
  // @ipld/dag-cbor refuses '' as a Map key (though not as an object key); see the separate test below.
  map: entriesArb(tie('value')).map((entries) => new Map(entries.filter(([key]) => key !== ''))),
}));

/** What decode must return for a generated value: Maps read back as plain objects, -0 as 0. */
function decodedForm(value: unknown): unknown {
  if (typeof value === 'number') return value + 0;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || CID.asCID(value)) return value;
  if (Array.isArray(value)) return value.map(decodedForm);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Object.fromEntries(entries.map(([key, item]) => [key, decodedForm(item)]));
}

/**
 * @ipld/dag-cbor (cborg, through TextDecoder) drops a leading U+FEFF from strings it decodes, so
 * to compare with what it returns, drop those from ours too. Our decode keeps them, as it must.
 */
function dropLeadingBom(value: unknown): unknown {
  const drop = (text: string) => (text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (typeof value === 'string') return drop(value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || CID.asCID(value)) return value;
  if (Array.isArray(value)) return value.map(dropLeadingBom);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [drop(key), dropLeadingBom(item)]));
}

// ---------------------------------------------------------------------------------------------

describe('encode matches @ipld/dag-cbor byte for byte', () => {
  it('for generated values, and decode round-trips them', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const bytes = encode(value);
        expect(hex(bytes)).toBe(hex(dagCbor.encode(value)));
        const back = decode(bytes);
        expect(back).toEqual(decodedForm(value));
        expect(dropLeadingBom(back)).toEqual(dagCbor.decode(bytes));
        expect(hex(dagCbor.encode(back))).toBe(hex(bytes));
        expect(hex(encode(back))).toBe(hex(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('for integers at the 2^31 / 2^32 / 2^53 / 2^64 edges, decoding to Number exactly when safe', () => {
    fc.assert(
      fc.property(integerArb, (n) => {
        const bytes = encode(n);
        expect(hex(bytes)).toBe(hex(dagCbor.encode(n)));
        const back = decode(bytes);
        if (typeof back === 'number') {
          expect(Number.isSafeInteger(back)).toBe(true);
          expect(back).toBe(Number(n) + 0); // -0 is written as the integer 0
        } else {
          expect(typeof back).toBe('bigint');
          expect(back).toBe(BigInt(n));
          expect(Number.isSafeInteger(Number(back))).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('writes small BigInts like the Number of the same value (shortest form)', () => {
    for (const n of [0n, 1n, 23n, 24n, -1n, -25n, 2n ** 32n - 1n, -(2n ** 32n), 2n ** 40n, -(2n ** 40n)]) {
      expect(hex(encode(n))).toBe(hex(dagCbor.encode(Number(n))));
    }
  });

  it('sorts keys length-first then bytewise, for objects and Maps, integer-like and non-ASCII keys included', () => {
    const keys = ['b', '10', 'aa', '9', 'é', '日本', '🎉', '1', 'a', 'ab', '100', 'B'];
    const object = Object.fromEntries(keys.map((key, i) => [key, i]));
    const bytes = encode(object);
    expect(hex(bytes)).toBe(hex(dagCbor.encode(object)));
    expect(hex(encode(new Map(keys.map((key, i) => [key, i]))))).toBe(hex(bytes));
    // Length first: 1-byte keys, then 2-byte ('10', 'aa', 'ab', 'é'), 3-byte ('100'), then 4-byte ('🎉'), 6-byte ('日本').
    expect(hex(bytes).startsWith('ac' + '6131' + '07' + '6139' + '03' + '6142' + '0b' + '6161' + '08' + '6162' + '00')).toBe(true);
  });

  it("accepts '' as a Map key like an object key (where @ipld/dag-cbor refuses Map keys '')", () => {
    expect(hex(encode(new Map([['', 1], ['a', 2]])))).toBe(hex(dagCbor.encode({ '': 1, a: 2 })));
  });

  it('keeps a leading U+FEFF in strings (which @ipld/dag-cbor drops on decode)', () => {
    expect(decode(unhex('63 efbbbf'))).toBe('\uFEFF');
    expect(decode(unhex('a1 63efbbbf 64efbbbf61'))).toEqual({ '\uFEFF': '\uFEFFa' });
    expect(dagCbor.decode(unhex('63 efbbbf'))).toBe(''); // documents the divergence this suite works around
  });

  it('returns plain Uint8Arrays that own their memory', () => {
    const bytes = encode({ b: new Uint8Array([1, 2, 3]) });
    expect(bytes.constructor).toBe(Uint8Array);
    const value = decode(bytes) as { b: Uint8Array };
    expect(value.b.constructor).toBe(Uint8Array);
    bytes[bytes.length - 1] = 9;
    expect(Array.from(value.b)).toEqual([1, 2, 3]);
  });

  it('returns bytes that later encodes do not overwrite', () => {
    const first = encode({ a: 'x'.repeat(100) });
    const copy = hex(first);
    for (let i = 0; i < 200; i++) encode({ b: 'y'.repeat(1000), i });
    expect(hex(first)).toBe(copy);
  });
});

describe('fixed vectors', () => {
  const cid = CID.parse('bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
  const known: [string, unknown, string][] = [
    ['{a:1,b:[]}', { b: [], a: 1 }, 'a2616101616280'],
    ['empty map', {}, 'a0'],
    ['small ints', [0, 23, 24, -1, -24, -25], '860017181820373818'],
    ['2^32 and -(2^32)-1', [2 ** 32, -(2 ** 32) - 1], '821b00000001000000003b0000000100000000'],
    ['2^64-1', MAX_UINT64, '1bffffffffffffffff'],
    ['-(2^64-1)', -MAX_UINT64, '3bfffffffffffffffe'],
    ['float 1.5 (always 64-bit)', 1.5, 'fb3ff8000000000000'],
    ['integral double is an int', 2.0, '02'],
    ['-0 is int 0', -0, '00'],
    ['true/false/null', [true, false, null], '83f5f4f6'],
    ['string é', 'é', '62c3a9'],
    ['bytes', Uint8Array.from([1, 2, 3]), '43010203'],
    ['length-first keys', { aa: 1, b: 2 }, 'a2616202626161 01'.replace(/ /g, '')],
    ['integer-like keys as text', { '10': 1, '9': 2 }, 'a2613902623130 01'.replace(/ /g, '')],
    ['CID', cid, 'd82a582500' + hex(cid.bytes)],
  ];
  for (const [name, value, expected] of known) {
    it(`${name} -> ${expected.length > 40 ? `${expected.slice(0, 40)}…` : expected}`, () => {
      expect(hex(dagCbor.encode(value))).toBe(expected);
      expect(hex(encode(value))).toBe(expected);
      expect(hex(encode(decode(unhex(expected))))).toBe(expected);
    });
  }

  it('a record-shaped value matches @ipld/dag-cbor', () => {
    const value = {
      v: 1,
      kind: 'asset.edit',
      by: 'did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw',
      seq: 3,
      at: 1_735_689_600_000,
      proj: cid,
      delta: { text: [[0, 2, 5, 'human']] },
      ext: { 'org.example.score': 0.75 },
    };
    const expected = hex(dagCbor.encode(value));
    expect(hex(encode(value))).toBe(expected);
    expect(decode(unhex(expected))).toEqual(value);
  });
});

describe('encode rejects values outside the DAG-CBOR data model', () => {
  class Point {
    x = 1;
  }
  const cases: [string, () => unknown, string, string?][] = [
    ['undefined at the top level', () => undefined, 'undefined is not allowed', ''],
    ['nested undefined', () => ({ a: { b: undefined } }), 'cannot encode a.b as DAG-CBOR: undefined is not allowed', 'a.b'],
    ['undefined in an array', () => ({ list: [1, [2, undefined]] }), 'cannot encode list[1][1]', 'list[1][1]'],
    ['a hole in a sparse array', () => ({ list: [1, , 3] }), 'cannot encode list[1]', 'list[1]'], // eslint-disable-line no-sparse-arrays
    ['NaN', () => ({ x: NaN }), 'cannot encode x as DAG-CBOR: NaN is not allowed', 'x'],
    ['Infinity', () => [Infinity], 'Infinity is not allowed', '[0]'],
    ['-Infinity', () => -Infinity, '-Infinity is not allowed', ''],
    ['BigInt 2^64', () => ({ n: 2n ** 64n }), 'integer 18446744073709551616 does not fit in 64 bits', 'n'],
    ['BigInt -(2^64)-1', () => -(2n ** 64n) - 1n, 'does not fit in 64 bits', ''],
    ['Map with a non-string key', () => ({ m: new Map<unknown, unknown>([[1, 'x']]) }), 'map key 1 is not a string', 'm'],
    ['Int16Array', () => ({ t: new Int16Array(2) }), 'Int16Array', 't'],
    ['Float32Array', () => new Float32Array(2), 'Float32Array', ''],
    ['ArrayBuffer', () => new ArrayBuffer(2), 'ArrayBuffer', ''],
    ['a class instance', () => ({ p: new Point() }), 'Point is not a plain object, array, bytes or CID', 'p'],
    ['a Date', () => new Date(0), 'Date is not a plain object', ''],
    ['a function', () => ({ f: () => 1 }), 'a function is not allowed', 'f'],
    ['a Symbol', () => [Symbol('s')], 'a symbol is not allowed', '[0]'],
    ['a lone high surrogate', () => ({ s: 'a\uD800' }), 'lone surrogate', 's'],
    ['a lone low surrogate in a key', () => ({ ['k\uDC00']: 1 }), 'lone surrogate', 'k\uDC00'],
    ['a __proto__ key', () => JSON.parse('{"a":{"__proto__":1}}'), 'map key "__proto__" is not allowed', 'a'],
    ['a __proto__ key in a Map', () => new Map([['__proto__', 1]]), 'map key "__proto__" is not allowed', ''],
  ];
  for (const [name, make, message, path] of cases) {
    it(`refuses ${name}`, () => {
      const error = encodingError(() => encode(make()));
      expect(error.message).toContain(message);
      expect(error.message).toContain('DAG-CBOR');
      if (path !== undefined) expect(error.path).toBe(path);
    });
  }

  it('refuses -(2^64) with a clear error (cbor-x cannot write it; knowingly unsupported)', () => {
    const error = encodingError(() => encode({ n: -(2n ** 64n) }));
    expect(error.message).toContain('-18446744073709551616');
    expect(error.path).toBe('n');
    // while -(2^64-1) is fine
    expect(hex(encode(-(2n ** 64n) + 1n))).toBe('3bfffffffffffffffe');
  });

  it('refuses a cycle as too deep instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encodingError(() => encode(cyclic)).message).toContain('nesting deeper than');
  });
});

// ---------------------------------------------------------------------------------------------

const CID_BYTES = hex(CID.parse('bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku').bytes);

describe('decode rejects non-strict bytes with a precise message', () => {
  const nest = (depth: number) => '81'.repeat(depth) + '80';
  const cases: [string, string, string[]][] = [
    ['unsorted keys (bytewise)', 'a2 6162 01 6161 02', ['at byte 4', 'map keys are not sorted', '"a"']],
    ['unsorted keys (length first)', 'a2 626161 01 6162 02', ['at byte 5', 'map keys are not sorted', '"b"']],
    ['duplicate keys', 'a2 6161 01 6161 02', ['at byte 4', 'duplicate map key "a"']],
    ['non-string keys', 'a1 01 02', ['at byte 1', 'map keys must be text strings']],
    ['a byte-string key', 'a1 4161 02', ['map keys must be text strings']],
    ['__proto__ key', 'a1 695f5f70726f746f5f5f 01', ['map key "__proto__" is not allowed']],
    ['1-byte int below 24', '18 05', ['at byte 0', 'not in its shortest form']],
    ['2-byte int below 256', '19 0010', ['not in its shortest form']],
    ['4-byte int below 65536', '1a 00000010', ['not in its shortest form']],
    ['8-byte int below 2^32', '1b 0000000000000010', ['not in its shortest form']],
    ['8-byte int just below 2^32', '1b 00000000ffffffff', ['not in its shortest form']],
    ['non-shortest negative int', '38 05', ['not in its shortest form']],
    ['non-shortest string length', '78 01 61', ['not in its shortest form']],
    ['non-shortest array length', '98 01 00', ['not in its shortest form']],
    ['non-shortest map length', 'b8 01 6161 01', ['not in its shortest form']],
    ['non-shortest int nested', 'a1 6161 82 01 18 02', ['at byte 5', '(a[1])', 'not in its shortest form']],
    ['indefinite-length array', '9f 01 ff', ['at byte 0', 'indefinite-length items are not allowed']],
    ['indefinite-length map', 'bf 6161 01 ff', ['indefinite-length items are not allowed']],
    ['indefinite-length text', '7f 6161 ff', ['indefinite-length items are not allowed']],
    ['indefinite-length bytes', '5f 4100 ff', ['indefinite-length items are not allowed']],
    ['a bare break', 'ff', ['unexpected break']],
    ['reserved additional information', '1c', ['reserved additional information 28']],
    ['trailing bytes', '01 02 03', ['at byte 1', '2 trailing byte(s)']],
    ['tag 1', 'c1 00', ['tag 1 is not allowed', 'only tag 42']],
    ['tag 43', 'd8 2b 4100', ['tag 43 is not allowed']],
    ['bignum tag 2', 'c2 4101', ['tag 2 is not allowed']],
    ['tag 42 in a non-shortest head', 'd9 002a 4100', ['not in its shortest form']],
    ['tag 42 over a string', 'd8 2a 6161', ['at byte 2', 'tag 42 must wrap a byte string']],
    ['tag 42 over an int', 'd8 2a 00', ['tag 42 must wrap a byte string']],
    ['tag 42 without the 0x00 prefix', `d8 2a 5825 01${CID_BYTES}`, ['tag 42 bytes must start with the 0x00 multibase prefix']],
    ['tag 42 over empty bytes', 'd8 2a 40', ['tag 42 bytes must start with the 0x00 multibase prefix']],
    ['tag 42 holding no CID', 'd8 2a 41 00', ['at byte 2', 'tag 42 does not hold a valid CID']],
    ['tag 42 holding a truncated CID', `d8 2a 5824 00${CID_BYTES.slice(0, -2)}`, ['does not hold a valid CID']],
    ['tag 42 with bytes after the CID', `d8 2a 5826 00${CID_BYTES}00`, ['does not hold a valid CID']],
    ['tag 42 with a non-minimal varint in the CID', `d8 2a 5826 00 8100 ${CID_BYTES.slice(2)}`, ['does not hold a valid CID']],
    ['float16', 'f9 3c00', ['floats must be 64-bit']],
    ['float32', 'fa 3fc00000', ['floats must be 64-bit']],
    ['undefined', 'f7', ['undefined is not allowed']],
    ['simple value 16', 'f0', ['simple value 16 is not allowed']],
    ['1-byte simple value', 'f8 20', ['simple value 24 is not allowed']],
    ['NaN', 'fb 7ff8000000000000', ['NaN is not allowed']],
    ['Infinity', 'fb 7ff0000000000000', ['Infinity is not allowed']],
    ['-Infinity', 'fb fff0000000000000', ['-Infinity is not allowed']],
    ['integral float 1.0', 'fb 3ff0000000000000', ['float 1 has an integral value and must be encoded as an integer']],
    ['integral float -0.0', 'fb 8000000000000000', ['integral value']],
    ['invalid UTF-8 (bad continuation)', '62 c328', ['at byte 2', 'not valid UTF-8']],
    ['overlong UTF-8', '62 c080', ['not valid UTF-8']],
    ['UTF-8 of a surrogate', '63 eda080', ['not valid UTF-8']],
    ['UTF-8 above U+10FFFF', '64 f4900000', ['not valid UTF-8']],
    ['invalid UTF-8 in a key', 'a1 61ff 01', ['not valid UTF-8']],
    ['empty input', '', ['at byte 0', 'unexpected end of input']],
    ['truncated string', '62 61', ['unexpected end of input']],
    ['truncated int', '1a 0001', ['unexpected end of input']],
    ['truncated float', 'fb 3ff8', ['unexpected end of input']],
    ['missing map value', 'a1 6161', ['unexpected end of input']],
    ['array longer than the input', '9a ffffffff 00', ['cannot fit in the input']],
    ['map longer than the input', 'ba ffffffff 00', ['cannot fit in the input']],
    ['bytes longer than the input', '5b 0000000100000000 00', ['unexpected end of input']],
    ['-(2^64), which Colophon cannot write back', '3b ffffffffffffffff', ['-18446744073709551616']],
    ['nesting deeper than the limit', nest(65), ['nesting deeper than 64']],
  ];
  for (const [name, bytes, messages] of cases) {
    it(`refuses ${name}`, () => {
      const error = encodingError(() => decode(unhex(bytes)));
      expect(error.message).toContain('invalid DAG-CBOR');
      for (const message of messages) expect(error.message).toContain(message);
    });
  }

  it('names the byte offset and path of the error', () => {
    const bytes = encode({ list: [1, { deep: 'x' }] });
    // Corrupt the string 'x' into an invalid UTF-8 byte.
    const i = bytes.lastIndexOf(0x78);
    bytes[i] = 0xff;
    const error = encodingError(() => decode(bytes));
    expect(error.offset).toBe(i);
    expect(error.path).toBe('list[1].deep');
    expect(error.message).toContain(`at byte ${i} (list[1].deep)`);
  });

  it('accepts the deepest nesting the encoder writes, and the encoder refuses one level more', () => {
    let deepest: unknown = [];
    let depth = 0;
    for (;;) {
      const next: unknown = [deepest];
      try {
        encode(next);
      } catch (error) {
        expect(error).toBeInstanceOf(EncodingError);
        expect((error as Error).message).toContain('nesting deeper than 64');
        break;
      }
      deepest = next;
      depth++;
      expect(depth).toBeLessThan(1000);
    }
    expect(depth).toBe(64);
    const bytes = encode(deepest);
    expect(hex(encode(decode(bytes)))).toBe(hex(bytes));
    expect(hex(bytes)).toBe(nest(64));
    expect(() => decode(unhex(nest(65)))).toThrow(EncodingError);
  });
});

// ---------------------------------------------------------------------------------------------

/** decode either refuses with an EncodingError, or accepts exactly the bytes it would write itself. */
function checkStrictDecode(bytes: Uint8Array): void {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    if (!(error instanceof EncodingError)) throw new Error(`decode(${hex(bytes)}) threw ${String(error)} instead of an EncodingError`);
    return;
  }
  const again = hex(encode(value));
  if (again !== hex(bytes)) throw new Error(`decode accepted ${hex(bytes)}, which re-encodes as ${again}`);
  // Anything strict DAG-CBOR accepts, @ipld/dag-cbor reads the same way.
  expect(dropLeadingBom(value)).toEqual(dagCbor.decode(bytes));
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (m.op === 'insert' ? bytes.length + 1 : bytes.length);
    if (m.op === 'insert') bytes.splice(at, 0, m.byte);
    else if (bytes.length === 0) continue;
    else if (m.op === 'flip') bytes[at] = bytes[at]! ^ (1 << m.bit);
    else if (m.op === 'set') bytes[at] = m.byte;
    else if (m.op === 'delete') bytes.splice(at, 1);
    else bytes = bytes.slice(0, at);
  }
  return Uint8Array.from(bytes);
}

// COLOPHON_FUZZ_RUNS=200000 for a long fuzzing session.
const FUZZ_RUNS = Number(process.env.COLOPHON_FUZZ_RUNS ?? 5000);
const FUZZ_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 5);

describe('decode fuzz: refuse with an EncodingError or accept exactly the canonical bytes', () => {
  it('random byte arrays', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), checkStrictDecode), { numRuns: FUZZ_RUNS });
  }, FUZZ_TIMEOUT_MS);

  it('random heads followed by random bytes', () => {
    const head = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x1b, 0x3b, 0xd8, 0xfb, 0xa1, 0x81, 0x61, 0x41),
    );
    fc.assert(
      fc.property(fc.array(head, { minLength: 1, maxLength: 6 }), fc.uint8Array({ maxLength: 16 }), (heads, tail) => {
        checkStrictDecode(Uint8Array.from([...heads, ...tail]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('random mutations of valid encodings', () => {
    fc.assert(
      fc.property(valueArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
        checkStrictDecode(mutate(encode(value), mutations));
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  it('still decodes valid input correctly after a run of refusals', () => {
    for (const bad of ['d8 2a 41 00', 'a2 6162 01 6161 02', 'fb 7ff8000000000000', '9f 01']) {
      expect(() => decode(unhex(bad))).toThrow(EncodingError);
    }
    const value = { a: [1, 2n ** 60n, 'x'], b: new Uint8Array([9]) };
    expect(decode(encode(value))).toEqual({ a: [1, 2n ** 60n, 'x'], b: new Uint8Array([9]) });
  });
});
