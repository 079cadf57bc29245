// What a formatter would do to a document, known before it runs, so that its edit is told from
// typing whatever its shape (one edit or many, one character or a block): VS Code reports a
// formatter's edit (Format Document, format-on-save) with no reason, and no stable API names a
// command or save participant as its source. VS Code-free (unit tested without a host).
import { applyTextEdits } from '@colophon/core/capture';
import { editOps, type EditorChange } from './classify.js';

/** At most this many code units of changed window are kept (before and after): larger ones are not predicted. */
export const MAX_WINDOW = 256 * 1024;

/**
 * A prediction for one version of a document: the text before and after the formatter, kept only
 * over the window where they differ (the common prefix and suffix cut off), so an open document
 * keeps little besides its text.
 */
export class FormatPrediction {
  private constructor(
    /** The document version the formatter was asked about. */
    readonly version: number,
    /** Where the window starts (the common prefix's length). */
    private readonly from: number,
    private readonly before: string,
    private readonly after: string,
  ) {}

  /** The prediction for `before` formatted into `after`, or undefined when the formatter would change nothing or too much to keep. */
  static of(version: number, before: string, after: string): FormatPrediction | undefined {
    if (before === after) return undefined;
    let from = 0;
    const shorter = Math.min(before.length, after.length);
    while (from < shorter && before.charCodeAt(from) === after.charCodeAt(from)) from++;
    let suffix = 0;
    while (suffix < shorter - from && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
    const window = before.length - suffix - from + (after.length - suffix - from);
    if (window > MAX_WINDOW) return undefined;
    return new FormatPrediction(version, from, before.slice(from, before.length - suffix), after.slice(from, after.length - suffix));
  }

  /**
   * Cheap (O(changes)), for the typing path: whether an event on the predicted version may be the
   * formatter's edit: it lies inside the window and changes the length as the formatter would.
   */
  mayBe(version: number, changes: readonly EditorChange[]): boolean {
    if (version !== this.version + 1) return false;
    let delta = 0;
    for (const change of changes) {
      if (change.rangeOffset < this.from || change.rangeOffset + change.rangeLength > this.from + this.before.length) return false;
      delta += change.text.length - change.rangeLength;
    }
    return delta === this.after.length - this.before.length;
  }

  /** Exact (O(window)), off the typing path: the event turns the predicted text into the formatted one. */
  is(changes: readonly EditorChange[]): boolean {
    return applyTextEdits(this.before, editOps(changes, this.from)) === this.after;
  }
}
