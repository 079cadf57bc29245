import { mkdir, open, readdir, rmdir, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { CID } from 'multiformats/cid';
import { decodeRecord, type DecodedRecord } from '../record/encoding.js';
import { checkExtendsHead, type FeedHead, type RecordStore } from '../ledger/record-store.js';
import { RecordIndex, type RecordQuery } from '../ledger/record-index.js';
import { carBlock, carHeader, parseCarHeader, splitBlock } from '../ledger/car-format.js';
import { CorruptFeedError, readSections } from './feed-file.js';
import { fsyncDirectory } from './fs-durable.js';
import { processAlive } from './process-alive.js';

interface Located {
  file: string;
  offset: number;
  end: number;
}

interface Feed {
  did: string;
  file: string;
  /** Bytes of the file known to hold complete, checked sections. */
  size: number;
  head?: FeedHead;
}

export interface CutTail {
  file: string;
  offset: number;
  bytes: number;
}

export interface OpenReport {
  feeds: number;
  records: number;
  /** Incomplete final blocks (a crash mid-append) that opening cut off. */
  cut: CutTail[];
}

const FEED_SUFFIX = '.car';

/** A lock whose holder stopped refreshing it this long ago is abandoned (proper-lockfile's rule). */
const LOCK_STALE_MS = 10_000;
/** How long to wait for a live holder before giving up: longer than LOCK_STALE_MS, so an abandoned lock is always outlived. */
const LOCK_WAIT_MS = 3 * LOCK_STALE_MS;
const CLAIM_SUFFIX = '.claim';
let claimCounter = 0;

/**
 * Takes the ledger lock, `<dir>/ledger.lock/held` (a proper-lockfile lock). proper-lockfile only
 * sees a lock as abandoned once it has gone LOCK_STALE_MS without a refresh, so a holder killed
 * outright (SIGKILL, the OOM killer, a crash) would stall every other process that long after it.
 * So each process first creates a claim, `ledger.lock/<pid>-<n>-<host>.claim` (the name says it
 * all, so a claim is complete the moment it exists), and removes it only after it has released the
 * lock or failed to take it: while `held` exists, its holder's claim exists. When every claim is
 * of a process of this host that has exited, the holder is dead and its lock is broken at once.
 * A claim of another host, or of a live process, leaves it to proper-lockfile's staleness rule.
 * Two waiters breaking one dead holder's lock at the same instant share proper-lockfile's own
 * stale-lock race; a live holder's lock is never broken this way.
 */
async function acquireLedgerLock(directory: string): Promise<() => Promise<void>> {
  const container = join(directory, 'ledger.lock');
  const held = join(container, 'held');
  await mkdir(container, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const claim = join(container, `${process.pid}-${++claimCounter}-${encodeURIComponent(hostname())}${CLAIM_SUFFIX}`);
    await writeFile(claim, '');
    let release: (() => Promise<void>) | undefined;
    try {
      release = await lockfile.lock(directory, { lockfilePath: held, stale: LOCK_STALE_MS, retries: 0 });
    } catch (error) {
      await unlink(claim).catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    if (release) {
      const releaseLock = release;
      // Claims left by processes that died waiting (or just after releasing) can be dropped now.
      for (const file of (await claims(container)).dead) await unlink(file).catch(() => undefined);
      return async () => {
        try {
          await releaseLock();
        } finally {
          await unlink(claim).catch(() => undefined);
        }
      };
    }
    const { dead, live } = await claims(container);
    if (live === 0 && dead.length > 0) {
      await rmdir(held).catch(() => undefined);
      for (const file of dead) await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${directory} is locked by another Colophon process (${held}); gave up after ${LOCK_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(2 * 1.5 ** attempt, 50) * (0.5 + Math.random())));
  }
}

/** Claim files of processes of this host that have exited, and how many other claims there are. */
async function claims(container: string): Promise<{ dead: string[]; live: number }> {
  const here = encodeURIComponent(hostname());
  const dead: string[] = [];
  let live = 0;
  for (const name of await readdir(container)) {
    if (!name.endsWith(CLAIM_SUFFIX)) continue;
    const match = /^(\d+)-\d+-(.*)\.claim$/.exec(name);
    const pid = Number(match?.[1]);
    const exited = match !== null && match[2] === here && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
    if (exited) dead.push(join(container, name));
    else live++;
  }
  return { dead, live };
}

export function feedFileName(did: string): string {
  return `${did.slice('did:key:'.length)}${FEED_SUFFIX}`;
}

/**
 * The project's feeds as CARv1 files, `<dir>/feeds/<signer>.car`, appended block by block. An
 * append is on disk (fdatasync) before it returns; processes sharing the folder take a lock and
 * catch up on each other's appends before writing, so feeds never interleave or fork.
 */
export class CarFeedStore implements RecordStore {
  private readonly feeds = new Map<string, Feed>();
  private readonly located = new Map<string, Located>();
  private readonly index = new RecordIndex();
  private constructor(
    readonly directory: string,
    readonly report: OpenReport,
  ) {}

  get feedsDirectory(): string {
    return join(this.directory, 'feeds');
  }

  static async open(directory: string): Promise<CarFeedStore> {
    const store = new CarFeedStore(directory, { feeds: 0, records: 0, cut: [] });
    await mkdir(store.feedsDirectory, { recursive: true });
    await store.withLock(async () => {
      for (const name of (await readdir(store.feedsDirectory)).sort()) {
        if (!name.endsWith(FEED_SUFFIX)) continue;
        const did = `did:key:${name.slice(0, -FEED_SUFFIX.length)}`;
        const feed: Feed = { did, file: join(store.feedsDirectory, name), size: 0 };
        store.feeds.set(did, feed);
        await store.catchUp(feed, true);
        store.report.feeds++;
      }
    });
    return store;
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const release = await acquireLedgerLock(this.directory);
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /**
   * The feed of `did` brought up to date with the disk, including a feed another store on this
   * directory created after we opened; undefined when there is none. Call under the lock.
   */
  private async feedOf(did: string): Promise<Feed | undefined> {
    let feed = this.feeds.get(did);
    if (!feed) {
      const file = join(this.feedsDirectory, feedFileName(did));
      try {
        await stat(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      feed = { did, file, size: 0 };
      this.feeds.set(did, feed);
    }
    await this.catchUp(feed, false);
    return feed;
  }

  /** Catches up on every feed other stores on this directory wrote to, new feeds included. */
  private async refresh(): Promise<void> {
    await this.withLock(async () => {
      for (const name of (await readdir(this.feedsDirectory)).sort()) {
        if (name.endsWith(FEED_SUFFIX)) await this.feedOf(`did:key:${name.slice(0, -FEED_SUFFIX.length)}`);
      }
    });
  }

  /** Reads sections past what we know of a feed (written by us at open, or by another process). */
  private async catchUp(feed: Feed, cutTornTail: boolean): Promise<void> {
    const { size } = await stat(feed.file);
    if (size < feed.size) throw new CorruptFeedError(feed.file, size, `file shrank from ${feed.size} bytes: something outside Colophon truncated it`);
    if (size === feed.size) return;
    const handle = await open(feed.file, 'r');
    try {
      const sections = readSections(handle, feed.file, feed.size, size);
      let step = await sections.next();
      if (feed.size === 0) {
        if (step.done) {
          if (cutTornTail) await this.cut(feed, 0, size);
          return;
        }
        try {
          parseCarHeader(step.value.body);
        } catch (error) {
          throw new CorruptFeedError(feed.file, 0, `bad CAR header: ${(error as Error).message}`);
        }
        feed.size = step.value.end;
        step = await sections.next();
      }
      for (; !step.done; step = await sections.next()) {
        this.indexSection(feed, step.value.offset, step.value.end, step.value.body);
        feed.size = step.value.end;
      }
      if (step.value.torn) {
        if (!cutTornTail) throw new CorruptFeedError(feed.file, step.value.end, 'incomplete block written by another process');
        await this.cut(feed, step.value.end, size);
      }
    } finally {
      await handle.close();
    }
  }

  private async cut(feed: Feed, offset: number, size: number): Promise<void> {
    await truncate(feed.file, offset);
    const handle = await open(feed.file, 'r+');
    await handle.sync();
    await handle.close();
    this.report.cut.push({ file: feed.file, offset, bytes: size - offset });
  }

  private indexSection(feed: Feed, offset: number, end: number, body: Uint8Array): void {
    const decoded = this.decodeSection(feed.file, offset, body);
    if (decoded.record.by !== feed.did) {
      throw new CorruptFeedError(feed.file, offset, `record ${decoded.cid} is signed by ${decoded.record.by}, not this feed's signer`);
    }
    try {
      checkExtendsHead(decoded, feed.head);
    } catch (error) {
      throw new CorruptFeedError(feed.file, offset, (error as Error).message);
    }
    feed.head = { seq: decoded.record.seq, cid: decoded.cid };
    this.located.set(decoded.cid.toString(), { file: feed.file, offset, end });
    this.index.add(decoded.cid, decoded.record);
    this.report.records++;
  }

  private decodeSection(file: string, offset: number, body: Uint8Array): DecodedRecord {
    let block: ReturnType<typeof splitBlock>;
    try {
      block = splitBlock(body);
    } catch (error) {
      throw new CorruptFeedError(file, offset, `block has no valid CID: ${(error as Error).message}`);
    }
    let decoded: DecodedRecord;
    try {
      decoded = decodeRecord(block.data, `record ${block.cid}`);
    } catch (error) {
      throw new CorruptFeedError(file, offset, (error as Error).message);
    }
    if (!decoded.cid.equals(block.cid)) {
      throw new CorruptFeedError(file, offset, `block CID ${block.cid} does not match its bytes (${decoded.cid})`);
    }
    return decoded;
  }

  async append(record: DecodedRecord): Promise<void> {
    await this.appendMany([record]);
  }

  /** Group commit: all records reach the disk with one fdatasync per feed touched. */
  async appendMany(records: readonly DecodedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.withLock(async () => {
      const bySigner = new Map<string, DecodedRecord[]>();
      for (const record of records) {
        const list = bySigner.get(record.record.by) ?? [];
        list.push(record);
        bySigner.set(record.record.by, list);
      }
      for (const [did, batch] of bySigner) await this.appendToFeed(did, batch);
    });
  }

  private async appendToFeed(did: string, batch: DecodedRecord[]): Promise<void> {
    let feed = this.feeds.get(did);
    const file = join(this.feedsDirectory, feedFileName(did));
    if (!feed) {
      feed = { did, file, size: 0 };
      try {
        await this.catchUp(feed, false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    } else {
      await this.catchUp(feed, false);
    }
    let head = feed.head;
    for (const record of batch) {
      checkExtendsHead(record, head);
      head = { seq: record.record.seq, cid: record.cid };
    }
    const isNew = feed.size === 0;
    const parts: Uint8Array[] = [];
    if (isNew) {
      const first = batch[0]!.record;
      parts.push(carHeader([first.proj ?? batch[0]!.cid]));
    }
    const offsets: number[] = [];
    let position = feed.size + (isNew ? parts[0]!.length : 0);
    for (const record of batch) {
      const block = carBlock(record.cid, record.bytes);
      offsets.push(position);
      position += block.length;
      parts.push(block);
    }
    const handle = await open(file, isNew ? 'w' : 'a');
    try {
      await handle.writev(parts);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (isNew) await fsyncDirectory(this.feedsDirectory);
    batch.forEach((record, i) => {
      const end = i + 1 < offsets.length ? offsets[i + 1]! : position;
      this.located.set(record.cid.toString(), { file, offset: offsets[i]!, end });
      this.index.add(record.cid, record.record);
    });
    feed.size = position;
    feed.head = head;
    this.feeds.set(did, feed);
  }

  async head(signer: string): Promise<FeedHead | undefined> {
    return this.withLock(async () => (await this.feedOf(signer))?.head);
  }

  async get(cid: CID): Promise<DecodedRecord | undefined> {
    let located = this.located.get(cid.toString());
    if (!located) {
      await this.refresh();
      located = this.located.get(cid.toString());
    }
    if (!located) return undefined;
    const handle = await open(located.file, 'r');
    try {
      const sections = readSections(handle, located.file, located.offset, located.end);
      const step = await sections.next();
      if (step.done) throw new CorruptFeedError(located.file, located.offset, 'record vanished from the feed');
      return this.decodeSection(located.file, located.offset, step.value.body);
    } finally {
      await handle.close();
    }
  }

  async *records(): AsyncIterable<DecodedRecord> {
    await this.refresh();
    for (const feed of [...this.feeds.values()].sort((a, b) => (a.did < b.did ? -1 : 1))) {
      const handle = await open(feed.file, 'r');
      try {
        const sections = readSections(handle, feed.file, 0, feed.size);
        let step = await sections.next();
        if (!step.done) step = await sections.next();
        for (; !step.done; step = await sections.next()) yield this.decodeSection(feed.file, step.value.offset, step.value.body);
      } finally {
        await handle.close();
      }
    }
  }

  async signers(): Promise<string[]> {
    await this.refresh();
    return [...this.feeds.keys()].sort();
  }

  async query(query: RecordQuery): Promise<CID[]> {
    return this.index.query(query);
  }

  async children(cid: CID): Promise<CID[]> {
    return this.index.children(cid);
  }
}
