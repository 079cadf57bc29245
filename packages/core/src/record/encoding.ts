import type { CID } from 'multiformats/cid';
import { allocateBytes, decode, encodeWith, type DagWriter } from '../cbor/codec.js';
import { RecordError } from '../errors.js';
import { recordCid } from '../cid.js';
import { assertValidRecord, MAX_RECORD_BYTES } from './validate.js';
import type { ContributionRecord, UnsignedRecord } from './types.js';

/**
 * Record fields in DAG-CBOR key order (length first, then bytewise). Records have a fixed shape,
 * so the top level is laid out in this order directly instead of sorting every time; every field
 * value is checked and written by the DAG-CBOR writer (which, among other things, accepts CIDs
 * from another copy of multiformats). Fields outside this list are not part of a record.
 */
const CANONICAL_FIELD_ORDER = ['v', 'at', 'by', 'in', 'ext', 'out', 'seq', 'sig', 'kind', 'prev', 'proj', 'agent', 'asset', 'delta', 'links', 'intent', 'rights'] as const;
const SIG_INDEX = CANONICAL_FIELD_ORDER.indexOf('sig');

/** Each field name as a DAG-CBOR text string (all ASCII, shorter than 24 bytes). */
const FIELD_KEY_BYTES = CANONICAL_FIELD_ORDER.map((key) => Uint8Array.from([0x60 | key.length, ...Array.from(key, (ch) => ch.charCodeAt(0))]));

/**
 * Writes the record map; without `withSig` the `sig` field is left out (the form a signature
 * covers). Returns the offset, from the start of the map, where the `sig` entry is or would be.
 */
function writeRecord(writer: DagWriter, fields: Record<string, unknown>, withSig: boolean): number {
  const start = writer.pos;
  // At most 17 fields: the map head is one byte, its count filled in once the fields are written.
  writer.head(5, 0);
  let count = 0;
  let sigOffset = 0;
  for (let i = 0; i < CANONICAL_FIELD_ORDER.length; i++) {
    if (i === SIG_INDEX) {
      sigOffset = writer.pos - start;
      if (!withSig) continue;
    }
    const key = CANONICAL_FIELD_ORDER[i]!;
    const value = fields[key];
    if (value === undefined) continue;
    writer.raw(FIELD_KEY_BYTES[i]!);
    writer.entry(key, value, 1);
    count++;
  }
  writer.patch(start, 0xa0 | count);
  return sigOffset;
}

function checkRecordSize(length: number): void {
  if (length > MAX_RECORD_BYTES) {
    throw new RecordError(`record is ${length} bytes, above the ${MAX_RECORD_BYTES}-byte limit`, '');
  }
}

/** Encodes a record already checked by the validator (fields of the right types). */
export function encodeRecordFields(record: UnsignedRecord | ContributionRecord): Uint8Array {
  const bytes = encodeWith((writer) => {
    writeRecord(writer, record as unknown as Record<string, unknown>, true);
  });
  checkRecordSize(bytes.length);
  return bytes;
}

/** The unsigned encoding of a record, its `sig` (if any) left out, and where `sig` belongs in it. */
export interface UnsignedEncoding {
  /** `prefix` followed by the record's canonical encoding without `sig`. */
  bytes: Uint8Array;
  /** Offset in `bytes` of the record map's head. */
  start: number;
  /** Offset in `bytes` where the `sig` entry goes in the signed encoding. */
  sigAt: number;
}

/**
 * Encodes a record without its `sig` field behind `prefix` in one buffer: the message a record
 * signature covers, with no copy of the record object and no second copy of the bytes. Same bytes
 * and size limit as `encodeRecordFields` of the record minus `sig`.
 */
export function encodeUnsignedRecord(record: UnsignedRecord | ContributionRecord, prefix: Uint8Array): UnsignedEncoding {
  let sigAt = 0;
  const bytes = encodeWith((writer) => {
    writer.raw(prefix);
    sigAt = prefix.length + writeRecord(writer, record as unknown as Record<string, unknown>, false);
  });
  checkRecordSize(bytes.length - prefix.length);
  return { bytes, start: prefix.length, sigAt };
}

/**
 * The signed encoding, spliced from the unsigned one: the same map with one more entry, `sig`, at
 * its place in key order. Byte-identical to `encodeRecordFields` of the signed record; returns
 * undefined when splicing does not apply (a signature that is not 64 bytes).
 */
export function spliceSignature(unsigned: UnsignedEncoding, sig: Uint8Array): Uint8Array | undefined {
  const { bytes, start, sigAt } = unsigned;
  const head = bytes[start]!;
  // 17 fields at most, so the map head stays one byte; anything else is left to the full encoder.
  if (sig.length !== 64 || head >> 5 !== 5 || (head & 31) >= 23) return undefined;
  const entry = 4 + 2 + 64; // "sig" as text, then a byte-string head of 0x58 0x40, then 64 bytes
  const out = allocateBytes(bytes.length - start + entry);
  out[0] = head + 1;
  out.set(bytes.subarray(start + 1, sigAt), 1);
  let pos = sigAt - start;
  out[pos++] = 0x63;
  out[pos++] = 0x73; // s
  out[pos++] = 0x69; // i
  out[pos++] = 0x67; // g
  out[pos++] = 0x58;
  out[pos++] = 64;
  out.set(sig, pos);
  out.set(bytes.subarray(sigAt), pos + 64);
  checkRecordSize(out.length);
  return out;
}

export interface DecodedRecord {
  record: ContributionRecord;
  bytes: Uint8Array;
  cid: CID;
}

/** Decodes and validates one record's bytes; `source` names where they came from in errors. */
export function decodeRecord(bytes: Uint8Array, source = 'record'): DecodedRecord {
  if (bytes.length > MAX_RECORD_BYTES) {
    throw new RecordError(`${source}: ${bytes.length} bytes, above the ${MAX_RECORD_BYTES}-byte record limit`, '');
  }
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    throw new RecordError(`${source}: ${(error as Error).message}`, (error as { path?: string }).path ?? '');
  }
  assertValidRecord(value, source);
  return { record: value as ContributionRecord, bytes, cid: recordCid(bytes) };
}
