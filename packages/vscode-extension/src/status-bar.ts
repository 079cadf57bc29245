// The status bar item: the active document's human / AI / other shares and the ledger's state.
import * as vscode from 'vscode';

export class StatusBarController implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('colophon.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Colophon';
    this.show('Colophon', 'Colophon: ready');
  }

  show(text: string, accessible: string, tooltip?: string): void {
    this.item.text = text;
    this.item.accessibilityInformation = { label: accessible };
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
