// The embedded-feed format (feeds in a document's key/value entries, e.g. Figma shared plugin
// data): byte-identical to the on-disk feed file, chunked under the entry limit, appends touching
// only the tail, and every kind of damage reported per key rather than half-read.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarReader } from '@ipld/car';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EMBEDDED_CHUNK_BYTES,
  EMBEDDED_FEED_NAMESPACE,
  MemoryRecordStore,
  Project,
  base64Encode,
  contentCid,
  carBytesBlocks,
  embeddedFeedChunkKey,
  embeddedFeedIndexKey,
  embeddedFeedWrites,
  identityFromSeed,
  readEmbeddedFeeds,
  verifyBlocks,
} from '../src/index.js';
import { CarFeedStore, feedFileName, useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const owner = identityFromSeed(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 0xff));
const ENTRY_LIMIT = 100_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colophon-embedded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A feed file written by the real on-disk store (one group commit), `records` records long after genesis. */
async function feedFile(records: number): Promise<Uint8Array> {
  const memory = new MemoryRecordStore();
  let now = 1_767_225_600_000;
  const project = await Project.create('Poster', owner, memory, () => now++);
  for (let i = 0; i < records; i++) {
    await project.record(owner, { kind: 'asset.edit', asset: 'figma:1:2', out: contentCid(new Uint8Array([i & 255, i >> 8])), delta: { nodes: { [`1:${i + 3}`]: ['fills', 'x', 'y'] } } });
  }
  const all = [];
  for await (const record of memory.records()) all.push(record);
  const store = await CarFeedStore.open(dir);
  await store.appendMany(all);
  return new Uint8Array(await readFile(join(dir, 'feeds', feedFileName(owner.did))));
}

function apply(entries: Record<string, string>, writes: [string, string][]): void {
  for (const [key, value] of writes) entries[key] = value;
}

describe('embedded feeds', () => {
  it('store the feed file bytes in ordered base64 chunks under the entry limit, and read them back', async () => {
    const car = await feedFile(900);
    expect(car.length).toBeGreaterThan(2 * EMBEDDED_CHUNK_BYTES);
    const entries: Record<string, string> = {};
    apply(entries, embeddedFeedWrites(owner.did, car));
    const chunks = Math.ceil(car.length / EMBEDDED_CHUNK_BYTES);
    expect(Object.keys(entries).sort()).toEqual([embeddedFeedIndexKey(owner.did), ...Array.from({ length: chunks }, (_, i) => embeddedFeedChunkKey(owner.did, i))].sort());
    for (const [key, value] of Object.entries(entries)) {
      expect(Buffer.byteLength(EMBEDDED_FEED_NAMESPACE) + Buffer.byteLength(key) + Buffer.byteLength(value)).toBeLessThanOrEqual(ENTRY_LIMIT);
    }
    // Each chunk is independently decodable standard base64 of its slice.
    expect(entries[embeddedFeedChunkKey(owner.did, 1)]).toBe(Buffer.from(car.subarray(EMBEDDED_CHUNK_BYTES, 2 * EMBEDDED_CHUNK_BYTES)).toString('base64'));
    const index = JSON.parse(entries[embeddedFeedIndexKey(owner.did)]!);
    expect(index).toEqual({ v: 1, chunks, bytes: car.length, sha256: (await import('node:crypto')).createHash('sha256').update(car).digest('hex') });

    const { feeds, problems } = readEmbeddedFeeds(entries);
    expect(problems).toEqual([]);
    expect(feeds).toHaveLength(1);
    expect(Buffer.from(feeds[0]!.car).equals(Buffer.from(car))).toBe(true);
    // An independent CAR reader agrees, and the blocks verify as a ledger.
    const reader = await CarReader.fromBytes(feeds[0]!.car);
    const { root, blocks } = carBytesBlocks(feeds[0]!.car, 'feed');
    expect((await reader.getRoots()).map(String)).toEqual([root.toString()]);
    let count = 0;
    for await (const block of reader.blocks()) expect(block.cid.equals(blocks[count++]!.cid)).toBe(true);
    expect(count).toBe(901);
    expect((await verifyBlocks(blocks)).findings).toEqual([]);
  });

  it('rewrite only the last chunk and the index when a feed grows', async () => {
    const car = await feedFile(900);
    const shorter = car.subarray(0, EMBEDDED_CHUNK_BYTES + 10);
    const writes = embeddedFeedWrites(owner.did, car, shorter.length);
    const chunks = Math.ceil(car.length / EMBEDDED_CHUNK_BYTES);
    expect(writes.map(([key]) => key)).toEqual([...Array.from({ length: chunks - 1 }, (_, i) => embeddedFeedChunkKey(owner.did, i + 1)), embeddedFeedIndexKey(owner.did)]);
    expect(writes[writes.length - 1]![0]).toBe(embeddedFeedIndexKey(owner.did));
  });

  it('report a missing chunk, a torn write, a bad index or a bad key, and leave those feeds out', async () => {
    const car = await feedFile(500);
    const fresh = (): Record<string, string> => {
      const entries: Record<string, string> = {};
      apply(entries, embeddedFeedWrites(owner.did, car));
      return entries;
    };
    const cases: [string, (e: Record<string, string>) => void, RegExp][] = [
      ['missing chunk', (e) => delete e[embeddedFeedChunkKey(owner.did, 1)], /chunk 1 of 3 is missing/],
      ['torn write', (e) => (e[embeddedFeedChunkKey(owner.did, 0)] = base64Encode(new Uint8Array(EMBEDDED_CHUNK_BYTES))), /do not hash to the index/],
      ['short chunk', (e) => (e[embeddedFeedChunkKey(owner.did, 0)] = 'AAAA'), /chunk 0 holds 3 bytes/],
      ['not base64', (e) => (e[embeddedFeedChunkKey(owner.did, 0)] = '!!!!'), /not base64/],
      ['index not JSON', (e) => (e[embeddedFeedIndexKey(owner.did)] = '{'), /not JSON/],
      ['future version', (e) => (e[embeddedFeedIndexKey(owner.did)] = JSON.stringify({ ...JSON.parse(e[embeddedFeedIndexKey(owner.did)]!), v: 2 })), /unknown format version 2/],
      ['wrong chunk count', (e) => (e[embeddedFeedIndexKey(owner.did)] = JSON.stringify({ ...JSON.parse(e[embeddedFeedIndexKey(owner.did)]!), chunks: 9 })), /"chunks" must be/],
    ];
    expect(Math.ceil(car.length / EMBEDDED_CHUNK_BYTES)).toBe(3);
    for (const [name, damage, message] of cases) {
      const entries = fresh();
      damage(entries);
      const { feeds, problems } = readEmbeddedFeeds(entries);
      expect(feeds, name).toEqual([]);
      expect(problems, name).toHaveLength(1);
      expect(problems[0]!.message, name).toMatch(message);
    }
    const entries = fresh();
    entries['feeds/did:key:zNotAKey'] = entries[embeddedFeedIndexKey(owner.did)]!;
    const { feeds, problems } = readEmbeddedFeeds(entries);
    expect(feeds).toHaveLength(1);
    expect(problems).toEqual([{ key: 'feeds/did:key:zNotAKey', message: 'the key does not name a did:key signer' }]);
  });

  it('parse CAR bytes strictly: a torn tail or a header with two roots is an error naming the byte', async () => {
    const car = await feedFile(3);
    expect(() => carBytesBlocks(car.subarray(0, car.length - 5), 'x')).toThrow(/x: incomplete block at byte \d+/);
    expect(() => carBytesBlocks(new Uint8Array(), 'x')).toThrow(/no CAR header/);
  });
});
