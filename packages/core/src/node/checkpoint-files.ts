/**
 * Checkpoint notes on disk: `<.colophon>/checkpoints/<did without "did:key:">/<size>.note`, one
 * signed note per feed and size. Notes are never replaced by a different checkpoint: an old note
 * that the feed no longer matches is the evidence that the feed was rewritten.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CID } from '../cid.js';
import { isDidKey } from '../identity/did-key.js';
import type { SigningIdentity } from '../identity/identity.js';
import {
  CheckpointMismatchError,
  cosignFeedCheckpoint,
  feedTree,
  signFeedCheckpoint,
  verifyFeedCheckpoint,
  type FeedCheckpoint,
} from '../ledger/checkpoints.js';
import type { Finding, RawBlock } from '../ledger/verify.js';
import { parseCheckpoint } from '../transparency/checkpoint.js';
import { MerkleTree, leafHash } from '../transparency/merkle.js';
import { unverifiedNoteText } from '../transparency/signed-note.js';
import { feedFileName } from './car-feed-store.js';
import { writeFileAtomic } from './fs-durable.js';

const CHECKPOINTS = 'checkpoints';
const DID_KEY_PREFIX = 'did:key:';
const NOTE_FILE = /^(0|[1-9][0-9]*)\.note$/;

export interface CheckpointFile {
  /** Tree size, from the file name. */
  size: number;
  path: string;
}

export interface CheckpointCheckOptions {
  /** The project's genesis CID: checkpoints of other projects are reported. */
  genesis: CID | string;
  /** Dids of witnesses that must have cosigned every checkpoint. */
  witnesses?: readonly string[];
}

export function checkpointDirectory(colophonDir: string, did: string): string {
  // The did becomes a folder name: only a well-formed did:key may (no "/" or "..").
  if (!isDidKey(did)) throw new RangeError(`${JSON.stringify(did)} is not an Ed25519 did:key`);
  return join(colophonDir, CHECKPOINTS, did.slice(DID_KEY_PREFIX.length));
}

/** The stored checkpoints of one feed, smallest first; none when the feed has no folder yet. */
export async function listCheckpointFiles(colophonDir: string, did: string): Promise<CheckpointFile[]> {
  const dir = checkpointDirectory(colophonDir, did);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Other names (an interrupted atomic write's temporary file) are not checkpoints.
  return names
    .filter((name) => NOTE_FILE.test(name))
    .map((name) => ({ size: Number(name.slice(0, -'.note'.length)), path: join(dir, name) }))
    .filter((file) => Number.isSafeInteger(file.size))
    .sort((a, b) => a.size - b.size);
}

/**
 * Checkpoints the signer's feed at its current size and stores the note, cosigned by each witness.
 * Refuses (CheckpointMismatchError) when any stored checkpoint of the feed fails to verify against
 * it, so neither the signer nor a witness ever signs over a rewritten history. When a note of this
 * size is stored already, the witnesses' cosignatures are added to it.
 */
export async function checkpointFeed(
  colophonDir: string,
  params: { genesis: CID | string; identity: SigningIdentity; records: readonly Uint8Array[]; witnesses?: readonly SigningIdentity[] },
): Promise<{ checkpoint: FeedCheckpoint; path: string }> {
  const { identity, witnesses = [] } = params;
  const files = await listCheckpointFiles(colophonDir, identity.did);
  const tree = feedTree(params.records);
  const findings = await checkFeedFiles(files, identity.did, tree, { genesis: params.genesis });
  if (findings.length > 0) {
    throw new CheckpointMismatchError(
      `the feed of ${identity.did} does not match its stored checkpoints, so it cannot be checkpointed again: ${findings.map((f) => f.message).join('; ')}`,
    );
  }
  const stored = files.find((file) => file.size === tree.size);
  const storedNote = stored && (await readFile(stored.path, 'utf8'));
  const checkpoint = storedNote ? cosignFeedCheckpoint(storedNote, witnesses) : signFeedCheckpoint(params);
  const path = join(checkpointDirectory(colophonDir, identity.did), `${checkpoint.size}.note`);
  if (checkpoint.note !== storedNote) await writeFileAtomic(path, checkpoint.note);
  return { checkpoint, path };
}

/**
 * Checks every stored checkpoint against the feeds, by signer did: each feed's record bytes in seq
 * order, or its tree already built from them (see collectCheckpointedFeeds). Reports
 * 'checkpoint-mismatch' when a feed was rewritten or cut short after a checkpoint of it, and
 * 'bad-checkpoint' when a note is unreadable, malformed, of another feed or project, misnamed, or
 * lacks a valid signature by its feed's signer or by a required witness.
 */
export async function verifyCheckpointFiles(
  colophonDir: string,
  feedsByDid: ReadonlyMap<string, readonly Uint8Array[] | MerkleTree>,
  options: CheckpointCheckOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const folder of await checkpointFolders(colophonDir)) {
    const did = `${DID_KEY_PREFIX}${folder}`;
    if (!isDidKey(did)) {
      const source = join(colophonDir, CHECKPOINTS, folder);
      findings.push({ code: 'bad-checkpoint', message: `${source}: folder name is not the key of a did:key`, source });
      continue;
    }
    // A feed missing altogether checks as an empty one: every checkpoint of it then mismatches.
    const feed = feedsByDid.get(did) ?? [];
    const tree = feed instanceof MerkleTree ? feed : feedTree(feed);
    findings.push(...(await checkFeedFiles(await listCheckpointFiles(colophonDir, did), did, tree, options)));
  }
  return findings;
}

/**
 * Passes feed blocks (from feedBlocks) through unchanged, to verifyBlocks say, while building the
 * Merkle tree of every feed that has stored checkpoints, leaves in file order: what
 * verifyCheckpointFiles needs, without reading the feeds twice or holding their records. Feeds
 * without checkpoints are not hashed, so verifying a ledger without checkpoints costs nothing more.
 */
export async function* collectCheckpointedFeeds(
  colophonDir: string,
  blocks: AsyncIterable<RawBlock>,
  into: Map<string, MerkleTree>,
): AsyncGenerator<RawBlock> {
  const checkpointed = new Set((await checkpointFolders(colophonDir)).map((folder) => `${DID_KEY_PREFIX}${folder}`));
  for await (const block of blocks) {
    const name = basename(block.source);
    const did = `${DID_KEY_PREFIX}${name.replace(/\.car$/, '')}`;
    if (checkpointed.has(did) && feedFileName(did) === name) {
      let tree = into.get(did);
      if (!tree) into.set(did, (tree = new MerkleTree()));
      tree.append(leafHash(block.bytes));
    }
    yield block;
  }
}

/** Names of the per-feed folders under checkpoints/, sorted; none when there is no such folder. */
async function checkpointFolders(colophonDir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(colophonDir, CHECKPOINTS), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function checkFeedFiles(files: readonly CheckpointFile[], did: string, tree: MerkleTree, options: CheckpointCheckOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { size, path } of files) {
    let note: string;
    try {
      note = await readFile(path, 'utf8');
    } catch (error) {
      findings.push({ code: 'bad-checkpoint', message: `${path}: unreadable: ${(error as Error).message}`, source: path, signer: did });
      continue;
    }
    const problems = verifyFeedCheckpoint(note, did, tree, { ...options, source: path });
    findings.push(...problems);
    if (problems.length > 0) continue;
    // Verified just above, so reading the size without verifying again is safe.
    const noted = parseCheckpoint(unverifiedNoteText(note)).size;
    if (noted !== size) {
      findings.push({ code: 'bad-checkpoint', message: `${path}: holds a checkpoint of size ${noted}, but its name says ${size}`, source: path, signer: did });
    }
  }
  return findings;
}
