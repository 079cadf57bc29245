// Stand-in for the workspace API of @colophon/core/node (branch `ledger`, not landed yet): the
// same four functions with the same signatures, so switching is an import change.
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { IDENTITY_NAME, parseCid, Project, verifyBlocks, type Finding, type KeyStore, type SigningIdentity, type VerifyReport } from '@colophon/core';
import { CarFeedStore, FileBlobStore, FileKeyStore, feedBlocks } from '@colophon/core/node';

export interface Workspace {
  root: string;
  dir: string;
  project: Project;
  feeds: CarFeedStore;
  blobs: FileBlobStore;
  keys: KeyStore;
}

export async function findProjectRoot(from: string): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    if (await stat(join(dir, '.colophon', 'project.json')).then(() => true, () => false)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function genesisOf(dir: string) {
  const file = JSON.parse(await readFile(join(dir, 'project.json'), 'utf8')) as { genesis: string };
  return parseCid(file.genesis, 'genesis');
}

export async function openWorkspace(root: string): Promise<Workspace> {
  const dir = join(root, '.colophon');
  const feeds = await CarFeedStore.open(dir);
  const genesis = await feeds.get(await genesisOf(dir));
  if (!genesis) throw new Error(`${dir}/project.json names a genesis that is not in the feeds`);
  return { root, dir, project: Project.open(genesis, feeds), feeds, blobs: new FileBlobStore(join(dir, 'blobs')), keys: new FileKeyStore(undefined, root) };
}

export async function signingIdentity(ws: Workspace, name?: string): Promise<{ name: string; identity: SigningIdentity }> {
  let local: string | undefined;
  try {
    local = (JSON.parse(await readFile(join(ws.dir, 'local.json'), 'utf8')) as { identity?: string }).identity;
  } catch {
    local = undefined;
  }
  let login = 'me';
  try {
    login = userInfo().username;
  } catch {
    // no passwd entry
  }
  const chosen = name ?? process.env.COLOPHON_IDENTITY ?? local ?? (IDENTITY_NAME.test(login) ? login : 'me');
  const identity = await ws.keys.get(chosen);
  if (!identity) throw new Error(`no identity named "${chosen}"; create it with "colophon id new ${chosen}"`);
  return { name: chosen, identity };
}

export async function verifyWorkspace(root: string): Promise<VerifyReport> {
  const dir = join(root, '.colophon');
  const genesis = await genesisOf(dir);
  const problems: Finding[] = [];
  const report = await verifyBlocks(feedBlocks(dir, (finding) => problems.push(finding), { project: genesis }), { genesis });
  report.findings.unshift(...problems);
  report.ok = report.findings.length === 0;
  return report;
}
