import { CID } from 'multiformats/cid';
import { EncodingError, joinPath } from '../errors.js';
import { MAX_NESTING_DEPTH, allocateBytes, decodeStrict } from './scan.js';
import { utf8Encode } from '../text/utf8.js';

export { allocateBytes };

// Strict DAG-CBOR, written and read by hand rather than through a general CBOR library: the
// canonical rules (key order, shortest integers, 64-bit floats, tag 42 only) are then enforced by
// construction, and records (small maps of a fixed shape) encode and decode several times faster.

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
// -(2^64) is valid CBOR, but @ipld/dag-cbor and cbor-x cannot write it, so it is outside what
// Colophon encodes, and the decoder refuses it so that every value it accepts can be written back.
const MIN_NINT64 = -(1n << 64n) + 1n;

/** Encodes a value as strict DAG-CBOR (bytes identical to @ipld/dag-cbor). */
export function encode(value: unknown): Uint8Array {
  return encodeWith((writer) => writer.value(value, 0));
}

/** Decodes strict DAG-CBOR; anything non-canonical or outside the data model is an EncodingError. */
export function decode(bytes: Uint8Array): DagValue {
  return decodeStrict(plainBytes(bytes)) as DagValue;
}

/**
 * A Node Buffer's `slice` is a view rather than a copy (and its JSON form differs); reading a plain
 * Uint8Array view over the same memory makes decoded byte strings plain, independent copies.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkString(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) fail(path, 'string holds a lone surrogate, which has no UTF-8 form');
  return text;
}

function fail(path: string, reason: string): never {
  throw new EncodingError(`cannot encode${path ? ` ${path}` : ''} as DAG-CBOR: ${reason}`, path);
}

// ---------------------------------------------------------------------------------------------
// Encoding: values are checked and written straight to canonical bytes in one walk (no copy of
// the value, no general-purpose encoder): keys sorted length-first then bytewise, integers in
// their shortest form (8 bytes from 2^32 on), floats always 64-bit, everything outside the data
// model refused with the path of the offending value.

const INITIAL_WRITER_BYTES = 1024;
const RETAINED_WRITER_BYTES = 64 * 1024;

/** Writes DAG-CBOR into a growable buffer; `encodeWith` hands one out and copies the result. */
export class DagWriter {
  private buf = new Uint8Array(INITIAL_WRITER_BYTES);
  private view = new DataView(this.buf.buffer);
  /** Bytes written so far. */
  pos = 0;
  /** Path of the value being written, as keys and indexes; turned into text only for errors. */
  private readonly path: (string | number)[] = [];
  busy = false;

  reset(): void {
    this.pos = 0;
    this.path.length = 0;
    if (this.buf.length > RETAINED_WRITER_BYTES) {
      this.buf = new Uint8Array(INITIAL_WRITER_BYTES);
      this.view = new DataView(this.buf.buffer);
    }
  }

  /** A copy of what was written, exactly its size. */
  take(): Uint8Array {
    const out = allocateBytes(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  private room(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  private pathText(): string {
    let text = '';
    for (const key of this.path) text = joinPath(text, key);
    return text;
  }

  fail(reason: string): never {
    return fail(this.pathText(), reason);
  }

  /** Overwrites one byte already written (a count known only afterwards). */
  patch(at: number, byte: number): void {
    this.buf[at] = byte;
  }

  /** Bytes copied as they are (a precomputed key, a prefix). */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.room(length);
    if (length > 16) {
      this.buf.set(bytes, this.pos);
      this.pos += length;
      return;
    }
    // A loop beats set() for the few bytes of a key.
    const b = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) b[pos++] = bytes[i]!;
    this.pos = pos;
  }

  /** A head with its argument in the shortest form; `n` is a non-negative safe integer. */
  head(major: number, n: number): void {
    this.room(9);
    const b = this.buf;
    const m = major << 5;
    if (n < 24) b[this.pos++] = m | n;
    else if (n < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25;
      b[this.pos++] = n >> 8;
      b[this.pos++] = n & 0xff;
    } else if (n < TWO_POW_32) {
      b[this.pos++] = m | 26;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    } else {
      b[this.pos++] = m | 27;
      this.view.setUint32(this.pos, Math.floor(n / TWO_POW_32));
      this.view.setUint32(this.pos + 4, n >>> 0);
      this.pos += 8;
    }
  }

  /** An 8-byte head for 2^32 <= n < 2^64. */
  private wideHead(major: number, n: bigint): void {
    this.room(9);
    this.buf[this.pos++] = (major << 5) | 27;
    this.view.setUint32(this.pos, Number(n >> 32n));
    this.view.setUint32(this.pos + 4, Number(n & 0xffffffffn));
    this.pos += 8;
  }

  /** A number: integers (safe ones) as integers, everything else finite as a 64-bit float. */
  number(value: number): void {
    if (Number.isSafeInteger(value)) {
      // -0 is written as the integer 0.
      if (value >= 0) this.head(0, value);
      else this.head(1, -1 - value);
      return;
    }
    if (!Number.isFinite(value)) this.fail(`${value} is not allowed`);
    this.room(9);
    this.buf[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  private bigint(value: bigint): void {
    if (value === MIN_NINT64 - 1n) this.fail(`integer ${value} (-(2^64)) is not supported: the smallest is -(2^64-1)`);
    if (value > MAX_UINT64 || value < MIN_NINT64) this.fail(`integer ${value} does not fit in 64 bits`);
    if (value < BigInt(TWO_POW_32) && value >= -BigInt(TWO_POW_32)) this.number(Number(value));
    else if (value >= 0n) this.wideHead(0, value);
    else this.wideHead(1, -1n - value);
  }

  /** A text string as UTF-8; a lone surrogate (no UTF-8 form) is refused. */
  string(text: string): void {
    const length = text.length;
    this.room(9 + length);
    const start = this.pos;
    this.head(3, length);
    const b = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return this.nonAsciiString(text, start);
      b[pos++] = code;
    }
    this.pos = pos;
  }

  private nonAsciiString(text: string, start: number): void {
    this.pos = start;
    if (LONE_SURROGATE.test(text)) this.fail('string holds a lone surrogate, which has no UTF-8 form');
    const bytes = utf8Encode(text);
    this.head(3, bytes.length);
    this.raw(bytes);
  }

  bytes(bytes: Uint8Array): void {
    this.head(2, bytes.length);
    this.raw(bytes);
  }

  cid(cid: CID): void {
    const bytes = cid.bytes;
    this.room(4);
    this.buf[this.pos++] = 0xd8;
    this.buf[this.pos++] = CID_TAG;
    this.head(2, bytes.length + 1);
    this.room(bytes.length + 1);
    this.buf[this.pos++] = 0;
    this.raw(bytes);
  }

  /** Writes `value` as the entry `key` (path only: the caller writes the key itself). */
  entry(key: string | number, value: unknown, depth: number): void {
    this.path.push(key);
    this.value(value, depth);
    this.path.pop();
  }

  /** Any value of the data model, checked as it is written. */
  value(value: unknown, depth: number): void {
    if (depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`);
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        this.room(1);
        this.buf[this.pos++] = value ? 0xf5 : 0xf4;
        return;
      case 'bigint':
        return this.bigint(value);
      case 'undefined':
        return this.fail('undefined is not allowed');
      case 'object':
        break;
      default:
        return this.fail(`a ${typeof value} is not allowed`);
    }
    if (value === null) {
      this.room(1);
      this.buf[this.pos++] = 0xf6;
      return;
    }
    if (value instanceof Uint8Array) {
      if (value.constructor !== Uint8Array && !isNodeBuffer(value)) this.fail(`${value.constructor.name} is not allowed`);
      return this.bytes(value);
    }
    const cid = CID.asCID(value);
    if (cid) return this.cid(cid);
    if (Array.isArray(value)) {
      // An index loop: the holes of a sparse array are undefined, and refused as such.
      const length = value.length;
      this.head(4, length);
      for (let i = 0; i < length; i++) this.entry(i, value[i], depth + 1);
      return;
    }
    if (value instanceof Map) return this.map(Array.from(value.entries()), depth);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      this.fail(`${(value as object).constructor?.name ?? 'object'} is not a plain object, array, bytes or CID`);
    }
    return this.map(Object.entries(value as Record<string, unknown>), depth);
  }

  /** Every key is checked before any value is written; values follow in DAG-CBOR key order. */
  private map(entries: [unknown, unknown][], depth: number): void {
    const count = entries.length;
    let allAscii = true;
    for (let i = 0; i < count; i++) {
      const key = entries[i]![0];
      if (typeof key !== 'string') this.fail(`map key ${String(key)} is not a string`);
      if (key === '__proto__') this.fail('map key "__proto__" is not allowed');
      if (isAscii(key)) continue;
      allAscii = false;
      if (LONE_SURROGATE.test(key)) {
        this.path.push(key);
        this.fail('string holds a lone surrogate, which has no UTF-8 form');
      }
    }
    // Entries come from Object.entries or a Map, so keys are unique; maps are small: insertion sort.
    const compare = allAscii ? compareAsciiKeys : compareDagKeys;
    for (let i = 1; i < count; i++) {
      const entry = entries[i]!;
      let j = i - 1;
      while (j >= 0 && compare(entries[j]![0] as string, entry[0] as string) > 0) {
        entries[j + 1] = entries[j]!;
        j--;
      }
      entries[j + 1] = entry;
    }
    this.head(5, count);
    for (let i = 0; i < count; i++) {
      const [key, item] = entries[i] as [string, unknown];
      this.string(key);
      this.entry(key, item, depth + 1);
    }
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** `compareDagKeys` for two distinct ASCII keys (their UTF-8 bytes are their char codes). */
function compareAsciiKeys(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : 1;
}

function isNodeBuffer(value: Uint8Array): boolean {
  return value.constructor.name === 'Buffer';
}

const sharedWriter = new DagWriter();

/**
 * Runs `write` on a reset writer and returns an exact-size copy of the bytes. Re-entrant: a
 * nested call (say, from a getter on the value being encoded) gets a writer of its own.
 */
export function encodeWith(write: (writer: DagWriter) => void): Uint8Array {
  const writer = sharedWriter.busy ? new DagWriter() : sharedWriter;
  writer.busy = true;
  try {
    writer.reset();
    write(writer);
    return writer.take();
  } finally {
    writer.busy = false;
  }
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
