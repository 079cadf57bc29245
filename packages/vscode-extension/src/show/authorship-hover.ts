// The hover card over text in a recorded document: who wrote it (class, person or model or tool),
// and, when the text came from a record already in the ledger, when, with what evidence, the
// prompt if it was disclosed, and the record's CID.
import { evidenceOf, type Author, type DecodedRecord, type TextAuthorshipMap } from '@colophon/core';
import { textBaseline, type TextCaptureSession } from '@colophon/core/capture';
import * as vscode from 'vscode';
import type { CaptureController, TrackedDocument } from '../capture/capture-controller.js';

const CLASS_WORDS: Record<Author['class'], string> = { human: 'Written by a person', ai: 'Written by an AI model', tool: 'Changed by a tool', pasted: 'Pasted', unknown: 'Unknown: nobody saw who wrote it' };

export class AuthorshipHover implements vscode.HoverProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  /** The ledger's map of a session's text, by how many records the ledger's writer had written when it was read. */
  private readonly recorded = new WeakMap<TextCaptureSession, { written: number; map: TextAuthorshipMap | undefined }>();

  constructor(private readonly capture: CaptureController) {
    this.registration = vscode.languages.registerHoverProvider({ scheme: 'file' }, this);
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const doc = this.capture.shown(document);
    if (!doc || vscode.workspace.getConfiguration('colophon.authorship').get<string>('mode', 'off') === 'off') return undefined;
    const offset = document.offsetAt(position);
    if (offset >= doc.map.length) return undefined;
    let run: { start: number; length: number; author: Author } | undefined;
    doc.map.forEachRun((start, length, author) => (run ??= { start, length, author }), offset, offset + 1);
    if (!run) return undefined;
    // forEachRun clips to the asked range: widen to the whole run for the highlight.
    const whole = doc.map.runs(Math.max(0, offset - 4096), Math.min(doc.map.length, offset + 4096)).find((r) => r.start <= offset && offset < r.start + r.length) ?? run;
    // Text of this session has no record in the in-memory map; once its burst is in the ledger, the ledger's map says which.
    const author = run.author.record ? run.author : ((await this.ledgerAuthor(doc, offset, run.author)) ?? run.author);
    const card = await this.card(doc, author);
    const range = new vscode.Range(document.positionAt(whole.start), document.positionAt(whole.start + whole.length));
    return new vscode.Hover(card, range);
  }

  /**
   * The author the ledger gives the character at `offset`, when the ledger holds exactly the text
   * on screen (every burst written, none open) and agrees on who wrote it: then with its record.
   */
  private async ledgerAuthor(doc: TrackedDocument, offset: number, shown: Author): Promise<Author | undefined> {
    const session = doc.session;
    if (doc.ledger.writer.pending > 0) return undefined;
    const written = doc.ledger.written;
    let cached = this.recorded.get(session);
    if (!cached || cached.written !== written) {
      const { baseline } = await textBaseline(doc.ledger.workspace.feeds, doc.ledger.workspace.blobs, doc.asset);
      const map = baseline.map && baseline.text === doc.document.getText() ? baseline.map : undefined;
      cached = { written, map };
      // Only a state with nothing in flight is kept: an open burst or a write under way changes it.
      if (doc.ledger.writer.pending === 0 && doc.ledger.written === written && map) this.recorded.set(session, cached);
    }
    let author: Author | undefined;
    cached.map?.forEachRun((_, __, a) => (author ??= a), offset, offset + 1);
    return author && author.class === shown.class && author.who === shown.who ? author : undefined;
  }

  private async card(doc: TrackedDocument, author: Author): Promise<vscode.MarkdownString> {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['colophon.markAsAi', 'colophon.markAsMine', 'colophon.showHistory'] };
    md.appendMarkdown(`**Colophon** · ${CLASS_WORDS[author.class]}\n\n`);
    if (author.who) md.appendMarkdown(`${author.class === 'ai' ? 'Model' : author.class === 'tool' ? 'Tool' : 'Who'}: \`${author.who}\`${author.who === doc.ledger.signer.did ? ' (you)' : ''}\n\n`);
    const entry = author.record ? await doc.ledger.workspace.feeds.get(author.record).catch(() => undefined) : undefined;
    if (entry) {
      md.appendMarkdown(`When: ${new Date(entry.record.at).toISOString().replace('T', ' ').slice(0, 19)} UTC\n\n`);
      const evidence = author.evidence ?? evidenceOf(entry.record);
      if (evidence) md.appendMarkdown(`Evidence: \`${evidence}\`\n\n`);
      const prompt = await promptOf(doc, entry);
      if (prompt) md.appendMarkdown(`Prompt: ${prompt}\n\n`);
      md.appendMarkdown(`Record: \`${entry.cid.toString()}\`\n\n`);
    } else {
      if (author.evidence) md.appendMarkdown(`Evidence: \`${author.evidence}\`\n\n`);
      md.appendMarkdown('Written in this session: its record CID shows here once the burst is in the ledger (it closes on save, a pause, another kind of edit)\n\n');
    }
    if (author.class === 'unknown') md.appendMarkdown('[Mark as AI…](command:colophon.markAsAi) · [Mark as mine](command:colophon.markAsMine)');
    return md;
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/** The prompt behind a record: its own intent, or a linked intent record's; "private" for a commitment. */
async function promptOf(doc: TrackedDocument, entry: DecodedRecord): Promise<string | undefined> {
  const intents: DecodedRecord[] = [entry];
  for (const link of entry.record.links ?? []) {
    const linked = await doc.ledger.workspace.feeds.get(link).catch(() => undefined);
    if (linked?.record.kind === 'intent') intents.push(linked);
  }
  for (const { record } of intents) {
    if (!record.intent) continue;
    if ('text' in record.intent) return `“${record.intent.text.slice(0, 300)}${record.intent.text.length > 300 ? '…' : ''}”`;
    return `private (commitment \`${record.intent.commit.toString().slice(0, 16)}…\`)`;
  }
  return undefined;
}
