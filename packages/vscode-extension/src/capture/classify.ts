// How one VS Code change event becomes capture changes with honest classes. VS Code-free (unit
// tested without a host) and cheap: it runs on the typing path, so no I/O and nothing O(document).
//
// What VS Code tells us, and what it does not (1.100): `reason` says undo or redo, nothing else.
// Pastes, our AI commands and reported generations are announced just before the edit lands
// (expectations, see expectations.ts); format-on-save edits arrive just before will-save (measured
// in VS Code 1.100: the formatter runs as an earlier save participant), as one event with more
// changes than the editor has cursors, which the controller holds until will-save says whether
// a save is under way. A reload from disk never comes here: the controller matches it with the
// ledger (whoever changed the file may have recorded who wrote it). Anything else that inserts
// more than a keystroke's worth of text (another extension's inline completion, a snippet, a suggestion) is unknown: we did
// not see who wrote it.
import type { AgentRef } from '@colophon/core';
import type { Expectations } from './expectations.js';
import type { ChangeSource, TextChange as CaptureChange, TextEditOp } from '@colophon/core/capture';

/** One entry of `TextDocumentChangeEvent.contentChanges` (offsets into the text before the event). */
export interface EditorChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

export interface ChangeContext {
  /** `TextDocumentChangeEvent.reason`. */
  reason: 'undo' | 'redo' | undefined;
  /**
   * The event holds more changes than the editor has cursors: no keystroke makes that (a
   * formatter, a rename, replace-all, another extension's edit).
   */
  programmatic: boolean;
  /** Set when the edit belongs to a save: the formatter that format-on-save runs. */
  formatter: Extract<AgentRef, { type: 'tool' }> | undefined;
}

const TYPED: ChangeSource = { class: 'human', evidence: 'typed' };
const UNKNOWN_TYPED: ChangeSource = { class: 'unknown', evidence: 'typed' };

/** Auto-closed pairs, Enter with its indentation, a Tab's spaces: one keystroke, several characters. */
const KEYSTROKE = /^(?:[\s\S]|[\uD800-\uDBFF][\uDC00-\uDFFF]|\r?\n[ \t]*|[ \t]{1,16}|\(\)|\[\]|\{\}|""|''|``)$/;

/** Whether `text` is what one keystroke inserts (empty counts: a deletion). */
export function isKeystroke(text: string): boolean {
  return text === '' || KEYSTROKE.test(text);
}

/**
 * The capture changes for one event, in the order the session applies them: VS Code reports
 * offsets against the text before the event, so they are applied from the end backwards.
 */
export function classify(changes: readonly EditorChange[], context: ChangeContext, expectations: Expectations, now: number): CaptureChange[] {
  const ordered = changes.length > 1 ? fromTheEnd(changes) : changes;
  const shared = sourceOf(ordered, context, expectations, now);
  const out: CaptureChange[] = [];
  for (const change of ordered) {
    const source = shared ?? (isKeystroke(change.text) ? TYPED : UNKNOWN_TYPED);
    const capture: CaptureChange = { ...source, pos: change.rangeOffset, deleted: change.rangeLength, inserted: change.text };
    if (context.reason) capture.undo = context.reason;
    out.push(capture);
  }
  return out;
}

/** The source every change of the event shares, or undefined to decide change by change. */
function sourceOf(changes: readonly EditorChange[], context: ChangeContext, expectations: Expectations, now: number): ChangeSource | undefined {
  // Undo and redo give text back its previous authors (the session does that); deletions are the user's.
  if (context.reason) return TYPED;
  const expected = expectations.take(changes, now);
  if (expected) return expected;
  if (context.formatter) return { class: 'tool', evidence: 'typed', agent: context.formatter };
  if (context.programmatic) return UNKNOWN_TYPED;
  return undefined;
}

/** VS Code's offsets are all against the text before the event: applied in order from the end backwards, each stays valid. */
function fromTheEnd(changes: readonly EditorChange[]): EditorChange[] {
  return [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
}

/** The event as edits for `applyTextEdits` (from the end backwards), at offsets relative to `origin`. */
export function editOps(changes: readonly EditorChange[], origin = 0): TextEditOp[] {
  return fromTheEnd(changes).map((change) => ({ pos: change.rangeOffset - origin, del: change.rangeLength, text: change.text }));
}
