// Turns Figma's documentchange batches into neutral node changes, one per asset and source, for
// the capture sessions. Why documentchange (after loadAllPagesAsync) rather than per-page
// nodechange: one subscription sees every page, including pages this user never opens where a
// collaborator (REMOTE) is working, and the launch-time reconciliation has to load every page to
// hash its layers anyway, so the cost Figma's advice avoids is paid once either way.
import type { NodeChange } from '@colophon/core/capture';
import { assetOf, descendants, propertiesOf } from './node-state.js';

/** Property names never recorded: the plugin's own bookkeeping (its writes echo back as changes). */
const IGNORED_PROPERTIES = new Set(['pluginData']);

export interface RouterOptions {
  /** Where a change goes: the session of its asset. */
  deliver(asset: string, change: NodeChange): void;
  /** Asset of a node seen before (a deleted node has no parent to ask). */
  knownAsset(id: string): string | undefined;
  remember(id: string, asset: string, parent: string): void;
  /** Ids of the layers under a deleted one, as last seen (Figma reports only the top of a deleted subtree). */
  knownDescendants(id: string): string[];
  /** Nodes the plugin itself is creating or changing right now (a generation): recorded by that path, not here. */
  ownChanges: Set<string>;
  /** Called with ids whose tracked state changed, to refresh their stored state hash later. */
  touched(id: string): void;
}

interface Pending {
  nodes: Map<string, Set<string>>;
  created: string[];
  deleted: string[];
}

/**
 * One batch: LOCAL changes are the current user's (class human), REMOTE ones someone else's whom
 * Figma does not name (class unknown). Both are editor events (evidence `typed`). Records carry
 * node ids and property names only, never values. Returns how many changes were routed.
 */
export function routeChanges(changes: readonly DocumentChange[], options: RouterOptions): number {
  const groups = new Map<string, Pending>();
  const group = (asset: string, origin: 'LOCAL' | 'REMOTE'): Pending => {
    const key = `${origin}\u0000${asset}`;
    let pending = groups.get(key);
    if (!pending) {
      pending = { nodes: new Map(), created: [], deleted: [] };
      groups.set(key, pending);
    }
    return pending;
  };
  let routed = 0;
  for (const change of changes) {
    if (change.type !== 'CREATE' && change.type !== 'DELETE' && change.type !== 'PROPERTY_CHANGE') continue;
    if (change.origin === 'LOCAL' && options.ownChanges.has(change.id)) continue;
    const node = change.node;
    let asset: string | undefined;
    if ('removed' in node && node.removed) asset = options.knownAsset(change.id);
    else {
      asset = assetOf(node as SceneNode);
      if (asset) options.remember(change.id, asset, (node as SceneNode).parent!.id);
    }
    if (!asset) continue;
    const pending = group(asset, change.origin);
    if (change.type === 'CREATE') {
      // Figma reports only the top of a created subtree: every layer in it is new, and each of
      // its properties is a cell of the creator's.
      const created = node as SceneNode;
      for (const layer of 'children' in created ? [created, ...descendants(created)] : [created]) {
        pending.created.push(layer.id);
        pending.nodes.set(layer.id, new Set(propertiesOf(layer)));
        if (layer !== created) options.remember(layer.id, asset, layer.parent!.id);
        options.touched(layer.id);
      }
    } else if (change.type === 'DELETE') pending.deleted.push(change.id, ...options.knownDescendants(change.id));
    else {
      const properties = change.properties.filter((p) => !IGNORED_PROPERTIES.has(p));
      if (properties.length === 0) continue;
      let set = pending.nodes.get(change.id);
      if (!set) pending.nodes.set(change.id, (set = new Set()));
      for (const p of properties) set.add(p);
    }
    if (change.type === 'PROPERTY_CHANGE') options.touched(change.id);
    routed++;
  }
  for (const [key, pending] of groups) {
    const [origin, asset] = key.split('\u0000') as ['LOCAL' | 'REMOTE', string];
    const change: NodeChange = {
      class: origin === 'LOCAL' ? 'human' : 'unknown',
      evidence: 'typed',
      ...(pending.created.length > 0 && { created: pending.created }),
      ...(pending.nodes.size > 0 && { nodes: Object.fromEntries([...pending.nodes].map(([id, props]) => [id, [...props].sort()])) }),
      ...(pending.deleted.length > 0 && { deleted: pending.deleted }),
    };
    if (change.created || change.nodes || change.deleted) options.deliver(asset, change);
  }
  return routed;
}
