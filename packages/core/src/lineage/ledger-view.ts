// The whole ledger, read once and indexed for lineage questions: by CID, by produced content, by
// who links to whom, in causal order. Lineage needs the reverse edges (which checks evaluated a
// step, which record consumed an output) that a record store does not index.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import { causalOrder } from '../attribution/order.js';
import { isContentStep } from '../attribution/steps.js';
import type { RecordStore } from '../ledger/record-store.js';
import { LineageError } from './errors.js';

/** Lineage reads the whole ledger into memory; beyond this many records it refuses rather than exhaust it. */
export const MAX_VIEW_RECORDS = 1_000_000;

export class LedgerView {
  /** Every record, in causal order. */
  readonly ordered: LedgerEntry[];
  private readonly byCid = new Map<string, LedgerEntry>();
  private readonly position = new Map<string, number>();
  private readonly byOut = new Map<string, LedgerEntry[]>();
  private readonly linkedFrom = new Map<string, LedgerEntry[]>();
  /** Content records per asset, in causal order. */
  private readonly versions = new Map<string, LedgerEntry[]>();

  constructor(entries: readonly LedgerEntry[]) {
    this.ordered = causalOrder(entries);
    this.ordered.forEach((entry, i) => {
      const key = entry.cid.toString();
      this.byCid.set(key, entry);
      this.position.set(key, i);
      if (entry.record.out) push(this.byOut, entry.record.out.toString(), entry);
      for (const link of entry.record.links ?? []) push(this.linkedFrom, link.toString(), entry);
      if (entry.record.asset !== undefined && isContentStep(entry)) push(this.versions, entry.record.asset, entry);
    });
  }

  static async load(store: Pick<RecordStore, 'records'>, maxRecords = MAX_VIEW_RECORDS): Promise<LedgerView> {
    const entries: LedgerEntry[] = [];
    for await (const { cid, record } of store.records()) {
      if (entries.length >= maxRecords) throw new LineageError(`the ledger holds more than ${maxRecords} records, more than lineage questions read into memory`);
      entries.push({ cid, record });
    }
    return new LedgerView(entries);
  }

  get size(): number {
    return this.ordered.length;
  }

  get(cid: CID | string): LedgerEntry | undefined {
    return this.byCid.get(cid.toString());
  }

  /** Position in causal order (-1 when absent). */
  positionOf(cid: CID | string): number {
    return this.position.get(cid.toString()) ?? -1;
  }

  /** Records naming `content` as their `out`, in causal order. */
  producersOf(content: CID | string): LedgerEntry[] {
    return this.byOut.get(content.toString()) ?? [];
  }

  /** The latest record before `before` (causal order) that produced `content`. */
  producerBefore(content: CID | string, before: LedgerEntry): LedgerEntry | undefined {
    const limit = this.positionOf(before.cid);
    const producers = this.producersOf(content);
    for (let i = producers.length - 1; i >= 0; i--) if (this.positionOf(producers[i]!.cid) < limit) return producers[i];
    return undefined;
  }

  /** Content records of an asset (its versions), in causal order. */
  versionsOf(asset: string): LedgerEntry[] {
    return this.versions.get(asset) ?? [];
  }

  /** The version of `entry`'s asset just before it, if any. */
  previousVersion(entry: LedgerEntry): LedgerEntry | undefined {
    if (entry.record.asset === undefined) return undefined;
    const list = this.versionsOf(entry.record.asset);
    const limit = this.positionOf(entry.cid);
    // Binary search: the last version whose position is below the entry's.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.positionOf(list[mid]!.cid) < limit) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1] : undefined;
  }

  /** Records that list `cid` in their links, in causal order. */
  linking(cid: CID | string): LedgerEntry[] {
    return this.linkedFrom.get(cid.toString()) ?? [];
  }
}

function push(map: Map<string, LedgerEntry[]>, key: string, entry: LedgerEntry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}
