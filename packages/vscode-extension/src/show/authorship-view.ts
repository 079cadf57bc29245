// The authorship view: off, the current line, or the whole file. Non-human text is tinted (AI by
// model) with a mark in the overview ruler; the current line gets who wrote it after its end.
// Computed from the in-memory map, only over the visible ranges, debounced; above a size
// threshold it pauses and the status bar says why.
import type { Author } from '@colophon/core';
import * as vscode from 'vscode';
import type { CaptureController, TrackedDocument } from '../capture/capture-controller.js';
import { tintOf, type Tint } from './palette.js';

export type AuthorshipMode = 'off' | 'line' | 'file';
const MODES: readonly AuthorshipMode[] = ['off', 'line', 'file'];
const DEBOUNCE_MS = 120;

export class AuthorshipView implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly lineNote = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly paused = new vscode.EventEmitter<string | undefined>();
  /** Fires with the reason the view is paused for the active editor, or undefined when it is not. */
  readonly onDidChangePause = this.paused.event;

  constructor(private readonly capture: CaptureController) {
    this.disposables.push(
      this.lineNote,
      this.paused,
      vscode.commands.registerCommand('colophon.toggleAuthorship', () => this.toggle()),
      capture.onDidChangeAuthorship(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection(() => this.mode() === 'line' && this.schedule()),
      vscode.window.onDidChangeTextEditorVisibleRanges(() => this.mode() === 'file' && this.schedule()),
      vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('colophon.authorship') && this.schedule()),
    );
    this.schedule();
  }

  mode(): AuthorshipMode {
    const mode = vscode.workspace.getConfiguration('colophon.authorship').get<string>('mode', 'off');
    return (MODES as readonly string[]).includes(mode) ? (mode as AuthorshipMode) : 'off';
  }

  private async toggle(): Promise<void> {
    const next = MODES[(MODES.indexOf(this.mode()) + 1) % MODES.length]!;
    await vscode.workspace.getConfiguration('colophon.authorship').update('mode', next, vscode.ConfigurationTarget.Global);
    void vscode.window.setStatusBarMessage(`Colophon: authorship view ${next}`, 3000);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const editor of vscode.window.visibleTextEditors) this.render(editor);
    }, DEBOUNCE_MS);
  }

  private render(editor: vscode.TextEditor): void {
    const doc = this.capture.shown(editor.document);
    const mode = this.mode();
    const limit = vscode.workspace.getConfiguration('colophon.authorship').get<number>('maxFileChars', 2_000_000);
    const tooBig = doc !== undefined && mode !== 'off' && doc.map.length > limit;
    if (editor === vscode.window.activeTextEditor) this.paused.fire(tooBig ? `the file has ${doc!.map.length} characters, above colophon.authorship.maxFileChars (${limit})` : undefined);
    const ranges = new Map<string, vscode.DecorationOptions[]>();
    const notes: vscode.DecorationOptions[] = [];
    if (doc && mode !== 'off' && !tooBig && doc.map.length > 0) {
      const spans = mode === 'line' ? [editor.document.lineAt(editor.selection.active.line).range] : editor.visibleRanges;
      for (const span of spans) this.collect(doc, span, ranges);
      if (mode === 'line') notes.push(this.lineNoteFor(doc, editor));
    }
    for (const [key, type] of this.types) editor.setDecorations(type, ranges.get(key) ?? []);
    for (const [key, options] of ranges) if (!this.types.has(key)) editor.setDecorations(this.typeFor(key), options);
    editor.setDecorations(this.lineNote, notes);
  }

  private tints = new Map<string, Tint>();

  private collect(doc: TrackedDocument, span: vscode.Range, out: Map<string, vscode.DecorationOptions[]>): void {
    const document = doc.document;
    const from = document.offsetAt(document.lineAt(span.start.line).range.start);
    const to = Math.min(doc.map.length, document.offsetAt(document.lineAt(span.end.line).rangeIncludingLineBreak.end));
    doc.map.forEachRun((start, length, author) => {
      const tint = tintOf(author);
      if (!tint) return;
      this.tints.set(tint.key, tint);
      let list = out.get(tint.key);
      if (!list) out.set(tint.key, (list = []));
      list.push({ range: new vscode.Range(document.positionAt(start), document.positionAt(start + length)) });
    }, from, to);
  }

  private lineNoteFor(doc: TrackedDocument, editor: vscode.TextEditor): vscode.DecorationOptions {
    const line = editor.document.lineAt(editor.selection.active.line);
    const from = editor.document.offsetAt(line.range.start);
    const to = Math.min(doc.map.length, editor.document.offsetAt(line.range.end));
    const units = new Map<string, number>();
    doc.map.forEachRun((_, length, author) => units.set(describe(author), (units.get(describe(author)) ?? 0) + length), from, to);
    const total = [...units.values()].reduce((a, b) => a + b, 0);
    const text = total === 0 ? '' : [...units.entries()].sort((a, b) => b[1] - a[1]).map(([who, n]) => `${who} ${Math.round((n / total) * 100)}%`).join(' · ');
    return { range: new vscode.Range(line.range.end, line.range.end), renderOptions: { after: { contentText: text ? `✎ ${text}` : '' } } };
  }

  private typeFor(key: string): vscode.TextEditorDecorationType {
    const tint = this.tints.get(key)!;
    const type = vscode.window.createTextEditorDecorationType({
      backgroundColor: tint.background,
      overviewRulerColor: tint.ruler,
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.types.set(key, type);
    return type;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const type of this.types.values()) type.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** Short words for an author: "you", "AI model", "pasted", "tool name", "unknown". */
export function describe(author: Author): string {
  switch (author.class) {
    case 'human':
      return 'human';
    case 'ai':
      return `AI ${author.who.split('@')[0]}`;
    case 'tool':
      return `tool ${author.who.split('@')[0]}`;
    default:
      return author.class;
  }
}
