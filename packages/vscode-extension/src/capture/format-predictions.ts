// Asks the document's formatter, when typing pauses, what it would change
// (`vscode.executeFormatDocumentProvider`, the provider Format Document and format-on-save use),
// so the capture controller can tell the formatter's edit when it lands. Off the typing path: the
// change handler only notes the time; a timer asks once the document has been still for IDLE_MS.
import { applyTextEdits } from '@colophon/core/capture';
import * as vscode from 'vscode';
import { FormatPrediction } from './formatted.js';

/** How long a document is still before its formatter is asked. */
const IDLE_MS = 400;
/** Documents larger than this are not predicted (a formatter run would cost more than it tells). */
const MAX_DOCUMENT = 2 * 1024 * 1024;

interface Watched {
  prediction: FormatPrediction | undefined;
  lastChange: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class FormatPredictions implements vscode.Disposable {
  private readonly watched = new Map<string, Watched>();

  /** The prediction for the document's version before `version`, if the formatter was asked about it. */
  for(document: vscode.TextDocument): FormatPrediction | undefined {
    return this.watched.get(document.uri.toString())?.prediction;
  }

  /** The hot path: notes a change (no I/O; the timer is armed once per pause, not per key). */
  changed(document: vscode.TextDocument, now: number): void {
    const key = document.uri.toString();
    let watched = this.watched.get(key);
    if (!watched) this.watched.set(key, (watched = { prediction: undefined, lastChange: now, timer: undefined }));
    watched.lastChange = now;
    if (!watched.timer) this.arm(document, watched, IDLE_MS);
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const watched = this.watched.get(key);
    if (watched?.timer) clearTimeout(watched.timer);
    this.watched.delete(key);
  }

  private arm(document: vscode.TextDocument, watched: Watched, wait: number): void {
    watched.timer = setTimeout(() => {
      watched.timer = undefined;
      const still = Date.now() - watched.lastChange;
      if (still < IDLE_MS) this.arm(document, watched, IDLE_MS - still);
      else void this.predict(document, watched);
    }, wait);
  }

  private async predict(document: vscode.TextDocument, watched: Watched): Promise<void> {
    if (document.isClosed || document.getText().length > MAX_DOCUMENT) return;
    const version = document.version;
    const before = document.getText();
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const options = { tabSize: Number(editor?.options.tabSize ?? 4), insertSpaces: editor?.options.insertSpaces !== false };
    let edits: vscode.TextEdit[] | undefined;
    try {
      edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', document.uri, options);
    } catch {
      return; // no formatter, or it failed: nothing predicted
    }
    // The document moved on while the formatter ran: the next pause asks again.
    if (document.version !== version || !edits || edits.length === 0) return;
    const ops = edits
      .map((edit) => ({ pos: document.offsetAt(edit.range.start), del: document.offsetAt(edit.range.end) - document.offsetAt(edit.range.start), text: edit.newText }))
      .sort((a, b) => b.pos - a.pos);
    watched.prediction = FormatPrediction.of(version, before, applyTextEdits(before, ops));
  }

  dispose(): void {
    for (const watched of this.watched.values()) if (watched.timer) clearTimeout(watched.timer);
    this.watched.clear();
  }
}
