// The container of the extension's controllers (GitLens style): it builds them in order, hands
// each what it needs, and disposes them in reverse.
import * as vscode from 'vscode';
import { StatusBarController } from './status-bar.js';

export class Container implements vscode.Disposable {
  static current: Container | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly status: StatusBarController;
  readonly api = {};

  constructor(readonly context: vscode.ExtensionContext) {
    Container.current = this;
    this.status = this.own(new StatusBarController());
  }

  private own<T extends vscode.Disposable>(controller: T): T {
    this.disposables.push(controller);
    return controller;
  }

  async close(): Promise<void> {
    this.dispose();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
    if (Container.current === this) Container.current = undefined;
  }
}
