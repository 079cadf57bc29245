// Turns Figma's documentchange batches into neutral node changes, one per asset and source, for
// the capture sessions. Why documentchange (after loadAllPagesAsync) rather than per-page
// nodechange: one subscription sees every page, including pages this user never opens where a
// collaborator (REMOTE) is working, and the launch-time reconciliation has to load every page to
// hash its layers anyway, so the cost Figma's advice avoids is paid once either way.
import type { NodeChange } from '@colophon/core/capture';
import { assetOf, descendants, propertiesOf } from './node-state.js';
import type { BatchClaims } from './own-claims.js';

/** Property names never recorded: the plugin's own bookkeeping (its writes echo back as changes). */
const IGNORED_PROPERTIES = new Set(['pluginData']);

export interface RouterOptions {
  /** Where a change goes: the session of its asset (REMOTE ones first wait for their authors' own records). */
  deliver(asset: string, change: NodeChange, origin: 'LOCAL' | 'REMOTE'): void;
  /** Asset of a node seen before (a deleted node has no parent to ask). */
  knownAsset(id: string): string | undefined;
  remember(id: string, asset: string, parent: string): void;
  /** Ids of the layers under a deleted one, as last seen (Figma reports only the top of a deleted subtree). */
  knownDescendants(id: string): string[];
  /** What the plugin itself wrote or claimed just before this batch (see own-claims.ts): recorded by that path, not here. */
  claims: BatchClaims;
  /** Called with ids whose tracked state changed, to refresh their stored state hash later. */
  touched(id: string): void;
}

interface Pending {
  nodes: Map<string, Set<string>>;
  created: string[];
  deleted: string[];
}

/** Adds `properties` to the ones pending for layer `id`. */
function setProperties(pending: Pending, id: string, properties: readonly string[]): void {
  let set = pending.nodes.get(id);
  if (!set) pending.nodes.set(id, (set = new Set()));
  for (const p of properties) set.add(p);
}

/**
 * One batch: LOCAL changes are the current user's (class human), REMOTE ones someone else's whom
 * Figma does not name (class unknown). Both are editor events (evidence `typed`). Changes to layers
 * the plugin claimed just before the batch are judged against the claim (own-claims.ts): only what
 * changed after it is recorded, and what cannot be told apart is `unknown`. Records carry node ids
 * and property names only, never values. Returns how many changes were routed.
 */
export function routeChanges(changes: readonly DocumentChange[], options: RouterOptions): number {
  const groups = new Map<string, Pending>();
  const group = (asset: string, origin: 'LOCAL' | 'REMOTE', cls: 'human' | 'unknown'): Pending => {
    const key = `${origin}\u0000${cls}\u0000${asset}`;
    let pending = groups.get(key);
    if (!pending) {
      pending = { nodes: new Map(), created: [], deleted: [] };
      groups.set(key, pending);
    }
    return pending;
  };
  const { claims } = options;
  // Layers with a creation of their own in this batch (a claimed subtree's new layers are told apart by it).
  const createdHere = new Set<string>();
  if (claims.size > 0) for (const change of changes) if (change.type === 'CREATE') createdHere.add(change.id);
  let routed = 0;
  for (const change of changes) {
    if (change.type !== 'CREATE' && change.type !== 'DELETE' && change.type !== 'PROPERTY_CHANGE') continue;
    const node = change.node;
    let asset: string | undefined;
    if ('removed' in node && node.removed) asset = options.knownAsset(change.id);
    else {
      asset = assetOf(node as SceneNode);
      if (asset) options.remember(change.id, asset, (node as SceneNode).parent!.id);
    }
    if (!asset) continue;
    const claimed = change.origin === 'LOCAL' && claims.has(change.id);
    const pending = group(asset, change.origin, change.origin === 'LOCAL' ? 'human' : 'unknown');
    if (change.type === 'CREATE') {
      if (claimed) {
        // The plugin's own creation, or a layer made just before it was marked: the claim covers it.
        if (!('removed' in node && node.removed)) routeClaimedCreation(node as SceneNode, asset, pending, createdHere, options, group);
        continue;
      }
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
      if (claimed) {
        // A claimed layer removed since: its deletion is recorded and takes its cells with it.
        if ('removed' in node && node.removed) continue;
        const verdicts = properties.map((p) => [p, claims.verdict(node as SceneNode, p)] as const);
        const changed = verdicts.filter(([, v]) => v === 'changed').map(([p]) => p);
        const unknowable = verdicts.filter(([, v]) => v === 'unknowable').map(([p]) => p);
        if (changed.length > 0) setProperties(pending, change.id, changed);
        if (unknowable.length > 0) setProperties(group(asset, 'LOCAL', 'unknown'), change.id, unknowable);
        if (changed.length === 0 && unknowable.length === 0) continue;
      } else setProperties(pending, change.id, properties);
    }
    if (change.type === 'PROPERTY_CHANGE') options.touched(change.id);
    routed++;
  }
  for (const [key, pending] of groups) {
    const [origin, cls, asset] = key.split('\u0000') as ['LOCAL' | 'REMOTE', 'human' | 'unknown', string];
    const change: NodeChange = {
      class: cls,
      evidence: 'typed',
      ...(pending.created.length > 0 && { created: pending.created }),
      ...(pending.nodes.size > 0 && { nodes: Object.fromEntries([...pending.nodes].map(([id, props]) => [id, [...props].sort()])) }),
      ...(pending.deleted.length > 0 && { deleted: pending.deleted }),
    };
    if (change.created || change.nodes || change.deleted) options.deliver(asset, change, origin);
  }
  return routed;
}

/**
 * A claimed layer's creation (it happened before the claim) and the layers under it: what changed
 * since the claim is recorded as the user's, since Figma may fold a new layer's later changes into
 * its creation. A layer under it that the claim does not hold, that no change of this batch
 * created and that was never seen may have had its creation folded into this one (Figma reports
 * only the top of a created subtree), so who made it cannot be told: it is `unknown`.
 */
function routeClaimedCreation(
  top: SceneNode,
  asset: string,
  pending: Pending,
  createdHere: ReadonlySet<string>,
  options: RouterOptions,
  group: (asset: string, origin: 'LOCAL', cls: 'unknown') => Pending,
): void {
  const visit = (layer: SceneNode): void => {
    // A layer with a creation of its own in this batch is routed, with everything under it, by that change.
    if (layer !== top && createdHere.has(layer.id)) return;
    if (options.claims.has(layer.id)) {
      const changed = options.claims.changedSince(layer);
      if (changed.length > 0) {
        setProperties(pending, layer.id, changed);
        options.touched(layer.id);
      }
    } else if (options.knownAsset(layer.id) === undefined) {
      const unknown = group(asset, 'LOCAL', 'unknown');
      unknown.created.push(layer.id);
      unknown.nodes.set(layer.id, new Set(propertiesOf(layer)));
      options.remember(layer.id, asset, layer.parent!.id);
      options.touched(layer.id);
    }
    if ('children' in layer) for (const child of layer.children) visit(child);
  };
  visit(top);
}
