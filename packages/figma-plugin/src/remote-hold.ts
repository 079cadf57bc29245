// REMOTE changes (another person's, whom Figma does not name) wait a while before they are
// recorded as unknown: if that person runs Colophon too, their own records of the same layers
// and properties arrive in the meantime, and those cells are theirs to claim, not ours to blur.
import type { DecodedRecord } from '@colophon/core/record';
import type { NodeChange } from '@colophon/core/capture';

/** How long a REMOTE change waits for its author's own records (their idle gap plus our polling, with room). */
export const REMOTE_GRACE_MS = 10_000;

interface Held {
  created: Set<string>;
  nodes: Map<string, Set<string>>;
  deleted: Set<string>;
  since: number;
}

export class RemoteHold {
  private readonly held = new Map<string, Held>();

  add(asset: string, change: NodeChange, now: number): void {
    let held = this.held.get(asset);
    if (!held) this.held.set(asset, (held = { created: new Set(), nodes: new Map(), deleted: new Set(), since: now }));
    for (const id of change.created ?? []) held.created.add(id);
    for (const [id, properties] of Object.entries(change.nodes ?? {})) {
      let set = held.nodes.get(id);
      if (!set) held.nodes.set(id, (set = new Set()));
      for (const p of properties) set.add(p);
    }
    for (const id of change.deleted ?? []) held.deleted.add(id);
  }

  /** Drops what other signers' records state themselves (creations, properties, deletions). */
  cover(records: readonly DecodedRecord[]): void {
    for (const { record } of records) {
      const held = record.asset ? this.held.get(record.asset) : undefined;
      if (!held) continue;
      const delta = record.delta as { created?: string[]; nodes?: Record<string, string[]>; deleted?: string[] } | undefined;
      for (const id of delta?.created ?? []) held.created.delete(id);
      for (const [id, properties] of Object.entries(delta?.nodes ?? {})) {
        const set = held.nodes.get(id);
        if (!set) continue;
        for (const p of properties) set.delete(p);
        if (set.size === 0) held.nodes.delete(id);
      }
      for (const id of delta?.deleted ?? []) held.deleted.delete(id);
    }
  }

  /** The held changes first seen before `before` (all when undefined), as unknown changes per asset. */
  take(before?: number): [asset: string, change: NodeChange][] {
    const out: [string, NodeChange][] = [];
    for (const [asset, held] of this.held) {
      if (before !== undefined && held.since >= before) continue;
      this.held.delete(asset);
      const change: NodeChange = {
        class: 'unknown',
        evidence: 'typed',
        ...(held.created.size > 0 && { created: [...held.created] }),
        ...(held.nodes.size > 0 && { nodes: Object.fromEntries([...held.nodes].map(([id, set]) => [id, [...set].sort()])) }),
        ...(held.deleted.size > 0 && { deleted: [...held.deleted] }),
      };
      if (change.created || change.nodes || change.deleted) out.push([asset, change]);
    }
    return out;
  }
}
