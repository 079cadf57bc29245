import * as ed from '@noble/ed25519';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';

ed.hashes.sha512 = sha512;

/** Signs messages with one fixed secret key; backends may cache a prepared key object inside. */
export type MessageSigner = (message: Uint8Array) => Uint8Array;

/**
 * The primitives Colophon needs. The main entry ships a pure-JS backend (runs anywhere, even in
 * Figma's QuickJS sandbox); `@colophon/core/node` provides a node:crypto backend with identical
 * results, installed with `useCryptoBackend`.
 */
export interface CryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Signer(seed: Uint8Array): MessageSigner;
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Cryptographically secure random bytes, or undefined where the platform has no source. */
  randomBytes?(length: number): Uint8Array;
}

interface MaybeWebCrypto {
  crypto?: { getRandomValues?(array: Uint8Array): Uint8Array };
}

export const pureJsBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => nobleSha256(data),
  ed25519PublicKey: (seed) => ed.getPublicKey(seed),
  ed25519Signer: (seed) => (message) => ed.sign(message, seed),
  ed25519Verify: (signature, message, publicKey) => {
    try {
      return ed.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
  // Absent where the platform has no secure source (Figma's QuickJS): callers see undefined and
  // ask for entropy, rather than a function that throws when called.
  get randomBytes() {
    const webCrypto = (globalThis as MaybeWebCrypto).crypto;
    if (!webCrypto?.getRandomValues) return undefined;
    return (length: number) => webCrypto.getRandomValues!(new Uint8Array(length));
  },
};

let active: CryptoBackend = pureJsBackend;

export function useCryptoBackend(backend: CryptoBackend): void {
  active = backend;
}

export function cryptoBackend(): CryptoBackend {
  return active;
}

export function sha256(data: Uint8Array): Uint8Array {
  return active.sha256(data);
}
