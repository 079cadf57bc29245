import * as nodeCrypto from 'node:crypto';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { CryptoBackend } from '../crypto/backend.js';

// PKCS#8 and SPKI DER prefixes for a raw 32-byte Ed25519 key (RFC 8410).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

function concat(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.concat([a, b]);
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error(`Ed25519 secret key must be 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: concat(PKCS8_PREFIX, seed), format: 'der', type: 'pkcs8' });
}

// Verifiers see the same few public keys over and over (one per signer), so parsed keys are kept.
const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
  let key = publicKeyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: concat(SPKI_PREFIX, publicKey), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
    publicKeyCache.set(id, key);
  }
  return key;
}

// crypto.hash (Node >= 20.12) skips the Hash object that createHash builds for every call.
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export const nodeCryptoBackend: CryptoBackend = {
  name: 'node:crypto',
  sha256: (data) => toBytes(oneShotHash ? oneShotHash('sha256', data, 'buffer') : createHash('sha256').update(data).digest()),
  ed25519PublicKey(seed) {
    const spki = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
    return toBytes(spki.subarray(SPKI_PREFIX.length));
  },
  ed25519Signer(seed) {
    const key = privateKeyObject(seed);
    return (message) => toBytes(sign(null, message, key));
  },
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return verify(null, message, publicKeyObject(publicKey), signature);
    } catch {
      return false;
    }
  },
  randomBytes: (length) => toBytes(randomBytes(length)),
};
