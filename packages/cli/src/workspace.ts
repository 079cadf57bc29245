// The CLI's view of the workspace API in @colophon/core/node (which the VS Code extension and
// `colophon watch` share), plus what only a command line needs: CID arguments as usage errors,
// and telling the user when an append cut a torn tail.
import { parseCid, type CID, type DecodedRecord, type KeyStore } from '@colophon/core';
import { defaultKeyStore, openWorkspace as openProjectWorkspace, type Workspace } from '@colophon/core/node';
import { CheckFailedError, UsageError } from './errors.js';
import { processIo } from './output.js';

export {
  COLOPHON_DIR,
  findProjectRoot as findRoot,
  locateProject,
  writeProjectFiles,
  defaultIdentityName,
  signingIdentity,
  type ProjectLocation,
  type Workspace,
} from '@colophon/core/node';

export function keyStoreFor(root: string): KeyStore {
  return defaultKeyStore(root);
}

/**
 * Opens the project at or above `cwd`. A torn tail (a crash mid-append) is reported on stderr and
 * left in place; an append that cuts one says so.
 */
export async function openWorkspace(cwd: string): Promise<Workspace> {
  const ws = await openProjectWorkspace(cwd, { onCut: (cut) => processIo.err(`colophon: cut an incomplete final block (${cut.bytes} bytes at byte ${cut.offset}, a crash mid-append) off ${cut.file} before appending`) });
  for (const torn of ws.feeds.report.torn) {
    processIo.err(`colophon: warning: ${torn.file} ends with an incomplete block (${torn.bytes} bytes at byte ${torn.offset}, a crash mid-append); it was left as is: "colophon repair" cuts it`);
  }
  return ws;
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

/** did -> local identity name, to show people rather than keys. */
export async function identityNames(keys: KeyStore): Promise<Map<string, string>> {
  const list = await keys.list();
  return new Map(list.map(({ name, did }) => [did, name]));
}
