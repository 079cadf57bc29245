import type { CID } from 'multiformats/cid';
import { contentCid } from '../cid.js';
import { utf8Encode } from '../text/utf8.js';
import { resolveAuthor, type Author, type AuthorClass, type EntryLookup, type LedgerEntry } from './classes.js';
import { AttributionError } from './errors.js';
import { causalOrder, concurrentEdits, type ConcurrentEdit } from './order.js';
import { TextAuthorshipMap, type TextEdit } from './text-map.js';
import { isUint } from '../values.js';

/** True when the record carries text ops (`delta.text`). */
export function hasTextDelta(entry: LedgerEntry): boolean {
  return entry.record.delta !== undefined && 'text' in entry.record.delta;
}

export interface TextReplayOptions {
  /** The asset to replay; may be left out when the records' text ops concern one asset only. */
  asset?: string;
  /**
   * Go on past a record that cannot be replayed (an unknown class, `ai` with no model, ops that do
   * not fit the text), leaving the text as it was and naming it in `skipped`. Default: throw.
   */
  skipUnattributable?: boolean;
}

/** A record replay went past, and why. */
export interface SkippedRecord {
  record: CID;
  reason: string;
}

/** A replayed text history: the map, and what it was built from. */
export interface TextReplay {
  asset?: string;
  map: TextAuthorshipMap;
  /** The records whose ops were applied, in replay order. */
  records: CID[];
  /** The last replayed record's `out`: the content id of the text the map describes. */
  out?: CID;
  /** Classes that acted on the text, deletions included (what was removed still was an edit). */
  actors: Set<AuthorClass>;
  /** Edits made without seeing the previous edit (see concurrentEdits); empty for a linear history. */
  concurrent: ConcurrentEdit[];
  /** Records left out (only with skipUnattributable). */
  skipped: SkippedRecord[];
}

/**
 * Rebuilds a document's authorship map from its records.
 *
 * Which records: those of the asset that carry `delta.text`. Order: causal (see causalOrder:
 * after prev and links, then by `at`, then CID), so the result does not depend on the order the
 * records are given in. Ops of one record apply one after another, each position counted in the
 * text left by the ops before it (UTF-16 code units). Each op's class plus the record's signer
 * and agent name the author (see resolveAuthor). An op that does not fit the text, or a class
 * that is not one of OP_CLASSES, stops the replay with an AttributionError naming the record
 * and op.
 *
 * `entries` may hold any records of the project (other assets too): those between the asset's
 * records give the causal order, and linked ai.generate records name models.
 */
export function replayTextHistory(entries: readonly LedgerEntry[], options: TextReplayOptions = {}): TextReplay {
  const asset = options.asset ?? soleTextAsset(entries);
  const ordered = causalOrder(entries);
  const isEdit = (entry: LedgerEntry) => entry.record.asset === asset && hasTextDelta(entry);
  const byCid = new Map(ordered.map((e) => [e.cid.toString(), e] as const));
  const lookup: EntryLookup = (cid) => byCid.get(cid);
  const map = new TextAuthorshipMap();
  const replay: TextReplay = { map, records: [], actors: new Set(), concurrent: concurrentEdits(ordered, isEdit), skipped: [] };
  if (asset !== undefined) replay.asset = asset;
  for (const entry of ordered) {
    if (!isEdit(entry)) continue;
    try {
      applyTextRecord(map, entry, lookup, replay.actors);
    } catch (error) {
      if (!(options.skipUnattributable && error instanceof AttributionError)) throw error;
      replay.skipped.push({ record: entry.cid, reason: error.message });
      continue;
    }
    replay.records.push(entry.cid);
    if (entry.record.out) replay.out = entry.record.out;
    else delete replay.out; // the map now describes a state no record names
  }
  return replay;
}

/** The authorship map alone; see replayTextHistory for the rules. */
export function replayTextAuthorship(entries: readonly LedgerEntry[], options: TextReplayOptions = {}): TextAuthorshipMap {
  return replayTextHistory(entries, options).map;
}

function soleTextAsset(entries: readonly LedgerEntry[]): string | undefined {
  const assets = new Set<string>();
  for (const entry of entries) if (hasTextDelta(entry) && entry.record.asset !== undefined) assets.add(entry.record.asset);
  if (assets.size > 1) throw new AttributionError(`the records edit the text of ${assets.size} assets (${[...assets].sort().join(', ')}); name the asset to replay`);
  return assets.values().next().value;
}

/** The ops of a record, checked against a text of `length` code units (all or nothing: nothing is applied on a problem). */
export function readTextOps(entry: LedgerEntry, length: number, lookup: EntryLookup): { edit: TextEdit; author: Author }[] {
  const ops: unknown = entry.record.delta!.text;
  if (!Array.isArray(ops)) throw new AttributionError('delta.text must be a list of [pos, del, ins, class] ops', entry.cid, 'delta.text');
  // One record usually uses one or two classes: resolve each once.
  const authors = new Map<unknown, Author>();
  let current = length;
  return ops.map((op: unknown, i) => {
    const path = `delta.text[${i}]`;
    if (!Array.isArray(op) || op.length !== 4) throw new AttributionError('must be [pos, del, ins, class]', entry.cid, path);
    const [pos, del, ins, cls] = op as [unknown, unknown, unknown, unknown];
    if (!isUint(pos) || !isUint(del) || !isUint(ins)) throw new AttributionError('pos, del and ins must be non-negative integers', entry.cid, path);
    let author = authors.get(cls);
    if (!author) {
      author = resolveAuthor(entry, cls, `${path}[3]`, lookup);
      authors.set(cls, author);
    }
    if (pos > current) throw new AttributionError(`edit at ${pos} is past the end of the text (length ${current}); was a previous edit of this text not recorded?`, entry.cid, path);
    if (pos + del > current) throw new AttributionError(`edit deletes ${del} at ${pos}, past the end of the text (length ${current}); was a previous edit of this text not recorded?`, entry.cid, path);
    current += ins - del;
    return { edit: { pos, del, ins }, author };
  });
}

/**
 * Applies one record's text ops to `map`, all or nothing (an AttributionError when they do not
 * fit, see readTextOps); the classes that acted are added to `actors` when given.
 */
export function applyTextRecord(map: TextAuthorshipMap, entry: LedgerEntry, lookup: EntryLookup, actors?: Set<AuthorClass>): void {
  for (const { edit, author } of readTextOps(entry, map.length, lookup)) {
    map.apply(edit, author);
    if (edit.del > 0 || edit.ins > 0) actors?.add(author.class);
  }
}

/** The outcome of checking a map against a text; `problems` says what does not match. */
export interface TextVerification {
  ok: boolean;
  problems: string[];
  textLength: number;
  mapLength: number;
  /** The content id the records name (the last replayed record's `out`). */
  expected?: CID;
  /** The content id of the text given: raw sha2-256 CID of its UTF-8 bytes. */
  actual?: CID;
}

/**
 * Checks that a map describes `text`: the text's content id (raw sha2-256 CID of its UTF-8
 * bytes) must equal `lastOut`, the out of the last replayed record, and the map must cover
 * exactly the text's length in UTF-16 code units. Anyone holding the text and the records can
 * run it.
 */
export function verifyTextAuthorship(map: TextAuthorshipMap, text: string, lastOut: CID | undefined): TextVerification {
  const result: TextVerification = { ok: false, problems: [], textLength: text.length, mapLength: map.length };
  try {
    result.actual = contentCid(utf8Encode(text));
  } catch (error) {
    result.problems.push(`the text has no UTF-8 form: ${(error as Error).message}`);
  }
  if (lastOut) result.expected = lastOut;
  if (!lastOut) result.problems.push('the last edit record names no out, so there is no content id to check the text against');
  else if (result.actual && !result.actual.equals(lastOut)) result.problems.push(`the text's content id ${result.actual} is not the last record's out ${lastOut}`);
  if (map.length !== text.length) result.problems.push(`the map covers ${map.length} UTF-16 code units, the text has ${text.length}`);
  result.ok = result.problems.length === 0;
  return result;
}
