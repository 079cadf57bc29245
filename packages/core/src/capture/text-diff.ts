// Text diffs as record ops, with word-level spans: a replaced word or sentence becomes one span
// of the new author, not scattered letters that happen to match. The diff itself is jsdiff's
// (`diff`, Myers O(ND)); the common prefix and suffix are trimmed here first, and a long middle
// (changes far apart in a chapter) is diffed by lines first, then by words inside changed lines
// only, so a 1 KB change in a 200 KB chapter word-diffs about 1 KB.
// Tokens are cut here (lines, and words by WORD_UNIT, the one notion of a word this module uses
// for widening and boundaries too) and diffed with jsdiff's diffArrays, its documented way to
// bring your own tokens. jsdiff's diffLines/diffWordsWithSpace would load its word tokenizers and
// whitespace clean-ups (about 3 KB of the capture bundle) for spans trimmed again here anyway.
import { diffArrays } from 'diff';

/** One edit in sequence: at `pos` (in the text left by the edits before it) delete `del` code units, insert `text`. */
export interface TextEditOp {
  pos: number;
  del: number;
  text: string;
}

/** A middle this long that still differs is not worth a word diff: one replace span is honest enough. */
const MAX_WORD_DIFF_UNITS = 1_000_000;
/** Edit distance (in tokens) past which jsdiff gives up and the span becomes one replace span. */
const MAX_EDIT_TOKENS = 20_000;
/** Tokens x edit distance past which a diff gives up (about a second at most), but never below MIN_EDIT_TOKENS. */
const MAX_DIFF_WORK = 200_000_000;
const MIN_EDIT_TOKENS = 256;
/** A middle longer than this is diffed by lines first. */
const WORD_DIFF_DIRECT_UNITS = 16_384;

const WORD_UNIT = /[\p{L}\p{N}\p{M}_]/u;
/** Line tokens: each line with its line break. */
const LINE_TOKEN = /[^\n]*\n|[^\n]+/g;
/** Scripts written without spaces between words: each character is a word token of its own. */
const UNSPACED = '\\p{sc=Han}\\p{sc=Hira}\\p{sc=Kana}\\p{sc=Thai}\\p{sc=Laoo}\\p{sc=Khmr}\\p{sc=Mymr}';
/**
 * Word tokens: a line break, a word (WORD_UNIT, unspaced scripts aside), a run of other
 * whitespace, or any other one character. Else a changed character of a Chinese or Thai sentence
 * would take the whole sentence with it.
 */
const WORD_TOKEN = new RegExp(`\\r?\\n|[${UNSPACED}]|(?:(?![${UNSPACED}])${WORD_UNIT.source})+|[^\\S\\r\\n]+|[^]`, 'gu');

interface Change {
  value: string;
  added: boolean;
  removed: boolean;
}

/**
 * jsdiff's Myers diff over tokens; undefined past MAX_EDIT_TOKENS. Each change's tokens joined
 * back into text.
 */
function diffTokens(before: string, after: string, token: RegExp): Change[] | undefined {
  const a = before.match(token) ?? [];
  const b = after.match(token) ?? [];
  // Myers costs about (tokens x edit distance): a long stretch that differs a lot gives up early.
  const maxEditLength = Math.min(MAX_EDIT_TOKENS, Math.max(MIN_EDIT_TOKENS, Math.floor(MAX_DIFF_WORK / (a.length + b.length + 1))));
  const changes = diffArrays(a, b, { maxEditLength });
  return changes?.map((change) => ({ value: change.value.join(''), added: change.added, removed: change.removed }));
}

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
  if (oldMiddle.length === 0 || newMiddle.length === 0) {
    // A pure insertion or deletion is aligned too: "The lamps…\n\nThe " after "The " is the
    // paragraph "The lamps…\n\n" before "The night", whatever the common prefix took.
    return alignToBoundaries(before, after, [{ pos: prefix, del: oldMiddle.length, text: newMiddle }]);
  }
  if (oldMiddle.length + newMiddle.length > MAX_WORD_DIFF_UNITS) return [{ pos: prefix, del: oldMiddle.length, text: newMiddle }];
  const ops: TextEditOp[] = [];
  if (oldMiddle.length + newMiddle.length <= WORD_DIFF_DIRECT_UNITS) {
    wordEdits(oldMiddle, newMiddle, prefix, ops);
    return alignToBoundaries(before, after, foldSmallGaps(after, ops));
  }
  const lines = diffTokens(oldMiddle, newMiddle, LINE_TOKEN);
  if (!lines) return [{ pos: prefix, del: oldMiddle.length, text: newMiddle }];
  // Each stretch of changed lines (removed and added) is word-diffed on its own.
  let pos = prefix;
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed === '' && added === '') return;
    pos = wordEdits(removed, added, pos, ops);
    removed = '';
    added = '';
  };
  for (const change of lines) {
    if (change.removed) removed += change.value;
    else if (change.added) added += change.value;
    else {
      flush();
      pos += change.value.length;
    }
  }
  flush();
  return alignToBoundaries(before, after, foldSmallGaps(after, ops));
}

/**
 * diff-match-patch's semantic cleanup (diff_cleanupSemantic), over ops: unchanged text between two
 * edits, no longer than either edit (what it removed or inserted), is folded into one edit with
 * them. Else a rewritten paragraph keeps every space between its words (and rewritten paragraphs
 * the blank lines between them) as the old author's: the new text comes out as scattered words.
 * A folded edit may fold again with the one before it. Linear in the ops.
 */
function foldSmallGaps(after: string, ops: TextEditOp[]): TextEditOp[] {
  const out: TextEditOp[] = [];
  const size = (op: TextEditOp) => Math.max(op.del, op.text.length);
  for (let op of ops) {
    let last = out[out.length - 1];
    while (last) {
      const gapStart = last.pos + last.text.length;
      const gap = op.pos - gapStart;
      if (gap > size(last) || gap > size(op)) break;
      op = { pos: last.pos, del: last.del + gap + op.del, text: last.text + after.slice(gapStart, op.pos) + op.text };
      out.pop();
      last = out[out.length - 1];
    }
    out.push(op);
  }
  return out;
}

/**
 * How good a place the boundary at `at` in `text` is for an edit to start or end (the scores of
 * diff-match-patch's semantic cleanup): text edge 6, blank line 5 (the text before it ends with
 * an empty line, or the text after it starts with one), line break 4, end of sentence 3,
 * whitespace 2, other punctuation 1, inside a word 0.
 */
function boundaryScore(text: string, at: number): number {
  const a = text[at - 1];
  const b = text[at];
  if (a === undefined || b === undefined) return 6;
  if (BLANK_LINE_BEFORE.test(text.slice(Math.max(0, at - 4), at)) || BLANK_LINE_AFTER.test(text.slice(at, at + 4))) return 5;
  const aSpace = /\s/.test(a);
  const bSpace = /\s/.test(b);
  if (a === '\n' || a === '\r' || b === '\n' || b === '\r') return 4;
  if (/[.!?。！？]/.test(a) && bSpace) return 3;
  if (aSpace || bSpace) return 2;
  if (!WORD_UNIT.test(a) || !WORD_UNIT.test(b)) return 1;
  return 0;
}

const BLANK_LINE_BEFORE = /\n\r?\n$/;
const BLANK_LINE_AFTER = /^\r?\n\r?\n/;

/**
 * A pure insertion or deletion can often sit in several places with the same result ("world." +
 * ".\nAnd the sea" vs "world.\n" + "And the sea.\n"): slide each to the place whose edges score
 * best (see boundaryScore), so an added sentence is the sentence. Ops stay between their
 * neighbours, so the edits' result is unchanged.
 */
function alignToBoundaries(before: string, after: string, ops: TextEditOp[]): TextEditOp[] {
  let shift = 0; // old position - new position, from the ops before
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const previous = ops[i - 1];
    const next = ops[i + 1];
    if (op.del === 0 && op.text !== '') {
      const lo = previous ? previous.pos + previous.text.length : 0;
      const hi = next ? next.pos : after.length;
      const best = bestPlace(after, op.pos, op.text.length, lo, hi);
      op.pos = best;
      op.text = after.slice(best, best + op.text.length);
    } else if (op.text === '' && op.del > 0) {
      const oldPos = op.pos + shift;
      const lo = previous ? previous.pos + previous.text.length + shift : 0;
      const hi = next ? next.pos + shift + op.del : before.length;
      op.pos = bestPlace(before, oldPos, op.del, lo, hi) - shift;
    }
    shift += op.del - op.text.length;
  }
  return ops;
}

/** The start in [lo, hi - length] where text[start, start+length) can slide to with the best edges. */
function bestPlace(text: string, start: number, length: number, lo: number, hi: number): number {
  let left = start;
  while (left > lo && text.charCodeAt(left - 1) === text.charCodeAt(left + length - 1)) left--;
  let right = start;
  while (right + length < hi && text.charCodeAt(right) === text.charCodeAt(right + length)) right++;
  let best = start;
  let bestScore = -1;
  for (let at = left; at <= right; at++) {
    // Never split a surrogate pair.
    if (isLowSurrogate(text, at) || isLowSurrogate(text, at + length)) continue;
    const score = boundaryScore(text, at) + boundaryScore(text, at + length);
    if (score >= bestScore) {
      best = at;
      bestScore = score;
    }
  }
  return best;
}

/** Word-level edits turning `before` into `after`, positions from `start`; returns the position after them. */
function wordEdits(before: string, after: string, start: number, ops: TextEditOp[]): number {
  const changes = before === '' || after === '' ? undefined : diffTokens(before, after, WORD_TOKEN);
  if (!changes) {
    if (before !== '' || after !== '') ops.push({ pos: start, del: before.length, text: after });
    return start + after.length;
  }
  let pos = start;
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
  return pos;
}

function wordAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && isWordUnit(text, i);
}

/**
 * Applies edits in order. The text is kept as a list of pieces (slices of the inputs, which the
 * engine does not copy) and joined once at the end: O(ops × pieces + n), not O(ops × n).
 */
export function applyTextEdits(text: string, ops: readonly TextEditOp[]): string {
  if (ops.length === 0) return text;
  const pieces: string[] = text === '' ? [] : [text];
  for (const op of ops) {
    // Find the piece holding op.pos and split there, so the edit starts at a piece boundary.
    let at = 0;
    let offset = 0;
    while (at < pieces.length && offset + pieces[at]!.length <= op.pos) offset += pieces[at++]!.length;
    if (at < pieces.length && op.pos > offset) {
      const piece = pieces[at]!;
      pieces.splice(at, 1, piece.slice(0, op.pos - offset), piece.slice(op.pos - offset));
      at++;
    }
    let remaining = op.del;
    while (remaining > 0 && at < pieces.length) {
      const piece = pieces[at]!;
      if (piece.length <= remaining) {
        remaining -= piece.length;
        pieces.splice(at, 1);
      } else {
        pieces[at] = piece.slice(remaining);
        remaining = 0;
      }
    }
    if (op.text !== '') pieces.splice(at, 0, op.text);
  }
  return pieces.join('');
}
