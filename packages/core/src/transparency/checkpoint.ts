/**
 * C2SP tlog checkpoints (https://c2sp.org/tlog-checkpoint): a Merkle tree head as signed-note text.
 * Malformed checkpoint text throws CheckpointError; signature problems throw NoteError.
 */
import { ColophonError } from '../errors.js';
import { base64Decode, base64Encode } from '../text/base64.js';
import { HASH_SIZE } from './merkle.js';
import { openNote, signNote } from './signed-note.js';
import type { NoteSignature, NoteSigner, NoteVerifier } from './signed-note.js';

/** Checkpoint text that does not follow the tlog-checkpoint format, or is for another log. */
export class CheckpointError extends ColophonError {}

export interface Checkpoint {
  /** Identifies the log; conventionally a schema-less URL, but only non-empty is required. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 9162 root hash of the tree at that size. */
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root hash; the spec discourages them. Omitted when none. */
  readonly extensions?: readonly string[];
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** Names of the known keys (the log's, witnesses') whose signatures verified. */
  readonly verifiedBy: readonly string[];
  readonly unverified: readonly NoteSignature[];
}

/** The checkpoint's note text: origin, size and root hash lines, then any extension lines. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (origin === '') throw new CheckpointError('origin is empty', 'origin');
  if (origin.includes('\n')) throw new CheckpointError('origin contains a newline', 'origin');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new CheckpointError(`size must be a non-negative safe integer, got ${String(size)}`, 'size');
  }
  if (rootHash.length !== HASH_SIZE) {
    throw new CheckpointError(`rootHash must be ${HASH_SIZE} bytes, got ${rootHash.length}`, 'rootHash');
  }
  extensions.forEach((line, i) => {
    if (line === '' || line.includes('\n')) {
      throw new CheckpointError(`extensions[${i}] must be one non-empty line`, `extensions[${i}]`);
    }
  });
  return [origin, String(size), base64Encode(rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses checkpoint note text strictly: one spelling per checkpoint, so equal heads compare equal. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new CheckpointError(`checkpoint has ${lines.length} lines, needs origin, tree size and root hash lines`);
  }
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw new CheckpointError('line 1: origin is empty', 'origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) {
    throw new CheckpointError(
      `line 2: tree size ${JSON.stringify(sizeLine)} is not a decimal number without leading zeros`,
      'size',
    );
  }
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new CheckpointError(`line 2: tree size ${sizeLine} is over 2^53 - 1`, 'size');
  let rootHash: Uint8Array;
  try {
    rootHash = base64Decode(rootLine);
  } catch (error) {
    throw new CheckpointError(`line 3: root hash is not canonical base64 (${(error as Error).message})`, 'rootHash');
  }
  if (rootHash.length !== HASH_SIZE) {
    throw new CheckpointError(`line 3: root hash is ${rootHash.length} bytes, want ${HASH_SIZE}`, 'rootHash');
  }
  extensions.forEach((line, i) => {
    if (line === '') throw new CheckpointError(`line ${i + 4}: extension lines must be non-empty`, `extensions[${i}]`);
  });
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash };
}

/** Formats and signs a checkpoint (the log's own key first, by convention named like the origin). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Opens a signed checkpoint of the log named `origin`: the note must verify (see openNote), its text
 * must be a well-formed checkpoint, and its origin must be the expected one, so a checkpoint of
 * another log signed by the same key is not taken for this log's.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  origin: string,
  verifiers: readonly NoteVerifier[],
): OpenedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== origin) {
    throw new CheckpointError(
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}`,
      'origin',
    );
  }
  return { checkpoint, verifiedBy: opened.verifiedBy, unverified: opened.unverified };
}
