// Colophon's own AI commands: Generate at cursor, Rewrite selection, Continue. Each asks a model
// (see generators.ts), records the prompt as an intent (private by default), announces the text it
// is about to insert, and inserts it: the change handler then records it as ai, evidence
// `command`, with the model that answered.
import { promptText, type ChatMessage, type TextGenerator } from '@colophon/core';
import * as vscode from 'vscode';
import type { CaptureController, TrackedDocument } from '../capture/capture-controller.js';
import { queueIntent } from '../ledger/intent.js';
import { NO_MODEL, pickGenerator } from './generators.js';
import { continueMessages, generateMessages, rewriteMessages } from './prompts.js';

type Mode = 'generate' | 'rewrite' | 'continue';

export class AiCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly capture: CaptureController,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.disposables = [
      vscode.commands.registerTextEditorCommand('colophon.generateAtCursor', (editor) => this.run(editor, 'generate')),
      vscode.commands.registerTextEditorCommand('colophon.rewriteSelection', (editor) => this.run(editor, 'rewrite')),
      vscode.commands.registerTextEditorCommand('colophon.continue', (editor) => this.run(editor, 'continue')),
    ];
  }

  private async run(editor: vscode.TextEditor, mode: Mode): Promise<void> {
    const doc = await this.capture.ready(editor.document);
    if (!doc) {
      void vscode.window.showWarningMessage('Colophon: this file is not recorded (no Colophon project, or excluded by colophon.files settings).');
      return;
    }
    const selection = editor.selection;
    if (mode === 'rewrite' && selection.isEmpty) {
      void vscode.window.showWarningMessage('Colophon: select the text to rewrite first.');
      return;
    }
    const messages = await this.messages(editor, mode, selection);
    if (!messages) return;
    const generator = await pickGenerator(this.secrets);
    if (!generator) {
      void vscode.window.showErrorMessage(NO_MODEL);
      return;
    }
    const version = editor.document.version;
    let text: string;
    let agent;
    try {
      const request = { messages };
      const generation = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Colophon: ${generator.agent.model.name} is writing…` },
        () => generator.generate(request),
      );
      text = generation.text;
      agent = generator.agentFor ? generator.agentFor(request, generation) : generator.agent;
    } catch (error) {
      void vscode.window.showErrorMessage(`Colophon: ${(error as Error).message}`);
      return;
    }
    if (text === '') {
      void vscode.window.showWarningMessage(`Colophon: ${generator.agent.model.name} answered with no text; nothing inserted.`);
      return;
    }
    if (mode === 'rewrite' && editor.document.version !== version) {
      void vscode.window.showWarningMessage('Colophon: the document changed while the model was writing; the selection was not replaced.');
      return;
    }
    await this.insert(editor, doc, mode === 'rewrite' ? selection : new vscode.Range(editor.selection.active, editor.selection.active), text, messages, agent);
  }

  private async messages(editor: vscode.TextEditor, mode: Mode, selection: vscode.Selection): Promise<ChatMessage[] | undefined> {
    const before = editor.document.getText(new vscode.Range(new vscode.Position(0, 0), selection.active));
    if (mode === 'continue') return continueMessages(before);
    const ask = await vscode.window.showInputBox({
      title: mode === 'rewrite' ? 'Colophon: Rewrite selection' : 'Colophon: Generate at cursor',
      prompt: mode === 'rewrite' ? 'How should the selection be rewritten?' : 'What should the model write here?',
      ignoreFocusOut: true,
    });
    if (!ask) return undefined;
    return mode === 'rewrite' ? rewriteMessages(ask, editor.document.getText(selection)) : generateMessages(ask, before);
  }

  private async insert(editor: vscode.TextEditor, doc: TrackedDocument, range: vscode.Range, text: string, messages: ChatMessage[], agent: TextGenerator['agent']): Promise<void> {
    const isPrivate = vscode.workspace.getConfiguration('colophon.prompts').get<boolean>('private', true);
    const intent = queueIntent(doc.ledger, doc.asset, promptText(messages), isPrivate);
    doc.expectations.expect(text, { class: 'ai', evidence: 'command', agent, links: [intent] }, Date.now());
    const applied = await editor.edit((edit) => edit.replace(range, text));
    if (!applied) void vscode.window.showWarningMessage('Colophon: VS Code refused the edit; nothing was inserted.');
    // The insertion is a burst of its own: what the writer types next is theirs.
    doc.session.save();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
