import { cryptoBackend } from '../crypto/backend.js';
import { didKeyFromPublicKey, publicKeyFromDidKey } from './did-key.js';

/**
 * An Ed25519 identity able to sign. The secret seed stays inside a closure: it is not a property,
 * so it cannot leak through JSON, logging or error messages. Export it only through a key store.
 */
export interface SigningIdentity {
  readonly did: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export const SEED_LENGTH = 32;

const seeds = new WeakMap<SigningIdentity, Uint8Array>();

export function identityFromSeed(seed: Uint8Array): SigningIdentity {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new RangeError(`an Ed25519 secret key must be ${SEED_LENGTH} bytes`);
  }
  // A private copy (never a view, even of a Buffer): the caller may wipe or reuse its buffer, and the
  // pure-JS signer keeps the seed it is given.
  const secret = new Uint8Array(seed);
  const backend = cryptoBackend();
  const publicKey = backend.ed25519PublicKey(secret);
  const signer = backend.ed25519Signer(secret);
  const identity: SigningIdentity = Object.freeze({
    did: didKeyFromPublicKey(publicKey),
    publicKey,
    sign: (message: Uint8Array) => signer(message),
    toJSON: () => ({ did: didKeyFromPublicKey(publicKey) }),
  });
  seeds.set(identity, secret);
  return identity;
}

/** Makes a new identity; `entropy` is required where the platform has no secure random source. */
export function generateIdentity(entropy?: Uint8Array): SigningIdentity {
  const seed = entropy ?? cryptoBackend().randomBytes?.(SEED_LENGTH);
  if (!seed) throw new Error('no secure random source on this platform: pass 32 bytes of entropy');
  return identityFromSeed(seed);
}

/** For key stores only: the seed to persist. */
export function exportSeed(identity: SigningIdentity): Uint8Array {
  const seed = seeds.get(identity);
  if (!seed) throw new Error('this identity was not created by Colophon and cannot be exported');
  return seed.slice();
}

export function verifySignature(did: string, message: Uint8Array, signature: Uint8Array): boolean {
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyFromDidKey(did);
  } catch {
    return false;
  }
  return cryptoBackend().ed25519Verify(signature, message, publicKey);
}
