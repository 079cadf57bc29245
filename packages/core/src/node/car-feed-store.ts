import { mkdir, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { CID } from 'multiformats/cid';
import { decodeRecord, type DecodedRecord } from '../record/encoding.js';
import { checkExtendsHead, type BuildOnHead, type FeedHead, type RecordStore } from '../ledger/record-store.js';
import { assertSafe, openNoFollow } from './safe-files.js';
import { RecordIndex, type RecordQuery } from '../ledger/record-index.js';
import { carBlock, carHeader, parseCarHeader, splitBlock } from '../ledger/car-format.js';
import { CorruptFeedError, readSections } from './feed-file.js';
import { fsyncDirectory } from './fs-durable.js';
import { processAlive } from './process-alive.js';
import { EnvironmentError } from './environment-error.js';

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
  /** Bytes past `size` that do not (yet) form a complete section: a crash mid-append, or an append under way. */
  tornBytes: number;
}

export interface CutTail {
  file: string;
  offset: number;
  bytes: number;
}

export interface OpenReport {
  feeds: number;
  records: number;
  /** Incomplete final blocks (a crash mid-append) found on open and left in place: reading never changes a feed. */
  torn: CutTail[];
  /** Incomplete final blocks this store cut off: by an append to that feed, or by repair(). */
  cut: CutTail[];
}

export interface CarFeedStoreOptions {
  /** Told each time an append or repair() cuts a torn tail, so the caller can say so. */
  onCut?: (cut: CutTail) => void;
}


const FEED_SUFFIX = '.car';

/** A lock whose holder stopped refreshing it this long ago is abandoned (proper-lockfile's rule). */
const LOCK_STALE_MS = 10_000;
/**
 * How long to wait for a live holder before giving up: longer than LOCK_STALE_MS, so an abandoned
 * lock is always outlived. COLOPHON_LOCK_WAIT_MS shortens it (a host that would rather fail fast).
 */
function lockWaitMs(): number {
  const fromEnv = Number(process.env.COLOPHON_LOCK_WAIT_MS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : 3 * LOCK_STALE_MS;
}
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
/** Another live process held the ledger lock for longer than we wait: an environment problem, not a bad ledger. */
export class LedgerLockedError extends EnvironmentError {
  constructor(
    readonly directory: string,
    readonly lockPath: string,
    waitedMs: number,
  ) {
    super(`${directory} is locked by another Colophon process (${lockPath}); gave up after ${waitedMs / 1000} s`);
  }
}

async function acquireLedgerLock(directory: string): Promise<() => Promise<void>> {
  const container = join(directory, 'ledger.lock');
  const held = join(container, 'held');
  await mkdir(container, { recursive: true });
  const waitMs = lockWaitMs();
  const deadline = Date.now() + waitMs;
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
    if (Date.now() > deadline) throw new LedgerLockedError(directory, held, waitMs);
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
 * The project's feeds as CARv1 files, `<dir>/feeds/<signer>.car`, appended block by block.
 *
 * Writes: an append is on disk (fdatasync) before it returns. One cross-process lock spans
 * reading the feed head, building (signing) the records on it and appending them
 * (appendOnHead), so concurrent writers never fork a feed or fail on a stale head.
 *
 * Reads: every read first catches up on what other processes appended, reading only the bytes
 * past what it already knows, without the lock; a section still being written looks incomplete
 * and is simply not read yet. Reading never changes a feed: a torn tail (a crash mid-append) is
 * reported in `report.torn`, and cut only by the next append to that feed or by repair().
 *
 * Links: a feed file or folder that is a symbolic link is refused (UnsafePathError), never followed.
 */
export class CarFeedStore implements RecordStore {
  private readonly feeds = new Map<string, Feed>();
  private readonly located = new Map<string, Located>();
  private readonly index = new RecordIndex();
  /** Serialises this store's own catch-ups and lock holds: two at once would index a section twice. */
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private constructor(
    readonly directory: string,
    readonly report: OpenReport,
    private readonly options: CarFeedStoreOptions,
  ) {}

  get feedsDirectory(): string {
    return join(this.directory, 'feeds');
  }

  static async open(directory: string, options: CarFeedStoreOptions = {}): Promise<CarFeedStore> {
    const store = new CarFeedStore(directory, { feeds: 0, records: 0, torn: [], cut: [] }, options);
    await assertSafe(directory, 'directory');
    await assertSafe(store.feedsDirectory, 'directory');
    await mkdir(store.feedsDirectory, { recursive: true });
    // Under the lock, so that an append under way in another process is not reported as torn.
    await store.withLock(async () => {
      await store.scan();
      for (const feed of store.feeds.values()) if (feed.tornBytes > 0) store.report.torn.push({ file: feed.file, offset: feed.size, bytes: feed.tornBytes });
    });
    store.report.feeds = store.feeds.size;
    return store;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(work, work);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  private withLock<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const release = await acquireLedgerLock(this.directory);
      try {
        return await work();
      } finally {
        await release();
      }
    });
  }

  /** Catches up on every feed, new ones included (lock-free: reads complete sections only). */
  private refresh(): Promise<void> {
    return this.exclusive(() => this.scan());
  }

  private async scan(): Promise<void> {
    for (const name of (await readdir(this.feedsDirectory)).sort()) {
      if (name.endsWith(FEED_SUFFIX)) await this.feedOf(`did:key:${name.slice(0, -FEED_SUFFIX.length)}`);
    }
  }

  /** The feed of `did` brought up to date with the disk; undefined when it has no file yet. */
  private async feedOf(did: string): Promise<Feed | undefined> {
    let feed = this.feeds.get(did);
    if (!feed) {
      const file = join(this.feedsDirectory, feedFileName(did));
      let handle;
      try {
        handle = await openNoFollow(file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      await handle.close();
      feed = { did, file, size: 0, tornBytes: 0 };
      this.feeds.set(did, feed);
    }
    await this.catchUp(feed);
    return feed;
  }

  /** Reads the complete sections past what we know of a feed; whatever follows them is noted as torn. */
  private async catchUp(feed: Feed): Promise<void> {
    const handle = await openNoFollow(feed.file, 'r');
    try {
      const { size } = await handle.stat();
      if (size < feed.size) throw new CorruptFeedError(feed.file, size, `file shrank from ${feed.size} bytes: something outside Colophon truncated it`);
      feed.tornBytes = 0;
      if (size === feed.size) return;
      const sections = readSections(handle, feed.file, feed.size, size);
      let step = await sections.next();
      if (feed.size === 0) {
        if (step.done) {
          feed.tornBytes = size;
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
      feed.tornBytes = size - step.value.end;
    } finally {
      await handle.close();
    }
  }

  /** Cuts a feed's torn tail (call under the lock, after catchUp), saying so. */
  private async cutTornTail(feed: Feed): Promise<void> {
    if (feed.tornBytes === 0) return;
    const handle = await openNoFollow(feed.file, 'r+');
    try {
      await handle.truncate(feed.size);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const cut = { file: feed.file, offset: feed.size, bytes: feed.tornBytes };
    feed.tornBytes = 0;
    this.report.cut.push(cut);
    this.options.onCut?.(cut);
  }

  /** Cuts every feed's torn tail (an explicit repair); returns what was cut. */
  async repair(): Promise<CutTail[]> {
    return this.withLock(async () => {
      await this.scan();
      const cuts: CutTail[] = [];
      for (const feed of this.feeds.values()) {
        const before = this.report.cut.length;
        await this.cutTornTail(feed);
        cuts.push(...this.report.cut.slice(before));
      }
      return cuts;
    });
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
      // Feeds are separate files: write and fdatasync them side by side.
      await Promise.all([...bySigner(records)].map(([did, batch]) => this.appendToFeed(did, batch)));
    });
  }

  /**
   * Reads the signer's head, builds records on it and appends them, all under the lock: another
   * process cannot append in between, so the records' seq and prev are always right.
   */
  async appendOnHead(signer: string, build: BuildOnHead): Promise<readonly DecodedRecord[]> {
    return this.withLock(async () => {
      const feed = await this.feedOf(signer);
      const records = await build(feed?.head);
      for (const record of records) {
        if (record.record.by !== signer) throw new RangeError(`appendOnHead(${signer}) was given a record of ${record.record.by}`);
      }
      if (records.length > 0) await this.appendToFeed(signer, [...records]);
      return records;
    });
  }

  /**
   * Appends the records not already stored (same CID), in the order given; returns those it
   * appended. Safe to run from several processes at once: each sees the others' appends under the
   * lock, so importing one CAR twice, even simultaneously, stores every record once.
   */
  async appendNew(records: readonly DecodedRecord[]): Promise<DecodedRecord[]> {
    return this.withLock(async () => {
      const groups = await Promise.all(
        [...bySigner(records)].map(async ([did, batch]) => {
          await this.feedOf(did);
          const missing = batch.filter((record) => !this.located.has(record.cid.toString()));
          if (missing.length > 0) await this.appendToFeed(did, missing);
          return missing;
        }),
      );
      return groups.flat();
    });
  }

  /** Call under the lock. */
  private async appendToFeed(did: string, batch: DecodedRecord[]): Promise<void> {
    const file = join(this.feedsDirectory, feedFileName(did));
    const feed = (await this.feedOf(did)) ?? { did, file, size: 0, tornBytes: 0 };
    let head = feed.head;
    for (const record of batch) {
      checkExtendsHead(record, head);
      head = { seq: record.record.seq, cid: record.cid };
    }
    await this.cutTornTail(feed);
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
    const handle = await openNoFollow(file, isNew ? 'w' : 'a');
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
    return this.exclusive(async () => (await this.feedOf(signer))?.head);
  }

  /** Whether a record is in the ledger (catching up first when it is not known yet). */
  async has(cid: CID): Promise<boolean> {
    if (this.located.has(cid.toString())) return true;
    await this.refresh();
    return this.located.has(cid.toString());
  }

  async get(cid: CID): Promise<DecodedRecord | undefined> {
    let located = this.located.get(cid.toString());
    if (!located) {
      await this.refresh();
      located = this.located.get(cid.toString());
    }
    if (!located) return undefined;
    const handle = await openNoFollow(located.file, 'r');
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
    const snapshot = [...this.feeds.values()].sort((a, b) => (a.did < b.did ? -1 : 1)).map((feed) => ({ file: feed.file, size: feed.size }));
    for (const feed of snapshot) {
      const handle = await openNoFollow(feed.file, 'r');
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
    return [...this.feeds.values()].filter((feed) => feed.head).map((feed) => feed.did).sort();
  }

  async query(query: RecordQuery): Promise<CID[]> {
    await this.refresh();
    return this.index.query(query);
  }

  async children(cid: CID): Promise<CID[]> {
    await this.refresh();
    return this.index.children(cid);
  }
}

function bySigner(records: readonly DecodedRecord[]): Map<string, DecodedRecord[]> {
  const groups = new Map<string, DecodedRecord[]>();
  for (const record of records) {
    const list = groups.get(record.record.by) ?? [];
    list.push(record);
    groups.set(record.record.by, list);
  }
  return groups;
}
