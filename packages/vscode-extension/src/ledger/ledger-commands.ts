// Commands about the ledger: record now, verify, show an asset's history, the endpoint key, and
// the ones the CLI does (approve with its gates, Content Credentials, the HTML report), which run
// the `colophon` command in a terminal: the C2PA SDK and the report renderer are the CLI's, not
// something to copy into an editor bundle.
import { verifyWorkspace } from '@colophon/core/node';
import { counted } from '@colophon/core/report';
import * as vscode from 'vscode';
import { ENDPOINT_KEY_SECRET } from '../ai/generators.js';
import type { CaptureController } from '../capture/capture-controller.js';
import type { LedgerState } from '../show/shares.js';
import { historyHtml } from '../show/history.js';
import type { Ledgers } from './ledgers.js';
import { SecretKeyStore } from './secret-key-store.js';

export class LedgerCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private readonly state = new vscode.EventEmitter<LedgerState>();
  /** Fires with the outcome of Verify ledger. */
  readonly onDidVerify = this.state.event;

  constructor(
    private readonly ledgers: Ledgers,
    private readonly capture: CaptureController,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.disposables = [
      this.state,
      vscode.commands.registerCommand('colophon.flush', () => this.flush()),
      vscode.commands.registerCommand('colophon.verifyLedger', () => this.verify()),
      vscode.commands.registerCommand('colophon.showHistory', () => this.history()),
      vscode.commands.registerCommand('colophon.setEndpointKey', () => this.setKey()),
      vscode.commands.registerCommand('colophon.createIdentity', () => this.createIdentity()),
      vscode.commands.registerCommand('colophon.approve', () => this.cli('approve', (asset) => ['approve', '--asset', asset])),
      vscode.commands.registerCommand('colophon.exportCredentials', () =>
        // Text gets a .c2pa sidecar beside the exported copy; images get the manifest embedded.
        this.cli('export Content Credentials', (asset, path) => ['export', 'c2pa', '--asset', asset, '--in', path, '--out', `colophon-export/${path}`]),
      ),
      vscode.commands.registerCommand('colophon.openReport', () => this.cli('report', (asset) => ['report', '--asset', asset, '--out', `colophon-report-${asset.replace(/[^a-zA-Z0-9.-]+/g, '_')}.html`])),
    ];
  }

  private async flush(): Promise<void> {
    try {
      await this.capture.settle();
      await this.ledgers.flush();
      void vscode.window.setStatusBarMessage('Colophon: every burst is in the ledger', 3000);
    } catch (error) {
      void vscode.window.showErrorMessage(`Colophon: ${(error as Error).message}`);
    }
  }

  private async verify(): Promise<void> {
    const ledgers = await this.ledgers.all();
    if (ledgers.length === 0) {
      void vscode.window.showWarningMessage('Colophon: no ledger is open (no Colophon project in this workspace).');
      return;
    }
    await this.capture.settle();
    await this.ledgers.flush().catch(() => undefined);
    for (const ledger of ledgers) {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Colophon: verifying the ledger…' }, () =>
        verifyWorkspace(ledger.workspace.root),
      );
      if (report.ok) {
        this.state.fire({ state: 'verified', records: report.records });
        void vscode.window.showInformationMessage(`Colophon: ledger verified: ${counted(report.records, 'record')} in ${counted(report.feeds, 'feed')}, every signature, chain and link checked.`);
      } else {
        const first = report.findings[0];
        this.state.fire({ state: 'problem', message: first ? first.message : 'verification failed' });
        void vscode.window.showErrorMessage(`Colophon: the ledger has ${report.findings.length} problem(s); first: ${first?.message ?? 'unknown'}`);
      }
    }
  }

  private async history(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const doc = editor ? await this.capture.ready(editor.document) : undefined;
    if (!doc) {
      void vscode.window.showWarningMessage('Colophon: open a recorded file to see its history.');
      return;
    }
    await doc.session.flush().catch(() => undefined);
    const panel = vscode.window.createWebviewPanel('colophon.history', `History: ${doc.asset}`, vscode.ViewColumn.Beside, { enableScripts: false });
    try {
      panel.webview.html = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Colophon: reading the history…' }, () => historyHtml(doc.ledger, doc.asset));
    } catch (error) {
      panel.dispose();
      void vscode.window.showErrorMessage(`Colophon: cannot show the history of ${doc.asset}: ${(error as Error).message}`);
    }
  }

  private async setKey(): Promise<void> {
    const key = await vscode.window.showInputBox({ title: 'Colophon: endpoint API key', prompt: 'Kept in VS Code secret storage; sent only in the Authorization header to colophon.endpoint.url. Empty removes it.', password: true, ignoreFocusOut: true });
    if (key === undefined) return;
    if (key === '') await this.secrets.delete(ENDPOINT_KEY_SECRET);
    else await this.secrets.store(ENDPOINT_KEY_SECRET, key);
    void vscode.window.setStatusBarMessage(key ? 'Colophon: endpoint key stored' : 'Colophon: endpoint key removed', 3000);
  }

  /** For hosts where the CLI's key store cannot be reached: an identity in VS Code's secret storage. */
  private async createIdentity(): Promise<void> {
    const name = await vscode.window.showInputBox({ title: 'Colophon: Create identity in secret storage', prompt: 'Identity name (letters, digits, ".", "_", "-")', ignoreFocusOut: true });
    if (!name) return;
    try {
      const identity = await new SecretKeyStore(this.secrets).create(name);
      void vscode.window.showInformationMessage(
        `Colophon: identity "${name}" is ${identity.did}. Ask the project owner to grant it a role (colophon member add ${identity.did} --role contributor), then reload the window.`,
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`Colophon: ${(error as Error).message}`);
    }
  }

  /** Runs a CLI verb on the active file's asset in a terminal at the project root, after writing pending bursts. */
  private async cli(what: string, args: (asset: string, path: string) => string[]): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const doc = editor ? await this.capture.ready(editor.document) : undefined;
    if (!doc) {
      void vscode.window.showWarningMessage(`Colophon: open a recorded file to ${what}.`);
      return;
    }
    await doc.session.flush().catch(() => undefined);
    const command = vscode.workspace.getConfiguration('colophon.cli').get<string>('path', '') || 'colophon';
    const terminal = vscode.window.createTerminal({ name: `Colophon: ${what}`, cwd: doc.ledger.workspace.root });
    terminal.show();
    const path = doc.asset.slice('file:'.length);
    terminal.sendText([command, ...args(doc.asset, path)].map(shellQuote).join(' '));
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
