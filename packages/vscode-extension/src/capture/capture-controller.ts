// One capture session per open document of a Colophon workspace. The change handler classifies the
// event and feeds the session: no I/O, no signing, no hashing of the document, no await. Opening
// (baseline from the ledger, reconcile with what is on screen), saving and closing happen on
// their own events.
import type { TextAuthorshipMap } from '@colophon/core';
import { CaptureError, textBaseline, type TextCaptureSession } from '@colophon/core/capture';
import * as vscode from 'vscode';
import type { Ledgers, WorkspaceLedger } from '../ledger/ledgers.js';
import { classify, type ChangeContext, type EditorChange } from './classify.js';
import { Expectations } from './expectations.js';
import { formatterOf, type ToolAgent } from './formatter.js';
import type { ChangeSource, TextChange as CaptureChange } from '@colophon/core/capture';

export interface TrackedDocument {
  readonly document: vscode.TextDocument;
  readonly asset: string;
  readonly ledger: WorkspaceLedger;
  readonly session: TextCaptureSession;
  readonly map: TextAuthorshipMap;
  /** Announced edits (paste, our AI commands, reported generations). */
  readonly expectations: Expectations;
  /** Set between will-save and did-save: format-on-save edits are this tool's. */
  formatter: ToolAgent | undefined;
  /** Events held until it is known whether a save is under way (see onChange). */
  held: HeldEvent[];
  release: ReturnType<typeof setTimeout> | undefined;
}

interface HeldEvent {
  changes: readonly EditorChange[];
  context: ChangeContext;
  at: number;
  /** The document was clean after the event, and no reload was known to be coming: a reload whose watcher report is late, or a first keystroke. */
  clean: boolean;
}

const NO_EXPECTATIONS = new Expectations();
/** A disk change our own save made is reported by the watcher within this time of the save. */
const OWN_SAVE_MS = 1500;
/** VS Code reloads a changed file within this time of the watcher's report. */
const DISK_RELOAD_MS = 5000;
/** How long a programmatic edit waits for the will-save that would make it format-on-save. */
const HOLD_MS = 250;
/** How long a change that left the document clean waits for the watcher to say the file changed on disk (the report can come after the reload). */
const RELOAD_REPORT_MS = 2000;

export class CaptureController implements vscode.Disposable {
  private readonly tracked = new Map<string, TrackedDocument>();
  private readonly opening = new Map<string, Promise<TrackedDocument | undefined>>();
  /** When a tracked file changed on disk other than by our save and the document does not show it yet (uri -> ms), until its reload arrives. */
  private readonly diskChanges = new Map<string, number>();
  private readonly saves = new Map<string, number>();
  /** Changes that arrive while a document's session opens, classified as they came, replayed once it is open. */
  private readonly early = new Map<string, CaptureChange[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a tracked document's authorship changed (listeners debounce). */
  readonly onDidChangeAuthorship = this.changed.event;

  constructor(
    private readonly ledgers: Ledgers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((event) => this.onChange(event)),
      vscode.workspace.onDidOpenTextDocument((document) => void this.track(document)),
      vscode.workspace.onDidCloseTextDocument((document) => void this.untrack(document)),
      vscode.workspace.onWillSaveTextDocument((event) => this.onWillSave(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.onDidSave(document)),
      this.watchDisk(),
      vscode.window.onDidChangeWindowState((state) => {
        if (!state.focused) for (const doc of this.tracked.values()) doc.session.focusLost();
      }),
    );
    for (const document of vscode.workspace.textDocuments) void this.track(document);
  }

  get(document: vscode.TextDocument): TrackedDocument | undefined {
    return this.tracked.get(document.uri.toString());
  }

  /** The tracked document once its session is open (waits for an opening in progress). */
  async ready(document: vscode.TextDocument): Promise<TrackedDocument | undefined> {
    return this.get(document) ?? (await this.opening.get(document.uri.toString())) ?? (await this.track(document));
  }

  /** The hot path. */
  private onChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const key = event.document.uri.toString();
    const doc = this.tracked.get(key);
    const early = doc ? undefined : this.early.get(key);
    if (!doc && !early) return;
    const reason = event.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : event.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined;
    const now = Date.now();
    const fromDisk = !event.document.isDirty && this.diskChanges.has(key) && now - this.diskChanges.get(key)! < DISK_RELOAD_MS;
    if (fromDisk) this.diskChanges.delete(key);
    const programmatic = !reason && !fromDisk && event.contentChanges.length > this.cursors(event.document);
    const clean = !reason && !fromDisk && !event.document.isDirty;
    const held: HeldEvent = { changes: event.contentChanges, context: { reason, fromDisk, programmatic, formatter: doc?.formatter }, at: now, clean };
    if (!doc) {
      early!.push(...classify(held.changes, held.context, NO_EXPECTATIONS, now));
      return;
    }
    // A programmatic event may be format-on-save, whose will-save comes right after: hold it (and
    // what follows, to keep order) until then, or HOLD_MS. A change that left the document clean
    // may be a reload whose watcher report is still to come: hold it until the report says so
    // (see watchDisk), or RELOAD_REPORT_MS.
    if (doc.held.length > 0 || (programmatic && !doc.formatter) || clean) {
      doc.held.push(held);
      doc.release ??= setTimeout(() => this.release(doc), clean ? RELOAD_REPORT_MS : HOLD_MS);
      return;
    }
    this.apply(doc, classify(held.changes, held.context, doc.expectations, now));
  }

  /** How many cursors the document's editor has (1 when it is not in a visible editor). */
  private cursors(document: vscode.TextDocument): number {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) return editor.selections.length;
    return 1;
  }

  /**
   * Classifies held events: programmatic ones as the formatter's when a save turned out to be
   * under way; clean ones as reloads when the file turned out to have changed on disk.
   */
  private release(doc: TrackedDocument, formatter?: ToolAgent, reloaded = false): void {
    if (doc.release) clearTimeout(doc.release);
    doc.release = undefined;
    const held = doc.held.splice(0);
    const changes: CaptureChange[] = [];
    for (const event of held) {
      let context = event.context;
      if (reloaded && event.clean) context = { ...context, fromDisk: true, programmatic: false };
      else if (formatter && context.programmatic) context = { ...context, formatter };
      changes.push(...classify(event.changes, context, doc.expectations, event.at));
    }
    this.apply(doc, changes);
  }

  /** Classifies every held event now (before a flush, so a burst holds all that was done). */
  releaseHeld(): void {
    for (const doc of this.tracked.values()) if (doc.held.length > 0) this.release(doc);
  }

  /** Feeds changes to the session; a change that does not fit (the session lost step) re-syncs by reconciling. */
  apply(doc: TrackedDocument, changes: readonly CaptureChange[]): void {
    try {
      for (const change of changes) doc.session.change(change);
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      this.log.warn(`${doc.asset}: ${error.message}; recording the difference as unknown`);
      doc.session.reconcile(doc.document.getText());
    }
    this.changed.fire(doc.document);
  }

  /**
   * States who wrote text that is already in the document (a reported generation, Mark as AI,
   * Mark as mine): the range is replaced by itself, with `source` as its author.
   */
  claim(doc: TrackedDocument, range: vscode.Range, source: ChangeSource): number {
    if (doc.held.length > 0) this.release(doc);
    const start = doc.document.offsetAt(range.start);
    const end = doc.document.offsetAt(range.end);
    if (end <= start) return 0;
    this.apply(doc, [{ ...source, pos: start, deleted: end - start, inserted: doc.document.getText(range) }]);
    doc.session.save();
    return end - start;
  }

  private onWillSave(document: vscode.TextDocument): void {
    const doc = this.get(document);
    if (!doc) return;
    doc.formatter = formatterOf(document);
    if (doc.held.length > 0) this.release(doc, doc.formatter);
  }

  /**
   * Notes changes on disk that our saves did not make: VS Code reloads a clean document after
   * them. The watcher's report and the reload come in either order, so the report reads the file:
   * if the document already shows it, the held clean changes were that reload; if not, the reload
   * is still to come.
   */
  private watchDisk(): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    watcher.onDidChange((uri) => void this.onDiskChange(uri));
    return watcher;
  }

  private async onDiskChange(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    if (!this.tracked.has(key) || Date.now() - (this.saves.get(key) ?? 0) <= OWN_SAVE_MS) return;
    this.diskChanges.set(key, Date.now());
    let onDisk: string;
    try {
      onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '');
    } catch {
      return;
    }
    const doc = this.tracked.get(key);
    if (!doc || doc.document.isDirty || doc.document.getText() !== onDisk) return;
    // The document already shows what is on disk: no reload is to come.
    this.diskChanges.delete(key);
    if (doc.held.some((event) => event.clean)) this.release(doc, undefined, true);
  }

  private onDidSave(document: vscode.TextDocument): void {
    this.saves.set(document.uri.toString(), Date.now());
    const doc = this.get(document);
    if (!doc) return;
    if (doc.held.length > 0) this.release(doc, doc.formatter);
    doc.formatter = undefined;
    doc.session.save();
  }

  private track(document: vscode.TextDocument): Promise<TrackedDocument | undefined> {
    const key = document.uri.toString();
    const existing = this.tracked.get(key);
    if (existing) return Promise.resolve(existing);
    let opening = this.opening.get(key);
    if (!opening) {
      opening = this.open(document)
        .catch((error: Error) => {
          this.log.error(`cannot record ${document.uri.fsPath}: ${error.message}`);
          return undefined;
        })
        .finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  private async open(document: vscode.TextDocument): Promise<TrackedDocument | undefined> {
    const key = document.uri.toString();
    // The text as it is now; edits made while the baseline loads are kept and replayed on top.
    const opened = document.getText();
    const early: CaptureChange[] = [];
    this.early.set(key, early);
    try {
      const found = await this.ledgers.forDocument(document);
      if (!found) return undefined;
      const { ledger, asset } = found;
      const loaded = await textBaseline(ledger.workspace.feeds, ledger.workspace.blobs, asset);
      for (const note of loaded.notes) this.log.info(note);
      if (document.isClosed) return undefined;
      const session = ledger.engine.openText({ asset, baseline: loaded.baseline, keepText: true });
      // What changed while nothing watched (closed, edited on disk) is unknown.
      const reconciled = session.reconcile(opened);
      if (reconciled > 0) this.log.info(`${asset}: ${reconciled} code units changed while Colophon was not watching; recorded as unknown`);
      const doc: TrackedDocument = { document, asset, ledger, session, map: session.map, expectations: new Expectations(), formatter: undefined, held: [], release: undefined };
      this.tracked.set(key, doc);
      this.apply(doc, early);
      return doc;
    } finally {
      this.early.delete(key);
    }
  }

  private async untrack(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const doc = this.tracked.get(key);
    if (!doc) return;
    this.tracked.delete(key);
    if (doc.held.length > 0) this.release(doc);
    try {
      await doc.session.close();
    } catch (error) {
      this.log.error(`${doc.asset}: ${(error as Error).message}`);
    }
  }

  /** Closes every session, waiting until their records are in the ledger. */
  async close(): Promise<void> {
    const docs = [...this.tracked.values()];
    this.tracked.clear();
    for (const doc of docs) if (doc.held.length > 0) this.release(doc);
    await Promise.all(docs.map((doc) => doc.session.close().catch((error: Error) => this.log.error(`${doc.asset}: ${error.message}`))));
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
