// The project's ledger inside the Figma document: every signer's feed as CARv1 bytes in shared
// plugin data on the document root (core's embedded-feed format, namespace `colophon`), mirrored
// in memory. Only this user's feed is ever written; other feeds are read, verified and trusted
// only as far as they verify.
import {
  EMBEDDED_FEED_NAMESPACE,
  MemoryRecordStore,
  carBlock,
  carBytesBlocks,
  carHeader,
  decodeRecord,
  embeddedFeedIndexKey,
  embeddedFeedWrites,
  readEmbeddedFeeds,
  verifyBlocks,
  verifyRecordSignature,
  type CID,
  type DecodedRecord,
  type EmbeddedFeed,
  type RawBlock,
} from '@colophon/core/record';

/**
 * What the ledger needs of the document root: its shared plugin data (DocumentNode's methods; a
 * structural type, so the panel can read a copy of the entries without Figma's typings).
 */
export interface SharedDataNode {
  getSharedPluginData(namespace: string, key: string): string;
  setSharedPluginData(namespace: string, key: string, value: string): void;
  getSharedPluginDataKeys(namespace: string): string[];
}

/** A feed or key left out because it did not verify; shown to the user, never silently dropped. */
export interface LedgerProblem {
  signer?: string;
  key?: string;
  message: string;
}

/** Index keys are `feeds/<did>`; chunk keys `feeds/<did>/<i>` (core's embedded-feed format). */
const FEED_KEY_PREFIX = embeddedFeedIndexKey('');

export class DocumentLedger extends MemoryRecordStore {
  /** Per signer: the feed bytes already taken in (a stored feed only ever grows). */
  private readonly taken = new Map<string, Uint8Array>();
  /** Per signer: the index entry (length and sha256) of the bytes taken, so an unchanged feed is never decoded again. */
  private readonly takenIndex = new Map<string, string>();
  private genesisCid: CID | undefined;
  readonly problems: LedgerProblem[] = [];

  private constructor(
    private readonly root: SharedDataNode,
    /** The only signer whose feed this plugin writes. */
    readonly signer: string,
  ) {
    super();
  }

  /**
   * Reads and verifies every feed in the document. Feeds named by a verification finding are left
   * out whole (and reported), then the rest is verified again without them, until it verifies.
   */
  static async open(root: SharedDataNode, signer: string): Promise<DocumentLedger> {
    const ledger = new DocumentLedger(root, signer);
    const entries = ledger.entries();
    const { feeds, problems } = readEmbeddedFeeds(entries);
    ledger.problems.push(...problems.map((p) => ({ key: p.key, message: p.message })));
    let candidates = ledger.parseFeeds(feeds);
    const genesis = chooseGenesis(candidates);
    // Each round drops at least one feed, so this ends; an empty document has nothing to verify.
    while (candidates.length > 0) {
      const blocks = candidates.flatMap((c) => c.blocks);
      const report = await verifyBlocks(blocks, genesis ? { genesis } : {});
      if (report.findings.length === 0) break;
      const refused = new Set(report.findings.map((f) => f.signer).filter((s): s is string => s !== undefined));
      // A finding naming no signer (no genesis at all) condemns every feed.
      if (refused.size === 0) for (const c of candidates) refused.add(c.signer);
      for (const finding of report.findings) ledger.problems.push({ signer: finding.signer, message: `[${finding.code}] ${finding.message}` });
      candidates = candidates.filter((c) => !refused.has(c.signer));
    }
    for (const candidate of candidates) {
      for (const block of candidate.blocks) await ledger.takeVerified(decodeRecord(block.bytes, block.source));
      ledger.taken.set(candidate.signer, candidate.car);
      ledger.takenIndex.set(candidate.signer, entries[embeddedFeedIndexKey(candidate.signer)]!);
    }
    ledger.genesisCid = candidates.length > 0 ? genesis : undefined;
    return ledger;
  }

  /** The project's genesis record, once any verified feed holds one. */
  async genesis(): Promise<DecodedRecord | undefined> {
    return this.genesisCid && this.get(this.genesisCid);
  }

  /**
   * Takes in what other signers appended since the last look: a feed that still extends what was
   * taken is read from there on, each new record checked (CID, signature, project, seq/prev); a
   * feed that no longer extends it (rewritten history) is refused and reported. Returns the new
   * records.
   */
  async refresh(): Promise<DecodedRecord[]> {
    // Only feeds whose index entry changed are read, decoded and hashed: this runs on every
    // REMOTE change batch and every few seconds, and a loaded document holds megabytes of feeds.
    const { feeds, problems } = readEmbeddedFeeds(this.entries((signer, index) => signer !== this.signer && this.takenIndex.get(signer) !== index));
    for (const p of problems) this.report({ key: p.key, message: p.message });
    const added: DecodedRecord[] = [];
    for (const feed of feeds) {
      const before = this.taken.get(feed.signer);
      const index = this.root.getSharedPluginData(EMBEDDED_FEED_NAMESPACE, embeddedFeedIndexKey(feed.signer));
      if (before && before.length === feed.car.length) {
        this.takenIndex.set(feed.signer, index);
        continue;
      }
      try {
        await this.takeIn(feed, before, added);
      } catch (error) {
        this.report({ signer: feed.signer, message: (error as Error).message });
      }
      // A refused feed is looked at again only when its writer changes it.
      this.takenIndex.set(feed.signer, index);
    }
    return added;
  }

  override async append(record: DecodedRecord): Promise<void> {
    await this.appendMany([record]);
  }

  /**
   * Appends this user's records in order, then writes the changed chunks and the index once (the
   * capture engine's group commit, through the inherited appendOnHead: one document write per batch).
   */
  override async appendMany(records: readonly DecodedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const before = this.taken.get(this.signer);
    let start = before;
    const blocks: Uint8Array[] = [];
    for (const record of records) {
      if (record.record.by !== this.signer) throw new Error(`this plugin writes only its own feed (${this.signer}), not ${record.record.by}'s`);
      await super.append(record);
      if (record.record.kind === 'project.genesis' && !this.genesisCid) this.genesisCid = record.cid;
      // The feed file's layout: a header naming the project, then the signer's records in seq order.
      start ??= carHeader([record.record.proj ?? record.cid]);
      blocks.push(carBlock(record.cid, record.bytes));
    }
    const car = new Uint8Array(start!.length + blocks.reduce((n, b) => n + b.length, 0));
    car.set(start!, 0);
    let at = start!.length;
    for (const block of blocks) {
      car.set(block, at);
      at += block.length;
    }
    this.taken.set(this.signer, car);
    // Chunks from the first changed one, then the index: a reader never sees an index ahead of its chunks.
    for (const [key, value] of embeddedFeedWrites(this.signer, car, before?.length ?? 0)) this.root.setSharedPluginData(EMBEDDED_FEED_NAMESPACE, key, value);
  }

  /** Size in bytes of this user's stored feed. */
  ownFeedBytes(): number {
    return this.taken.get(this.signer)?.length ?? 0;
  }

  /**
   * The document's stored feed entries (namespace `colophon`) as they are, for a reader elsewhere
   * (the panel) to verify itself; with `wanted`, only the feeds (index and chunks) it picks by
   * signer and index entry.
   */
  entries(wanted?: (signer: string, index: string) => boolean): Record<string, string> {
    const out: Record<string, string> = {};
    const keys = this.root.getSharedPluginDataKeys(EMBEDDED_FEED_NAMESPACE);
    const picked = new Set<string>();
    if (wanted) {
      for (const key of keys) {
        const signer = key.startsWith(FEED_KEY_PREFIX) ? key.slice(FEED_KEY_PREFIX.length) : '';
        if (signer === '' || signer.includes('/')) continue;
        const index = this.root.getSharedPluginData(EMBEDDED_FEED_NAMESPACE, key);
        if (wanted(signer, index)) picked.add(key);
      }
    }
    for (const key of keys) {
      // A chunk key is its feed's index key plus "/<i>".
      if (wanted && !picked.has(key) && !picked.has(key.slice(0, key.lastIndexOf('/')))) continue;
      out[key] = this.root.getSharedPluginData(EMBEDDED_FEED_NAMESPACE, key);
    }
    return out;
  }

  private parseFeeds(feeds: EmbeddedFeed[]): Candidate[] {
    const out: Candidate[] = [];
    for (const feed of feeds) {
      try {
        const { blocks } = carBytesBlocks(feed.car, `feeds/${feed.signer}`);
        const foreign = blocks.find((b) => decodeSigner(b) !== feed.signer);
        if (foreign) throw new Error(`feeds/${feed.signer}: block at byte ${foreign.position} is not signed by the feed's signer`);
        out.push({ signer: feed.signer, car: feed.car, blocks });
      } catch (error) {
        this.problems.push({ signer: feed.signer, message: (error as Error).message });
      }
    }
    return out;
  }

  private async takeIn(feed: EmbeddedFeed, before: Uint8Array | undefined, added: DecodedRecord[]): Promise<void> {
    const source = `feeds/${feed.signer}`;
    if (before && !startsWith(feed.car, before)) throw new Error(`${source} no longer extends the ${before.length} bytes already verified (history rewritten); its new records are refused`);
    const { blocks } = carBytesBlocks(feed.car, source);
    const genesis = this.genesisCid;
    for (const block of blocks) {
      if (before && block.position < before.length) continue;
      const decoded = decodeRecord(block.bytes, `${source} @${block.position}`);
      if (decoded.record.by !== feed.signer) throw new Error(`${source} @${block.position}: not signed by the feed's signer`);
      if (!verifyRecordSignature(decoded.record)) throw new Error(`${source} @${block.position}: bad signature on ${decoded.cid}`);
      if (!genesis || !(decoded.record.proj?.equals(genesis) ?? false)) throw new Error(`${source} @${block.position}: record ${decoded.cid} is not of this project`);
      await this.takeVerified(decoded);
      added.push(decoded);
    }
    this.taken.set(feed.signer, feed.car);
  }

  /** Another signer's record, verified by the caller: into memory only (their feed is theirs to write). */
  private async takeVerified(record: DecodedRecord): Promise<void> {
    await super.append(record);
  }

  private report(problem: LedgerProblem): void {
    if (!this.problems.some((p) => p.message === problem.message)) this.problems.push(problem);
  }
}

interface Candidate {
  signer: string;
  car: Uint8Array;
  blocks: RawBlock[];
}

/**
 * The project is the genesis every reader picks the same way: when two people started a project
 * in the same document at once, the genesis with the smallest CID (as a string) wins.
 */
function chooseGenesis(candidates: Candidate[]): CID | undefined {
  let best: CID | undefined;
  for (const candidate of candidates) {
    const first = candidate.blocks[0];
    if (!first) continue;
    const decoded = tryDecode(first);
    if (decoded?.record.kind === 'project.genesis' && (!best || decoded.cid.toString() < best.toString())) best = decoded.cid;
  }
  return best;
}

function tryDecode(block: RawBlock): DecodedRecord | undefined {
  try {
    return decodeRecord(block.bytes, block.source);
  } catch {
    return undefined;
  }
}

function decodeSigner(block: RawBlock): string | undefined {
  return tryDecode(block)?.record.by;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
