import type { CID } from 'multiformats/cid';
import { checkString, decode, encodePrepared, prepare, prepareNumber } from '../cbor/codec.js';
import { RecordError } from '../errors.js';
import { recordCid } from '../cid.js';
import { assertValidRecord, MAX_RECORD_BYTES } from './validate.js';
import type { ContributionRecord, UnsignedRecord } from './types.js';

/**
 * Record fields in DAG-CBOR key order (length first, then bytewise). Records have a fixed shape,
 * so the top level is laid out in this order directly instead of sorting every time; only the
 * small nested maps go through the generic preparation.
 */
const CANONICAL_FIELD_ORDER = ['v', 'at', 'by', 'in', 'ext', 'out', 'seq', 'sig', 'kind', 'prev', 'proj', 'agent', 'asset', 'delta', 'links', 'intent', 'rights'] as const;
const NESTED_MAPS = new Set(['ext', 'agent', 'delta', 'intent', 'rights']);

/** Encodes a record already checked by the validator (fields of the right types). */
export function encodeRecordFields(record: UnsignedRecord | ContributionRecord): Uint8Array {
  const fields = record as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of CANONICAL_FIELD_ORDER) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value === 'number') ordered[key] = prepareNumber(value, key);
    else if (typeof value === 'string') ordered[key] = checkString(value, key);
    else if (NESTED_MAPS.has(key)) ordered[key] = prepare(value, key, 1);
    else ordered[key] = value;
  }
  const bytes = encodePrepared(ordered);
  if (bytes.length > MAX_RECORD_BYTES) {
    throw new RecordError(`record is ${bytes.length} bytes, above the ${MAX_RECORD_BYTES}-byte limit`, '');
  }
  return bytes;
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
