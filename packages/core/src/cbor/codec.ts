import { Decoder, Encoder, addExtension } from 'cbor-x';
import { CID } from 'multiformats/cid';
import { EncodingError, joinPath } from '../errors.js';
import { MAX_NESTING_DEPTH, scanStrict } from './scan.js';
import { utf8Encode } from '../text/utf8.js';

/** Values DAG-CBOR can hold, as Colophon hands them out and takes them in. */
export type DagValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | CID
  | DagValue[]
  | { [key: string]: DagValue }
  | Map<string, DagValue>;

const CID_TAG = 42;
const TWO_POW_32 = 0x100000000;
const MAX_UINT64 = (1n << 64n) - 1n;
// -(2^64) is valid CBOR, but cbor-x cannot write it (it emits a bignum tag), so it is outside what
// Colophon encodes, and the decoder refuses it so that every value it accepts can be written back.
const MIN_NINT64 = -(1n << 64n) + 1n;

addExtension({
  Class: CID,
  tag: CID_TAG,
  encode(cid: CID, encode: (value: unknown) => Uint8Array) {
    const bytes = new Uint8Array(cid.bytes.length + 1);
    bytes.set(cid.bytes, 1);
    return encode(bytes);
  },
  decode(bytes: Uint8Array) {
    return CID.decode(bytes.subarray(1));
  },
});

const strictOptions = {
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  useTag259ForMaps: false,
  pack: false,
  structuredClone: false,
  bundleStrings: false,
  alwaysUseFloat: false,
  useToJSON: false,
  useFloat32: 0,
  largeBigIntToFloat: false,
  // Decoded byte strings are copies, never views into (and aliases of) the input.
  copyBuffers: true,
} as const;

const encoder = new Encoder(strictOptions);
const decoder = new Decoder(strictOptions);

/** Writes a value cbor-x will encode byte-identically to DAG-CBOR; `prepare` guarantees the shape. */
export function encodePrepared(prepared: unknown): Uint8Array {
  return plainBytes(encoder.encode(prepared));
}

/** Encodes a value as strict DAG-CBOR (bytes identical to @ipld/dag-cbor). */
export function encode(value: unknown): Uint8Array {
  return plainBytes(encoder.encode(prepare(value, '', 0)));
}

/** Decodes strict DAG-CBOR; anything non-canonical or outside the data model is an EncodingError. */
export function decode(bytes: Uint8Array): DagValue {
  const { hasWideIntegers } = scanStrict(bytes);
  const value = decoder.decode(plainBytes(bytes)) as DagValue;
  return hasWideIntegers ? narrowIntegers(value) : value;
}

/**
 * In Node cbor-x hands out and slices Buffers, whose `slice` is a view rather than a copy and whose
 * JSON form differs; a plain Uint8Array view over the same memory behaves the same on every platform.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INTEGER_LIKE_KEY = /^(?:0|[1-9]\d*)$/;

export function checkString(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) fail(path, 'string holds a lone surrogate, which has no UTF-8 form');
  return text;
}

function fail(path: string, reason: string): never {
  throw new EncodingError(`cannot encode${path ? ` ${path}` : ''} as DAG-CBOR: ${reason}`, path);
}

/** cbor-x writes integers >= 2^32 as floats unless they are BigInt. */
export function prepareNumber(value: number, path: string): number | bigint {
  if (Number.isInteger(value)) {
    if (Number.isSafeInteger(value) && (value >= TWO_POW_32 || value < -TWO_POW_32)) return BigInt(value);
    return Object.is(value, -0) ? 0 : value;
  }
  if (!Number.isFinite(value)) fail(path, `${value} is not allowed`);
  return value;
}

function prepareBigInt(value: bigint, path: string): number | bigint {
  if (value === MIN_NINT64 - 1n) fail(path, `integer ${value} (-(2^64)) is not supported: the smallest is -(2^64-1)`);
  if (value > MAX_UINT64 || value < MIN_NINT64) fail(path, `integer ${value} does not fit in 64 bits`);
  if (value < BigInt(TWO_POW_32) && value >= -BigInt(TWO_POW_32)) return Number(value);
  return value;
}

/**
 * Turns a value into the exact shape that makes cbor-x emit canonical DAG-CBOR: keys sorted
 * length-first then bytewise, wide integers as BigInt, everything outside the data model refused.
 */
export function prepare(value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_NESTING_DEPTH) fail(path, `nesting deeper than ${MAX_NESTING_DEPTH}`);
  switch (typeof value) {
    case 'string':
      return checkString(value, path);
    case 'number':
      return prepareNumber(value, path);
    case 'boolean':
      return value;
    case 'bigint':
      return prepareBigInt(value, path);
    case 'undefined':
      return fail(path, 'undefined is not allowed');
    case 'object':
      break;
    default:
      return fail(path, `a ${typeof value} is not allowed`);
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) {
    if (value.constructor !== Uint8Array && !isNodeBuffer(value)) fail(path, `${value.constructor.name} is not allowed`);
    return value;
  }
  const cid = CID.asCID(value);
  if (cid) return cid;
  if (Array.isArray(value)) {
    // A loop, not map(): map skips the holes of a sparse array, which cbor-x would write as undefined.
    const items = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = prepare(value[i], joinPath(path, i), depth + 1);
    return items;
  }
  if (value instanceof Map) return prepareEntries(Array.from(value.entries()), path, depth);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    fail(path, `${(value as object).constructor?.name ?? 'object'} is not a plain object, array, bytes or CID`);
  }
  return prepareEntries(Object.entries(value as Record<string, unknown>), path, depth);
}

function isNodeBuffer(value: Uint8Array): boolean {
  return value.constructor.name === 'Buffer';
}

function prepareEntries(entries: [unknown, unknown][], path: string, depth: number): unknown {
  const keys: string[] = [];
  let integerLike = false;
  for (const [key] of entries) {
    if (typeof key !== 'string') fail(path, `map key ${String(key)} is not a string`);
    if (key === '__proto__') fail(path, 'map key "__proto__" is not allowed');
    checkString(key, joinPath(path, key));
    if (!integerLike && INTEGER_LIKE_KEY.test(key)) integerLike = true;
    keys.push(key);
  }
  const byKey = new Map(entries as [string, unknown][]);
  if (byKey.size !== keys.length) fail(path, 'duplicate map key');
  keys.sort(compareDagKeys);
  // JS objects move integer-like keys to the front, so only a Map keeps the canonical order.
  if (integerLike) {
    const ordered = new Map<string, unknown>();
    for (const key of keys) ordered.set(key, prepare(byKey.get(key), joinPath(path, key), depth + 1));
    return ordered;
  }
  const ordered: Record<string, unknown> = {};
  for (const key of keys) ordered[key] = prepare(byKey.get(key), joinPath(path, key), depth + 1);
  return ordered;
}

const keyBytesCache = new Map<string, Uint8Array>();

/** DAG-CBOR map key order: shorter UTF-8 encodings first, then bytewise. */
export function compareDagKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (ASCII.test(a) && ASCII.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : 1;
  }
  const ab = keyBytes(a);
  const bb = keyBytes(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return 0;
}

const ASCII = /^[\x00-\x7f]*$/;

function keyBytes(key: string): Uint8Array {
  let bytes = keyBytesCache.get(key);
  if (!bytes) {
    bytes = utf8Encode(key);
    if (keyBytesCache.size > 1024) keyBytesCache.clear();
    keyBytesCache.set(key, bytes);
  }
  return bytes;
}

/** cbor-x returns every 8-byte integer as BigInt; DAG-CBOR in JS means Number whenever that is exact. */
function narrowIntegers(value: DagValue): DagValue {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || CID.asCID(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = narrowIntegers(value[i]!);
    return value;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, narrowIntegers(v));
    return value;
  }
  const map = value as { [key: string]: DagValue };
  for (const key of Object.keys(map)) map[key] = narrowIntegers(map[key]!);
  return map;
}
