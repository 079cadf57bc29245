// Mark as AI / Mark as mine: the writer states who wrote the selected text (typically an insertion
// Colophon saw but could not explain, recorded as unknown). The claim is the writer's, signed:
// evidence `reported`. Offered as commands and as a quick fix on unknown text.
import type { AiAgent } from '@colophon/core';
import * as vscode from 'vscode';
import { modelAgent } from '../ai/model-ref.js';
import type { CaptureController } from './capture-controller.js';

const RECENT_MODELS = 'colophon.recentModels';

export class ClaimCommands implements vscode.Disposable, vscode.CodeActionProvider {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly capture: CaptureController,
    private readonly memento: vscode.Memento,
  ) {
    this.disposables = [
      vscode.commands.registerCommand('colophon.markAsAi', (uri?: vscode.Uri, range?: vscode.Range) => this.markAsAi(uri, range)),
      vscode.commands.registerCommand('colophon.markAsMine', (uri?: vscode.Uri, range?: vscode.Range) => this.markAsMine(uri, range)),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    ];
  }

  /** Quick actions on unknown text under the cursor: mark it as AI (with the last model named) or as mine. */
  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const doc = this.capture.get(document);
    if (!doc || doc.map.length === 0) return [];
    const offset = Math.min(document.offsetAt(range.start), doc.map.length - 1);
    let unknown: vscode.Range | undefined;
    doc.map.forEachRun((start, length, author) => {
      if (!unknown && author.class === 'unknown') unknown = new vscode.Range(document.positionAt(start), document.positionAt(start + length));
    }, offset, offset + 1);
    if (!unknown) return [];
    const last = this.memento.get<string[]>(RECENT_MODELS, [])[0];
    const ai = new vscode.CodeAction(last ? `Colophon: Mark as AI (${last})` : 'Colophon: Mark as AI…', vscode.CodeActionKind.QuickFix);
    ai.command = { command: 'colophon.markAsAi', title: ai.title, arguments: [document.uri, unknown] };
    const mine = new vscode.CodeAction('Colophon: Mark as mine', vscode.CodeActionKind.QuickFix);
    mine.command = { command: 'colophon.markAsMine', title: mine.title, arguments: [document.uri, unknown] };
    return [ai, mine];
  }

  private async target(uri?: vscode.Uri, range?: vscode.Range) {
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    const selected = range ?? (editor && editor.document === document ? editor.selection : undefined);
    if (!document || !selected || selected.isEmpty) {
      void vscode.window.showWarningMessage('Colophon: select the text to mark first.');
      return undefined;
    }
    const doc = await this.capture.ready(document);
    if (!doc) {
      void vscode.window.showWarningMessage('Colophon: this file is not recorded.');
      return undefined;
    }
    return { doc, range: selected };
  }

  private async markAsAi(uri?: vscode.Uri, range?: vscode.Range): Promise<void> {
    const target = await this.target(uri, range);
    if (!target) return;
    const recent = this.memento.get<string[]>(RECENT_MODELS, []);
    const label = await vscode.window.showInputBox({
      title: 'Colophon: Mark as AI',
      prompt: 'Which model wrote it? provider/name@version',
      value: recent[0] ?? '',
      validateInput: (value) => {
        try {
          modelAgent(value);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (!label) return;
    const agent: AiAgent = modelAgent(label);
    await this.memento.update(RECENT_MODELS, [label, ...recent.filter((r) => r !== label)].slice(0, 5));
    const units = this.capture.claim(target.doc, target.range, { class: 'ai', evidence: 'reported', agent });
    void vscode.window.setStatusBarMessage(`Colophon: ${units} characters marked as written by ${label}`, 4000);
  }

  private async markAsMine(uri?: vscode.Uri, range?: vscode.Range): Promise<void> {
    const target = await this.target(uri, range);
    if (!target) return;
    const units = this.capture.claim(target.doc, target.range, { class: 'human', evidence: 'reported' });
    void vscode.window.setStatusBarMessage(`Colophon: ${units} characters marked as yours`, 4000);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
