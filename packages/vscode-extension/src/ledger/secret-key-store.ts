// A KeyStore in VS Code's SecretStorage (the OS keychain on desktop), for machines where the CLI's
// key store cannot be reached (a remote or web host). Keys never touch the workspace.
import { checkIdentityName, exportSeed, generateIdentity, identityFromSeed, type KeyStore, type SigningIdentity, type StoredIdentity } from '@colophon/core';

/** The part of vscode.SecretStorage this store uses. */
export interface Secrets {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
}

const PREFIX = 'colophon.identity.';
const INDEX = 'colophon.identities';

export class SecretKeyStore implements KeyStore {
  readonly location = "VS Code's secret storage";

  constructor(private readonly secrets: Secrets) {}

  async create(name: string): Promise<SigningIdentity> {
    checkIdentityName(name);
    if (await this.secrets.get(PREFIX + name)) throw new Error(`identity "${name}" already exists in ${this.location}`);
    const identity = generateIdentity();
    await this.secrets.store(PREFIX + name, Buffer.from(exportSeed(identity)).toString('base64'));
    const names = await this.names();
    await this.secrets.store(INDEX, JSON.stringify([...new Set([...names, name])].sort()));
    return identity;
  }

  async get(name: string): Promise<SigningIdentity | undefined> {
    checkIdentityName(name);
    const stored = await this.secrets.get(PREFIX + name);
    if (!stored) return undefined;
    const seed = Buffer.from(stored, 'base64');
    if (seed.length !== 32) throw new Error(`identity "${name}" in ${this.location} is damaged (not a 32-byte seed)`);
    return identityFromSeed(new Uint8Array(seed));
  }

  async list(): Promise<StoredIdentity[]> {
    const out: StoredIdentity[] = [];
    for (const name of await this.names()) {
      const identity = await this.get(name);
      if (identity) out.push({ name, did: identity.did });
    }
    return out;
  }

  private async names(): Promise<string[]> {
    try {
      const parsed = JSON.parse((await this.secrets.get(INDEX)) ?? '[]') as unknown;
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
    } catch {
      return [];
    }
  }
}
