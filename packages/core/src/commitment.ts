import type { CID } from 'multiformats/cid';
import { decode, encode } from './cbor/codec.js';
import { cidMatches, contentCid } from './cid.js';
import { cryptoBackend } from './crypto/backend.js';

export const COMMITMENT_SALT_BYTES = 32;

/**
 * A prompt kept private: the ledger holds only `commit`, the CID of the opening (salt and text as
 * DAG-CBOR). The opening goes to a blob store under that same CID, so whoever holds the blob can
 * prove the text, and deleting the blob erases the text without breaking any record.
 */
export interface Commitment {
  commit: CID;
  opening: Uint8Array;
}

export function commitText(text: string, salt?: Uint8Array): Commitment {
  const s = salt ?? cryptoBackend().randomBytes?.(COMMITMENT_SALT_BYTES);
  if (!s || s.length < 16) throw new RangeError('a commitment needs at least 16 bytes of random salt');
  const opening = encode({ salt: s, text });
  return { commit: contentCid(opening), opening };
}

/** Returns the committed text when `opening` opens `commit`; throws saying why otherwise. */
export function openCommitment(commit: CID, opening: Uint8Array): string {
  if (!cidMatches(commit, opening)) throw new RangeError(`the opening does not match commitment ${commit.toString()}`);
  const value = decode(opening) as { salt?: unknown; text?: unknown };
  if (!(value.salt instanceof Uint8Array) || typeof value.text !== 'string') {
    throw new RangeError(`the opening of ${commit.toString()} is not {salt, text}`);
  }
  return value.text;
}
