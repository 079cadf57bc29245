// Signs a batch of queued records onto the signer's feed and appends them together (one fsync
// for the whole batch on stores that group-commit). Separate from the recorder so that the
// queueing rules and the ledger rules each live in one place.
import { CID } from 'multiformats/cid';
import { contentCid } from '../cid.js';
import { ColophonError } from '../errors.js';
import type { SigningIdentity } from '../identity/identity.js';
import type { Contribution, Project } from '../ledger/project.js';
import { appendOnHead, FeedOrderError } from '../ledger/record-store.js';
import type { DecodedRecord } from '../record/encoding.js';
import type { RecordFields } from '../record/types.js';
import { signRecord } from '../record/sign.js';
import type { BlobStore } from '../store/blob-store.js';
import { LineageError } from './errors.js';
import { RecordHandle, type RecordRef } from './handle.js';
import type { Resolver } from './recorder.js';

/** A queued record made concrete: its fields (links resolved) and the blobs it needs stored first. */
export interface Prepared {
  contribution: Contribution;
  blobs: Uint8Array[];
}

export interface QueuedRecord {
  handle: RecordHandle;
  /** Builds the record; called again if the batch must be re-signed (so it may not draw new randomness). */
  prepare: () => Prepared;
}

/** On a store without appendOnHead, another writer may append meanwhile: re-read the head and sign again, this many times. */
const MAX_ATTEMPTS = 3;

/** Stores blobs in parallel, each distinct content once (a store may refuse two writes of one file at once). */
async function putAll(store: BlobStore, blobs: readonly Uint8Array[]): Promise<void> {
  const distinct = new Map<string, Uint8Array>();
  for (const blob of blobs) distinct.set(contentCid(blob).toString(), blob);
  await Promise.all([...distinct.values()].map((blob) => store.put(blob)));
}

export class BatchWriter {
  /** Handles signed in the pass under way, not yet in the ledger. */
  private assigned = new Map<RecordHandle, CID>();
  readonly resolver: Resolver;

  constructor(
    private readonly project: Project,
    private readonly signer: SigningIdentity,
    private readonly blobs: BlobStore,
    private readonly clock: () => number = Date.now,
  ) {
    const record = (ref: RecordRef, where: string): CID => {
      if (!(ref instanceof RecordHandle)) {
        const cid = CID.asCID(ref);
        if (!cid) throw new LineageError(`${where}: ${String(ref)} is neither a recorder handle nor a CID`);
        return cid;
      }
      const cid = this.assigned.get(ref) ?? ref.recordedCid;
      if (cid) return cid;
      if (ref.error) throw new LineageError(`${where}: ${ref.kind} ${ref.name ?? ref.id} was never recorded (${ref.error.message})`);
      throw new LineageError(`${where}: ${ref.kind} ${ref.name ?? ref.id} is not written yet (flush its recorder first)`);
    };
    /** The CIDs `refs` stand for (`cidOf` undefined: left out), each once, in order. */
    const distinct = (refs: readonly RecordRef[], cidOf: (ref: RecordRef) => CID | undefined): CID[] => {
      const seen = new Set<string>();
      const out: CID[] = [];
      for (const ref of refs) {
        const cid = cidOf(ref);
        if (cid && !seen.has(cid.toString())) {
          seen.add(cid.toString());
          out.push(cid);
        }
      }
      return out;
    };
    this.resolver = {
      record,
      records: (refs, where) => distinct(refs, (ref) => record(ref, where)),
      // A failed step produced nothing (no output); its link still says the step was attempted.
      contents: (refs, where) =>
        distinct(refs, (ref) => {
          const cid = record(ref, where);
          return ref instanceof RecordHandle ? ref.output : cid;
        }),
    };
  }

  /**
   * Signs and appends the batch in order. Records that cannot be built (a parent never recorded,
   * an invalid field) are refused and reported; the others are written. Storage errors throw and
   * leave nothing half-done for the caller to untangle: it re-queues the batch.
   */
  async write(queuedBatch: readonly QueuedRecord[]): Promise<{ refused: Error[] }> {
    for (let attempt = 1; ; attempt++) {
      // Records a failed earlier attempt did append stay appended; only the rest are signed again.
      const batch = queuedBatch.filter((queued) => !queued.handle.recordedCid);
      let signed: { queued: QueuedRecord; record: DecodedRecord }[] = [];
      let refused: { queued: QueuedRecord; error: Error }[] = [];
      try {
        // Head read, signing and the group commit are one step under the store's lock.
        await appendOnHead(this.project.store, this.signer.did, async (head) => {
          this.assigned = new Map();
          signed = [];
          refused = [];
          const blobs: Uint8Array[] = [];
          let seq = head ? head.seq + 1 : 0;
          let prev = head?.cid;
          for (const queued of batch) {
            try {
              const { contribution, blobs: needed } = queued.prepare();
              const fields: RecordFields = { ...contribution, proj: this.project.id, by: this.signer.did, seq, at: contribution.at ?? this.clock() };
              if (prev) fields.prev = prev;
              const record = signRecord(fields, this.signer);
              this.assigned.set(queued.handle, record.cid);
              signed.push({ queued, record });
              blobs.push(...needed);
              seq++;
              prev = record.cid;
            } catch (error) {
              if (!(error instanceof ColophonError)) throw error;
              refused.push({ queued, error });
            }
          }
          // Blobs first: a record must never name private content that is nowhere to be found.
          await putAll(this.blobs, blobs);
          return signed.map((s) => s.record);
        });
      } catch (error) {
        // A store without appendOnHead appends one by one: keep what did get in before the failure.
        for (const { queued, record } of signed) if (await this.project.store.get(record.cid)) queued.handle.resolve(record.cid);
        if (error instanceof FeedOrderError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      } finally {
        this.assigned = new Map();
      }
      for (const { queued, record } of signed) if (!queued.handle.recordedCid) queued.handle.resolve(record.cid);
      const errors = refused.map(({ queued, error }) => {
        const named = new LineageError(`${queued.handle.kind} ${queued.handle.name ?? queued.handle.id} was not recorded: ${error.message}`, (error as ColophonError).path);
        queued.handle.reject(named);
        return named;
      });
      return { refused: errors };
    }
  }
}
