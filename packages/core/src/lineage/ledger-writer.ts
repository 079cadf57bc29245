// The one queue between record producers (the pipeline recorder, capture sessions) and a signer's
// feed: producers queue records on their own path and get a handle at once; batches are signed
// and appended later (group commit, re-signed after a conflicting write, see BatchWriter), and a
// crash journal notes what was queued but not yet written. Platform-neutral: timers, clock and
// journal are injected.
import type { SigningIdentity } from '../identity/identity.js';
import type { Project } from '../ledger/project.js';
import type { RecordKind } from '../record/kinds.js';
import type { BlobStore } from '../store/blob-store.js';
import { BatchWriter, type Prepared, type QueuedRecord } from './batch-writer.js';
import { LineageError } from './errors.js';
import { RecordHandle, type RecordRef } from './handle.js';
import type { Resolver } from './recorder.js';

/** Runs `task` after `delayMs`; returns a function that cancels it. */
export type Scheduler = (task: () => void, delayMs: number) => () => void;

/**
 * Where the writer notes records it has queued but not yet written, so that a crash can be
 * detected and reported on the next open (the Node variant keeps it in a file).
 */
export interface StepJournal {
  /** Called on the caller's path when a record is queued: must be cheap. */
  pending(id: string, label: string): void;
  /** Called once the records are durably in the ledger (or were refused and reported). */
  done(ids: readonly string[]): void | Promise<void>;
}

export interface LedgerWriterOptions {
  project: Project;
  /** Who signs every record written through this writer. */
  signer: SigningIdentity;
  /** Where records' blobs (commitment openings, kept texts) go, before the record that names them. */
  blobs: BlobStore;
  /** Wall clock for `at` (Unix ms). */
  clock?: () => number;
  /** Records per signed batch (default 32, at most 1024). A full batch is written at once. */
  batchSize?: number;
  /** How long a partial batch waits for more records (default 20 ms). */
  flushDelayMs?: number;
  /** Timer for the delayed write; default: the platform's setTimeout when it has one, else none (write on flush()). */
  schedule?: Scheduler;
  journal?: StepJournal;
  /**
   * Problems found off the producers' path: a background write that failed (its records stay
   * queued and are retried), or a record refused as invalid (dropped, named in the error).
   * Default: kept and thrown by the next flush() or close().
   */
  onError?: (error: Error) => void;
}

const DEFAULT_BATCH = 32;
const MAX_BATCH = 1024;
const DEFAULT_DELAY_MS = 20;
const MAX_QUEUE = 100_000;

interface TimerGlobals {
  setTimeout?: (task: () => void, ms: number) => unknown;
  clearTimeout?: (id: unknown) => void;
}

/** The platform's setTimeout as a Scheduler, or undefined where there is none. */
export function platformScheduler(): Scheduler | undefined {
  const g = globalThis as unknown as TimerGlobals;
  if (typeof g.setTimeout !== 'function') return undefined;
  return (task, ms) => {
    const id = g.setTimeout!(task, ms);
    return () => g.clearTimeout?.(id);
  };
}

/** One queued record, as a producer describes it. */
export interface RecordRequest {
  kind: RecordKind;
  /** Journal id, unique per writer (`<run>/<n>`, `<asset>#<n>`). */
  id: string;
  /** The step or check name, when the record has one. */
  name?: string;
  /** What the journal says was lost if the process dies first. */
  label: string;
  /** Records it links: a handle from another writer makes this record wait until that one is written. */
  deps?: readonly RecordRef[];
  /** Called while the batch is signed (again if it is re-signed, so it must not draw new randomness). */
  prepare: (resolve: Resolver, handle: RecordHandle) => Prepared;
}

export class LedgerWriter {
  readonly signer: SigningIdentity;
  readonly project: Project;
  readonly blobs: BlobStore;
  readonly clock: () => number;
  private readonly queue: (QueuedRecord & { deps: readonly RecordRef[] })[] = [];
  /** Handles this writer made: any other unwritten handle belongs to another writer. */
  private readonly own = new WeakSet<RecordHandle>();
  private readonly batch: BatchWriter;
  private readonly schedule: Scheduler | undefined;
  private readonly batchSize: number;
  private readonly delayMs: number;
  private flushing: Promise<void> | undefined;
  private cancelTimer: (() => void) | undefined;
  private readonly problems: Error[] = [];

  constructor(private readonly options: LedgerWriterOptions) {
    const batch = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isSafeInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH}, got ${batch}`);
    this.batchSize = batch;
    this.delayMs = options.flushDelayMs ?? DEFAULT_DELAY_MS;
    this.clock = options.clock ?? Date.now;
    this.schedule = options.schedule ?? platformScheduler();
    this.signer = options.signer;
    this.project = options.project;
    this.blobs = options.blobs;
    this.batch = new BatchWriter(options.project, options.signer, options.blobs, this.clock);
  }

  /** Records queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues a record; returns its handle at once. Cheap: nothing is built or signed here. */
  enqueue(request: RecordRequest): RecordHandle {
    if (this.queue.length >= MAX_QUEUE) throw new LineageError(`${MAX_QUEUE} records are waiting to be written; the ledger is not keeping up (is the disk full?)`);
    const handle = new RecordHandle(request.id, request.kind, request.name, () => this.flush());
    this.own.add(handle);
    this.options.journal?.pending(handle.id, request.label);
    // Queued now, so a record's time is when the producer made it, not when the batch was signed.
    const at = this.clock();
    this.queue.push({
      handle,
      deps: request.deps ?? [],
      prepare: () => {
        const prepared = request.prepare(this.batch.resolver, handle);
        if (prepared.contribution.at === undefined) prepared.contribution.at = at;
        return prepared;
      },
    });
    if (this.queue.length >= this.batchSize) this.writeInBackground();
    else if (!this.cancelTimer && this.schedule) this.scheduleWrite();
    return handle;
  }

  /** Writes everything queued; resolves once it is durably in the ledger. */
  async flush(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    while (this.queue.length > 0 || this.flushing) {
      if (!this.flushing) this.flushing = this.writeNext().finally(() => (this.flushing = undefined));
      await this.flushing;
    }
    this.throwProblems();
  }

  private scheduleWrite(): void {
    this.cancelTimer = this.schedule!(() => {
      this.cancelTimer = undefined;
      this.writeInBackground();
    }, this.delayMs);
  }

  private throwProblems(): void {
    if (this.problems.length === 0) return;
    const problems = this.problems.splice(0);
    if (problems.length === 1) throw problems[0]!;
    throw new LineageError(`${problems.length} problems while recording; first: ${problems[0]!.message}`);
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else this.problems.push(error);
  }

  private writeInBackground(): void {
    if (this.flushing) return;
    this.flushing = this.writeNext()
      .catch((error: Error) => this.report(error))
      .finally(() => {
        this.flushing = undefined;
        // More may have arrived meanwhile: keep going until the queue is empty.
        if (this.queue.length >= this.batchSize) this.writeInBackground();
        else if (this.queue.length > 0 && !this.cancelTimer && this.schedule) this.scheduleWrite();
      });
  }

  /** Writes one batch from the head of the queue; on failure the batch goes back to the head. */
  private async writeNext(): Promise<void> {
    if (this.queue.length === 0) return;
    // A record linking another writer's unwritten record waits for it. The batch stops before
    // such a record, so whatever the other writer waits for from this one is written first.
    const waitingFor = (entry: { deps: readonly RecordRef[] }) =>
      entry.deps.filter((d): d is RecordHandle => d instanceof RecordHandle && !this.own.has(d) && !d.recordedCid && !d.error);
    const foreign = waitingFor(this.queue[0]!);
    if (foreign.length > 0) await Promise.all(foreign.map((d) => d.cid().catch(() => undefined)));
    let size = 1;
    while (size < this.batchSize && size < this.queue.length && waitingFor(this.queue[size]!).length === 0) size++;
    const batch = this.queue.splice(0, size);
    let outcome;
    try {
      outcome = await this.batch.write(batch);
    } catch (error) {
      const written = batch.filter((entry) => entry.handle.recordedCid);
      this.queue.unshift(...batch.filter((entry) => !entry.handle.recordedCid));
      if (written.length > 0) await Promise.resolve(this.options.journal?.done(written.map((entry) => entry.handle.id))).catch(() => undefined);
      throw error;
    }
    for (const refused of outcome.refused) this.report(refused);
    const ids = batch.map((p) => p.handle.id);
    try {
      await this.options.journal?.done(ids);
    } catch (error) {
      this.report(new LineageError(`records were written but the crash journal could not be updated: ${(error as Error).message}`));
    }
  }
}

