// This user's signing key, kept in figma.clientStorage: on this machine only, never in the
// document, a log or a message. The main thread has no entropy source, so a new key's seed comes
// from the panel's crypto.getRandomValues.
import { SEED_LENGTH, base64Decode, base64Encode, exportSeed, generateIdentity, identityFromSeed, type SigningIdentity } from '@colophon/core/record';

export const IDENTITY_KEY = 'colophon.identity';

export async function loadIdentity(storage: ClientStorageAPI, entropy: (length: number) => Promise<Uint8Array>): Promise<SigningIdentity> {
  const stored = (await storage.getAsync(IDENTITY_KEY)) as { seed?: unknown } | undefined;
  if (stored && typeof stored.seed === 'string') {
    const seed = base64Decode(stored.seed);
    if (seed.length === SEED_LENGTH) return identityFromSeed(seed);
  }
  const identity = generateIdentity(await entropy(SEED_LENGTH));
  await storage.setAsync(IDENTITY_KEY, { seed: base64Encode(exportSeed(identity)), did: identity.did });
  return identity;
}
