// The capture engine: opens sessions that share one ledger writer (and so one queue per signer's
// feed with the pipeline recorder, when it is given the same writer).
import type { LedgerWriter } from '../lineage/ledger-writer.js';
import { CaptureError } from './errors.js';
import type { BurstInfo, CaptureOptions, NodeCaptureSession, NodeSessionOptions, TextCaptureSession, TextSessionOptions } from './interface.js';
import { NodeSession } from './node-session.js';
import { TextSession } from './text-session.js';

export interface CaptureEngineOptions extends CaptureOptions {
  /** Told about every burst that became a record (queued; `record.cid()` waits for it). */
  onBurst?: (info: BurstInfo) => void;
}

export class CaptureEngine {
  private readonly sessions = new Map<string, TextSession | NodeSession>();

  constructor(
    readonly writer: LedgerWriter,
    private readonly options: CaptureEngineOptions,
  ) {
    if (typeof options?.clock !== 'function') throw new CaptureError('the capture engine needs a clock (Unix ms): it keeps none of its own');
  }

  /** Opens a session for a text document; one session per asset at a time. */
  openText(options: TextSessionOptions): TextCaptureSession {
    return this.open(options.asset, () => new TextSession(this.writer, this.options, options));
  }

  /** Opens a session for a node-based asset (a Figma file, frame or component). */
  openNodes(options: NodeSessionOptions): NodeCaptureSession {
    return this.open(options.asset, () => new NodeSession(this.writer, this.options, options));
  }

  /** Closes every open burst and waits until all records are in the ledger. */
  async flush(): Promise<void> {
    for (const session of this.sessions.values()) session.save();
    await this.writer.flush();
  }

  /** Closes every session (flushing first). */
  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) await session.close();
  }

  private open<S extends TextSession | NodeSession>(asset: string, make: () => S): S {
    const existing = this.sessions.get(asset);
    if (existing && !existing.isClosed) throw new CaptureError(`${asset} already has an open capture session; close it first`);
    const session = make();
    this.sessions.set(asset, session);
    return session;
  }
}
