import type { CID } from 'multiformats/cid';
import { recordCid } from '../cid.js';
import { RecordError } from '../errors.js';
import { verifySignature, type SigningIdentity } from '../identity/identity.js';
import { encodeRecordFields, encodeUnsignedRecord, spliceSignature } from './encoding.js';
import type { ContributionRecord, RecordFields, UnsignedRecord } from './types.js';
import { CONTRIBUTION_RECORD_VERSION } from './types.js';
import { assertValidRecord } from './validate.js';

/** Domain separation: a record signature can never be replayed as a signature over anything else. */
export const RECORD_SIGNATURE_DOMAIN = 'colophon/record/v1\n';
const DOMAIN_BYTES = Uint8Array.from(RECORD_SIGNATURE_DOMAIN, (ch) => ch.charCodeAt(0));

export function signatureMessage(unsignedEncoding: Uint8Array): Uint8Array {
  const message = new Uint8Array(DOMAIN_BYTES.length + unsignedEncoding.length);
  message.set(DOMAIN_BYTES, 0);
  message.set(unsignedEncoding, DOMAIN_BYTES.length);
  return message;
}

export interface SignedRecord {
  record: ContributionRecord;
  bytes: Uint8Array;
  cid: CID;
}

/** Validates, signs and encodes a record; `by` must be the signer's did. */
export function signRecord(fields: RecordFields, signer: SigningIdentity): SignedRecord {
  if (fields.by !== signer.did) {
    throw new RecordError(`record "by" is ${fields.by} but the signing identity is ${signer.did}`, 'by');
  }
  const unsigned: UnsignedRecord = { v: CONTRIBUTION_RECORD_VERSION, ...fields };
  assertValidRecord(unsigned, `${fields.kind} record`, { requireSignature: false });
  // The message is written behind the domain prefix in one go, and the signed bytes are spliced
  // from it (the same map plus the sig entry) instead of encoding the record a second time.
  const message = encodeUnsignedRecord(unsigned, DOMAIN_BYTES);
  const sig = signer.sign(message.bytes);
  // `unsigned` is this function's own copy of the fields: it becomes the signed record.
  const record = unsigned as ContributionRecord;
  record.sig = sig;
  const bytes = spliceSignature(message, sig) ?? encodeRecordFields(record);
  return { record, bytes, cid: recordCid(bytes) };
}

/** True when the record's signature is valid for its `by` did over its own fields. */
export function verifyRecordSignature(record: ContributionRecord): boolean {
  return verifySignature(record.by, encodeUnsignedRecord(record, DOMAIN_BYTES).bytes, record.sig);
}
