import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { IDENTITY_NAME, parseCid, Project, type CID, type DecodedRecord, type SigningIdentity, type StoredIdentity } from '@colophon/core';
import { CarFeedStore, FileBlobStore, FileKeyStore, writeFileAtomic } from '@colophon/core/node';
import { CheckFailedError, UsageError } from './errors.js';

export const COLOPHON_DIR = '.colophon';
const PROJECT_FILE = 'project.json';
const LOCAL_FILE = 'local.json';
/** Kept out of git: the lock, who "I" am on this machine, and off-ledger personal data. */
const GITIGNORE = ['ledger.lock', `${LOCAL_FILE}`, 'blobs/', 'outbox/', ''].join('\n');

interface ProjectFile {
  version: 1;
  genesis: string;
}

interface LocalFile {
  identity?: string;
}

export interface Workspace {
  root: string;
  dir: string;
  project: Project;
  feeds: CarFeedStore;
  blobs: FileBlobStore;
  keys: FileKeyStore;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `from` that holds a `.colophon` project. */
export async function findRoot(from: string): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    if (await exists(join(dir, COLOPHON_DIR, PROJECT_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function keyStoreFor(root: string): FileKeyStore {
  return new FileKeyStore(undefined, root);
}

/** The identity name used when none is given: $COLOPHON_IDENTITY, else the login name. */
export function defaultIdentityName(): string {
  const fromEnv = process.env.COLOPHON_IDENTITY;
  if (fromEnv) return fromEnv;
  let login = 'me';
  try {
    login = userInfo().username;
  } catch {
    // No passwd entry (containers): keep the fallback.
  }
  const cleaned = login.replace(/[^a-zA-Z0-9._-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return IDENTITY_NAME.test(cleaned) ? cleaned : 'me';
}

/** A CID given on the command line: a malformed one is a usage error. */
export function cidArgument(text: string, what = 'CID'): CID {
  try {
    return parseCid(text, what);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The record a command names, from this project's ledger. */
export async function recordArgument(ws: Workspace, text: string): Promise<DecodedRecord> {
  const cid = cidArgument(text);
  const found = await ws.feeds.get(cid);
  if (!found) throw new CheckFailedError(`record ${cid} is not in this project`);
  return found;
}

export interface ProjectLocation {
  root: string;
  dir: string;
  genesis: CID;
}

/** Finds the project and reads which genesis it is, without opening (and so trusting) its feeds. */
export async function locateProject(cwd: string): Promise<ProjectLocation> {
  const root = await findRoot(cwd);
  if (!root) throw new UsageError(`no Colophon project in ${cwd} or above; run "colophon init" first`);
  const dir = join(root, COLOPHON_DIR);
  const projectPath = join(dir, PROJECT_FILE);
  let file: ProjectFile;
  try {
    file = JSON.parse(await readFile(projectPath, 'utf8')) as ProjectFile;
  } catch {
    throw new Error(`${projectPath} is not valid JSON`);
  }
  if (file.version !== 1 || typeof file.genesis !== 'string') throw new Error(`${projectPath} is not a Colophon v1 project file`);
  return { root, dir, genesis: parseCid(file.genesis, `genesis in ${projectPath}`) };
}

export async function openWorkspace(cwd: string): Promise<Workspace> {
  const { root, dir, genesis: genesisCid } = await locateProject(cwd);
  const feeds = await CarFeedStore.open(dir);
  const genesis = await feeds.get(genesisCid);
  if (!genesis) throw new Error(`${join(dir, PROJECT_FILE)} names genesis ${genesisCid}, which is not in the feeds`);
  return { root, dir, project: Project.open(genesis, feeds), feeds, blobs: new FileBlobStore(join(dir, 'blobs')), keys: keyStoreFor(root) };
}

export async function writeProjectFiles(dir: string, genesis: string, identity: string | undefined): Promise<void> {
  await writeFileAtomic(join(dir, PROJECT_FILE), `${JSON.stringify({ version: 1, genesis } satisfies ProjectFile, null, 2)}\n`);
  if (identity) await writeFileAtomic(join(dir, LOCAL_FILE), `${JSON.stringify({ identity } satisfies LocalFile, null, 2)}\n`);
  await writeFileAtomic(join(dir, '.gitignore'), GITIGNORE);
}

async function localIdentityName(dir: string): Promise<string | undefined> {
  try {
    const local = JSON.parse(await readFile(join(dir, LOCAL_FILE), 'utf8')) as LocalFile;
    return local.identity;
  } catch {
    return undefined;
  }
}

/** The identity that signs: `--as NAME`, else this machine's default for the project. */
export async function signingIdentity(ws: Workspace, as: string | undefined): Promise<{ name: string; identity: SigningIdentity }> {
  const name = as ?? (await localIdentityName(ws.dir)) ?? defaultIdentityName();
  const identity = await ws.keys.get(name);
  if (!identity) throw new UsageError(`no identity named "${name}" in ${ws.keys.directory}; create it with "colophon id new ${name}"`);
  return { name, identity };
}

/** did -> local identity name, to show people rather than keys. */
export async function identityNames(keys: FileKeyStore): Promise<Map<string, string>> {
  const list: StoredIdentity[] = await keys.list();
  return new Map(list.map(({ name, did }) => [did, name]));
}
