import type { CID } from 'multiformats/cid';
import type { RecordStore } from '../ledger/record-store.js';
import type { Author, AuthorClass, EntryLookup, LedgerEntry } from './classes.js';
import { AttributionError } from './errors.js';
import { hasNodeDelta, replayNodeAuthorship, type NodeAuthorshipMap } from './node-map.js';
import { causalOrder, type ConcurrentEdit } from './order.js';
import { sharesFrom, type AttributionShares } from './shares.js';
import { decideSourceType } from './source-type.js';
import { attributeSteps, isContentStep } from './steps.js';
import type { TextAuthorshipMap } from './text-map.js';
import { hasTextDelta, replayTextHistory, verifyTextAuthorship, type TextVerification } from './text-replay.js';

export type AttributionKind = 'text' | 'nodes' | 'steps';

/** What the shares count: characters (UTF-16 code units), (node, property) pairs, or steps. */
export type AttributionUnit = 'characters' | 'properties' | 'steps';

export interface AssetAttributionOptions {
  asset: string;
  /** The asset's current text: when given, the text map is verified against it. */
  text?: string;
  /**
   * Describe the asset as of this record of it (an earlier version): the asset's records after it
   * in causal order are left out. Absent: the asset as its records leave it.
   */
  until?: CID;
}

export interface AssetAttribution {
  asset: string;
  kind: AttributionKind;
  unit: AttributionUnit;
  /** Units in the asset: its length, its property count, or its step count. */
  total: number;
  shares: AttributionShares;
  /** shares.byClass.human: the part people made themselves (pasted text is not counted). */
  humanShare: number;
  /** IPTC digital source type URI, absent when none can be claimed honestly (see decideSourceType). */
  digitalSourceType?: string;
  sourceTypeRule: string;
  /** The records the result was derived from, in replay order. */
  records: CID[];
  /** Content id of the state described (the last derived-from record's out), when named. */
  out?: CID;
  /** kind 'text': who wrote each character. */
  textMap?: TextAuthorshipMap;
  /** kind 'nodes': last writer per (node, property). */
  nodeMap?: NodeAuthorshipMap;
  steps?: { record: CID; author: Author }[];
  /**
   * Text edits made without seeing the edit before them (no prev/link path to it): their ops
   * were applied after it in replay order, positions as recorded, which may not be what their
   * author meant. Verifying against the text (options.text) shows whether the result holds.
   */
  concurrent: ConcurrentEdit[];
  /** Plain-language remarks: why a fallback was taken, what could not be checked. */
  notes: string[];
  /** Present when options.text was given and the asset has a text map. */
  verification?: TextVerification;
  /** Records that could not be replayed (see notes): the result goes on without them. */
  skipped: { record: CID; reason: string }[];
}

/**
 * Who made an asset, from its records. `entries` may be the whole ledger or the asset's records
 * with their causal past (loadAssetHistory); the order they come in does not matter.
 *
 * - kind 'text' when the asset's records carry `delta.text`: the authorship map, shares in
 *   characters;
 * - kind 'nodes' when they carry node deltas (see NodeDelta): last writer per (node, property);
 * - kind 'steps' otherwise — and also when some step changed the content without a delta, since
 *   a map missing a step would be wrong: each content step counts one unit for its author.
 */
export function assetAttribution(entries: readonly LedgerEntry[], options: AssetAttributionOptions): AssetAttribution {
  const { asset } = options;
  const ordered = options.until ? upTo(causalOrder(entries), asset, options.until) : causalOrder(entries);
  const own = ordered.filter((e) => e.record.asset === asset);
  if (own.length === 0) throw new AttributionError(`no records for asset "${asset}"`);
  const textEdit = own.find(hasTextDelta);
  const nodeEdit = own.find(hasNodeDelta);
  if (textEdit && nodeEdit) {
    throw new AttributionError(`asset "${asset}" has both text ops (record ${textEdit.cid}) and node deltas (record ${nodeEdit.cid}); an asset is one or the other`);
  }
  const notes: string[] = [];
  const hasDelta = textEdit ? hasTextDelta : nodeEdit ? hasNodeDelta : undefined;
  const gaps = hasDelta ? undeltaSteps(own, hasDelta) : [];
  if (hasDelta && gaps.length > 0) {
    notes.push(
      `${gaps.length} step${gaps.length > 1 ? 's' : ''} changed the content without recording a delta (first: ${gaps[0]}), so the ${textEdit ? 'text' : 'node'} map would be incomplete; counted steps instead`,
    );
  }
  const byCid = new Map(ordered.map((e) => [e.cid.toString(), e] as const));
  const lookup: EntryLookup = (cid) => byCid.get(cid);

  if (textEdit && gaps.length === 0) {
    const replay = replayTextHistory(ordered, { asset, skipUnattributable: true });
    noteSkipped(replay.skipped, notes);
    const shares = sharesFrom(replay.map.unitsByAuthor());
    const result = finish(asset, 'text', 'characters', replay.map.length, shares, replay.actors, replay.records, replay.out, notes);
    result.textMap = replay.map;
    result.concurrent = replay.concurrent;
    result.skipped = replay.skipped;
    if (options.text !== undefined) result.verification = verifyTextAuthorship(replay.map, options.text, replay.out);
    return result;
  }
  if (nodeEdit && gaps.length === 0) {
    const replay = replayNodeAuthorship(ordered, { asset, skipUnattributable: true });
    noteSkipped(replay.skipped, notes);
    const shares = sharesFrom(replay.map.unitsByAuthor());
    const result = finish(asset, 'nodes', 'properties', replay.map.cellCount, shares, replay.actors, replay.records, replay.out, notes);
    result.nodeMap = replay.map;
    result.skipped = replay.skipped;
    return result;
  }
  const steps = attributeSteps(own, lookup);
  if (!hasDelta) notes.push('no record of this asset carries a delta: shares count recorded steps, not content');
  const result = finish(asset, 'steps', 'steps', steps.steps.length, sharesFrom(steps.units), steps.actors, steps.steps.map((s) => s.record), steps.out, notes);
  result.steps = steps.steps;
  if (options.text !== undefined) notes.push('no text map to verify the text against');
  return result;
}

/** Says what replay went past: the result is what the other records make. */
function noteSkipped(skipped: readonly { record: CID; reason: string }[], notes: string[]): void {
  for (const { reason } of skipped) notes.push(`skipped a record that cannot be attributed (${reason}); the result leaves it out`);
}

function finish(
  asset: string,
  kind: AttributionKind,
  unit: AttributionUnit,
  total: number,
  shares: AttributionShares,
  actors: ReadonlySet<AuthorClass>,
  records: CID[],
  out: CID | undefined,
  notes: string[],
): AssetAttribution {
  const decision = decideSourceType(shares.unitsByClass, actors);
  const result: AssetAttribution = { asset, kind, unit, total, shares, humanShare: shares.byClass.human, sourceTypeRule: decision.rule, records, concurrent: [], notes, skipped: [] };
  if (decision.type) result.digitalSourceType = decision.type;
  if (out) result.out = out;
  return result;
}

/** The records of `ordered` except the asset's records after `until`. */
function upTo(ordered: LedgerEntry[], asset: string, until: CID): LedgerEntry[] {
  const end = ordered.findIndex((e) => e.cid.equals(until));
  if (end < 0 || ordered[end]!.record.asset !== asset) throw new AttributionError(`record ${until} is not a record of asset "${asset}"`);
  return ordered.filter((e, i) => i <= end || e.record.asset !== asset);
}

/**
 * Content steps without a delta that changed the content (their out differs from the state the
 * deltas had reached): the map cannot know what they did. A step that re-states the current out
 * (a re-save) is harmless, and so are steps before the first delta: replay starts from an empty
 * text, so the first delta states the whole content (the CLI and capture record it as unknown
 * when they cannot know who wrote it).
 */
function undeltaSteps(own: readonly LedgerEntry[], hasDelta: (e: LedgerEntry) => boolean): CID[] {
  const gaps: CID[] = [];
  let current: CID | undefined;
  let started = false;
  for (const entry of own) {
    if (hasDelta(entry)) {
      started = true;
      current = entry.record.out ?? current;
    } else if (started && isContentStep(entry) && !(current && entry.record.out!.equals(current))) {
      gaps.push(entry.cid);
      current = entry.record.out;
    }
  }
  return gaps;
}

/**
 * An asset's records and their causal past (prev and links, transitively) from a store: what
 * assetAttribution needs to order them and to find linked models. Records the store lacks are
 * skipped (`colophon verify` reports missing links).
 */
export async function loadAssetHistory(store: Pick<RecordStore, 'query' | 'get'>, asset: string): Promise<LedgerEntry[]> {
  const seen = new Map<string, LedgerEntry>();
  const queue: CID[] = await store.query({ asset });
  while (queue.length > 0) {
    const cid = queue.pop()!;
    const key = cid.toString();
    if (seen.has(key)) continue;
    const found = await store.get(cid);
    if (!found) continue;
    seen.set(key, { cid: found.cid, record: found.record });
    if (found.record.prev) queue.push(found.record.prev);
    for (const link of found.record.links ?? []) queue.push(link);
  }
  return [...seen.values()];
}

/** assetAttribution over a store (see loadAssetHistory). */
export async function loadAssetAttribution(store: Pick<RecordStore, 'query' | 'get'>, options: AssetAttributionOptions): Promise<AssetAttribution> {
  return assetAttribution(await loadAssetHistory(store, options.asset), options);
}
