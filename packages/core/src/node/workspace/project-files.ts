import { lstat, mkdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseCid } from '../../cid.js';
import type { SigningIdentity } from '../../identity/identity.js';
import { Project } from '../../ledger/project.js';
import { checkIdentityName, IDENTITY_NAME, type KeyStore } from '../../store/key-store.js';
import { FileBlobStore } from '../blob-store.js';
import { CarFeedStore } from '../car-feed-store.js';
import { writeFileAtomic } from '../fs-durable.js';
import { defaultKeyDirectory, FileKeyStore } from '../key-store.js';
import { assertSafe } from '../safe-files.js';
import { WorkspaceError } from './errors.js';
import type { CreateOptions, LocalSettings, OpenOptions, ProjectLocation, Workspace } from './interface.js';

export const COLOPHON_DIR = '.colophon';
const PROJECT_FILE = 'project.json';
const LOCAL_FILE = 'local.json';
/** Kept out of git: the lock, who "I" am on this machine, and off-ledger personal data. */
const GITIGNORE = ['ledger.lock', LOCAL_FILE, 'blobs/', 'outbox/', ''].join('\n');

interface ProjectFile {
  version: 1;
  genesis: string;
}

/** The nearest folder at or above `from` that holds a `.colophon/project.json`. */
export async function findProjectRoot(from: string): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    if (await present(join(dir, COLOPHON_DIR, PROJECT_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Whether anything is at `path`, a dangling link included (opening it then refuses the link by name). */
async function present(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Finds the project at or above `from` and reads which genesis it is, without opening its feeds. */
export async function locateProject(from: string): Promise<ProjectLocation> {
  const root = await findProjectRoot(from);
  if (!root) throw new WorkspaceError('usage', `no Colophon project in ${resolve(from)} or above; run "colophon init" first`);
  const dir = join(root, COLOPHON_DIR);
  const projectPath = join(dir, PROJECT_FILE);
  await assertSafe(dir, 'directory');
  await assertSafe(projectPath, 'file');
  let file: ProjectFile;
  try {
    file = JSON.parse(await readFile(projectPath, 'utf8')) as ProjectFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    throw new WorkspaceError('refused', `${projectPath} is not valid JSON`);
  }
  if (file === null || file.version !== 1 || typeof file.genesis !== 'string') throw new WorkspaceError('refused', `${projectPath} is not a Colophon v1 project file`);
  let genesis;
  try {
    genesis = parseCid(file.genesis, `genesis in ${projectPath}`);
  } catch (error) {
    throw new WorkspaceError('refused', (error as Error).message);
  }
  return { root, dir, genesis };
}

/** The key store a workspace uses unless told otherwise: files outside every project. */
export function defaultKeyStore(root: string): KeyStore {
  return new FileKeyStore(defaultKeyDirectory(), root);
}

/** Opens the project at or above `from`: its feeds (seeing other processes' appends), blobs and keys. */
export async function openWorkspace(from: string, options: OpenOptions = {}): Promise<Workspace> {
  const location = await locateProject(from);
  const feeds = await CarFeedStore.open(location.dir, options.onCut ? { onCut: options.onCut } : {});
  const genesis = await feeds.get(location.genesis);
  if (!genesis) throw new WorkspaceError('refused', `${join(location.dir, PROJECT_FILE)} names genesis ${location.genesis}, which is not in the feeds`);
  return {
    ...location,
    project: Project.open(genesis, feeds),
    feeds,
    blobs: new FileBlobStore(join(location.dir, 'blobs')),
    keys: options.keys ?? defaultKeyStore(location.root),
  };
}

/** Creates a project in `<root>/.colophon`, its owner's identity too when the key store lacks it. */
export async function createWorkspace(root: string, options: CreateOptions): Promise<Workspace & { ownerCreated: boolean }> {
  root = resolve(root);
  const dir = join(root, COLOPHON_DIR);
  if (await present(join(dir, PROJECT_FILE))) {
    throw new WorkspaceError('usage', `${root} already holds a Colophon project (${dir})`);
  }
  checkedIdentityName(options.owner);
  const keys = options.keys ?? defaultKeyStore(root);
  let owner: SigningIdentity | undefined = await keys.get(options.owner);
  const ownerCreated = !owner;
  owner ??= await keys.create(options.owner);
  await assertSafe(dir, 'directory');
  await mkdir(dir, { recursive: true });
  const feeds = await CarFeedStore.open(dir, options.onCut ? { onCut: options.onCut } : {});
  const project = await Project.create(options.name ?? (basename(root) || 'project'), owner, feeds);
  await writeProjectFiles(dir, project.id.toString(), options.owner);
  return { root, dir, genesis: project.id, project, feeds, blobs: new FileBlobStore(join(dir, 'blobs')), keys, ownerCreated };
}

/** Writes project.json (and local.json when an identity is given) and the .gitignore. */
export async function writeProjectFiles(dir: string, genesis: string, identity: string | undefined): Promise<void> {
  await assertSafe(join(dir, PROJECT_FILE), 'file');
  await writeFileAtomic(join(dir, PROJECT_FILE), `${JSON.stringify({ version: 1, genesis } satisfies ProjectFile, null, 2)}\n`);
  if (identity) await writeLocalSettings(dir, { identity });
  await writeFileAtomic(join(dir, '.gitignore'), GITIGNORE);
}

export async function readLocalSettings(dir: string): Promise<LocalSettings> {
  const path = join(dir, LOCAL_FILE);
  await assertSafe(path, 'file');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LocalSettings;
    return typeof parsed?.identity === 'string' ? { identity: parsed.identity } : {};
  } catch {
    throw new WorkspaceError('refused', `${path} is not valid JSON`);
  }
}

export async function writeLocalSettings(dir: string, settings: LocalSettings): Promise<void> {
  const path = join(dir, LOCAL_FILE);
  await assertSafe(path, 'file');
  await writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);
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

/** An identity name from a user: one that is not valid (`../evil`) is a usage problem. */
export function checkedIdentityName(name: string): string {
  try {
    checkIdentityName(name);
  } catch (error) {
    throw new WorkspaceError('usage', (error as Error).message);
  }
  return name;
}

/** The identity that signs: `name`, else this machine's default for the project, else defaultIdentityName(). */
export async function signingIdentity(ws: Workspace, name?: string): Promise<{ name: string; identity: SigningIdentity }> {
  const chosen = checkedIdentityName(name ?? (await readLocalSettings(ws.dir)).identity ?? defaultIdentityName());
  const identity = await ws.keys.get(chosen);
  if (!identity) throw new WorkspaceError('usage', `no identity named "${chosen}"${ws.keys.location ? ` in ${ws.keys.location}` : ''}; create it with "colophon id new ${chosen}"`);
  return { name: chosen, identity };
}
