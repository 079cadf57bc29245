// A node capture session used until @colophon/core/capture lands on main (it then replaces this
// file): changes of one source accumulate into one burst; the burst closes on an idle gap, a
// change of source, or flush, and becomes one record.
import { NodeAuthorshipMap, type CID, type Contribution, type DagValue, type Project, type SigningIdentity } from '@colophon/core';
import type { ChangeSource, NodeCaptureSession, NodeChange } from './capture-types.js';

export type Scheduler = (task: () => void, ms: number) => () => void;

interface Burst {
  source: ChangeSource;
  nodes: Map<string, Set<string>>;
  created: string[];
  deleted: string[];
}

export class InterimNodeSession implements NodeCaptureSession {
  readonly map = new NodeAuthorshipMap();
  private burst: Burst | undefined;
  private cancelIdle: (() => void) | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly asset: string,
    private readonly project: Project,
    private readonly signer: SigningIdentity,
    private recorded: boolean,
    private readonly schedule: Scheduler | undefined,
    /** The content id of the asset's current state, asked when a burst is written. */
    private readonly contentId: () => Promise<CID>,
    private readonly idleMs = 2000,
  ) {}

  change(change: NodeChange): void {
    if (this.burst && !sameSource(this.burst.source, change)) this.closeBurst();
    const burst: Burst = (this.burst ??= { source: { class: change.class, evidence: change.evidence, agent: change.agent, links: change.links }, nodes: new Map<string, Set<string>>(), created: [], deleted: [] });
    burst.created.push(...(change.created ?? []));
    for (const [id, properties] of Object.entries(change.nodes ?? {})) {
      let set = burst.nodes.get(id);
      if (!set) burst.nodes.set(id, (set = new Set()));
      for (const p of properties) set.add(p);
    }
    burst.deleted.push(...(change.deleted ?? []));
    this.cancelIdle?.();
    this.cancelIdle = this.schedule?.(() => this.closeBurst(), this.idleMs);
  }

  async flush(): Promise<void> {
    this.closeBurst();
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private closeBurst(): void {
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    const burst = this.burst;
    this.burst = undefined;
    if (!burst) return;
    const { source } = burst;
    const delta: { [key: string]: DagValue } = {};
    if (burst.created.length > 0) delta.created = burst.created;
    if (burst.nodes.size > 0) delta.nodes = Object.fromEntries([...burst.nodes].map(([id, set]) => [id, [...set].sort()]));
    if (burst.deleted.length > 0) delta.deleted = burst.deleted;
    if (source.class !== 'human' && !(source.class === 'ai' && source.agent)) delta.class = source.class;
    const contribution: Omit<Contribution, 'out'> = {
      kind: source.class === 'ai' && source.evidence === 'command' ? 'ai.generate' : this.recorded ? 'asset.edit' : 'asset.create',
      asset: this.asset,
      delta,
      ext: { 'colophon.evidence': source.evidence },
    };
    if (source.agent) contribution.agent = source.agent;
    if (source.links && source.links.length > 0) contribution.links = [...source.links];
    this.recorded = true;
    this.writing = this.writing.then(async () => {
      await this.project.record(this.signer, { ...contribution, out: await this.contentId() });
    });
  }
}

function sameSource(a: ChangeSource, b: ChangeSource): boolean {
  return a.class === b.class && a.evidence === b.evidence && JSON.stringify(a.agent) === JSON.stringify(b.agent) && String(a.links ?? []) === String(b.links ?? []);
}
