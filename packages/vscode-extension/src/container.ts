// The container of the extension's controllers (GitLens style): it builds them in order, hands
// each what it needs, and disposes them in reverse. Nothing here does work of its own.
import * as vscode from 'vscode';
import { AiCommands } from './ai/ai-commands.js';
import { createApi, type ColophonApi } from './api.js';
import { CaptureController } from './capture/capture-controller.js';
import { ClaimCommands } from './capture/claim-commands.js';
import { PasteController } from './capture/paste-provider.js';
import { LedgerCommands } from './ledger/ledger-commands.js';
import { Ledgers } from './ledger/ledgers.js';
import { AuthorshipHover } from './show/authorship-hover.js';
import { AuthorshipView } from './show/authorship-view.js';
import { StatusBarController } from './show/status-bar.js';

export class Container implements vscode.Disposable {
  static current: Container | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly ledgers: Ledgers;
  readonly capture: CaptureController;
  readonly api: ColophonApi;

  constructor(readonly context: vscode.ExtensionContext) {
    Container.current = this;
    const log = this.own(vscode.window.createOutputChannel('Colophon', { log: true }));
    this.ledgers = this.own(new Ledgers(context.secrets, log));
    this.capture = this.own(new CaptureController(this.ledgers, log));
    this.own(new PasteController(this.capture));
    this.own(new AiCommands(this.capture, context.secrets));
    this.own(new ClaimCommands(this.capture, context.globalState));
    const commands = this.own(new LedgerCommands(this.ledgers, this.capture, context.secrets));
    const view = this.own(new AuthorshipView(this.capture));
    this.own(new AuthorshipHover(this.capture));
    this.own(new StatusBarController(this.ledgers, this.capture, view, commands));
    this.api = createApi(this.capture);
  }

  private own<T extends vscode.Disposable>(controller: T): T {
    this.disposables.push(controller);
    return controller;
  }

  /** On deactivation: every open burst closed and written before the host goes away. */
  async close(): Promise<void> {
    await this.capture.close();
    await this.ledgers.close();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
    if (Container.current === this) Container.current = undefined;
  }
}
