// One capture session per open document of a Colophon workspace. The change handler classifies the
// event and feeds the session: no I/O, no signing, no hashing of the document, no await. Opening
// (baseline from the ledger, reconcile with what is on screen), saving and closing happen on
// their own events.
import type { TextAuthorshipMap } from '@colophon/core';
import { applyTextEdits, CaptureError, textBaseline, type TextBaseline, type TextCaptureSession } from '@colophon/core/capture';
import * as vscode from 'vscode';
import type { Ledgers, WorkspaceLedger } from '../ledger/ledgers.js';
import { classify, editOps, type ChangeContext, type EditorChange } from './classify.js';
import { Expectations } from './expectations.js';
import { FormatPredictions } from './format-predictions.js';
import type { FormatPrediction } from './formatted.js';
import { documentFormatter, formatterOf, type ToolAgent } from './formatter.js';
import type { ChangeSource, TextChange as CaptureChange } from '@colophon/core/capture';

export interface TrackedDocument {
  readonly document: vscode.TextDocument;
  readonly asset: string;
  readonly ledger: WorkspaceLedger;
  /** Replaced when a reload from disk is matched with the ledger (see reload). */
  session: TextCaptureSession;
  map: TextAuthorshipMap;
  /** Set while a reload from disk waits for the ledger to say who wrote it. */
  rebase: Rebase | undefined;
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
  /** VS Code reloaded the document from disk (it changed there, not by our save, and is clean after the event). */
  fromDisk: boolean;
  /** The formatter's predicted edit may be this event: checked exactly when it is released. */
  formatted?: FormatPrediction;
  /** The document was clean after the event, and no reload was known to be coming: a reload whose watcher report is late, or a first keystroke. */
  clean: boolean;
}

/**
 * A reload from disk being matched with the ledger: whoever changed the file (an agent through
 * `colophon agent-hook`, `colophon watch`, another editor of ours) may record the new version
 * just before or just after VS Code reloads it. The session is reopened on the ledger's version
 * once that version is the reloaded text; until then what is typed is classified and kept.
 */
interface Rebase {
  /** The document's text after the reload: the version the ledger must hold to explain it. */
  target: string;
  /** Changes made after the reload, classified as they came, fed to the reopened session. */
  after: CaptureChange[];
  done: Promise<void>;
}

const NO_EXPECTATIONS = new Expectations();
/** How long a reload waits for the ledger to hold its version (an agent hook records after it wrote the file); then what it changed is unknown. */
export const REPORT_WAIT_MS = 5000;
/** How often the ledger is read while a reload waits for its version. */
const REPORT_POLL_MS = 200;
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
  /** Changes that arrive while a document's session opens, classified as they came, replayed once it is open. */
  private readonly early = new Map<string, CaptureChange[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly formats = new FormatPredictions();
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a tracked document's authorship changed (listeners debounce). */
  readonly onDidChangeAuthorship = this.changed.event;

  constructor(
    private readonly ledgers: Ledgers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      this.formats,
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
    const held: HeldEvent = { changes: event.contentChanges, context: { reason, programmatic, formatter: doc?.formatter }, at: now, fromDisk, clean };
    if (!doc) {
      // Still opening: the session starts from the ledger's version and reconciles with the text then.
      if (!fromDisk) early!.push(...classify(held.changes, held.context, NO_EXPECTATIONS, now));
      return;
    }
    this.formats.changed(event.document, now);
    const prediction = reason || fromDisk ? undefined : this.formats.for(event.document);
    if (prediction?.mayBe(event.document.version, event.contentChanges)) held.formatted = prediction;
    // A programmatic event may be format-on-save, whose will-save comes right after: hold it (and
    // what follows, to keep order) until then, or HOLD_MS. A change that left the document clean
    // may be a reload whose watcher report is still to come: hold it until the report says so
    // (see watchDisk), or RELOAD_REPORT_MS. One that may be the formatter's predicted edit is
    // checked off this path (release).
    if (doc.held.length > 0 || (programmatic && !doc.formatter) || clean || held.formatted) {
      doc.held.push(held);
      doc.release ??= setTimeout(() => this.release(doc), clean ? RELOAD_REPORT_MS : HOLD_MS);
      return;
    }
    if (fromDisk) this.reload(doc, held.changes);
    else this.apply(doc, classify(held.changes, held.context, doc.expectations, now));
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
    let changes: CaptureChange[] = [];
    for (const event of held) {
      if (event.fromDisk || (reloaded && event.clean)) {
        this.apply(doc, changes);
        changes = [];
        this.reload(doc, event.changes);
        continue;
      }
      let context = event.context;
      if (event.formatted?.is(event.changes)) context = { ...context, formatter: documentFormatter(doc.document) };
      else if (formatter && context.programmatic) context = { ...context, formatter };
      changes.push(...classify(event.changes, context, doc.expectations, event.at));
    }
    this.apply(doc, changes);
  }

  /**
   * Classifies every held event now and waits for reloads being matched with the ledger (before a
   * flush, so the bursts hold all that was done).
   */
  async settle(): Promise<void> {
    for (const doc of this.tracked.values()) if (doc.held.length > 0) this.release(doc);
    await Promise.all([...this.tracked.values()].map((doc) => doc.rebase?.done));
  }

  /** The tracked document whose map matches what it shows (not while a reload waits for the ledger). */
  shown(document: vscode.TextDocument): TrackedDocument | undefined {
    const doc = this.get(document);
    return doc && !doc.rebase ? doc : undefined;
  }

  /** Feeds changes to the session; a change that does not fit (the session lost step) re-syncs by reconciling. */
  apply(doc: TrackedDocument, changes: readonly CaptureChange[]): void {
    if (doc.rebase) {
      doc.rebase.after.push(...changes);
      return;
    }
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

  /**
   * VS Code reloaded the document from disk. The change is not recorded by us: whoever made it
   * may have recorded it (an agent hook's record says which text the agent wrote), so the session
   * is reopened on the ledger's version once the ledger holds the reloaded text; what no record
   * explains within REPORT_WAIT_MS is then recorded as unknown (reconciled).
   */
  private reload(doc: TrackedDocument, changes: readonly EditorChange[]): void {
    const edits = editOps(changes);
    if (doc.rebase) {
      // Reloaded again before the ledger explained the first: what was done in between is part of the text to explain.
      doc.rebase.target = applyTextEdits(applyTextEdits(doc.rebase.target, doc.rebase.after.map((c) => ({ pos: c.pos, del: c.deleted, text: c.inserted }))), edits);
      doc.rebase.after = [];
      return;
    }
    // O(text), once per reload (not a keystroke).
    const before = doc.session.text();
    const fits = edits.every((edit) => edit.pos + edit.del <= before.length);
    const rebase: Rebase = { target: fits ? applyTextEdits(before, edits) : doc.document.getText(), after: [], done: Promise.resolve() };
    doc.rebase = rebase;
    rebase.done = this.rebase(doc, rebase);
  }

  private async rebase(doc: TrackedDocument, rebase: Rebase): Promise<void> {
    // The whole window even when the document closes meanwhile: recording the change as unknown
    // first would leave a slower hook nothing to record (its version would equal the ledger's).
    const deadline = Date.now() + REPORT_WAIT_MS;
    // Our own bursts first: the ledger then holds everything this session saw before the reload.
    await doc.session.close().catch((error: Error) => this.log.error(`${doc.asset}: ${error.message}`));
    let baseline: TextBaseline;
    try {
      let loaded = await textBaseline(doc.ledger.workspace.feeds, doc.ledger.workspace.blobs, doc.asset);
      while (loaded.baseline.text !== rebase.target && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, REPORT_POLL_MS));
        loaded = await textBaseline(doc.ledger.workspace.feeds, doc.ledger.workspace.blobs, doc.asset);
      }
      for (const note of loaded.notes) this.log.info(note);
      baseline = loaded.baseline;
    } catch (error) {
      // The previous version cannot be read: the whole text is recorded as replaced by unknown text.
      this.log.error(`${doc.asset}: cannot read its records to match the change on disk: ${(error as Error).message}`);
      baseline = { recorded: true };
    }
    const session = doc.ledger.engine.openText({ asset: doc.asset, baseline, keepText: true });
    const unexplained = session.reconcile(rebase.target);
    if (unexplained > 0) this.log.info(`${doc.asset}: ${unexplained} code units changed on disk that no record explains; recorded as unknown`);
    doc.session = session;
    doc.map = session.map;
    doc.rebase = undefined;
    this.apply(doc, rebase.after);
  }

  private onWillSave(document: vscode.TextDocument): void {
    const doc = this.get(document);
    if (!doc) return;
    doc.formatter = formatterOf(document);
    if (doc.held.length > 0) this.release(doc, doc.formatter);
  }

  /**
   * Notes changes on disk: VS Code reloads a clean document after them. The watcher's report and
   * the reload come in either order, so the report reads the file: if the document already shows
   * it, held clean changes were that reload (none held: our own save, or a reload already seen);
   * if not, the reload is still to come. A dirty document is not reloaded.
   */
  private watchDisk(): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    watcher.onDidChange((uri) => void this.onDiskChange(uri));
    return watcher;
  }

  private async onDiskChange(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    if (!this.tracked.has(key)) return;
    let onDisk: string;
    try {
      onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '');
    } catch {
      return;
    }
    const doc = this.tracked.get(key);
    if (!doc || doc.document.isDirty) return;
    if (doc.document.getText() !== onDisk) this.diskChanges.set(key, Date.now());
    else if (doc.held.some((event) => event.clean)) this.release(doc, undefined, true);
  }

  private onDidSave(document: vscode.TextDocument): void {
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
      const doc: TrackedDocument = { document, asset, ledger, session, map: session.map, rebase: undefined, expectations: new Expectations(), formatter: undefined, held: [], release: undefined };
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
    this.formats.forget(document);
    if (doc.held.length > 0) this.release(doc);
    try {
      await doc.rebase?.done;
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
    await Promise.all(docs.map((doc) => doc.rebase?.done));
    await Promise.all(docs.map((doc) => doc.session.close().catch((error: Error) => this.log.error(`${doc.asset}: ${error.message}`))));
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
