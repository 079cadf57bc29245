// The hover card over text in a recorded document: who wrote it (class, person or model or tool),
// and, when the text came from a record already in the ledger, when, with what evidence, the
// prompt if it was disclosed, and the record's CID.
import { evidenceOf, type Author, type DecodedRecord } from '@colophon/core';
import * as vscode from 'vscode';
import type { CaptureController, TrackedDocument } from '../capture/capture-controller.js';

const CLASS_WORDS: Record<Author['class'], string> = { human: 'Written by a person', ai: 'Written by an AI model', tool: 'Changed by a tool', pasted: 'Pasted', unknown: 'Unknown: nobody saw who wrote it' };

export class AuthorshipHover implements vscode.HoverProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

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
    const card = await this.card(doc, run.author);
    const range = new vscode.Range(document.positionAt(whole.start), document.positionAt(whole.start + whole.length));
    return new vscode.Hover(card, range);
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
      md.appendMarkdown("Written in this session: its record is in the ledger once the burst closes (save, pause, another kind of edit); the file's next opening shows its CID\n\n");
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
