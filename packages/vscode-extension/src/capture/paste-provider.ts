// Pastes: VS Code (1.97+) asks paste edit providers before it pastes. This one adds no edit of its
// own; it reads the clipboard text VS Code hands it and announces it, so the change handler
// records the insertion that follows as a paste.
import * as vscode from 'vscode';
import type { CaptureController } from './capture-controller.js';

export class PasteController implements vscode.Disposable, vscode.DocumentPasteEditProvider {
  private readonly registration: vscode.Disposable;

  constructor(private readonly capture: CaptureController) {
    this.registration = vscode.languages.registerDocumentPasteEditProvider({ scheme: 'file' }, this, {
      pasteMimeTypes: ['text/plain'],
      providedPasteEditKinds: [vscode.DocumentDropOrPasteEditKind.Text.append('colophon')],
    });
  }

  async provideDocumentPasteEdits(document: vscode.TextDocument, _ranges: readonly vscode.Range[], dataTransfer: vscode.DataTransfer): Promise<undefined> {
    const doc = this.capture.get(document);
    if (!doc) return undefined;
    const text = await dataTransfer.get('text/plain')?.asString();
    if (text) doc.expectations.expect(text, { class: 'paste', evidence: 'typed' }, Date.now());
    return undefined;
  }

  dispose(): void {
    this.registration.dispose();
  }
}
