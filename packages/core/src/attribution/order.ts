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
  // Records are numbered and each CID is turned into a string once: the heap compares CIDs
  // O(n log n) times, and verify orders whole ledgers.
  const index = new Map<string, number>();
  const nodes: T[] = [];
  const ids: string[] = [];
  for (const entry of entries) {
    const id = entry.cid.toString();
    if (index.has(id)) continue;
    index.set(id, nodes.length);
    nodes.push(entry);
    ids.push(id);
  }
  const waiting = new Array<number>(nodes.length).fill(0);
  const children: (number[] | undefined)[] = new Array(nodes.length);
  nodes.forEach((entry, i) => {
    for (const parent of parentsOf(entry)) {
      const p = index.get(parent);
      if (p === undefined) continue;
      waiting[i]!++;
      (children[p] ??= []).push(i);
    }
  });
  const ready = new Heap<number>((a, b) => nodes[a]!.record.at - nodes[b]!.record.at || compareStrings(ids[a]!, ids[b]!));
  for (let i = 0; i < nodes.length; i++) if (waiting[i] === 0) ready.push(i);
  const out: T[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    out.push(nodes[next]!);
    for (const child of children[next] ?? []) if (--waiting[child]! === 0) ready.push(child);
  }
  // Content addressing makes cycles impossible for real records; refuse rather than drop some.
  if (out.length !== nodes.length) throw new Error(`records link in a cycle (${nodes.length - out.length} records could not be ordered)`);
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
