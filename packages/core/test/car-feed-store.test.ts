import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, writeFile, appendFile, truncate, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarReader } from '@ipld/car';
import { varint } from 'multiformats';
import { sha256 } from 'multiformats/hashes/sha2';
import {
  FeedOrderError,
  Project,
  contentCid,
  identityFromSeed,
  signRecord,
  verifyRecordSignature,
  type CID,
  type DecodedRecord,
  type SigningIdentity,
} from '../src/index.js';
import { CarFeedStore, CorruptFeedError, feedFileName, type CutTail } from '../src/node/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const seedOf = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + n) & 0xff);
const owner = identityFromSeed(seedOf(1));
const alice = identityFromSeed(seedOf(2));
const out = (text: string) => contentCid(new TextEncoder().encode(text));

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'colophon-car-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const feedPath = (identity: SigningIdentity) => join(root, 'feeds', feedFileName(identity.did));

async function collect(store: CarFeedStore): Promise<DecodedRecord[]> {
  const records: DecodedRecord[] = [];
  for await (const record of store.records()) records.push(record);
  return records;
}

/** Offsets of the length-prefixed sections of a CAR file (header first), read independently. */
function sections(bytes: Uint8Array): { offset: number; dataStart: number; end: number }[] {
  const found = [];
  for (let offset = 0; offset < bytes.length; ) {
    const [length, prefix] = varint.decode(bytes.subarray(offset));
    found.push({ offset, dataStart: offset + prefix, end: offset + prefix + length });
    offset += prefix + length;
  }
  return found;
}

/** A project with `n` records from each of the owner and alice, interleaved. */
async function populate(store: CarFeedStore, n = 4) {
  const project = await Project.create('Film', owner, store, () => 1_735_689_600_000);
  const written: DecodedRecord[] = [project.genesis];
  for (let i = 0; i < n; i++) {
    written.push(await project.record(alice, { kind: 'asset.edit', asset: 'file:script.md', out: out(`draft ${i}`), delta: { text: [[i, 0, 5, 'human']] } }));
    written.push(await project.record(owner, { kind: 'review', links: [written[written.length - 1]!.cid] }));
  }
  return { project, written };
}

const cids = (records: DecodedRecord[]) => records.map((r) => r.cid.toString()).sort();

describe('CarFeedStore', () => {
  it('stores records from two signers and reads them back after reopening', async () => {
    const store = await CarFeedStore.open(root);
    expect(store.report).toEqual({ feeds: 0, records: 0, torn: [], cut: [] });
    const { project, written } = await populate(store);
    expect((await readdir(join(root, 'feeds'))).sort()).toEqual([feedFileName(owner.did), feedFileName(alice.did)].sort());

    const reopened = await CarFeedStore.open(root);
    expect(reopened.report).toEqual({ feeds: 2, records: written.length, torn: [], cut: [] });
    expect(await reopened.signers()).toEqual([owner.did, alice.did].sort());
    const records = await collect(reopened);
    expect(cids(records)).toEqual(cids(written));
    // feed by feed, each in seq order
    for (const did of [owner.did, alice.did]) {
      const seqs = records.filter((r) => r.record.by === did).map((r) => r.record.seq);
      expect(seqs).toEqual([...seqs.keys()]);
    }
    for (const record of written) {
      const got = await reopened.get(record.cid);
      expect(got).toBeDefined();
      expect(hex(got!.bytes)).toBe(hex(record.bytes));
      expect(got!.record).toEqual(record.record);
      expect(verifyRecordSignature(got!.record)).toBe(true);
    }
    expect(await reopened.get(out('not a record'))).toBeUndefined();
    const lastAlice = written.filter((r) => r.record.by === alice.did).pop()!;
    expect(await reopened.head(alice.did)).toEqual({ seq: 3, cid: lastAlice.cid });
    expect(await reopened.head(owner.did)).toEqual({ seq: 4, cid: written[written.length - 1]!.cid });

    // The project continues on the reopened store where it left off.
    const continued = Project.open((await reopened.get(project.id))!, reopened);
    const next = await continued.record(alice, { kind: 'check' });
    expect(next.record.seq).toBe(4);
    expect(next.record.prev?.equals(lastAlice.cid)).toBe(true);
  });

  it('writes CARv1 files that @ipld/car reads, every block hashing to its CID', async () => {
    const store = await CarFeedStore.open(root);
    const { project, written } = await populate(store, 3);
    for (const identity of [owner, alice]) {
      const bytes = await readFile(feedPath(identity));
      const reader = await CarReader.fromBytes(bytes);
      expect(reader.version).toBe(1);
      const roots = await reader.getRoots();
      expect(roots.map(String)).toEqual([project.id.toString()]);
      const blocks: { cid: CID; bytes: Uint8Array }[] = [];
      for await (const block of reader.blocks()) blocks.push(block as unknown as { cid: CID; bytes: Uint8Array });
      const expected = written.filter((r) => r.record.by === identity.did);
      expect(blocks.map((b) => b.cid.toString())).toEqual(expected.map((r) => r.cid.toString()));
      for (const block of blocks) {
        expect(block.cid.code).toBe(0x71);
        expect(block.cid.multihash.code).toBe(0x12);
        expect(hex(block.cid.multihash.digest)).toBe(hex((await sha256.digest(block.bytes)).digest));
      }
    }
  });

  it('reports a torn final block on open without touching the file; the next append to that feed cuts it, saying so', async () => {
    const store = await CarFeedStore.open(root);
    const { written } = await populate(store, 3);
    const file = feedPath(alice);
    const before = await readFile(file);
    const last = sections(before).pop()!;
    await truncate(file, before.length - 3);
    const torn = { file, offset: last.offset, bytes: last.end - last.offset - 3 };

    // Reading (opening, listing, querying) never changes a feed: the torn tail is reported and stays.
    const reopened = await CarFeedStore.open(root);
    expect(reopened.report.torn).toEqual([torn]);
    expect(reopened.report.cut).toEqual([]);
    expect(reopened.report.records).toBe(written.length - 1);
    const aliceRecords = written.filter((r) => r.record.by === alice.did);
    expect(cids(await collect(reopened))).toEqual(cids(written.filter((r) => r !== aliceRecords[aliceRecords.length - 1])));
    expect((await reopened.head(alice.did))?.seq).toBe(1);
    expect(await reopened.query({ signer: alice.did })).toHaveLength(2);
    expect((await stat(file)).size).toBe(before.length - 3);

    // Appending to another feed leaves it alone too.
    const cuts: CutTail[] = [];
    const writer = await CarFeedStore.open(root, { onCut: (cut) => cuts.push(cut) });
    const project = Project.open((await writer.get(written[0]!.cid))!, writer);
    await project.record(owner, { kind: 'check' });
    expect(cuts).toEqual([]);
    expect((await stat(file)).size).toBe(before.length - 3);

    // The next append to the torn feed cuts exactly the torn bytes, says so, and grows from the real head.
    const next = await project.record(alice, { kind: 'check' });
    expect(cuts).toEqual([torn]);
    expect(writer.report.cut).toEqual([torn]);
    expect(next.record.seq).toBe(2);
    expect(next.record.prev?.equals(aliceRecords[1]!.cid)).toBe(true);
    const again = await CarFeedStore.open(root);
    expect(again.report.torn).toEqual([]);
    expect(again.report.records).toBe(written.length + 1);
  });

  it('repair() cuts every torn tail (half a block, a lone length byte) and nothing else', async () => {
    const store = await CarFeedStore.open(root);
    const { written } = await populate(store, 2);
    const file = feedPath(owner);
    const bytes = await readFile(file);
    const last = sections(bytes).pop()!;
    const half = bytes.subarray(last.offset, last.offset + Math.floor((last.end - last.offset) / 2));
    await appendFile(file, half);
    // and a torn length prefix alone on the other feed
    const aliceSize = (await stat(feedPath(alice))).size;
    await appendFile(feedPath(alice), Uint8Array.from([0x80]));
    const expected = [
      { file, offset: bytes.length, bytes: half.length },
      { file: feedPath(alice), offset: aliceSize, bytes: 1 },
    ].sort((a, b) => a.file.localeCompare(b.file));

    const reopened = await CarFeedStore.open(root);
    expect(reopened.report.torn.sort((a, b) => a.file.localeCompare(b.file))).toEqual(expected);
    expect((await stat(file)).size).toBe(bytes.length + half.length);
    const cut = await reopened.repair();
    expect(cut.sort((a, b) => a.file.localeCompare(b.file))).toEqual(expected);
    expect(reopened.report.records).toBe(written.length);
    expect((await stat(file)).size).toBe(bytes.length);
    expect((await stat(feedPath(alice))).size).toBe(aliceSize);
    expect(cids(await collect(reopened))).toEqual(cids(written));
    expect(await (await CarFeedStore.open(root)).repair()).toEqual([]);
  });

  it('refuses a flipped byte inside a record, naming the file and the offset', async () => {
    const store = await CarFeedStore.open(root);
    await populate(store, 3);
    const file = feedPath(alice);
    const pristine = await readFile(file);
    const third = sections(pristine)[3]!; // header, then records seq 0, 1, 2

    // In the signature at the end of the record: still DAG-CBOR, but no longer matching its CID.
    const inSignature = Buffer.from(pristine);
    inSignature.writeUInt8(inSignature[third.end - 5]! ^ 0x01, third.end - 5);
    await writeFile(file, inSignature);
    const error = await CarFeedStore.open(root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CorruptFeedError);
    expect((error as CorruptFeedError).file).toBe(file);
    expect((error as CorruptFeedError).offset).toBe(third.offset);
    expect((error as Error).message).toContain(`${file}: corrupt at byte ${third.offset}`);
    expect((error as Error).message).toContain('does not match its bytes');

    // In the record structure: not a valid record at all.
    const inStructure = Buffer.from(pristine);
    const cidLength = 36;
    inStructure.writeUInt8(inStructure[third.dataStart + cidLength]! ^ 0x20, third.dataStart + cidLength); // the record's map head
    await writeFile(file, inStructure);
    await expect(CarFeedStore.open(root)).rejects.toThrow(CorruptFeedError);
    await expect(CarFeedStore.open(root)).rejects.toThrow(`${file}: corrupt at byte ${third.offset}`);

    // In the block's CID.
    const inCid = Buffer.from(pristine);
    inCid.writeUInt8(inCid[third.dataStart + 10]! ^ 0x01, third.dataStart + 10);
    await writeFile(file, inCid);
    await expect(CarFeedStore.open(root)).rejects.toThrow(`${file}: corrupt at byte ${third.offset}`);

    // Nothing was cut or repaired: the file is left for a human to look at.
    expect((await stat(file)).size).toBe(pristine.length);
  });

  it('refuses a feed file holding records of another signer or out of order', async () => {
    const store = await CarFeedStore.open(root);
    await populate(store, 2);
    const aliceBytes = await readFile(feedPath(alice));
    const ownerBytes = await readFile(feedPath(owner));
    // Append one of the owner's blocks to alice's feed.
    const ownerBlock = sections(ownerBytes)[2]!;
    await writeFile(feedPath(alice), Buffer.concat([aliceBytes, ownerBytes.subarray(ownerBlock.offset, ownerBlock.end)]));
    await expect(CarFeedStore.open(root)).rejects.toThrow(`not this feed's signer`);
    // Drop alice's first record: the second no longer extends the feed.
    const [header, first, ...rest] = sections(aliceBytes);
    await writeFile(feedPath(alice), Buffer.concat([aliceBytes.subarray(header!.offset, header!.end), ...rest.map((s) => aliceBytes.subarray(s.offset, s.end))]));
    await expect(CarFeedStore.open(root)).rejects.toThrow(`${feedPath(alice)}: corrupt at byte ${first!.offset}`);
  });

  it('appendMany writes every record, for several signers at once', async () => {
    const store = await CarFeedStore.open(root);
    const project = await Project.create('Batch', owner, store);
    const batch: DecodedRecord[] = [];
    const heads = new Map<string, { seq: number; cid: CID }>([[owner.did, { seq: 0, cid: project.id }]]);
    for (let i = 0; i < 50; i++) {
      const signer = i % 3 === 0 ? owner : alice;
      const head = heads.get(signer.did);
      const record = signRecord(
        { kind: 'check', proj: project.id, by: signer.did, seq: head ? head.seq + 1 : 0, ...(head ? { prev: head.cid } : {}), at: 1000 + i },
        signer,
      );
      heads.set(signer.did, { seq: record.record.seq, cid: record.cid });
      batch.push(record);
    }
    await store.appendMany(batch);
    expect(await store.head(alice.did)).toEqual(heads.get(alice.did));
    const reopened = await CarFeedStore.open(root);
    expect(reopened.report.records).toBe(51);
    expect(cids(await collect(reopened))).toEqual(cids([project.genesis, ...batch]));
    for (const record of batch) expect(hex((await reopened.get(record.cid))!.bytes)).toBe(hex(record.bytes));
  });

  it('appendMany refuses a batch that does not extend the feed, writing none of it', async () => {
    const store = await CarFeedStore.open(root);
    const project = await Project.create('Batch', owner, store);
    const size = (await stat(feedPath(owner))).size;
    const r1 = signRecord({ kind: 'check', proj: project.id, by: owner.did, seq: 1, prev: project.id, at: 1 }, owner);
    const r3 = signRecord({ kind: 'check', proj: project.id, by: owner.did, seq: 3, prev: r1.cid, at: 2 }, owner);
    await expect(store.appendMany([r1, r3])).rejects.toThrow(FeedOrderError);
    expect((await stat(feedPath(owner))).size).toBe(size);
    expect(await store.head(owner.did)).toEqual({ seq: 0, cid: project.id });
    await store.appendMany([]);
    expect((await CarFeedStore.open(root)).report.records).toBe(1);
  });

  it('two stores on one directory appending alternately see each other and never fork', async () => {
    const a = await CarFeedStore.open(root);
    const b = await CarFeedStore.open(root);
    const projectA = await Project.create('Shared', owner, a);
    const projectB = Project.open(projectA.genesis, b);
    const written: DecodedRecord[] = [projectA.genesis];
    for (let i = 0; i < 6; i++) {
      const [project, store] = i % 2 === 0 ? [projectA, a] : [projectB, b];
      const signer = i % 3 === 0 ? owner : alice;
      const record = await project.record(signer, { kind: 'check', asset: `step:${i}` });
      written.push(record);
      // the other store sees it right away
      const other = store === a ? b : a;
      expect((await other.head(signer.did))?.cid.toString()).toBe(record.cid.toString());
      expect((await other.get(record.cid))?.cid.toString()).toBe(record.cid.toString());
    }
    for (const store of [a, b]) {
      expect(cids(await collect(store))).toEqual(cids(written));
      expect(await store.signers()).toEqual([owner.did, alice.did].sort());
    }
    // Each feed is one unbroken chain on disk.
    const reopened = await CarFeedStore.open(root);
    expect(reopened.report.records).toBe(written.length);
    expect(reopened.report.cut).toEqual([]);
  });

  it('a record built on a stale head is refused instead of forking the feed', async () => {
    const a = await CarFeedStore.open(root);
    const projectA = await Project.create('Race', owner, a);
    const b = await CarFeedStore.open(root);
    const head = (await b.head(owner.did))!;
    expect(head.cid.equals(projectA.id)).toBe(true);
    // a appends seq 1; b, still believing the head is seq 0, tries its own seq 1
    await projectA.record(owner, { kind: 'check', asset: 'from a' });
    const stale = signRecord({ kind: 'check', proj: projectA.id, by: owner.did, seq: 1, prev: head.cid, at: 1, asset: 'from b' }, owner);
    await expect(b.append(stale)).rejects.toThrow(FeedOrderError);
    const reopened = await CarFeedStore.open(root);
    const records = await collect(reopened);
    expect(records.map((r) => r.record.asset ?? 'genesis')).toEqual(['genesis', 'from a']);
    // b caught up while refusing, so its next record extends the real head
    const projectB = Project.open(projectA.genesis, b);
    const next = await projectB.record(owner, { kind: 'check', asset: 'from b, again' });
    expect(next.record.seq).toBe(2);
  });

  it('concurrent appends from two stores in one process are serialised by the lock', async () => {
    const a = await CarFeedStore.open(root);
    const projectA = await Project.create('Concurrent', owner, a);
    const b = await CarFeedStore.open(root);
    const projectB = Project.open(projectA.genesis, b);
    // Different signers through different stores at the same time.
    await Promise.all([
      (async () => {
        for (let i = 0; i < 5; i++) await projectA.record(owner, { kind: 'check', asset: `a${i}` });
      })(),
      (async () => {
        for (let i = 0; i < 5; i++) await projectB.record(alice, { kind: 'check', asset: `b${i}` });
      })(),
    ]);
    const reopened = await CarFeedStore.open(root);
    expect(reopened.report.records).toBe(11);
    expect((await reopened.head(owner.did))?.seq).toBe(5);
    expect((await reopened.head(alice.did))?.seq).toBe(4);
  });
});
