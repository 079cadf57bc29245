import { base58btc } from 'multiformats/bases/base58';

const ED25519_PUB_PREFIX = [0xed, 0x01];
const DID_KEY_PREFIX = 'did:key:';

/** did:key for an Ed25519 public key: multibase base58btc of the multicodec 0xed varint and the key. */
export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_PUB_PREFIX, 0);
  bytes.set(publicKey, 2);
  return DID_KEY_PREFIX + base58btc.encode(bytes);
}

// Verifying a ledger parses the same few signers' dids again and again.
const parsedKeys = new Map<string, Uint8Array>();
const PARSED_KEYS_LIMIT = 4096;

/** The Ed25519 public key inside a did:key; throws a RangeError saying what is wrong otherwise. */
export function publicKeyFromDidKey(did: string): Uint8Array {
  const cached = parsedKeys.get(did);
  if (cached) return cached.slice();
  const key = parseDidKey(did);
  if (parsedKeys.size >= PARSED_KEYS_LIMIT) parsedKeys.clear();
  parsedKeys.set(did, key);
  return key.slice();
}

function parseDidKey(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX)) throw new RangeError(`"${String(did)}" is not a did:key`);
  const multibase = did.slice(DID_KEY_PREFIX.length);
  if (!multibase.startsWith('z')) throw new RangeError(`did:key "${did}" is not base58btc (must start with "z")`);
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(multibase);
  } catch {
    throw new RangeError(`did:key "${did}" has invalid base58btc`);
  }
  if (bytes[0] !== ED25519_PUB_PREFIX[0] || bytes[1] !== ED25519_PUB_PREFIX[1]) {
    throw new RangeError(`did:key "${did}" is not an Ed25519 key (multicodec 0xed)`);
  }
  if (bytes.length !== 34) throw new RangeError(`did:key "${did}" holds ${bytes.length - 2} key bytes, expected 32`);
  return bytes.slice(2);
}

export function isDidKey(did: unknown): did is string {
  if (typeof did !== 'string') return false;
  try {
    publicKeyFromDidKey(did);
    return true;
  } catch {
    return false;
  }
}
