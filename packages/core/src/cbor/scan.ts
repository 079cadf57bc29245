import { CID } from 'multiformats/cid';
import { EncodingError } from '../errors.js';
import { utf8Problem } from '../text/utf8.js';

export const MAX_NESTING_DEPTH = 64;

/** What the strict scan learned that decoding needs. */
export interface ScanResult {
  /** An 8-byte integer occurred: cbor-x returns those as BigInt, which must become Number where safe. */
  hasWideIntegers: boolean;
}

const CID_TAG = 42;

/**
 * Walks DAG-CBOR bytes once and rejects everything that is not strict, canonical DAG-CBOR, naming
 * the byte offset and the field path. cbor-x decodes leniently, so it only sees bytes that pass.
 */
export function scanStrict(bytes: Uint8Array): ScanResult {
  const scanner = new Scanner(bytes);
  scanner.item(0);
  if (scanner.pos !== bytes.length) {
    scanner.fail(`${bytes.length - scanner.pos} trailing byte(s) after the value`, scanner.pos);
  }
  return { hasWideIntegers: scanner.hasWideIntegers };
}

class Scanner {
  pos = 0;
  hasWideIntegers = false;
  private readonly path: (string | number)[] = [];

  constructor(private readonly bytes: Uint8Array) {}

  fail(reason: string, offset: number): never {
    const path = this.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key), '');
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
      return hi * 0x100000000 + lo;
    }
    if (info === 31) this.fail('indefinite-length items are not allowed', start);
    return this.fail(`reserved additional information ${info}`, start);
  }

  item(depth: number): void {
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
      case 1:
        if (info === 27) {
          this.hasWideIntegers = true;
          if (major === 1 && arg === 2 ** 64) this.minNint64(start);
        }
        return;
      case 2:
        this.need(arg, start);
        this.pos += arg;
        return;
      case 3:
        this.text(arg, start);
        return;
      case 4:
        if (arg > this.bytes.length - this.pos) this.fail(`array of ${arg} items cannot fit in the input`, start);
        for (let i = 0; i < arg; i++) {
          this.path.push(i);
          this.item(depth + 1);
          this.path.pop();
        }
        return;
      case 5:
        return this.map(arg, depth, start);
      case 6:
        return this.tag(arg, depth, start);
    }
  }

  /** -1 - (2^64-1) = -(2^64): valid CBOR, but Colophon cannot write it back, so it is refused. */
  private minNint64(start: number): void {
    for (let i = start + 1; i < this.pos; i++) if (this.bytes[i] !== 0xff) return;
    this.fail('integer -18446744073709551616 (-(2^64)) is not supported: the smallest is -(2^64-1)', start);
  }

  private text(length: number, start: number): void {
    this.need(length, start);
    const problem = utf8Problem(this.bytes, this.pos, this.pos + length);
    if (problem) this.fail(`string is not valid UTF-8 (${problem.reason})`, problem.at);
    this.pos += length;
  }

  private map(count: number, depth: number, start: number): void {
    if (count * 2 > this.bytes.length - this.pos) this.fail(`map of ${count} entries cannot fit in the input`, start);
    let previousStart = -1;
    let previousEnd = -1;
    for (let i = 0; i < count; i++) {
      const keyStart = this.pos;
      this.need(1, keyStart);
      if (this.bytes[keyStart]! >> 5 !== 3) this.fail('map keys must be text strings', keyStart);
      this.pos++;
      const length = this.argument(this.bytes[keyStart]! & 31, keyStart);
      const textStart = this.pos;
      this.text(length, keyStart);
      if (previousStart >= 0) {
        const order = compareKeys(this.bytes, previousStart, previousEnd, textStart, this.pos);
        if (order === 0) this.fail(`duplicate map key "${this.keyText(textStart)}"`, keyStart);
        if (order > 0) this.fail(`map keys are not sorted (length first, then bytewise) at "${this.keyText(textStart)}"`, keyStart);
      }
      if (length === 9 && this.keyText(textStart) === '__proto__') this.fail('map key "__proto__" is not allowed', keyStart);
      previousStart = textStart;
      previousEnd = this.pos;
      this.path.push(this.keyText(textStart));
      this.item(depth + 1);
      this.path.pop();
    }
  }

  private keyText(textStart: number): string {
    let key = '';
    for (let i = textStart; i < this.pos; i++) key += String.fromCharCode(this.bytes[i]!);
    return /^[\x20-\x7e]*$/.test(key) ? key : '<non-ASCII key>';
  }

  private tag(tag: number, depth: number, start: number): void {
    if (tag !== CID_TAG) this.fail(`tag ${tag} is not allowed (DAG-CBOR allows only tag 42 for CIDs)`, start);
    const contentStart = this.pos;
    this.need(1, contentStart);
    if (this.bytes[contentStart]! >> 5 !== 2) this.fail('tag 42 must wrap a byte string', contentStart);
    this.item(depth + 1);
    const payloadStart = contentStart + headLength(this.bytes[contentStart]!);
    if (payloadStart >= this.pos || this.bytes[payloadStart] !== 0) {
      this.fail('tag 42 bytes must start with the 0x00 multibase prefix', contentStart);
    }
    const cidBytes = this.bytes.subarray(payloadStart + 1, this.pos);
    let cid: CID;
    try {
      cid = CID.decode(cidBytes);
    } catch (error) {
      return this.fail(`tag 42 does not hold a valid CID (${(error as Error).message})`, contentStart);
    }
    // CID.decode tolerates some non-canonical forms (e.g. v0 behind a version byte); they would not round-trip.
    if (!sameBytes(cid.bytes, cidBytes)) this.fail('tag 42 does not hold a valid CID (not in its canonical binary form)', contentStart);
  }

  private simple(info: number, start: number): void {
    switch (info) {
      case 20:
      case 21:
      case 22:
        return;
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
        return;
      }
      case 31:
        return this.fail('unexpected break (indefinite lengths are not allowed)', start);
      default:
        return this.fail(`simple value ${info} is not allowed`, start);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function headLength(head: number): number {
  const info = head & 31;
  return info < 24 ? 1 : 1 + (1 << (info - 24));
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
