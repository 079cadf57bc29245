import { generateIdentity, identityFromSeed, exportSeed, type SigningIdentity } from '../identity/identity.js';

export interface StoredIdentity {
  name: string;
  did: string;
}

/** Where private keys live: never in a workspace, a ledger or a log. */
export interface KeyStore {
  /** Where the keys are, for messages ("in ~/.config/colophon/keys"); never the keys themselves. */
  readonly location?: string;
  create(name: string): Promise<SigningIdentity>;
  get(name: string): Promise<SigningIdentity | undefined>;
  list(): Promise<StoredIdentity[]>;
}

export const IDENTITY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export function checkIdentityName(name: string): void {
  if (!IDENTITY_NAME.test(name)) {
    throw new RangeError(`identity name "${name}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
}

export class MemoryKeyStore implements KeyStore {
  private readonly seeds = new Map<string, Uint8Array>();

  async create(name: string): Promise<SigningIdentity> {
    checkIdentityName(name);
    if (this.seeds.has(name)) throw new Error(`identity "${name}" already exists`);
    const identity = generateIdentity();
    this.seeds.set(name, exportSeed(identity));
    return identity;
  }

  async get(name: string): Promise<SigningIdentity | undefined> {
    const seed = this.seeds.get(name);
    return seed ? identityFromSeed(seed) : undefined;
  }

  async list(): Promise<StoredIdentity[]> {
    return [...this.seeds.entries()].map(([name, seed]) => ({ name, did: identityFromSeed(seed).did })).sort((a, b) => a.name.localeCompare(b.name));
  }
}
