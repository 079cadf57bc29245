// The status bar item: the active document's human / AI / other shares and the ledger's state
// (bursts being written, verified, a problem), refreshed when authorship changes (debounced).
import * as vscode from 'vscode';
import type { CaptureController } from '../capture/capture-controller.js';
import type { LedgerCommands } from '../ledger/ledger-commands.js';
import type { Ledgers } from '../ledger/ledgers.js';
import type { AuthorshipView } from './authorship-view.js';
import { statusView, type LedgerState } from './shares.js';

const DEBOUNCE_MS = 150;

export class StatusBarController implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('colophon.status', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private ledger: LedgerState = { state: 'ok', pending: 0 };
  private paused: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ledgers: Ledgers,
    private readonly capture: CaptureController,
    view: AuthorshipView,
    commands: LedgerCommands,
  ) {
    this.item.name = 'Colophon';
    this.item.command = 'colophon.showHistory';
    this.disposables.push(
      this.item,
      capture.onDidChangeAuthorship(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      view.onDidChangePause((reason) => {
        this.paused = reason;
        this.schedule();
      }),
      commands.onDidVerify((state) => {
        this.ledger = state;
        this.schedule();
      }),
      ledgers.onDidChange((event) => {
        this.ledger = event.kind === 'problem' ? { state: 'problem', message: event.message } : this.ledger.state === 'problem' ? this.ledger : { state: 'ok', pending: 0 };
        this.schedule();
      }),
    );
    this.render();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, DEBOUNCE_MS);
  }

  private render(): void {
    const editor = vscode.window.activeTextEditor;
    const doc = editor ? this.capture.shown(editor.document) : undefined;
    let ledger = this.ledger;
    if (doc && ledger.state === 'ok') ledger = { state: 'ok', pending: doc.ledger.writer.pending };
    if (!doc) {
      const folder = editor ? vscode.workspace.getWorkspaceFolder(editor.document.uri) : vscode.workspace.workspaceFolders?.[0];
      const why = folder ? this.ledgers.missing.get(folder.uri.fsPath) : undefined;
      if (why) ledger = { state: 'none', why };
    }
    const view = statusView(doc?.map.unitsByClass(), ledger, this.paused);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.label };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
