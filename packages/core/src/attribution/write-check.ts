// Records that would break attribution are refused when they are written (Project.record): a class
// that is not one of OP_CLASSES, `ai` or `tool` with no agent in the record or its links, text ops
// that do not fit the asset's text as its records leave it. Records that arrive otherwise (an
// imported feed, another tool) are reported by `colophon verify` and skipped by attribution.
import type { CID } from 'multiformats/cid';
import type { RecordStore } from '../ledger/record-store.js';
import type { ContributionRecord, RecordFields } from '../record/types.js';
import { loadAssetHistory } from './asset.js';
import { resolveAuthor, type EntryLookup, type LedgerEntry } from './classes.js';
import { AttributionError } from './errors.js';
import { applyNodeRecord, hasNodeDelta, NodeAuthorshipMap } from './node-map.js';
import { causalOrder } from './order.js';
import { TextAuthorshipMap } from './text-map.js';
import { applyTextRecord, hasTextDelta, readTextOps, replayTextHistory } from './text-replay.js';
import { compareStrings } from '../values.js';

export interface UnattributableIssue {
  path: string;
  reason: string;
}

/** Why `fields` (not yet signed) could not be attributed after the records in `store`, or undefined. */
export async function unattributableIssue(store: Pick<RecordStore, 'query' | 'get'>, fields: RecordFields): Promise<UnattributableIssue | undefined> {
  const delta = fields.delta;
  if (!delta || fields.kind === 'member') return undefined;
  const textOps = 'text' in delta;
  const statedClass = 'class' in delta;
  if (!textOps && !statedClass) return undefined;
  const history = fields.asset !== undefined && textOps ? await loadAssetHistory(store, fields.asset) : [];
  const known = new Map<string, LedgerEntry>(history.map((e) => [e.cid.toString(), e]));
  for (const link of fields.links ?? []) {
    if (known.has(link.toString())) continue;
    const found = await store.get(link);
    if (found) known.set(found.cid.toString(), { cid: found.cid, record: found.record });
  }
  // Not signed yet: no CID to name, so errors carry only the field path.
  const entry = { cid: undefined as unknown as CID, record: fields as ContributionRecord };
  const lookup = (cid: string) => known.get(cid);
  try {
    if (textOps) {
      const length = history.length > 0 ? replayTextHistory(history, { asset: fields.asset!, skipUnattributable: true }).map.length : 0;
      readTextOps(entry, length, lookup);
    }
    if (statedClass && (hasNodeDelta(entry) || !textOps)) resolveAuthor(entry, delta.class, 'delta.class', lookup);
  } catch (error) {
    if (!(error instanceof AttributionError)) throw error;
    return { path: error.path, reason: error.message };
  }
  return undefined;
}

/** A record in the ledger that attribution goes past (see unattributableIssue), for `verify`. */
export interface UnattributableRecord {
  record: CID;
  asset: string;
  reason: string;
}

/**
 * Every record that attribution would skip, per asset with text or node deltas (an asset with any
 * text delta is a text asset, as in assetAttribution). `entries` may be the whole ledger or each
 * asset's records with their causal past. The ledger is put in causal order once and replayed in
 * one pass, one map per asset: replaying asset by asset would order the whole ledger again for
 * each asset, which made `verify` of a ledger with many assets slow.
 */
export function unattributableRecords(entries: readonly LedgerEntry[]): UnattributableRecord[] {
  const ordered = causalOrder(entries);
  const byCid = new Map(ordered.map((e) => [e.cid.toString(), e] as const));
  const lookup: EntryLookup = (cid) => byCid.get(cid);
  const textAssets = new Set<string>();
  for (const entry of ordered) if (entry.record.asset !== undefined && hasTextDelta(entry)) textAssets.add(entry.record.asset);
  const texts = new Map<string, TextAuthorshipMap>();
  const nodes = new Map<string, NodeAuthorshipMap>();
  const found: UnattributableRecord[] = [];
  for (const entry of ordered) {
    const asset = entry.record.asset;
    if (asset === undefined) continue;
    try {
      if (textAssets.has(asset)) {
        if (hasTextDelta(entry)) applyTextRecord(mapOf(texts, asset, () => new TextAuthorshipMap()), entry, lookup);
      } else if (hasNodeDelta(entry)) applyNodeRecord(mapOf(nodes, asset, () => new NodeAuthorshipMap()), entry, lookup);
    } catch (error) {
      if (!(error instanceof AttributionError)) throw error;
      found.push({ record: entry.cid, asset, reason: error.message });
    }
  }
  // Text assets first, then node assets, each by name; an asset's records in causal order (a stable sort).
  const rank = (asset: string) => (textAssets.has(asset) ? 0 : 1);
  return found.sort((a, b) => rank(a.asset) - rank(b.asset) || compareStrings(a.asset, b.asset));
}

function mapOf<M>(maps: Map<string, M>, asset: string, make: () => M): M {
  let map = maps.get(asset);
  if (!map) maps.set(asset, (map = make()));
  return map;
}
