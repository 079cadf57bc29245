// The extension's entry: activate() only builds the container of controllers; each controller owns
// one job and its disposables.
import type * as vscode from 'vscode';
import { Container } from './container.js';

export function activate(context: vscode.ExtensionContext) {
  const container = new Container(context);
  context.subscriptions.push(container);
  return container.api;
}

export function deactivate(): Promise<void> | undefined {
  return Container.current?.close();
}
