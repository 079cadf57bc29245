// Text diffs as record ops, with word-level spans: a replaced word or sentence becomes one span
// of the new author, not scattered letters that happen to match. The diff itself is jsdiff's
// (`diff`, Myers O(ND)); only the common prefix and suffix are trimmed here first, so a 1 KB
// change in a 200 KB chapter diffs 1 KB.
import { diffWordsWithSpace } from 'diff';

/** One edit in sequence: at `pos` (in the text left by the edits before it) delete `del` code units, insert `text`. */
export interface TextEditOp {
  pos: number;
  del: number;
  text: string;
}

/** A middle this long that still differs is not worth a word diff: one replace span is honest enough. */
const MAX_WORD_DIFF_UNITS = 1_000_000;
/** Edit distance (in tokens) past which jsdiff gives up and the middle becomes one replace span. */
const MAX_EDIT_TOKENS = 20_000;

const WORD_UNIT = /[\p{L}\p{N}\p{M}_]/u;

function isWordUnit(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  // A surrogate half is part of a character outside the BMP: treat it as part of a word so a
  // boundary never falls inside it.
  if (code >= 0xd800 && code <= 0xdfff) return true;
  return WORD_UNIT.test(text[i]!);
}

function isLowSurrogate(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The edits that turn `before` into `after`, in order (each position counted in the text left by
 * the edits before it, as record ops are). Positions are UTF-16 code units.
 */
export function textEdits(before: string, after: string): TextEditOp[] {
  if (before === after) return [];
  const minLength = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < minLength && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < minLength - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  // Widen the changed middle to whole words (and whole characters), so "cat" -> "cot" is a word.
  while (prefix > 0 && (isLowSurrogate(before, prefix) || (isWordUnit(before, prefix - 1) && (wordAt(before, prefix) || wordAt(after, prefix))))) prefix--;
  while (suffix > 0 && (isLowSurrogate(before, before.length - suffix) || (isWordUnit(before, before.length - suffix) && (wordAt(before, before.length - suffix - 1) || wordAt(after, after.length - suffix - 1))))) suffix--;
  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  if (oldMiddle.length === 0 || newMiddle.length === 0 || oldMiddle.length + newMiddle.length > MAX_WORD_DIFF_UNITS) {
    return [{ pos: prefix, del: oldMiddle.length, text: newMiddle }];
  }
  const changes = diffWordsWithSpace(oldMiddle, newMiddle, { maxEditLength: MAX_EDIT_TOKENS });
  if (!changes) return [{ pos: prefix, del: oldMiddle.length, text: newMiddle }];
  const ops: TextEditOp[] = [];
  let pos = prefix;
  let pending: TextEditOp | undefined;
  for (const change of changes) {
    if (!change.added && !change.removed) {
      if (pending) ops.push(pending);
      pending = undefined;
      pos += change.value.length;
      continue;
    }
    pending ??= { pos, del: 0, text: '' };
    if (change.removed) pending.del += change.value.length;
    else {
      pending.text += change.value;
      pos += change.value.length;
    }
  }
  if (pending) ops.push(pending);
  return ops;
}

function wordAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && isWordUnit(text, i);
}

/** Applies edits in order (O(n) per edit: for building a version off the event path, not per keystroke). */
export function applyTextEdits(text: string, ops: readonly TextEditOp[]): string {
  let out = text;
  for (const op of ops) out = out.slice(0, op.pos) + op.text + out.slice(op.pos + op.del);
  return out;
}
