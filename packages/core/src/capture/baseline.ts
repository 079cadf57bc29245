// Where a text session starts: the asset's last recorded state, from the ledger (authorship) and
// the blob store (the kept text of that version, off-ledger: the user's own data).
import { assetAttribution, loadAssetHistory } from '../attribution/asset.js';
import { AttributionError } from '../attribution/errors.js';
import { causalOrder } from '../attribution/order.js';
import { isContentStep } from '../attribution/steps.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { BlobStore } from '../store/blob-store.js';
import { utf8Decode } from '../text/utf8.js';
import type { OpClass } from '../attribution/classes.js';
import type { TextOp } from '../record/types.js';
import type { TextBaseline } from './interface.js';
import { textEdits } from './text-diff.js';

export interface LoadedBaseline {
  baseline: TextBaseline;
  /** Plain-language remarks: why the previous text is not available, what will be recorded as unknown. */
  notes: string[];
}

/**
 * The baseline of a text asset. Without records: an empty, unrecorded text. With a text history
 * whose last version's text is kept: that text and its map. Otherwise the previous text is not
 * available, and the baseline says so (text absent): the next version is recorded as replacing
 * the whole text with `unknown` text, rather than guessing what changed.
 */
export async function textBaseline(store: Pick<RecordStore, 'query' | 'get'>, blobs: Pick<BlobStore, 'get'>, asset: string): Promise<LoadedBaseline> {
  const entries = await loadAssetHistory(store, asset);
  // The versions of the asset: checks, reviews and approvals about it are not versions.
  const versions = causalOrder(entries).filter((e) => e.record.asset === asset && isContentStep(e));
  const head = versions[versions.length - 1];
  if (!head) return { baseline: { text: '', recorded: false }, notes: [] };
  const notes: string[] = [];
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
      if (text.length === map.length) return { baseline: { text, map, head: head.cid, recorded: true }, notes };
    }
    notes.push(`the previous text of ${asset} (${attribution.out ?? 'no content id'}) is not in the blob store, so what changed cannot be known: the new version is recorded as unknown text`);
    return { baseline: { map, head: head.cid, recorded: true }, notes };
  }
  if (attribution) notes.push(`${asset} has no per-character history yet (its records carry no text delta): its current text is recorded as unknown, and later versions per character`);
  return { baseline: { head: head.cid, recorded: true }, notes };
}

/** The `delta.text` of a whole new version of a text, and whether its author could be known. */
export interface VersionDelta {
  ops: TextOp[];
  /** The previous text was not available: the whole text is stated as replaced by unknown text. */
  unknown: boolean;
}

/**
 * The class of a changed span, given where its inserted text lies in the new text ([start, end),
 * UTF-16): e.g. `ai` inside the span an agent reported writing, `unknown` elsewhere. It is asked
 * line by line (each line's text, and each line break, on its own).
 */
export type SpanClassifier = (start: number, end: number) => OpClass;

/**
 * The ops that take an asset from its baseline to `text`, the changed spans of class `cls` (word
 * level, see textEdits). An asset without records starts empty, so all of `text` is `cls`. When the
 * baseline text is not available, nothing is guessed: the ops replace the whole previous text
 * (its map's length, 0 without one) with `text` as `unknown`.
 */
export function versionDelta(baseline: TextBaseline, text: string, cls: OpClass | SpanClassifier): VersionDelta {
  if (baseline.text === undefined) {
    return { ops: [[0, baseline.map?.length ?? 0, text.length, 'unknown']], unknown: true };
  }
  // textEdits gives ops in document order, so each op's inserted text ends up at [pos, pos + length).
  const edits = textEdits(baseline.text, text);
  if (typeof cls !== 'function') return { ops: edits.map((op): TextOp => [op.pos, op.del, op.text.length, cls]), unknown: false };
  const ops: TextOp[] = [];
  for (const op of edits) {
    // Classified line by line (line breaks apart), so an agent's line inside a larger insertion
    // (a completion after a blank line someone else typed) keeps its own class.
    let del = op.del;
    let at = op.pos;
    for (const piece of op.text === '' ? [''] : op.text.split(/(\r?\n)/).filter((p) => p !== '')) {
      const pieceClass = piece === '' ? cls(at, at) : cls(at, at + piece.length);
      const last = ops[ops.length - 1];
      if (last && del === 0 && last[3] === pieceClass && last[0] + last[2] === at) last[2] += piece.length;
      else ops.push([at, del, piece.length, pieceClass]);
      del = 0;
      at += piece.length;
    }
  }
  return { ops, unknown: false };
}
