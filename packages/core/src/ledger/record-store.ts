import type { CID } from 'multiformats/cid';
import type { DecodedRecord } from '../record/encoding.js';
import { RecordIndex, type RecordQuery } from './record-index.js';

export interface FeedHead {
  seq: number;
  cid: CID;
}

/**
 * Where a project's records live: one append-only feed per signer. Implementations: memory
 * (browsers, tests), CAR files on disk (@colophon/core/node), Figma document storage (plugin).
 */
export interface RecordStore {
  /** Appends to the signer's feed; refuses a record whose seq/prev does not extend the feed head. */
  append(record: DecodedRecord): Promise<void>;
  head(signer: string): Promise<FeedHead | undefined>;
  get(cid: CID): Promise<DecodedRecord | undefined>;
  /** Every record, feed by feed, each feed in seq order. */
  records(): AsyncIterable<DecodedRecord>;
  signers(): Promise<string[]>;
  /** CIDs of records matching a query (asset, kind, signer), without reading records back. */
  query(query: RecordQuery): Promise<CID[]>;
  /** Records that link to `cid`. */
  children(cid: CID): Promise<CID[]>;
  /**
   * Reads the signer's head, builds records on it and appends them as one step, so that no other
   * writer (another process, another task) can append in between. Stores shared between
   * processes must provide it; appendOnHead() below falls back to head() then append().
   */
  appendOnHead?(signer: string, build: BuildOnHead): Promise<readonly DecodedRecord[]>;
}

/** Builds the records to append on the signer's current head; may be async (blobs stored first, say). */
export type BuildOnHead = (head: FeedHead | undefined) => readonly DecodedRecord[] | Promise<readonly DecodedRecord[]>;

/** Head read, build and append as one step on stores that can (see RecordStore.appendOnHead). */
export async function appendOnHead(store: RecordStore, signer: string, build: BuildOnHead): Promise<readonly DecodedRecord[]> {
  if (store.appendOnHead) return store.appendOnHead(signer, build);
  const records = await build(await store.head(signer));
  for (const record of records) await store.append(record);
  return records;
}

export class FeedOrderError extends Error {}

/** The seq/prev rule every store enforces on append. */
export function checkExtendsHead(record: DecodedRecord, head: FeedHead | undefined): void {
  const { by, seq, prev } = record.record;
  const expected = head ? head.seq + 1 : 0;
  if (seq !== expected) {
    throw new FeedOrderError(`record ${record.cid} of ${by} has seq ${seq}, but the feed expects ${expected}`);
  }
  if (head && !prev?.equals(head.cid)) {
    throw new FeedOrderError(`record ${record.cid} of ${by} has prev ${prev?.toString() ?? '(none)'}, but the feed head is ${head.cid}`);
  }
}

export class MemoryRecordStore implements RecordStore {
  private readonly feeds = new Map<string, DecodedRecord[]>();
  /** Serialises appendOnHead calls, whose build step may await. */
  private appending: Promise<unknown> = Promise.resolve();
  private readonly byCid = new Map<string, DecodedRecord>();
  private readonly index = new RecordIndex();

  async append(record: DecodedRecord): Promise<void> {
    const feed = this.feeds.get(record.record.by) ?? [];
    const last = feed[feed.length - 1];
    checkExtendsHead(record, last && { seq: last.record.seq, cid: last.cid });
    feed.push(record);
    this.feeds.set(record.record.by, feed);
    this.byCid.set(record.cid.toString(), record);
    this.index.add(record.cid, record.record);
  }

  appendOnHead(signer: string, build: BuildOnHead): Promise<readonly DecodedRecord[]> {
    const run = this.appending.then(async () => {
      const records = await build(await this.head(signer));
      await this.appendMany(records);
      return records;
    });
    this.appending = run.catch(() => undefined);
    return run;
  }

  /** Appends in order; a record that does not extend its feed stops the batch there. */
  async appendMany(records: readonly DecodedRecord[]): Promise<void> {
    for (const record of records) await this.append(record);
  }

  async head(signer: string): Promise<FeedHead | undefined> {
    const feed = this.feeds.get(signer);
    const last = feed?.[feed.length - 1];
    return last && { seq: last.record.seq, cid: last.cid };
  }

  async get(cid: CID): Promise<DecodedRecord | undefined> {
    return this.byCid.get(cid.toString());
  }

  async *records(): AsyncIterable<DecodedRecord> {
    for (const feed of this.feeds.values()) yield* feed;
  }

  async signers(): Promise<string[]> {
    return [...this.feeds.keys()];
  }

  async query(query: RecordQuery): Promise<CID[]> {
    return this.index.query(query);
  }

  async children(cid: CID): Promise<CID[]> {
    return this.index.children(cid);
  }
}
