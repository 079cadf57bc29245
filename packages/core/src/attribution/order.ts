import type { CID } from 'multiformats/cid';
import type { EntryLookup, LedgerEntry } from './classes.js';

/**
 * Replay order: causal order over the records given. A record comes after its `prev` (the
 * signer's previous record) and its `links`, transitively — so give the records in between too
 * (the whole ledger, or an asset's records with their causal past, see loadAssetHistory).
 * Records neither orders are taken by claimed time `at`, then by CID string, so every machine
 * gets the same order from the same records whatever order storage returned them in. Parents
 * that are not among the records given are ignored; duplicate CIDs are read once.
 */
export function causalOrder<T extends LedgerEntry>(entries: readonly T[]): T[] {
  const byCid = new Map<string, T>();
  for (const entry of entries) if (!byCid.has(entry.cid.toString())) byCid.set(entry.cid.toString(), entry);
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const [id, entry] of byCid) {
    let n = 0;
    for (const parent of parentsOf(entry)) {
      if (!byCid.has(parent)) continue;
      n++;
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    }
    waiting.set(id, n);
  }
  const ready = new Heap<T>((a, b) => a.record.at - b.record.at || compareStrings(a.cid.toString(), b.cid.toString()));
  for (const [id, n] of waiting) if (n === 0) ready.push(byCid.get(id)!);
  const out: T[] = [];
  for (let next = ready.pop(); next; next = ready.pop()) {
    out.push(next);
    for (const child of children.get(next.cid.toString()) ?? []) {
      const n = waiting.get(child)! - 1;
      waiting.set(child, n);
      if (n === 0) ready.push(byCid.get(child)!);
    }
  }
  // Content addressing makes cycles impossible for real records; refuse rather than drop some.
  if (out.length !== byCid.size) throw new Error(`records link in a cycle (${byCid.size - out.length} records could not be ordered)`);
  return out;
}

/** Records put in causal order once, with a lookup by CID string, for replaying several assets of one ledger. */
export interface OrderedLedger {
  ordered: readonly LedgerEntry[];
  lookup: EntryLookup;
  /** For each record in `ordered`, the positions there of its parents (those given). */
  parents: readonly (readonly number[])[];
}

export function orderLedger(entries: readonly LedgerEntry[]): OrderedLedger {
  const ordered = causalOrder(entries);
  const position = new Map(ordered.map((e, i) => [e.cid.toString(), i] as const));
  return { ordered, lookup: (cid) => ordered[position.get(cid) ?? -1], parents: parentPositions(ordered, position) };
}

function parentPositions(ordered: readonly LedgerEntry[], position: ReadonlyMap<string, number>): number[][] {
  return ordered.map((entry) => {
    const found: number[] = [];
    for (const parent of parentsOf(entry)) {
      const at = position.get(parent);
      if (at !== undefined) found.push(at);
    }
    return found;
  });
}

/** Distinct parents: prev and links, as CID strings. */
function parentsOf(entry: LedgerEntry): Set<string> {
  const parents = new Set<string>();
  if (entry.record.prev) parents.add(entry.record.prev.toString());
  for (const link of entry.record.links ?? []) parents.add(link.toString());
  return parents;
}

/** Two consecutive replayed records where the later one did not see the earlier one. */
export interface ConcurrentEdit {
  record: CID;
  previous: CID;
}

/**
 * Among `ordered` (causal order), the selected records whose predecessor in the selection is not
 * among their ancestors. Ops carry positions in the text their author saw; an edit made without
 * seeing the previous one may point at the wrong characters, so replay reports it. One pass:
 * each record carries the highest selection index among its ancestors (a causal order puts every
 * ancestor first, so "the predecessor is an ancestor" is "that highest index is the predecessor's").
 */
export function concurrentEdits(ordered: readonly LedgerEntry[], selected: (entry: LedgerEntry) => boolean): ConcurrentEdit[] {
  const position = new Map(ordered.map((e, i) => [e.cid.toString(), i] as const));
  return concurrentEditsIn({ ordered, parents: parentPositions(ordered, position) }, selected);
}

/** concurrentEdits over a ledger ordered once (orderLedger): no CIDs turned into strings again. */
export function concurrentEditsIn({ ordered, parents }: Pick<OrderedLedger, 'ordered' | 'parents'>, selected: (entry: LedgerEntry) => boolean): ConcurrentEdit[] {
  // For each record: the index (among the selected records) of the latest selected one it saw.
  const latest = new Int32Array(ordered.length);
  const found: ConcurrentEdit[] = [];
  const chosen: CID[] = [];
  ordered.forEach((entry, i) => {
    let seen = -1;
    for (const parent of parents[i]!) if (parent < i && latest[parent]! > seen) seen = latest[parent]!;
    if (selected(entry)) {
      const index = chosen.length;
      if (index > 0 && seen !== index - 1) found.push({ record: entry.cid, previous: chosen[index - 1]! });
      chosen.push(entry.cid);
      seen = index;
    }
    latest[i] = seen;
  });
  return found;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A binary min-heap: ready records are taken smallest first. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.less(items[l]!, items[m]!) < 0) m = l;
      if (r < items.length && this.less(items[r]!, items[m]!) < 0) m = r;
      if (m === i) return top;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
  }
}
