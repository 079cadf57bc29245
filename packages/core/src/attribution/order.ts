import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from './classes.js';
import { compareStrings } from '../values.js';

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
  const latest = new Map<string, number>();
  const found: ConcurrentEdit[] = [];
  const chosen: CID[] = [];
  for (const entry of ordered) {
    let seen = -1;
    for (const parent of parentsOf(entry)) seen = Math.max(seen, latest.get(parent) ?? -1);
    if (selected(entry)) {
      const index = chosen.length;
      if (index > 0 && seen !== index - 1) found.push({ record: entry.cid, previous: chosen[index - 1]! });
      chosen.push(entry.cid);
      seen = index;
    }
    latest.set(entry.cid.toString(), seen);
  }
  return found;
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
