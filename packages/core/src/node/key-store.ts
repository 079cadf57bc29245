import { readdir, readFile, stat, mkdir, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, resolve, isAbsolute, sep } from 'node:path';
import { exportSeed, generateIdentity, identityFromSeed, type SigningIdentity } from '../identity/identity.js';
import { checkIdentityName, type KeyStore, type StoredIdentity } from '../store/key-store.js';
import { EnvironmentError } from './environment-error.js';
import { writeFileAtomic } from './fs-durable.js';

/** A key file that cannot be trusted or read (permissions, damage): the machine needs fixing, not the command. */
export class KeyFileError extends EnvironmentError {}

/** The user's key directory: $COLOPHON_KEYS_DIR, else $XDG_CONFIG_HOME/colophon/keys, else ~/.config/colophon/keys. */
export function defaultKeyDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COLOPHON_KEYS_DIR) return resolve(env.COLOPHON_KEYS_DIR);
  const config = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), '.config');
  return join(config, 'colophon', 'keys');
}

/**
 * The user's Colophon configuration directory, outside every workspace: $COLOPHON_CONFIG_DIR, else
 * the folder holding $COLOPHON_KEYS_DIR, else $XDG_CONFIG_HOME/colophon, else ~/.config/colophon.
 */
export function userConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COLOPHON_CONFIG_DIR) return resolve(env.COLOPHON_CONFIG_DIR);
  return resolve(defaultKeyDirectory(env), '..');
}

function isInside(dir: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  // `..keys` is a folder inside root; only `..` itself or `../…` leaves it.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

interface KeyFile {
  version: 1;
  name: string;
  did: string;
  seed: string;
}

/**
 * Private keys as files of mode 0600 in a directory of mode 0700 outside every workspace. Files
 * with looser permissions are refused (as ssh does), since someone else may have read them.
 */
export class FileKeyStore implements KeyStore {
  constructor(
    readonly directory: string = defaultKeyDirectory(),
    workspace?: string,
  ) {
    if (workspace && isInside(directory, workspace)) {
      throw new KeyFileError(`refusing to keep private keys in ${directory}: it is inside the workspace ${workspace}`);
    }
  }

  get location(): string {
    return this.directory;
  }

  private path(name: string): string {
    checkIdentityName(name);
    return join(this.directory, `${name}.key.json`);
  }

  async create(name: string): Promise<SigningIdentity> {
    const path = this.path(name);
    if (await this.exists(path)) throw new Error(`identity "${name}" already exists in ${this.directory}`);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await chmod(this.directory, 0o700);
    const identity = generateIdentity();
    const file: KeyFile = { version: 1, name, did: identity.did, seed: Buffer.from(exportSeed(identity)).toString('base64') };
    await writeFileAtomic(path, `${JSON.stringify(file)}\n`, 0o600);
    return identity;
  }

  async get(name: string): Promise<SigningIdentity | undefined> {
    const path = this.path(name);
    if (!(await this.exists(path))) return undefined;
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) throw new KeyFileError(`key file ${path} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
    let file: KeyFile;
    try {
      file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
    } catch {
      throw new KeyFileError(`key file ${path} is not valid JSON`);
    }
    const seed = typeof file.seed === 'string' ? Buffer.from(file.seed, 'base64') : undefined;
    if (file.version !== 1 || !seed || seed.length !== 32) throw new KeyFileError(`key file ${path} is not a Colophon v1 key file`);
    const identity = identityFromSeed(new Uint8Array(seed));
    if (identity.did !== file.did) throw new KeyFileError(`key file ${path} is damaged: its key does not match its did`);
    return identity;
  }

  async list(): Promise<StoredIdentity[]> {
    let entries: string[];
    try {
      entries = await readdir(this.directory);
    } catch {
      return [];
    }
    const identities: StoredIdentity[] = [];
    for (const entry of entries.sort()) {
      if (!entry.endsWith('.key.json')) continue;
      const name = entry.slice(0, -'.key.json'.length);
      const identity = await this.get(name);
      if (identity) identities.push({ name, did: identity.did });
    }
    return identities;
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }
}
