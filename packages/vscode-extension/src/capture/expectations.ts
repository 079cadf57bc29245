// Edits announced just before they land: a paste (the paste provider saw the clipboard), an
// insertion by one of our AI commands, a generation another extension reports before applying
// it. The change handler takes the matching announcement when the edit arrives; announcements
// expire quickly so a stale one never claims a later edit.
import type { ChangeSource } from '@colophon/core/capture';
import type { EditorChange } from './classify.js';

interface Expected {
  text: string;
  source: ChangeSource;
  until: number;
}

/** How long an announcement waits for its edit. */
export const EXPECTATION_TTL_MS = 5000;

export class Expectations {
  private pending: Expected[] = [];

  /** Announces that `text` is about to be inserted by `source`. */
  expect(text: string, source: ChangeSource, now: number, ttlMs = EXPECTATION_TTL_MS): void {
    if (text === '') return;
    this.pending.push({ text, source, until: now + ttlMs });
  }

  /**
   * The source announced for an event whose inserted texts all belong to one announcement (a
   * multi-cursor paste spreads the clipboard's lines over the cursors), and forgets it.
   */
  take(changes: readonly EditorChange[], now: number): ChangeSource | undefined {
    if (this.pending.length === 0) return undefined;
    this.pending = this.pending.filter((entry) => entry.until >= now);
    const inserted = changes.filter((change) => change.text !== '');
    if (inserted.length === 0) return undefined;
    const index = this.pending.findIndex((entry) =>
      inserted.length === 1 ? matchesOne(entry.text, inserted[0]!.text) : inserted.every((change) => entry.text.includes(change.text)),
    );
    if (index < 0) return undefined;
    const [entry] = this.pending.splice(index, 1);
    return entry!.source;
  }

  get size(): number {
    return this.pending.length;
  }
}

/** The editor may normalise line endings of what lands. */
function matchesOne(expected: string, inserted: string): boolean {
  return inserted === expected || inserted.replace(/\r\n/g, '\n') === expected.replace(/\r\n/g, '\n');
}
