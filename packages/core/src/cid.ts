import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from './crypto/backend.js';

export { CID };

export const DAG_CBOR_CODE = 0x71 as const;
export const RAW_CODE = 0x55 as const;
export const SHA2_256_CODE = 0x12;

/**
 * CIDv1 with a sha2-256 digest, built from its final 36 bytes in one go: CID.createV1 re-encodes
 * the varints and re-wraps small arrays, which costs more than the hash on every record.
 */
function sha256Cid(codec: typeof DAG_CBOR_CODE | typeof RAW_CODE, digest: Uint8Array): CID {
  const bytes = new Uint8Array(new ArrayBuffer(36));
  bytes[0] = 0x01;
  bytes[1] = codec;
  bytes[2] = SHA2_256_CODE;
  bytes[3] = 32;
  bytes.set(digest, 4);
  return new CID(1, codec, new Digest.Digest(SHA2_256_CODE, 32, bytes.subarray(4), bytes.subarray(2)), bytes);
}

/** Id of a DAG-CBOR block (records): CIDv1, dag-cbor, sha2-256. */
export function recordCid(encoded: Uint8Array): CID {
  return sha256Cid(DAG_CBOR_CODE, sha256(encoded));
}

/** Id of raw content (asset bytes, blobs): CIDv1, raw, sha2-256. */
export function contentCid(bytes: Uint8Array): CID {
  return sha256Cid(RAW_CODE, sha256(bytes));
}

/** Content id from a sha2-256 digest computed elsewhere (e.g. streamed over a large file). */
export function contentCidFromDigest(digest: Uint8Array): CID {
  if (digest.length !== 32) throw new RangeError(`sha2-256 digest must be 32 bytes, got ${digest.length}`);
  return sha256Cid(RAW_CODE, digest);
}

/** True when `bytes` hash to `cid` (sha2-256 only; anything else is refused rather than trusted). */
export function cidMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA2_256_CODE) return false;
  const digest = sha256(bytes);
  const expected = cid.multihash.digest;
  if (digest.length !== expected.length) return false;
  for (let i = 0; i < digest.length; i++) if (digest[i] !== expected[i]) return false;
  return true;
}

export function parseCid(text: string, what = 'CID'): CID {
  try {
    return CID.parse(text);
  } catch {
    throw new RangeError(`${what} "${text.length > 80 ? `${text.slice(0, 80)}…` : text}" is not a valid CID`);
  }
}
