// The workspaces' ledgers: `.colophon/` of each workspace folder (or above it), opened through
// core's workspace API, each with one LedgerWriter and one CaptureEngine shared by every document
// of that project. The signer is the identity the CLI uses on this machine (its key store,
// outside the workspace), else one kept in VS Code's SecretStorage.
import { relative, sep } from 'node:path';
import { CaptureEngine, LedgerWriter, platformScheduler } from '@colophon/core/capture';
import { findProjectRoot, openWorkspace, signingIdentity, type Workspace } from '@colophon/core/node';
import * as vscode from 'vscode';
import { SecretKeyStore } from './secret-key-store.js';
import { isRecorded } from './files.js';

export interface WorkspaceLedger {
  readonly workspace: Workspace;
  readonly signer: { name: string; did: string };
  readonly writer: LedgerWriter;
  readonly engine: CaptureEngine;
  /** How many bursts' records the writer has appended (the ledger acknowledged them). */
  written: number;
}

export type LedgerEvent = { kind: 'problem'; root: string; message: string } | { kind: 'written'; root: string };

export class Ledgers implements vscode.Disposable {
  private readonly byRoot = new Map<string, Promise<WorkspaceLedger | undefined>>();
  private readonly events = new vscode.EventEmitter<LedgerEvent>();
  readonly onDidChange = this.events.event;
  /** Why a folder has no ledger (shown in the status bar), by folder path. */
  readonly missing = new Map<string, string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The ledger a document is recorded in and its asset id, or undefined when it is not recorded. */
  async forDocument(document: vscode.TextDocument): Promise<{ ledger: WorkspaceLedger; asset: string } | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder || !isRecorded(document, folder)) return undefined;
    const ledger = await this.forFolder(folder);
    if (!ledger) return undefined;
    const path = relative(ledger.workspace.root, document.uri.fsPath);
    if (path === '' || path.startsWith('..') || path.split(sep)[0] === '.colophon') return undefined;
    return { ledger, asset: `file:${path.split(sep).join('/')}` };
  }

  /** The ledger of a workspace folder (opened once). */
  forFolder(folder: vscode.WorkspaceFolder): Promise<WorkspaceLedger | undefined> {
    const key = folder.uri.fsPath;
    let ledger = this.byRoot.get(key);
    if (!ledger) {
      ledger = this.open(folder.uri.fsPath).catch((error: Error) => {
        this.missing.set(key, error.message);
        this.log.error(`${key}: ${error.message}`);
        return undefined;
      });
      this.byRoot.set(key, ledger);
    }
    return ledger;
  }

  /** Every ledger opened so far. */
  async all(): Promise<WorkspaceLedger[]> {
    const ledgers = await Promise.all(this.byRoot.values());
    return ledgers.filter((ledger): ledger is WorkspaceLedger => ledger !== undefined);
  }

  private async open(folder: string): Promise<WorkspaceLedger | undefined> {
    const root = await findProjectRoot(folder);
    if (!root) {
      this.missing.set(folder, 'no Colophon project in this workspace (run "colophon init" in a terminal)');
      return undefined;
    }
    const name = vscode.workspace.getConfiguration('colophon.identity').get<string>('name', '').trim() || undefined;
    let workspace = await openWorkspace(root);
    let signer;
    try {
      signer = await signingIdentity(workspace, name);
    } catch (fileError) {
      // The CLI's key store is out of reach here (a remote host) or lacks the identity: try ours.
      workspace = { ...workspace, keys: new SecretKeyStore(this.secrets) };
      try {
        signer = await signingIdentity(workspace, name);
      } catch {
        throw new Error(`${(fileError as Error).message} (nor in VS Code's secret storage)`);
      }
    }
    const writer = new LedgerWriter({
      project: workspace.project,
      signer: signer.identity,
      blobs: workspace.blobs,
      onError: (error) => {
        this.log.error(`${root}: ${error.message}`);
        this.events.fire({ kind: 'problem', root, message: error.message });
      },
    });
    const idleMs = vscode.workspace.getConfiguration('colophon.burst').get<number>('idleMs', 2000);
    const schedule = platformScheduler();
    let ledger: WorkspaceLedger | undefined = undefined;
    const engine = new CaptureEngine(writer, {
      clock: Date.now,
      idleMs,
      ...(schedule ? { schedule } : {}),
      onBurst: (info) => {
        info.record.cid().then(
          () => {
            ledger!.written++;
            this.events.fire({ kind: 'written', root });
          },
          () => undefined, // reported through onError
        );
      },
    });
    this.log.info(`recording ${root} as ${signer.name} (${signer.identity.did})`);
    ledger = { workspace, signer: { name: signer.name, did: signer.identity.did }, writer, engine, written: 0 };
    return ledger;
  }

  /** Writes everything pending in every ledger. */
  async flush(): Promise<void> {
    for (const ledger of await this.all()) await ledger.engine.flush();
  }

  async close(): Promise<void> {
    for (const ledger of await this.all()) await ledger.engine.close();
  }

  dispose(): void {
    this.events.dispose();
  }
}
