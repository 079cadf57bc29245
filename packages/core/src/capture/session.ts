// What text and node sessions share: bursts (which events go into one record, and when it
// closes), the idle timer, and handing closed bursts to the ledger writer.
import type { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import type { Contribution } from '../ledger/project.js';
import type { LedgerWriter } from '../lineage/ledger-writer.js';
import type { Prepared } from '../lineage/batch-writer.js';
import type { RecordHandle } from '../lineage/handle.js';
import type { Resolver } from '../lineage/recorder.js';
import type { RecordKind } from '../record/kinds.js';
import type { AgentRef } from '../record/types.js';
import { isOpClass, OP_CLASSES, type OpClass } from '../attribution/classes.js';
import { CaptureError } from './errors.js';
import { EVIDENCE, EVIDENCE_EXT, isEvidence, type Evidence } from '../attribution/evidence.js';
import type { BurstInfo, CaptureOptions, ChangeSource } from './interface.js';

export const DEFAULT_IDLE_MS = 2000;
export const DEFAULT_MAX_OPS = 512;

/** What a record built from a burst states besides its delta. */
export interface BurstSource {
  class: OpClass;
  evidence: Evidence;
  agent?: AgentRef;
  links: readonly (CID | RecordHandle)[];
}

/** True when two sources make one burst: same class, evidence, agent and links. */
export function sameSource(a: BurstSource, b: ChangeSource): boolean {
  if (a.class !== b.class || a.evidence !== b.evidence) return false;
  if (a.agent !== b.agent && JSON.stringify(a.agent) !== JSON.stringify(b.agent)) return false;
  const links = b.links ?? [];
  if (a.links === links) return true;
  if (a.links.length !== links.length) return false;
  return a.links.every((link, i) => link === links[i] || String(link) === String(links[i]));
}

/** Checks what an adapter states about a change (cheap: on the event path, but a bad event must be loud). */
export function checkSource(source: ChangeSource, where: string): BurstSource {
  if (!isOpClass(source.class)) throw new CaptureError(`${where}: class ${JSON.stringify(source.class)} is not one of ${OP_CLASSES.join(', ')}`);
  if (!isEvidence(source.evidence)) throw new CaptureError(`${where}: evidence ${JSON.stringify(source.evidence)} is not one of ${EVIDENCE.join(', ')}`);
  if ((source.class === 'ai' || source.class === 'tool') && source.agent?.type !== source.class) {
    throw new CaptureError(`${where}: class "${source.class}" needs the ${source.class === 'ai' ? 'AI model' : 'tool'} that acted as agent (type "${source.class}")`);
  }
  if (source.evidence === 'reconciled' && source.class !== 'unknown') throw new CaptureError(`${where}: evidence "reconciled" is only for class "unknown" (nobody watched)`);
  const out: BurstSource = { class: source.class, evidence: source.evidence, links: source.links ?? [] };
  // A human, pasted or unknown change has no agent: the signer (or nobody) made it.
  if (source.agent && (source.class === 'ai' || source.class === 'tool')) out.agent = source.agent;
  return out;
}

/** A burst being built: events of one source, not yet a record. */
export interface OpenBurst<Op> {
  source: BurstSource;
  ops: Op[];
  /** Clock time of the last event, for the idle gap. */
  lastAt: number;
  /** Set when this burst restores undone text (kind asset.edit even for ai). */
  restore?: boolean;
}

export abstract class SessionBase<Op> {
  protected burst: OpenBurst<Op> | undefined;
  protected closed = false;
  /** Whether the asset has a record (after the first burst it does). */
  protected recorded: boolean;
  /** The record the next burst must link for causal order (the baseline head, until a burst of ours follows it). */
  private orderLink: CID | undefined;
  private cancelIdle: (() => void) | undefined;
  private counter = 0;
  private readonly handles: RecordHandle[] = [];
  protected readonly idleMs: number;
  protected readonly maxOps: number;

  constructor(
    readonly asset: string,
    protected readonly writer: LedgerWriter,
    protected readonly options: CaptureOptions & { onBurst?: (info: BurstInfo) => void },
    head: CID | undefined,
    recorded: boolean,
  ) {
    if (typeof asset !== 'string' || asset === '' || asset.length > 1024) throw new CaptureError('a capture session needs an asset id of 1 to 1024 characters, e.g. "file:chapters/01.md"');
    this.orderLink = head;
    this.recorded = recorded;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxOps = options.maxOps ?? DEFAULT_MAX_OPS;
  }

  save(): void {
    this.closeBurst();
  }

  focusLost(): void {
    this.closeBurst();
  }

  async flush(): Promise<void> {
    this.closeBurst();
    await this.writer.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The records this session queued, in order (for tests and adapters that show them). */
  records(): readonly RecordHandle[] {
    return this.handles;
  }

  protected checkOpen(): void {
    if (this.closed) throw new CaptureError(`the capture session of ${this.asset} is closed`);
  }

  /** The burst an event of `source` goes into: the open one when the source matches, else a new one. */
  protected burstFor(source: ChangeSource, where: string, restore = false): OpenBurst<Op> {
    const now = this.options.clock();
    const open = this.burst;
    if (open && !open.restore && !restore && open.ops.length < this.maxOps && sameSource(open.source, source)) {
      open.lastAt = now;
      return open;
    }
    const checked = checkSource(source, where);
    this.closeBurst();
    const burst: OpenBurst<Op> = { source: checked, ops: [], lastAt: now };
    if (restore) burst.restore = true;
    this.burst = burst;
    this.armIdle();
    return burst;
  }

  private armIdle(): void {
    const schedule = this.options.schedule;
    if (!schedule || this.cancelIdle) return;
    const burst = this.burst;
    if (!burst) return;
    // One timer per burst, not per event: when it fires early (events kept coming), it re-arms for the rest.
    const wait = Math.max(0, burst.lastAt + this.idleMs - this.options.clock());
    this.cancelIdle = schedule(() => {
      this.cancelIdle = undefined;
      if (this.burst !== burst) return;
      if (this.options.clock() - burst.lastAt >= this.idleMs) this.closeBurst();
      else this.armIdle();
    }, wait || this.idleMs);
  }

  /** Ends the open burst: queues its record (built and signed later, by the writer). */
  protected closeBurst(): void {
    const burst = this.burst;
    this.burst = undefined;
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    if (!burst || !this.isEffective(burst)) return;
    this.seal(burst);
    const kind: RecordKind = burst.source.class === 'ai' && !burst.restore ? 'ai.generate' : this.recorded ? 'asset.edit' : 'asset.create';
    const orderLink = this.orderLink;
    this.orderLink = undefined;
    this.recorded = true;
    const build = this.builder(burst);
    const links = [...(orderLink ? [orderLink] : []), ...burst.source.links];
    const handle = this.writer.enqueue({
      kind,
      id: `${this.asset}#${this.counter++}`,
      label: `${kind} ${this.asset} (${burst.source.class}, ${burst.source.evidence})`,
      deps: burst.source.links,
      prepare: (resolve: Resolver): Prepared => {
        const { delta, out, blobs } = build();
        const contribution: Contribution = { kind, asset: this.asset, out, delta, ext: { [EVIDENCE_EXT]: burst.source.evidence } };
        if (burst.source.agent) contribution.agent = burst.source.agent;
        const resolved = resolve.records(links, `${kind} ${this.asset} links`);
        if (resolved.length > 0) contribution.links = resolved;
        return { contribution, blobs };
      },
    });
    this.handles.push(handle);
    this.options.onBurst?.({ asset: this.asset, class: burst.source.class, evidence: burst.source.evidence, ops: burst.ops.length, record: handle });
  }

  /** False for a burst whose events cancelled out (typed and deleted again): no record. */
  protected abstract isEffective(burst: OpenBurst<Op>): boolean;
  /** Called when the burst closes, on the event path: keep it cheap (state the builder needs later). */
  protected abstract seal(burst: OpenBurst<Op>): void;
  /** Returns the function that builds the record's delta and out later, off the event path (called once, memoised). */
  protected abstract builder(burst: OpenBurst<Op>): () => { delta: { [key: string]: DagValue }; out: CID; blobs: Uint8Array[] };
}
