// Causality between records: which record had seen which. Signers choose `at`, so claimed time
// orders nothing here; `prev` and `links` do. A record's clock maps each signer to the highest seq
// of theirs among the record's ancestors (itself included). Feeds are chains, so "record b is in
// a's past" is exactly clock(a)[b.by] >= b.seq, even when records between them are not at hand.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import type { RecordStore } from './record-store.js';

/** signer did -> highest seq seen. */
export type Clock = ReadonlyMap<string, number>;

function parents(entry: LedgerEntry): CID[] {
  const list = [...(entry.record.links ?? [])];
  if (entry.record.prev) list.push(entry.record.prev);
  return list;
}

function merge(into: Map<string, number>, clock: Clock | undefined): void {
  if (!clock) return;
  for (const [signer, seq] of clock) if ((into.get(signer) ?? -1) < seq) into.set(signer, seq);
}

function own(entry: LedgerEntry, clock: Map<string, number>): Map<string, number> {
  if ((clock.get(entry.record.by) ?? -1) < entry.record.seq) clock.set(entry.record.by, entry.record.seq);
  return clock;
}

/** True when `b` is in the causal past of `a` (or is `a`), by a's clock. */
export function sawRecord(clockOfA: Clock, b: Pick<LedgerEntry, 'record'>): boolean {
  return (clockOfA.get(b.record.by) ?? -1) >= b.record.seq;
}

/**
 * The clocks of a fixed set of records (what one gate evaluation reads). Parents outside the set
 * contribute nothing beyond what their seq already implies, so a set that leaves out records a
 * record linked sees less: verifiers compare with StoreClocks.
 */
export class CausalClocks {
  private readonly clocks = new Map<string, Map<string, number>>();

  /** `ordered` must be in causal order (parents first), as causalOrder returns. */
  constructor(ordered: readonly LedgerEntry[]) {
    for (const entry of ordered) {
      const clock = new Map<string, number>();
      for (const parent of parents(entry)) merge(clock, this.clocks.get(parent.toString()));
      this.clocks.set(entry.cid.toString(), own(entry, clock));
    }
  }

  clock(cid: CID | string): Clock {
    return this.clocks.get(cid.toString()) ?? new Map();
  }

  /** True when `b` is in the causal past of `a` (a and b distinct records of the set). */
  saw(a: LedgerEntry, b: LedgerEntry): boolean {
    return a.cid.toString() !== b.cid.toString() && sawRecord(this.clock(a.cid), b);
  }

  /** The highest seq of `signer` that `cid` saw (-1: none). */
  seqSeen(cid: CID | string, signer: string): number {
    return this.clock(cid).get(signer) ?? -1;
  }

  /** The records of `entries` that no other record of `entries` saw: the concurrent heads. */
  heads<T extends LedgerEntry>(entries: readonly T[]): T[] {
    return entries.filter((e) => !entries.some((other) => this.saw(other, e)));
  }
}

/**
 * Clocks computed from a whole store, walking every ancestor once (iteratively, memoised): what a
 * record saw, whatever a gate record chose to list. Records the store lacks contribute their seq
 * only (verify reports missing links).
 */
export class StoreClocks {
  private readonly clocks = new Map<string, Map<string, number>>();

  constructor(private readonly store: Pick<RecordStore, 'get'>) {}

  async clock(cid: CID): Promise<Clock> {
    const known = this.clocks.get(cid.toString());
    if (known) return known;
    const root = await this.store.get(cid);
    if (!root) return new Map();
    // Depth-first, post-order: a record's clock is made once all its parents' are.
    const stack: { entry: LedgerEntry; expanded: boolean }[] = [{ entry: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const key = top.entry.cid.toString();
      if (this.clocks.has(key)) {
        stack.pop();
        continue;
      }
      if (!top.expanded) {
        top.expanded = true;
        for (const parent of parents(top.entry)) {
          if (this.clocks.has(parent.toString())) continue;
          const found = await this.store.get(parent);
          if (found) stack.push({ entry: found, expanded: false });
        }
        continue;
      }
      stack.pop();
      const clock = new Map<string, number>();
      for (const parent of parents(top.entry)) merge(clock, this.clocks.get(parent.toString()));
      this.clocks.set(key, own(top.entry, clock));
    }
    return this.clocks.get(cid.toString())!;
  }

  /** True when `b` is in the causal past of the record `a` (or is it). */
  async saw(a: CID, b: Pick<LedgerEntry, 'record'>): Promise<boolean> {
    return sawRecord(await this.clock(a), b);
  }
}
