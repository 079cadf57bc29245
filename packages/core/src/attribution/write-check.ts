// Records that would break attribution are refused when they are written (Project.record): a class
// that is not one of OP_CLASSES, `ai` or `tool` with no agent in the record or its links, text ops
// that do not fit the asset's text as its records leave it. Records that arrive otherwise (an
// imported feed, another tool) are reported by `colophon verify` and skipped by attribution.
import type { CID } from 'multiformats/cid';
import type { RecordStore } from '../ledger/record-store.js';
import type { ContributionRecord, RecordFields } from '../record/types.js';
import { loadAssetHistory } from './asset.js';
import { resolveAuthor, type LedgerEntry } from './classes.js';
import { AttributionError } from './errors.js';
import { hasNodeDelta, replayOrderedNodes } from './node-map.js';
import { orderLedger } from './order.js';
import { readTextOps, replayOrderedText, replayTextHistory } from './text-replay.js';

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
 * Every record that attribution would skip, per asset with text or node deltas. `entries` may be
 * the whole ledger or each asset's records with their causal past.
 */
export function unattributableRecords(entries: readonly LedgerEntry[]): UnattributableRecord[] {
  const text = new Set<string>();
  const nodes = new Set<string>();
  for (const { record } of entries) {
    if (record.asset === undefined || !record.delta) continue;
    if ('text' in record.delta) text.add(record.asset);
    else if (hasNodeDelta({ cid: undefined as unknown as CID, record })) nodes.add(record.asset);
  }
  const found: UnattributableRecord[] = [];
  if (text.size === 0 && nodes.size === 0) return found;
  // One causal order for every asset (ordering is the costly part of a replay).
  const ledger = orderLedger(entries);
  for (const asset of [...text].sort()) {
    for (const { record, reason } of replayOrderedText(ledger, { asset, skipUnattributable: true }).skipped) found.push({ record, asset, reason });
  }
  for (const asset of [...nodes].sort()) {
    if (text.has(asset)) continue;
    for (const { record, reason } of replayOrderedNodes(ledger, { asset, skipUnattributable: true }).skipped) found.push({ record, asset, reason });
  }
  return found;
}
