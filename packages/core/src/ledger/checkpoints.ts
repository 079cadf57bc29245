/**
 * Transparency for feeds. Each signer's feed is an RFC 9162 Merkle tree whose leaves are the
 * record bytes in seq order (leaf i is the record of seq i). The signer publishes C2SP checkpoints
 * of it as signed notes, which witnesses (other identities) may cosign; a checkpoint kept by anyone
 * later exposes a feed rewritten after it, and proofs built against it travel on their own.
 *
 * Names, fixed because they are inside signatures:
 * - origin: `colophon.dev/<project genesis CID>/<signer did>`, one per feed of one project, so a
 *   checkpoint of one feed never passes for another's, even one signed by the same key.
 * - key name of an identity: feedKeyName(did), the first 16 characters of the did's multibase key
 *   ("z6Mk" and 12 more). Short, for readable note lines; the key hash covers the whole key.
 */
import { parseCid, type CID } from '../cid.js';
import { ColophonError } from '../errors.js';
import { isDidKey } from '../identity/did-key.js';
import type { SigningIdentity } from '../identity/identity.js';
import { decodeRecord, type DecodedRecord } from '../record/encoding.js';
import { verifyRecordSignature } from '../record/sign.js';
import { base64Decode, base64Encode } from '../text/base64.js';
import { CheckpointError, openCheckpoint, parseCheckpoint, signCheckpoint } from '../transparency/checkpoint.js';
import { HASH_SIZE, MerkleTree, leafHash, verifyConsistency, verifyInclusion } from '../transparency/merkle.js';
import { cosignNote, noteSignerFromIdentity, noteVerifierFromDid, unverifiedNoteText } from '../transparency/signed-note.js';
import type { Finding } from './verify.js';

export const INCLUSION_BUNDLE_FORMAT = 'colophon.dev/inclusion-proof/v1';
export const CONSISTENCY_BUNDLE_FORMAT = 'colophon.dev/consistency-proof/v1';

const ORIGIN_PREFIX = 'colophon.dev/';
const DID_KEY_PREFIX = 'did:key:';
const KEY_NAME_LENGTH = 16;

/** A feed no longer matches a checkpoint its signer signed: it was rewritten after the checkpoint. */
export class CheckpointMismatchError extends ColophonError {}

/** A proof bundle is malformed, or its parts do not fit together; `path` names the field. */
export class BundleError extends ColophonError {}

/** A checkpoint of one feed whose signature by the feed's signer (and any required witnesses) verified. */
export interface FeedCheckpoint {
  /** The signed note: checkpoint text, then the signer's signature and any cosignatures. */
  readonly note: string;
  readonly origin: string;
  /** CID of the project's genesis record. */
  readonly genesis: string;
  /** The feed's signer. */
  readonly did: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Witnesses whose cosignature was checked (when opening) or added (when signing). */
  readonly witnesses: readonly string[];
}

export interface OpenFeedCheckpointOptions {
  /** The feed it must be a checkpoint of; default: the one its origin names. */
  did?: string;
  /** The project it must belong to; default: the one its origin names. */
  genesis?: CID | string;
  /** Dids of witnesses that must all have cosigned it. */
  witnesses?: readonly string[];
}

export interface InclusionBundle {
  readonly format: typeof INCLUSION_BUNDLE_FORMAT;
  /** Signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 audit path, leaf to root, base64 hashes. */
  readonly proof: readonly string[];
  /** The record's bytes, base64; or, to prove without revealing it, only its `leafHash`. */
  readonly record?: string;
  readonly leafHash?: string;
}

export interface VerifiedInclusion {
  readonly checkpoint: FeedCheckpoint;
  readonly leafIndex: number;
  readonly leafHash: Uint8Array;
  /** Present when the bundle carries the record's bytes. */
  readonly record?: DecodedRecord;
}

export interface ConsistencyBundle {
  readonly format: typeof CONSISTENCY_BUNDLE_FORMAT;
  /** Signed checkpoint notes of one feed, the older (smaller) first. */
  readonly old: string;
  readonly new: string;
  /** RFC 9162 consistency proof from the old tree to the new one, base64 hashes. */
  readonly proof: readonly string[];
}

export interface VerifiedConsistency {
  readonly old: FeedCheckpoint;
  readonly new: FeedCheckpoint;
}

export function feedOrigin(genesis: CID | string, did: string): string {
  return `${ORIGIN_PREFIX}${canonicalGenesis(genesis, 'genesis')}/${checkDid(did, 'did')}`;
}

export function parseFeedOrigin(origin: string): { genesis: string; did: string } {
  const slash = origin.indexOf('/', ORIGIN_PREFIX.length);
  if (!origin.startsWith(ORIGIN_PREFIX) || slash < 0) {
    throw new CheckpointError(`origin ${JSON.stringify(origin)} is not a Colophon feed origin (${ORIGIN_PREFIX}<genesis CID>/<did>)`, 'origin');
  }
  return {
    genesis: canonicalGenesis(origin.slice(ORIGIN_PREFIX.length, slash), 'origin'),
    did: checkDid(origin.slice(slash + 1), 'origin'),
  };
}

/** The note key name of an identity (see the module comment). */
export function feedKeyName(did: string): string {
  return checkDid(did, 'did').slice(DID_KEY_PREFIX.length, DID_KEY_PREFIX.length + KEY_NAME_LENGTH);
}

/** The feed's Merkle tree: one leaf per record, the record's bytes, in seq order. */
export function feedTree(records: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const record of records) tree.append(leafHash(record));
  return tree;
}

/** Checkpoints a feed at its current size, signed by its own signer and cosigned by each witness. */
export function signFeedCheckpoint(params: {
  genesis: CID | string;
  identity: SigningIdentity;
  records: readonly Uint8Array[];
  witnesses?: readonly SigningIdentity[];
}): FeedCheckpoint {
  const { identity, records, witnesses = [] } = params;
  if (records.length === 0) throw new CheckpointError(`the feed of ${identity.did} is empty: there is nothing to checkpoint`);
  const witnessDids = checkWitnesses(identity.did, witnesses.map((w) => w.did));
  const tree = feedTree(records);
  const genesis = canonicalGenesis(params.genesis, 'genesis');
  const origin = feedOrigin(genesis, identity.did);
  const rootHash = tree.root();
  const signers = [identity, ...witnesses].map((id) => noteSignerFromIdentity(feedKeyName(id.did), id));
  const note = signCheckpoint({ origin, size: tree.size, rootHash }, signers);
  return { note, origin, genesis, did: identity.did, size: tree.size, rootHash, witnesses: witnessDids };
}

/**
 * Adds witnesses' cosignatures to a checkpoint after checking its signer's signature. A witness
 * vouches only for what it saw: callers should first check the checkpoint against the feed and
 * the checkpoints the witness cosigned before (see verifyFeedCheckpoint).
 */
export function cosignFeedCheckpoint(note: string, witnesses: readonly SigningIdentity[]): FeedCheckpoint {
  const opened = openFeedCheckpoint(note);
  const witnessDids = checkWitnesses(opened.did, witnesses.map((w) => w.did));
  const author = noteVerifierFromDid(feedKeyName(opened.did), opened.did);
  let cosigned = opened.note;
  for (const witness of witnesses) cosigned = cosignNote(cosigned, noteSignerFromIdentity(feedKeyName(witness.did), witness), [author]);
  return { ...opened, note: cosigned, witnesses: witnessDids };
}

/**
 * Opens a feed checkpoint: well-formed, for a Colophon feed (and the expected one), signed by the
 * signer its origin names, and cosigned by every required witness. Throws CheckpointError or
 * NoteError saying what is wrong.
 */
export function openFeedCheckpoint(note: string, options: OpenFeedCheckpointOptions = {}): FeedCheckpoint {
  // The origin is read before anything is verified only to learn whose key must have signed.
  const origin = parseCheckpoint(unverifiedNoteText(note)).origin;
  const { genesis, did } = parseFeedOrigin(origin);
  if (options.did !== undefined && did !== options.did) {
    throw new CheckpointError(`checkpoint is of the feed of ${did}, not of ${options.did}`, 'origin');
  }
  if (options.genesis !== undefined) {
    const expected = canonicalGenesis(options.genesis, 'genesis');
    if (genesis !== expected) throw new CheckpointError(`checkpoint is of project ${genesis}, not of ${expected}`, 'origin');
  }
  const witnesses = checkWitnesses(did, options.witnesses ?? []);
  const authorName = feedKeyName(did);
  const verifiers = [did, ...witnesses].map((id) => noteVerifierFromDid(feedKeyName(id), id));
  const opened = openCheckpoint(note, origin, verifiers);
  if (!opened.verifiedBy.includes(authorName)) {
    throw new CheckpointError(`checkpoint has no signature by its feed's signer ${did} (key ${authorName})`);
  }
  for (const witness of witnesses) {
    if (!opened.verifiedBy.includes(feedKeyName(witness))) {
      throw new CheckpointError(`checkpoint is not cosigned by witness ${witness} (key ${feedKeyName(witness)})`);
    }
  }
  const { size, rootHash } = opened.checkpoint;
  return { note, origin, genesis, did, size, rootHash, witnesses };
}

/**
 * Checks a stored checkpoint against the feed it is of: 'bad-checkpoint' when it does not open
 * (see openFeedCheckpoint), 'checkpoint-mismatch' when the feed's first `size` records no longer
 * hash to its root, which means the feed was rewritten (or cut short) after it was signed.
 */
export function verifyFeedCheckpoint(
  note: string,
  did: string,
  tree: MerkleTree,
  options: { genesis?: CID | string; witnesses?: readonly string[]; source?: string } = {},
): Finding[] {
  const source = options.source ?? 'checkpoint';
  let checkpoint: FeedCheckpoint;
  try {
    checkpoint = openFeedCheckpoint(note, { did, genesis: options.genesis, witnesses: options.witnesses });
  } catch (error) {
    if (!(error instanceof ColophonError)) throw error;
    return [{ code: 'bad-checkpoint', message: `${source}: ${error.message}`, source, signer: did }];
  }
  const mismatch = feedMismatch(checkpoint, tree);
  return mismatch ? [{ code: 'checkpoint-mismatch', message: `${source}: ${mismatch}`, source, signer: did }] : [];
}

/**
 * Proves that record `leafIndex` of a feed is in a checkpoint of it. The checkpoint must match the
 * feed (CheckpointMismatchError otherwise). `withholdRecord` puts only the record's leaf hash in
 * the bundle, for proving inclusion without disclosing the record.
 */
export function proveInclusion(
  note: string,
  records: readonly Uint8Array[],
  leafIndex: number,
  options: { withholdRecord?: boolean } = {},
): InclusionBundle {
  const checkpoint = openFeedCheckpoint(note);
  const tree = feedTree(records);
  const mismatch = feedMismatch(checkpoint, tree);
  if (mismatch) throw new CheckpointMismatchError(mismatch);
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= checkpoint.size) {
    throw new CheckpointError(`the checkpoint of size ${checkpoint.size} does not cover leaf ${String(leafIndex)}`, 'leafIndex');
  }
  const record = records[leafIndex]!;
  return {
    format: INCLUSION_BUNDLE_FORMAT,
    checkpoint: note,
    leafIndex,
    treeSize: checkpoint.size,
    proof: tree.inclusionProof(leafIndex, checkpoint.size).map(base64Encode),
    ...(options.withholdRecord ? { leafHash: base64Encode(leafHash(record)) } : { record: base64Encode(record) }),
  };
}

/**
 * Verifies an inclusion bundle with nothing but the bundle (parsed JSON): the checkpoint is signed
 * by the feed's signer named in its origin (and cosigned by each given witness), and the proof
 * leads from the leaf to its root. When the bundle carries the record, the record must also be a
 * validly signed record of that signer and project, at seq `leafIndex`. Throws saying what failed.
 */
export function verifyInclusionBundle(value: unknown, options: { witnesses?: readonly string[] } = {}): VerifiedInclusion {
  const bundle = objectField(value, INCLUSION_BUNDLE_FORMAT);
  const note = stringField(bundle, 'checkpoint');
  const leafIndex = countField(bundle, 'leafIndex');
  const treeSize = countField(bundle, 'treeSize');
  const proof = hashesField(bundle, 'proof');
  if ((bundle.record === undefined) === (bundle.leafHash === undefined)) {
    throw new BundleError('bundle must carry either "record" (base64 bytes) or "leafHash", not both or neither', 'record');
  }
  const recordBytes = bundle.record === undefined ? undefined : base64Field(bundle.record, 'record');
  const hash = recordBytes ? leafHash(recordBytes) : hashField(bundle.leafHash, 'leafHash');

  const checkpoint = openFeedCheckpoint(note, { witnesses: options.witnesses });
  if (treeSize !== checkpoint.size) {
    throw new BundleError(`treeSize ${treeSize} is not the checkpoint's tree size ${checkpoint.size}`, 'treeSize');
  }
  verifyInclusion(hash, leafIndex, treeSize, proof, checkpoint.rootHash);
  if (!recordBytes) return { checkpoint, leafIndex, leafHash: hash };

  const record = decodeRecord(recordBytes, 'record');
  const { by, seq, proj } = record.record;
  if (by !== checkpoint.did) throw new BundleError(`record ${record.cid} is signed by ${by}, not by the feed's signer ${checkpoint.did}`, 'record');
  if (seq !== leafIndex) throw new BundleError(`record ${record.cid} has seq ${seq}, but the proof is for leaf ${leafIndex}`, 'record');
  const project = (proj ?? record.cid).toString();
  if (project !== checkpoint.genesis) {
    throw new BundleError(`record ${record.cid} belongs to project ${project}, not to ${checkpoint.genesis}`, 'record');
  }
  if (!verifyRecordSignature(record.record)) throw new BundleError(`record ${record.cid} has an invalid signature`, 'record');
  return { checkpoint, leafIndex, leafHash: hash, record };
}

/**
 * Proves from the local feed that checkpoint `newNote` extends checkpoint `oldNote`. Both must
 * match the feed: CheckpointMismatchError names the one the feed no longer matches.
 */
export function proveConsistency(oldNote: string, newNote: string, records: readonly Uint8Array[]): ConsistencyBundle {
  const { old: older, new: newer } = openPair(oldNote, newNote, {});
  const tree = feedTree(records);
  for (const [which, checkpoint] of [['old', older], ['new', newer]] as const) {
    const mismatch = feedMismatch(checkpoint, tree);
    if (mismatch) throw new CheckpointMismatchError(`the ${which} checkpoint (size ${checkpoint.size}): ${mismatch}`);
  }
  return {
    format: CONSISTENCY_BUNDLE_FORMAT,
    old: oldNote,
    new: newNote,
    proof: tree.consistencyProof(older.size, newer.size).map(base64Encode),
  };
}

/**
 * Verifies a consistency bundle with nothing but the bundle: both checkpoints are of one feed,
 * signed by its signer (and cosigned by each given witness), and the proof shows the new tree
 * extends the old one. Throws saying what failed.
 */
export function verifyConsistencyBundle(value: unknown, options: { witnesses?: readonly string[] } = {}): VerifiedConsistency {
  const bundle = objectField(value, CONSISTENCY_BUNDLE_FORMAT);
  const oldNote = stringField(bundle, 'old');
  const newNote = stringField(bundle, 'new');
  const proof = hashesField(bundle, 'proof');
  const pair = openPair(oldNote, newNote, options);
  verifyConsistency(pair.old.size, pair.new.size, proof, pair.old.rootHash, pair.new.rootHash);
  return pair;
}

function openPair(oldNote: string, newNote: string, options: { witnesses?: readonly string[] }): VerifiedConsistency {
  const older = openEither('old', () => openFeedCheckpoint(oldNote, options));
  const newer = openEither('new', () => openFeedCheckpoint(newNote, { ...options, did: older.did, genesis: older.genesis }));
  if (older.size === 0) throw new BundleError('the old checkpoint is of an empty feed, which every feed extends: nothing to prove', 'old');
  if (older.size > newer.size) {
    throw new BundleError(`the old checkpoint covers ${older.size} records, more than the new one's ${newer.size}`, 'old');
  }
  return { old: older, new: newer };
}

/** Says which of the pair failed to open. */
function openEither(which: 'old' | 'new', open: () => FeedCheckpoint): FeedCheckpoint {
  try {
    return open();
  } catch (error) {
    if (error instanceof ColophonError) throw new BundleError(`${which} checkpoint: ${error.message}`, which);
    throw error;
  }
}

/** Why the feed does not match the checkpoint, or undefined when it does. */
function feedMismatch(checkpoint: FeedCheckpoint, tree: MerkleTree): string | undefined {
  const { did, size, rootHash } = checkpoint;
  if (size > tree.size) {
    return `the checkpoint covers ${size} records but the feed of ${did} has only ${tree.size}: records were removed after it was signed`;
  }
  const root = tree.root(size);
  if (base64Encode(root) === base64Encode(rootHash)) return undefined;
  return (
    `the first ${size} records of the feed of ${did} hash to root ${base64Encode(root)}, but the checkpoint signed ` +
    `root ${base64Encode(rootHash)}: the feed was rewritten after the checkpoint`
  );
}

/** Distinct witness dids; none may be the feed's signer, and no two may share a key name. */
function checkWitnesses(author: string, witnesses: readonly string[]): string[] {
  const distinct = [...new Set(witnesses)];
  const names = new Map([[feedKeyName(author), author]]);
  for (const witness of distinct) {
    if (witness === author) throw new CheckpointError(`witness ${witness} is the feed's own signer: a witness must be another identity`, 'witnesses');
    const name = feedKeyName(witness);
    const other = names.get(name);
    // verifiedBy reports key names, so two keys under one name could pass for each other.
    if (other) throw new CheckpointError(`witness ${witness} and ${other} share the key name ${name}`, 'witnesses');
    names.set(name, witness);
  }
  return distinct;
}

function checkDid(did: string, where: string): string {
  if (!isDidKey(did)) throw new CheckpointError(`${where}: ${JSON.stringify(did)} is not an Ed25519 did:key`, where);
  return did;
}

/** The genesis CID in its one canonical spelling, so equal projects give equal origins. */
function canonicalGenesis(genesis: CID | string, where: string): string {
  const text = genesis.toString();
  let canonical: string;
  try {
    canonical = parseCid(text).toString();
  } catch (error) {
    throw new CheckpointError(`${where}: ${(error as Error).message}`, where);
  }
  if (canonical !== text) throw new CheckpointError(`${where}: genesis ${text} is not in canonical form (${canonical})`, where);
  return canonical;
}

function objectField(value: unknown, format: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BundleError('bundle is not a JSON object');
  const bundle = value as Record<string, unknown>;
  if (bundle.format !== format) {
    throw new BundleError(`bundle format is ${JSON.stringify(bundle.format)}, expected ${JSON.stringify(format)}`, 'format');
  }
  return bundle;
}

function stringField(bundle: Record<string, unknown>, key: string): string {
  const value = bundle[key];
  if (typeof value !== 'string') throw new BundleError(`"${key}" must be a string`, key);
  return value;
}

function countField(bundle: Record<string, unknown>, key: string): number {
  const value = bundle[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BundleError(`"${key}" must be a non-negative integer, got ${JSON.stringify(value)}`, key);
  }
  return value;
}

function hashesField(bundle: Record<string, unknown>, key: string): Uint8Array[] {
  const value = bundle[key];
  if (!Array.isArray(value)) throw new BundleError(`"${key}" must be an array of base64 hashes`, key);
  return value.map((hash, i) => hashField(hash, `${key}[${i}]`));
}

function hashField(value: unknown, path: string): Uint8Array {
  const bytes = base64Field(value, path);
  if (bytes.length !== HASH_SIZE) throw new BundleError(`"${path}" is ${bytes.length} bytes, a hash is ${HASH_SIZE}`, path);
  return bytes;
}

function base64Field(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string') throw new BundleError(`"${path}" must be a base64 string`, path);
  try {
    return base64Decode(value);
  } catch (error) {
    throw new BundleError(`"${path}" is not canonical base64 (${(error as Error).message})`, path);
  }
}
