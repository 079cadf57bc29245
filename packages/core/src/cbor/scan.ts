import { equals as equalBytes } from 'multiformats/bytes';
import { CID } from 'multiformats/cid';
import { Digest } from 'multiformats/hashes/digest';
import { EncodingError } from '../errors.js';
import { utf8Decode, utf8Problem } from '../text/utf8.js';

export const MAX_NESTING_DEPTH = 64;

/** What the strict scan learned about the bytes. */
export interface ScanResult {
  /** An 8-byte integer occurred. */
  hasWideIntegers: boolean;
}

const CID_TAG = 42;
const TWO_POW_32 = 0x100000000;
const SHA2_256 = 0x12;

// Small byte arrays are carved out of shared 8 KiB blocks (as cbor-x did for its output): a separate
// ArrayBuffer for every few hundred bytes costs more than encoding them, and a tiny array kept on
// V8's heap is moved off it (slowly) the first time its .buffer is read, which multiformats does.
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** A new zeroed Uint8Array of `length` bytes, over memory no other array uses. */
export function allocateBytes(length: number): Uint8Array {
  if (length > SLAB_BYTES / 4) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed = (slabUsed + length + 7) & ~7;
  return out;
}

/** Checks that bytes are strict, canonical DAG-CBOR (see `decodeStrict`), without keeping the value. */
export function scanStrict(bytes: Uint8Array): ScanResult {
  const scanner = new Scanner(bytes);
  scanner.all();
  return { hasWideIntegers: scanner.hasWideIntegers };
}

/**
 * Reads DAG-CBOR in one pass, rejecting everything that is not strict, canonical DAG-CBOR and
 * naming the byte offset and the field path, and building the value as it goes: integers as
 * Number when exact and BigInt beyond, byte strings as copies (never views of the input), CIDs
 * for tag 42, maps as plain objects. `bytes` should be a plain Uint8Array (not a Node Buffer,
 * whose `slice` is a view).
 */
export function decodeStrict(bytes: Uint8Array): unknown {
  return new Scanner(bytes).all();
}

class Scanner {
  pos = 0;
  hasWideIntegers = false;
  /** The two halves of the last 8-byte argument read, for exact BigInts. */
  private hi = 0;
  private lo = 0;
  private readonly path: (string | number)[] = [];

  constructor(private readonly bytes: Uint8Array) {}

  all(): unknown {
    const value = this.item(0);
    if (this.pos !== this.bytes.length) {
      this.fail(`${this.bytes.length - this.pos} trailing byte(s) after the value`, this.pos);
    }
    return value;
  }

  fail(reason: string, offset: number): never {
    // Keys appear in paths only when printable ASCII, as they always have.
    const path = this.path.reduce<string>((acc, key) => {
      if (typeof key === 'number') return `${acc}[${key}]`;
      const shown = /^[\x20-\x7e]*$/.test(key) ? key : '<non-ASCII key>';
      return acc ? `${acc}.${shown}` : shown;
    }, '');
    throw new EncodingError(`invalid DAG-CBOR at byte ${offset}${path ? ` (${path})` : ''}: ${reason}`, path, offset);
  }

  private need(count: number, start: number): void {
    if (this.pos + count > this.bytes.length) this.fail('unexpected end of input', start);
  }

  /** Reads the argument of a head, enforcing the shortest form. Returns a Number (exact below 2^53) . */
  private argument(info: number, start: number): number {
    const b = this.bytes;
    if (info < 24) return info;
    if (info === 24) {
      this.need(1, start);
      const v = b[this.pos++]!;
      if (v < 24) this.fail('integer or length not in its shortest form', start);
      return v;
    }
    if (info === 25) {
      this.need(2, start);
      const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
      this.pos += 2;
      if (v < 0x100) this.fail('integer or length not in its shortest form', start);
      return v;
    }
    if (info === 26) {
      this.need(4, start);
      const v = ((b[this.pos]! << 24) >>> 0) + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
      this.pos += 4;
      if (v < 0x10000) this.fail('integer or length not in its shortest form', start);
      return v;
    }
    if (info === 27) {
      this.need(8, start);
      const hi = ((b[this.pos]! << 24) >>> 0) + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
      const lo = ((b[this.pos + 4]! << 24) >>> 0) + ((b[this.pos + 5]! << 16) | (b[this.pos + 6]! << 8) | b[this.pos + 7]!);
      this.pos += 8;
      if (hi === 0) this.fail('integer or length not in its shortest form', start);
      this.hi = hi;
      this.lo = lo;
      return hi * TWO_POW_32 + lo;
    }
    if (info === 31) this.fail('indefinite-length items are not allowed', start);
    return this.fail(`reserved additional information ${info}`, start);
  }

  item(depth: number): unknown {
    const start = this.pos;
    if (depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`, start);
    this.need(1, start);
    const head = this.bytes[this.pos++]!;
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) return this.simple(info, start);
    const arg = this.argument(info, start);
    switch (major) {
      case 0:
        if (info === 27) {
          this.hasWideIntegers = true;
          // Number whenever exact, as @ipld/dag-cbor does; BigInt beyond 2^53-1.
          if (arg > Number.MAX_SAFE_INTEGER) return (BigInt(this.hi) << 32n) + BigInt(this.lo);
        }
        return arg;
      case 1:
        if (info === 27) {
          this.hasWideIntegers = true;
          if (arg === 2 ** 64) this.minNint64(start);
          if (arg > Number.MAX_SAFE_INTEGER - 1) return -1n - ((BigInt(this.hi) << 32n) + BigInt(this.lo));
        }
        return -1 - arg;
      case 2:
        this.need(arg, start);
        // A copy: decoded bytes never alias (and so never change with) the input.
        return this.bytes.slice(this.pos, (this.pos += arg));
      case 3:
        return this.text(arg, start);
      case 4: {
        if (arg > this.bytes.length - this.pos) this.fail(`array of ${arg} items cannot fit in the input`, start);
        const items = new Array<unknown>(arg);
        for (let i = 0; i < arg; i++) {
          this.path.push(i);
          items[i] = this.item(depth + 1);
          this.path.pop();
        }
        return items;
      }
      case 5:
        return this.map(arg, depth, start);
      default:
        return this.tag(arg, depth, start);
    }
  }

  /** -1 - (2^64-1) = -(2^64): valid CBOR, but Colophon cannot write it back, so it is refused. */
  private minNint64(start: number): void {
    for (let i = start + 1; i < this.pos; i++) if (this.bytes[i] !== 0xff) return;
    this.fail('integer -18446744073709551616 (-(2^64)) is not supported: the smallest is -(2^64-1)', start);
  }

  /** A text string: validated, then decoded (ASCII, the common case, without a second pass). */
  private text(length: number, start: number): string {
    this.need(length, start);
    const b = this.bytes;
    const from = this.pos;
    const end = from + length;
    this.pos = end;
    const text = asciiText(b, from, end);
    if (text !== undefined) return text;
    const problem = utf8Problem(b, from, end);
    if (problem) this.fail(`string is not valid UTF-8 (${problem.reason})`, problem.at);
    return utf8Decode(b, from, end);
  }

  private map(count: number, depth: number, start: number): Record<string, unknown> {
    if (count * 2 > this.bytes.length - this.pos) this.fail(`map of ${count} entries cannot fit in the input`, start);
    const map: Record<string, unknown> = {};
    let previousStart = -1;
    let previousEnd = -1;
    for (let i = 0; i < count; i++) {
      const keyStart = this.pos;
      this.need(1, keyStart);
      if (this.bytes[keyStart]! >> 5 !== 3) this.fail('map keys must be text strings', keyStart);
      this.pos++;
      const length = this.argument(this.bytes[keyStart]! & 31, keyStart);
      const textStart = this.pos;
      const key = this.text(length, keyStart);
      if (previousStart >= 0) {
        const order = compareKeys(this.bytes, previousStart, previousEnd, textStart, this.pos);
        if (order === 0) this.fail(`duplicate map key "${this.keyText(textStart)}"`, keyStart);
        if (order > 0) this.fail(`map keys are not sorted (length first, then bytewise) at "${this.keyText(textStart)}"`, keyStart);
      }
      if (key === '__proto__') this.fail('map key "__proto__" is not allowed', keyStart);
      previousStart = textStart;
      previousEnd = this.pos;
      this.path.push(key);
      map[key] = this.item(depth + 1);
      this.path.pop();
    }
    return map;
  }

  private keyText(textStart: number): string {
    let key = '';
    for (let i = textStart; i < this.pos; i++) key += String.fromCharCode(this.bytes[i]!);
    return /^[\x20-\x7e]*$/.test(key) ? key : '<non-ASCII key>';
  }

  private tag(tag: number, depth: number, start: number): CID {
    if (tag !== CID_TAG) this.fail(`tag ${tag} is not allowed (DAG-CBOR allows only tag 42 for CIDs)`, start);
    const contentStart = this.pos;
    this.need(1, contentStart);
    if (this.bytes[contentStart]! >> 5 !== 2) this.fail('tag 42 must wrap a byte string', contentStart);
    const payloadStart = this.skipByteString(depth + 1);
    if (payloadStart >= this.pos || this.bytes[payloadStart] !== 0) {
      this.fail('tag 42 bytes must start with the 0x00 multibase prefix', contentStart);
    }
    // A copy: the CID never aliases the input.
    const cidBytes = allocateBytes(this.pos - payloadStart - 1);
    cidBytes.set(this.bytes.subarray(payloadStart + 1, this.pos));
    // Nearly every CID is v1 with a one-byte codec and a sha2-256 digest; those are read directly
    // (CID.decode would give an equal CID, after encoding its bytes again).
    if (cidBytes.length === 36 && cidBytes[0] === 1 && cidBytes[1]! < 0x80 && cidBytes[2] === SHA2_256 && cidBytes[3] === 32) {
      return new CID(1, cidBytes[1]!, new Digest(SHA2_256, 32, cidBytes.subarray(4), cidBytes.subarray(2)), cidBytes);
    }
    let cid: CID;
    try {
      cid = CID.decode(cidBytes);
    } catch (error) {
      return this.fail(`tag 42 does not hold a valid CID (${(error as Error).message})`, contentStart);
    }
    // CID.decode tolerates some non-canonical forms (e.g. v0 behind a version byte); they would not round-trip.
    if (!equalBytes(cid.bytes, cidBytes)) this.fail('tag 42 does not hold a valid CID (not in its canonical binary form)', contentStart);
    return cid;
  }

  /** Checks a byte string like `item` does, without copying it out; returns where its content starts. */
  private skipByteString(depth: number): number {
    const start = this.pos;
    if (depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`, start);
    this.need(1, start);
    const length = this.argument(this.bytes[this.pos++]! & 31, start);
    this.need(length, start);
    const contentStart = this.pos;
    this.pos += length;
    return contentStart;
  }

  private simple(info: number, start: number): boolean | null | number {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return this.fail('undefined is not allowed', start);
      case 25:
      case 26:
        return this.fail('floats must be 64-bit', start);
      case 27: {
        this.need(8, start);
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
        const value = view.getFloat64(0);
        this.pos += 8;
        if (!Number.isFinite(value)) this.fail(`${value} is not allowed`, start);
        // -0 included: it is written as the integer 0, as @ipld/dag-cbor does.
        if (Number.isSafeInteger(value)) {
          this.fail(`float ${value} has an integral value and must be encoded as an integer`, start);
        }
        return value;
      }
      case 31:
        return this.fail('unexpected break (indefinite lengths are not allowed)', start);
      default:
        return this.fail(`simple value ${info} is not allowed`, start);
    }
  }
}

// Short ASCII strings recur constantly (map keys, kinds, dids, model names): they are looked up in
// a small cache by a hash of their bytes instead of being built again, which also hands out the
// same string objects (hash codes already computed) for later lookups in maps.
const TEXT_CACHE_SIZE = 1024;
const CACHED_TEXT_MAX = 64;
// Marked pure so that bundles which only encode (the capture bundle) leave the cache out.
const textCache: (string | undefined)[] = /* @__PURE__ */ new Array<string | undefined>(TEXT_CACHE_SIZE);

/** The text of bytes[from, end) when they are all ASCII, else undefined. */
function asciiText(b: Uint8Array, from: number, end: number): string | undefined {
  const length = end - from;
  let hash = length;
  for (let i = from; i < end; i++) {
    const byte = b[i]!;
    if (byte >= 0x80) return undefined;
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  if (length > CACHED_TEXT_MAX) return latin1Text(b, from, end);
  const slot = (hash ^ (hash >>> 15)) & (TEXT_CACHE_SIZE - 1);
  const cached = textCache[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === b[from + i]) i++;
    if (i === length) return cached;
  }
  const text = latin1Text(b, from, end);
  textCache[slot] = text;
  return text;
}

/** One character per byte (for ASCII bytes, their text), in chunks that stay clear of argument limits. */
function latin1Text(b: Uint8Array, from: number, end: number): string {
  let text = '';
  for (let i = from; i < end; i += 4096) {
    text += String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return text;
}

/** DAG-CBOR key order: shorter keys first, then bytewise. */
function compareKeys(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  if (aLength !== bLength) return aLength - bLength;
  for (let i = 0; i < aLength; i++) {
    const d = bytes[aStart + i]! - bytes[bStart + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
