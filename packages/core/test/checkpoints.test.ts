import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordCid, type CID } from '../src/cid.js';
import { identityFromSeed, type SigningIdentity } from '../src/identity/identity.js';
import {
  BundleError,
  CheckpointMismatchError,
  cosignFeedCheckpoint,
  feedKeyName,
  feedOrigin,
  feedTree,
  openFeedCheckpoint,
  parseFeedOrigin,
  proveConsistency,
  proveInclusion,
  signFeedCheckpoint,
  verifyConsistencyBundle,
  verifyFeedCheckpoint,
  verifyInclusionBundle,
} from '../src/ledger/checkpoints.js';
import { Project } from '../src/ledger/project.js';
import { MemoryRecordStore } from '../src/ledger/record-store.js';
import { verifyBlocks, type Finding } from '../src/ledger/verify.js';
import { signRecord, type SignedRecord } from '../src/record/sign.js';
import { base64Decode, base64Encode } from '../src/text/base64.js';
import { CheckpointError, MerkleTree, NoteError, ProofError, openNote, signCheckpoint } from '../src/transparency/index.js';
import { noteSignerFromIdentity, noteVerifierFromDid } from '../src/transparency/signed-note.js';
import { CarFeedStore, feedBlocks, feedFileName } from '../src/node/index.js';
import { carBlock, carHeader } from '../src/ledger/car-format.js';
import {
  checkpointFeed,
  collectCheckpointedFeeds,
  listCheckpointFiles,
  verifyCheckpointFiles,
} from '../src/node/checkpoint-files.js';

const identity = (fill: number): SigningIdentity => identityFromSeed(new Uint8Array(32).fill(fill));
const author = identity(1);
const witness = identity(2);
const stranger = identity(3);

interface Feed {
  genesis: string;
  records: SignedRecord[];
  bytes: Uint8Array[];
}

/** A project whose owner's feed holds the genesis and `count - 1` more records. */
async function makeFeed(count: number, name = 'Checkpoints'): Promise<Feed> {
  const store = new MemoryRecordStore();
  let clock = 1_700_000_000_000;
  const project = await Project.create(name, author, store, () => clock++);
  const records: SignedRecord[] = [project.genesis];
  for (let i = 1; i < count; i++) records.push(await project.record(author, { kind: 'intent', intent: { text: `step ${i}` } }));
  return { genesis: project.id.toString(), records, bytes: records.map((r) => r.bytes) };
}

/** The feed's bytes with its last record replaced by a different one the same key signed. */
function rewriteLast(records: readonly SignedRecord[]): Uint8Array[] {
  const { sig: _sig, v: _v, ...fields } = records[records.length - 1]!.record;
  const forged = signRecord({ ...fields, intent: { text: 'forged' } }, author);
  return [...records.slice(0, -1).map((r) => r.bytes), forged.bytes];
}

const codes = (findings: Finding[]): string[] => findings.map((f) => f.code);

describe('feed origins and key names', () => {
  it('names one feed of one project, and round-trips', async () => {
    const { genesis } = await makeFeed(1);
    const origin = feedOrigin(genesis, author.did);
    expect(origin).toBe(`colophon.dev/${genesis}/${author.did}`);
    expect(parseFeedOrigin(origin)).toEqual({ genesis, did: author.did });
    expect(feedKeyName(author.did)).toBe(author.did.slice('did:key:'.length, 'did:key:'.length + 16));
    expect(() => parseFeedOrigin('example.com/log')).toThrow(CheckpointError);
    expect(() => parseFeedOrigin(`colophon.dev/${genesis}/did:key:nope`)).toThrow(/not an Ed25519 did:key/);
    expect(() => feedOrigin('not-a-cid', author.did)).toThrow(/not a valid CID/);
  });
});

describe('feed checkpoints', () => {
  it('are signed by the feed signer and verify against the feed', async () => {
    const feed = await makeFeed(5);
    const checkpoint = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    expect(checkpoint).toMatchObject({ genesis: feed.genesis, did: author.did, size: 5, witnesses: [] });
    expect(checkpoint.note.split('\n').slice(0, 2)).toEqual([feedOrigin(feed.genesis, author.did), '5']);
    expect(checkpoint.note).toContain(`\n\u2014 ${feedKeyName(author.did)} `);
    expect(verifyFeedCheckpoint(checkpoint.note, author.did, feedTree(feed.bytes), { genesis: feed.genesis })).toEqual([]);
    // A feed that grew still matches: the checkpoint covers its first 5 records.
    const grown = await makeFeed(8);
    const early = signFeedCheckpoint({ genesis: grown.genesis, identity: author, records: grown.bytes.slice(0, 5) });
    expect(verifyFeedCheckpoint(early.note, author.did, feedTree(grown.bytes))).toEqual([]);
  });

  it('signs through the identity: the note opens with a verifier built from the did alone', async () => {
    const feed = await makeFeed(2);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    const name = feedKeyName(author.did);
    expect(openNote(note, [noteVerifierFromDid(name, author.did)]).verifiedBy).toEqual([name]);
    expect(noteSignerFromIdentity(name, author).verifierKey).toMatch(new RegExp(`^${name}\\+[0-9a-f]{8}\\+`));
    expect(() => noteVerifierFromDid(name, 'did:key:zBad')).toThrow(NoteError);
  });

  it('refuses an empty feed, and a witness that is the signer', async () => {
    const feed = await makeFeed(2);
    expect(() => signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: [] })).toThrow(/nothing to checkpoint/);
    expect(() => signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes, witnesses: [author] })).toThrow(
      /must be another identity/,
    );
  });

  it('are cosigned by witnesses, and required witnesses are checked', async () => {
    const feed = await makeFeed(3);
    const tree = feedTree(feed.bytes);
    const plain = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    const required = { witnesses: [witness.did] };
    const missing = verifyFeedCheckpoint(plain.note, author.did, tree, required);
    expect(codes(missing)).toEqual(['bad-checkpoint']);
    expect(missing[0]!.message).toContain(`not cosigned by witness ${witness.did}`);

    const cosigned = cosignFeedCheckpoint(plain.note, [witness]);
    expect(cosigned.witnesses).toEqual([witness.did]);
    expect(verifyFeedCheckpoint(cosigned.note, author.did, tree, required)).toEqual([]);
    const signedTogether = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes, witnesses: [witness] });
    expect(signedTogether.note).toBe(cosigned.note);
    expect(openFeedCheckpoint(cosigned.note, required).witnesses).toEqual([witness.did]);
    const cut = cosigned.note.length - 20;
    const brokenCosignature = `${cosigned.note.slice(0, cut)}${cosigned.note[cut] === 'A' ? 'B' : 'A'}${cosigned.note.slice(cut + 1)}`;
    expect(verifyFeedCheckpoint(brokenCosignature, author.did, tree, required)[0]!.message).toMatch(/note line 6: signature by .* does not verify/);
    // A witness's cosignature alone is not the feed signer's signature.
    const witnessOnly = signCheckpoint(
      { origin: feedOrigin(feed.genesis, author.did), size: 3, rootHash: tree.root() },
      [noteSignerFromIdentity(feedKeyName(witness.did), witness)],
    );
    expect(() => openFeedCheckpoint(witnessOnly, required)).toThrow(/no signature by its feed's signer/);
  });

  it('detect a feed rewritten after a cosigned checkpoint', async () => {
    const feed = await makeFeed(4);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes, witnesses: [witness] });
    const rewritten = rewriteLast(feed.records);
    // The rewritten feed is itself a valid chain: only the checkpoint gives it away.
    const report = await verifyBlocks(rewritten.map((bytes, i) => ({ source: 'feed', position: i, cid: recordCid(bytes), bytes })));
    expect(report.ok).toBe(true);
    const findings = verifyFeedCheckpoint(note, author.did, feedTree(rewritten), { genesis: feed.genesis, witnesses: [witness.did], source: '4.note' });
    expect(codes(findings)).toEqual(['checkpoint-mismatch']);
    expect(findings[0]).toMatchObject({ source: '4.note', signer: author.did });
    expect(findings[0]!.message).toMatch(/^4\.note: the first 4 records of the feed of did:key:\S+ hash to root .* rewritten after the checkpoint/);
    // Records removed after the checkpoint.
    expect(verifyFeedCheckpoint(note, author.did, feedTree(feed.bytes.slice(0, 2)))[0]!.message).toMatch(/has only 2: records were removed/);
  });

  it('report notes that are tampered with, of another feed or project, or signed by another key', async () => {
    const feed = await makeFeed(3);
    const tree = feedTree(feed.bytes);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    const flipped = note.replace('\n3\n', '\n2\n');
    expect(verifyFeedCheckpoint(flipped, author.did, tree)[0]!.message).toMatch(/does not verify/);
    expect(verifyFeedCheckpoint(note, stranger.did, tree)[0]!.message).toMatch(/not of did:key/);
    const other = await makeFeed(1, 'Another project');
    expect(verifyFeedCheckpoint(note, author.did, tree, { genesis: other.genesis })[0]!.message).toMatch(/is of project/);
    const forged = forgeByStranger(feed.genesis, tree);
    expect(codes(verifyFeedCheckpoint(forged, author.did, tree))).toEqual(['bad-checkpoint']);
    expect(verifyFeedCheckpoint('garbage', author.did, tree)[0]!.code).toBe('bad-checkpoint');
  });
});

/** A checkpoint naming the author's feed, signed by another key under the author's key name. */
function forgeByStranger(genesis: string, tree: MerkleTree): string {
  return signCheckpoint({ origin: feedOrigin(genesis, author.did), size: tree.size, rootHash: tree.root() }, [
    noteSignerFromIdentity(feedKeyName(author.did), stranger),
  ]);
}

describe('inclusion bundles', () => {
  it('prove every record of a feed, with the record or only its leaf hash', async () => {
    const feed = await makeFeed(7);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    for (let i = 0; i < 7; i++) {
      const bundle = roundTrip(proveInclusion(note, feed.bytes, i));
      const verified = verifyInclusionBundle(bundle);
      expect(verified.leafIndex).toBe(i);
      expect(verified.record?.cid.toString()).toBe(feed.records[i]!.cid.toString());
      const hidden = roundTrip(proveInclusion(note, feed.bytes, i, { withholdRecord: true }));
      expect(hidden.record).toBeUndefined();
      expect(verifyInclusionBundle(hidden).record).toBeUndefined();
    }
    expect(() => proveInclusion(note, feed.bytes, 7)).toThrow(/does not cover leaf 7/);
  });

  it('fail for a changed record byte, a changed proof, another did, or a note by another key', async () => {
    const feed = await makeFeed(6);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    const bundle = roundTrip(proveInclusion(note, feed.bytes, 3));
    expect(() => verifyInclusionBundle(bundle)).not.toThrow();

    const record = base64Decode(bundle.record!);
    for (const at of [0, 17, record.length - 1]) {
      const changed = record.slice();
      changed[at]! ^= 1;
      expect(() => verifyInclusionBundle({ ...bundle, record: base64Encode(changed) })).toThrow(ProofError);
    }
    const proof = [...bundle.proof];
    const hash = base64Decode(proof[1]!);
    hash[5]! ^= 0x80;
    proof[1] = base64Encode(hash);
    expect(() => verifyInclusionBundle({ ...bundle, proof })).toThrow(/does not lead to the root/);
    expect(() => verifyInclusionBundle({ ...bundle, proof: bundle.proof.slice(1) })).toThrow(ProofError);
    expect(() => verifyInclusionBundle({ ...bundle, leafIndex: 2 })).toThrow(ProofError);
    expect(() => verifyInclusionBundle({ ...bundle, treeSize: 5 })).toThrow(/treeSize 5 is not the checkpoint's tree size 6/);

    const otherDid = note.split(author.did).join(stranger.did);
    expect(() => verifyInclusionBundle({ ...bundle, checkpoint: otherDid })).toThrow(NoteError);
    const forged = forgeByStranger(feed.genesis, feedTree(feed.bytes));
    expect(() => verifyInclusionBundle({ ...bundle, checkpoint: forged })).toThrow(/no signature by a known key/);

    expect(() => verifyInclusionBundle({ ...bundle, format: 'x' })).toThrow(BundleError);
    expect(() => verifyInclusionBundle({ ...bundle, leafHash: bundle.proof[0] })).toThrow(/either "record"/);
    expect(() => verifyInclusionBundle({ ...bundle, proof: ['%%%%'] })).toThrow(/"proof\[0\]" is not canonical base64/);
    expect(() => verifyInclusionBundle('[]')).toThrow(/not a JSON object/);
  });

  it('check required witnesses and that the record is the signer\'s record at that seq', async () => {
    const feed = await makeFeed(4);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    const bundle = proveInclusion(note, feed.bytes, 2);
    expect(() => verifyInclusionBundle(bundle, { witnesses: [witness.did] })).toThrow(/not cosigned by witness/);
    const cosigned = cosignFeedCheckpoint(note, [witness]).note;
    expect(verifyInclusionBundle({ ...bundle, checkpoint: cosigned }, { witnesses: [witness.did] }).checkpoint.witnesses).toEqual([witness.did]);

    // A checkpoint its signer made over a feed that holds someone else's record.
    const alien = signRecord({ kind: 'intent', intent: { text: 'alien' }, by: stranger.did, seq: 0, at: 1, proj: feed.records[0]!.cid }, stranger);
    const mixed = [...feed.bytes.slice(0, 2), alien.bytes];
    const mixedNote = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: mixed }).note;
    expect(() => verifyInclusionBundle(proveInclusion(mixedNote, mixed, 2))).toThrow(/signed by did:key:\S+, not by the feed's signer/);
    const shifted = [feed.bytes[0]!, feed.bytes[2]!];
    const shiftedNote = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: shifted }).note;
    expect(() => verifyInclusionBundle(proveInclusion(shiftedNote, shifted, 1))).toThrow(/has seq 2, but the proof is for leaf 1/);
  });

  it('cannot be made from a feed rewritten after the checkpoint', async () => {
    const feed = await makeFeed(3);
    const { note } = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes });
    expect(() => proveInclusion(note, rewriteLast(feed.records), 0)).toThrow(CheckpointMismatchError);
  });
});

describe('consistency bundles', () => {
  it('prove that a feed only grew, for every pair of sizes', async () => {
    const feed = await makeFeed(9);
    const notes = feed.bytes.map((_, i) => signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes.slice(0, i + 1) }).note);
    for (let a = 0; a < notes.length; a++) {
      for (let b = a; b < notes.length; b++) {
        const bundle = roundTrip(proveConsistency(notes[a]!, notes[b]!, feed.bytes));
        const verified = verifyConsistencyBundle(bundle);
        expect([verified.old.size, verified.new.size]).toEqual([a + 1, b + 1]);
      }
    }
    expect(() => proveConsistency(notes[5]!, notes[2]!, feed.bytes)).toThrow(/covers 6 records, more than the new one's 3/);
  });

  it('fail for a feed rewritten between the checkpoints', async () => {
    const feed = await makeFeed(5);
    const old = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: feed.bytes.slice(0, 3), witnesses: [witness] }).note;
    // Rewrite record 2 (inside the old checkpoint) and sign a new checkpoint over the result.
    const rewritten = [...rewriteLast(feed.records.slice(0, 3)), ...feed.bytes.slice(3)];
    const next = signFeedCheckpoint({ genesis: feed.genesis, identity: author, records: rewritten }).note;
    expect(() => proveConsistency(old, next, rewritten)).toThrow(/the old checkpoint \(size 3\): .*rewritten after the checkpoint/);
    expect(() => proveConsistency(old, next, feed.bytes)).toThrow(/the new checkpoint \(size 5\)/);
    // A proof computed from the rewritten feed does not connect the two roots.
    const proof = feedTree(rewritten).consistencyProof(3, 5).map(base64Encode);
    const bundle = { format: 'colophon.dev/consistency-proof/v1', old, new: next, proof };
    expect(() => verifyConsistencyBundle(bundle)).toThrow(/does not lead to root1/);
    expect(() => verifyConsistencyBundle(bundle, { witnesses: [witness.did] })).toThrow(/new checkpoint: checkpoint is not cosigned by witness/);
    const otherFeed = signFeedCheckpoint({ genesis: feed.genesis, identity: stranger, records: [feed.bytes[0]!] }).note;
    expect(() => verifyConsistencyBundle({ ...bundle, new: otherFeed })).toThrow(/new checkpoint: checkpoint is of the feed of/);
  });
});

describe('checkpoint files', () => {
  async function project(): Promise<{ dir: string; project: Project }> {
    const dir = join(await mkdtemp(join(tmpdir(), 'colophon-checkpoints-')), '.colophon');
    const p = await Project.create('Files', author, await CarFeedStore.open(dir));
    for (let i = 0; i < 3; i++) await p.record(author, { kind: 'intent', intent: { text: `step ${i}` } });
    return { dir, project: p };
  }

  async function authorRecords(p: Project): Promise<SignedRecord[]> {
    const records: SignedRecord[] = [];
    for await (const r of p.store.records()) if (r.record.by === author.did) records.push(r);
    return records;
  }

  /** What `colophon verify` does: one pass over the raw feed files, then the stored checkpoints. */
  async function verifyLedger(dir: string, genesis: CID, witnesses?: string[]): Promise<Finding[]> {
    const trees = new Map<string, MerkleTree>();
    const report = await verifyBlocks(collectCheckpointedFeeds(dir, feedBlocks(dir, () => undefined), trees), { genesis });
    return [...report.findings, ...(await verifyCheckpointFiles(dir, trees, { genesis, witnesses }))];
  }

  it('stores notes by feed and size, adds cosignatures, and verifies them against the feeds', async () => {
    const { dir, project: p } = await project();
    const genesis = p.id;
    const records = async () => (await authorRecords(p)).map((r) => r.bytes);
    expect(await verifyLedger(dir, genesis)).toEqual([]);
    const first = await checkpointFeed(dir, { genesis, identity: author, records: await records() });
    expect(first.path).toBe(join(dir, 'checkpoints', author.did.slice('did:key:'.length), '4.note'));
    expect(await readFile(first.path, 'utf8')).toBe(first.checkpoint.note);
    const again = await checkpointFeed(dir, { genesis, identity: author, records: await records(), witnesses: [witness] });
    expect(again.path).toBe(first.path);
    expect(openFeedCheckpoint(await readFile(first.path, 'utf8'), { witnesses: [witness.did] }).size).toBe(4);

    await p.record(author, { kind: 'intent', intent: { text: 'more' } });
    await checkpointFeed(dir, { genesis, identity: author, records: await records() });
    expect((await listCheckpointFiles(dir, author.did)).map((f) => f.size)).toEqual([4, 5]);
    expect(await verifyLedger(dir, genesis)).toEqual([]);
    expect(await verifyCheckpointFiles(dir, new Map([[author.did, await records()]]), { genesis })).toEqual([]);
    const unwitnessed = await verifyLedger(dir, genesis, [witness.did]);
    expect(unwitnessed.map((f) => f.message)).toEqual([expect.stringMatching(/5\.note: checkpoint is not cosigned by witness/)]);
    // A feed that is gone checks as an empty one.
    expect(codes(await verifyCheckpointFiles(dir, new Map(), { genesis }))).toEqual(['checkpoint-mismatch', 'checkpoint-mismatch']);
  });

  it('report a rewritten feed file, and refuse to checkpoint it again', async () => {
    const { dir, project: p } = await project();
    const genesis = p.id;
    const records = await authorRecords(p);
    await checkpointFeed(dir, { genesis, identity: author, records: records.map((r) => r.bytes), witnesses: [witness] });

    // The author replaces its last record with another one it signs, and rewrites the file.
    const rewritten = rewriteLast(records);
    const file = join(dir, 'feeds', feedFileName(author.did));
    await writeFile(`${file}.new`, Buffer.concat([carHeader([p.id]), ...rewritten.map((bytes) => carBlock(recordCid(bytes), bytes))]));
    await rename(`${file}.new`, file);

    const findings = await verifyLedger(dir, genesis, [witness.did]);
    expect(codes(findings)).toEqual(['checkpoint-mismatch']);
    expect(findings[0]).toMatchObject({ source: join(dir, 'checkpoints', author.did.slice('did:key:'.length), '4.note'), signer: author.did });
    await expect(checkpointFeed(dir, { genesis, identity: author, records: rewritten })).rejects.toThrow(CheckpointMismatchError);
  });

  it('report misnamed notes, notes of another project and stray folders', async () => {
    const { dir, project: p } = await project();
    const { path } = await checkpointFeed(dir, { genesis: p.id, identity: author, records: (await authorRecords(p)).map((r) => r.bytes) });
    await rename(path, path.replace('4.note', '3.note'));
    const misnamed = await verifyLedger(dir, p.id);
    expect(misnamed.map((f) => f.message)).toEqual([expect.stringMatching(/3\.note: holds a checkpoint of size 4, but its name says 3$/)]);
    const other = await makeFeed(1, 'Another project');
    expect((await verifyCheckpointFiles(dir, new Map(), { genesis: other.genesis }))[0]!.message).toMatch(/is of project/);
    await mkdir(join(dir, 'checkpoints', 'not-a-key'));
    expect((await verifyCheckpointFiles(dir, new Map(), { genesis: p.id }))[0]!.message).toMatch(/not-a-key: folder name is not the key of a did:key/);
  });
});

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
