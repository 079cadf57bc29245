import type { CID } from 'multiformats/cid';
import type { RecordKind } from '../record/kinds.js';

/**
 * A record the pipeline recorder has queued. The caller gets it at once (signing happens later,
 * off its path) and can pass it as a parent or input of later steps; `cid()` waits until the
 * record is signed and durably in the ledger.
 */
export class RecordHandle {
  private recorded?: CID;
  private sealedOutput?: CID;
  private failure?: Error;
  private readonly settled: Promise<CID>;
  private resolveSettled!: (cid: CID) => void;
  private rejectSettled!: (error: Error) => void;

  /** @param flush asks the recorder to write now (someone is waiting for this record). */
  constructor(
    /** Local id, `<run>/<n>`: stable before the record exists, used by the crash journal. */
    readonly id: string,
    readonly kind: RecordKind,
    /** The step or check name, when the record has one. */
    readonly name: string | undefined,
    private readonly flush: () => Promise<void>,
  ) {
    this.settled = new Promise<CID>((resolve, reject) => {
      this.resolveSettled = resolve;
      this.rejectSettled = reject;
    });
    // A record nobody awaits may still fail (the recorder reports it); that is not an unhandled rejection.
    this.settled.catch(() => undefined);
  }

  /** The record's CID once it is in the ledger, else undefined. */
  get recordedCid(): CID | undefined {
    return this.recorded;
  }

  /** The content id the record names as `out`, once the recorder has sealed it (undefined for records without output). */
  get output(): CID | undefined {
    return this.sealedOutput;
  }

  /** The error that kept this record out of the ledger, if one did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Waits until the record is in the ledger (flushing the queue now rather than at the next tick). */
  async cid(): Promise<CID> {
    if (this.recorded) return this.recorded;
    if (this.failure) throw this.failure;
    try {
      await this.flush();
    } catch (error) {
      // The write failed (the record stays queued for a retry): say why rather than wait forever.
      if (!this.recorded && !this.failure) throw error;
    }
    if (this.recorded) return this.recorded;
    if (this.failure) throw this.failure;
    return this.settled;
  }

  /** @internal */
  setOutput(out: CID | undefined): void {
    this.sealedOutput = out;
  }

  /** @internal */
  resolve(cid: CID): void {
    this.recorded = cid;
    this.resolveSettled(cid);
  }

  /** @internal */
  reject(error: Error): void {
    this.failure = error;
    this.rejectSettled(error);
  }
}

/** A record reference a caller may give: a queued record, or the CID of one already in the ledger. */
export type RecordRef = RecordHandle | CID;
