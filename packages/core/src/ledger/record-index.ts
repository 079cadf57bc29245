import { CID } from 'multiformats/cid';
import type { ContributionRecord } from '../record/types.js';

export interface RecordQuery {
  asset?: string;
  kind?: string;
  signer?: string;
}

/**
 * Lookups a store answers without reading records back: by asset, by kind, by signer, and the
 * records that link to a given one. Holds CIDs only, never record bytes, so it stays small.
 */
export class RecordIndex {
  private readonly byAsset = new Map<string, CID[]>();
  private readonly byKind = new Map<string, CID[]>();
  private readonly bySigner = new Map<string, CID[]>();
  private readonly linkedFrom = new Map<string, CID[]>();

  add(cid: CID, record: ContributionRecord): void {
    if (record.asset) push(this.byAsset, record.asset, cid);
    push(this.byKind, record.kind, cid);
    push(this.bySigner, record.by, cid);
    for (const link of record.links ?? []) push(this.linkedFrom, link.toString(), cid);
  }

  /** CIDs matching every given criterion, in the order they were added. */
  query(query: RecordQuery): CID[] {
    const lists: CID[][] = [];
    if (query.asset !== undefined) lists.push(this.byAsset.get(query.asset) ?? []);
    if (query.kind !== undefined) lists.push(this.byKind.get(query.kind) ?? []);
    if (query.signer !== undefined) lists.push(this.bySigner.get(query.signer) ?? []);
    if (lists.length === 0) return [...this.bySigner.values()].flat();
    lists.sort((a, b) => a.length - b.length);
    const [smallest, ...rest] = lists as [CID[], ...CID[][]];
    const others = rest.map((list) => new Set(list.map(String)));
    return smallest.filter((cid) => others.every((set) => set.has(cid.toString())));
  }

  /** Records that list `cid` in their links. */
  children(cid: CID): CID[] {
    return [...(this.linkedFrom.get(cid.toString()) ?? [])];
  }
}

function push(map: Map<string, CID[]>, key: string, cid: CID): void {
  const list = map.get(key);
  if (list) list.push(cid);
  else map.set(key, [cid]);
}
