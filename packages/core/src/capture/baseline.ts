// Where a text session starts: the asset's last recorded state, from the ledger (authorship) and
// the blob store (the kept text of that version, off-ledger: the user's own data).
import { assetAttribution, loadAssetHistory } from '../attribution/asset.js';
import { AttributionError } from '../attribution/errors.js';
import { causalOrder } from '../attribution/order.js';
import { isContentStep } from '../attribution/steps.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { BlobStore } from '../store/blob-store.js';
import { utf8Decode, utf8Problem } from '../text/utf8.js';
import type { Author, OpClass } from '../attribution/classes.js';
import { TextAuthorshipMap } from '../attribution/text-map.js';
import type { TextOp } from '../record/types.js';
import type { TextBaseline } from './interface.js';
import { textEdits } from './text-diff.js';
import { Restorer, type KeptVersion, type RestoreRule } from './restore.js';
import type { CID } from 'multiformats/cid';

export interface LoadedBaseline {
  baseline: TextBaseline;
  /** Plain-language remarks: why the previous text is not available, what will be recorded as unknown. */
  notes: string[];
  /**
   * The versions before the last one whose text is kept, newest first (as many as asked for, see
   * textBaseline's `earlier`): where text that comes back is looked up (see RestoreRule).
   */
  earlier: KeptVersion[];
}

export interface TextBaselineOptions {
  /** How many versions before the last one to load for text that comes back (default 0). */
  earlier?: number;
}

/**
 * The baseline of a text asset. Without records: an empty, unrecorded text. With a text history
 * whose last version's text is kept: that text and its map. Otherwise the previous text is not
 * available, and the baseline says so (text absent): the next version is recorded as replacing
 * the whole text with `unknown` text, rather than guessing what changed.
 */
export async function textBaseline(
  store: Pick<RecordStore, 'query' | 'get'>,
  blobs: Pick<BlobStore, 'get'>,
  asset: string,
  options: TextBaselineOptions = {},
): Promise<LoadedBaseline> {
  const entries = await loadAssetHistory(store, asset);
  // The versions of the asset: checks, reviews and approvals about it are not versions.
  const versions = causalOrder(entries).filter((e) => e.record.asset === asset && isContentStep(e));
  const head = versions[versions.length - 1];
  if (!head) return { baseline: { text: '', recorded: false }, notes: [], earlier: [] };
  const notes: string[] = [];
  const earlier = await keptVersions(entries, blobs, asset, versions.slice(-1 - (options.earlier ?? 0), -1).reverse());
  let attribution;
  try {
    attribution = assetAttribution(entries, { asset });
  } catch (error) {
    if (!(error instanceof AttributionError)) throw error;
    notes.push(`the records of ${asset} cannot be replayed (${error.message})`);
  }
  if (attribution?.kind === 'text' && attribution.textMap) {
    const map = attribution.textMap;
    const bytes = attribution.out ? await blobs.get(attribution.out) : undefined;
    if (bytes && attribution.out?.equals(head.record.out!)) {
      const text = utf8Decode(bytes);
      if (text.length === map.length) return { baseline: { text, map, head: head.cid, recorded: true }, notes, earlier };
    }
    notes.push(`the previous text of ${asset} (${attribution.out ?? 'no content id'}) is not in the blob store, so what changed cannot be known: the new version is recorded as unknown text`);
    return { baseline: { map, head: head.cid, recorded: true }, notes, earlier };
  }
  if (attribution) notes.push(`${asset} has no per-character history yet (its records carry no text delta): its current text is recorded as unknown, and later versions per character`);
  return { baseline: { head: head.cid, recorded: true }, notes, earlier };
}

/** The kept text and authorship of each of `versions` (records of `asset`) that has both. */
async function keptVersions(entries: Parameters<typeof assetAttribution>[0], blobs: Pick<BlobStore, 'get'>, asset: string, versions: readonly { cid: CID; record: { out?: CID } }[]): Promise<KeptVersion[]> {
  const kept: KeptVersion[] = [];
  for (const version of versions) {
    if (!version.record.out) continue;
    let attribution;
    try {
      attribution = assetAttribution(entries, { asset, until: version.cid });
    } catch (error) {
      if (error instanceof AttributionError) continue;
      throw error;
    }
    if (!attribution.textMap || !attribution.out?.equals(version.record.out)) continue;
    // Earlier versions only help: one whose kept text is gone or damaged is passed over.
    const bytes = await blobs.get(version.record.out).catch(() => undefined);
    const text = bytes && !utf8Problem(bytes, 0, bytes.length) ? utf8Decode(bytes) : undefined;
    if (text !== undefined && text.length === attribution.textMap.length) kept.push({ text, map: attribution.textMap });
  }
  return kept;
}

/** The `delta.text` of a whole new version of a text, and whether its author could be known. */
export interface VersionDelta {
  ops: TextOp[];
  /** The previous text was not available: the whole text is stated as replaced by unknown text. */
  unknown: boolean;
  /** Records the new version must link: they name the agents of restored AI or tool text. */
  links: CID[];
}

/**
 * The class of a changed span, given where its inserted text lies in the new text ([start, end),
 * UTF-16): e.g. `ai` inside the span an agent reported writing, `unknown` elsewhere. It is asked
 * line by line (each line's text, and each line break, on its own).
 */
export type SpanClassifier = (start: number, end: number) => OpClass;

/**
 * What a reporter (an agent hook) says it wrote in the new text: text it names there that a
 * record only *inferred* the author of (evidence `diff` or `reconciled`: `watch` saw the save
 * before the hook reported it) is stated again as `class`. Text someone was seen writing (typed,
 * command, reported) and AI or tool text keep their authors.
 */
export interface Reclaim {
  /** Regions of the new text, [start, end) in UTF-16 code units. */
  regions: readonly (readonly [number, number])[];
  class: OpClass;
}

export interface VersionDeltaOptions {
  restore?: RestoreRule;
  reclaim?: Reclaim;
}

/** Evidence that only infers who wrote text: a reporter's word goes before it. */
const INFERRED: ReadonlySet<string> = new Set(['diff', 'reconciled']);

/**
 * The ops that take an asset from its baseline to `text`, the changed spans of class `cls` (word
 * level, see textEdits). An asset without records starts empty, so all of `text` is `cls`. When the
 * baseline text is not available, nothing is guessed: the ops replace the whole previous text
 * (its map's length, 0 without one) with `text` as `unknown`. With `restore`, inserted text that
 * the asset held before (the baseline, then `restore.earlier`) gets the author it had there (see
 * Restorer), whatever `cls` says. With `reclaim`, a reporter's regions are stated again (see Reclaim).
 */
export function versionDelta(baseline: TextBaseline, text: string, cls: OpClass | SpanClassifier, options: VersionDeltaOptions = {}): VersionDelta {
  const { restore, reclaim } = options;
  if (baseline.text === undefined) {
    return { ops: [[0, baseline.map?.length ?? 0, text.length, 'unknown']], unknown: true, links: [] };
  }
  const restorer = restore && new Restorer({ ...restore, earlier: [...(baseline.map ? [{ text: baseline.text, map: baseline.map }] : []), ...restore.earlier] });
  const ops: TextOp[] = [];
  // Each piece of inserted text in turn; a piece right after the last op's insertion joins it.
  const push = (at: number, del: number, length: number, pieceClass: OpClass) => {
    const last = ops[ops.length - 1];
    if (last && del === 0 && last[3] === pieceClass && last[0] + last[2] === at) last[2] += length;
    else ops.push([at, del, length, pieceClass]);
  };
  // textEdits gives ops in document order, so each op's inserted text ends up at [pos, pos + length).
  for (const op of textEdits(baseline.text, text)) {
    let del = op.del;
    let at = op.pos;
    const pieces = restorer?.restore(text, op.pos, op.text) ?? statedPieces(op.pos, op.text, cls);
    for (const piece of pieces) {
      push(at, del, piece.length, piece.class);
      del = 0;
      at += piece.length;
    }
  }
  if (reclaim && baseline.map) ops.push(...reclaimOps(baseline.map, ops, reclaim));
  return { ops, unknown: false, links: restorer?.links() ?? [] };
}

/** Ops (after `ops`, in the new text) that state the reclaimed regions' inferred text as `reclaim.class`. */
function reclaimOps(previous: TextAuthorshipMap, ops: readonly TextOp[], reclaim: Reclaim): TextOp[] {
  // The new text's authors: the previous map with this version's ops applied, marked as new.
  const map = new TextAuthorshipMap();
  previous.forEachRun((start, length, author) => map.apply({ pos: start, del: 0, ins: length }, author));
  for (const [pos, del, ins] of ops) map.apply({ pos, del, ins }, THIS_VERSION);
  const out: TextOp[] = [];
  for (const [start, end] of reclaim.regions) {
    map.forEachRun((at, length, author) => {
      if (author === THIS_VERSION || author.class === 'ai' || author.class === 'tool' || !author.evidence || !INFERRED.has(author.evidence)) return;
      out.push([at, length, length, reclaim.class]);
    }, start, end);
  }
  return out;
}

/** Marks this version's text while reclaiming (a who no record can have, so it is never merged with a real author). */
const THIS_VERSION: Author = { class: 'unknown', who: '\u0000this version' };

/**
 * The inserted `inserted` at `pos` in the classes stated for it: `cls`, or a classifier asked line
 * by line (line breaks apart), so an agent's line inside a larger insertion (a completion after a
 * blank line someone else typed) keeps its own class.
 */
function statedPieces(pos: number, inserted: string, cls: OpClass | SpanClassifier): { length: number; class: OpClass }[] {
  if (typeof cls !== 'function') return [{ length: inserted.length, class: cls }];
  if (inserted === '') return [{ length: 0, class: cls(pos, pos) }];
  const pieces: { length: number; class: OpClass }[] = [];
  let at = pos;
  for (const piece of inserted.split(/(\r?\n)/)) {
    if (piece === '') continue;
    pieces.push({ length: piece.length, class: cls(at, at + piece.length) });
    at += piece.length;
  }
  return pieces;
}
