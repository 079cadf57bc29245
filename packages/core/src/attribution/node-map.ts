import type { CID } from 'multiformats/cid';
import { AUTHOR_CLASSES, resolveAuthor, stepClass, type Author, type AuthorClass, type EntryLookup, type LedgerEntry } from './classes.js';
import { AttributionError } from './errors.js';
import { causalOrder } from './order.js';
import type { AuthorUnits } from './text-map.js';
import { compareStrings } from '../values.js';

/**
 * The `delta` of a record that changes a node-based asset (a Figma file, frame or component):
 *
 *     delta: {
 *       nodes?:   { <nodeId>: [<property>, ...] },  // properties this step set on each node
 *       created?: [<nodeId>, ...],                  // nodes this step created
 *       deleted?: [<nodeId>, ...],                  // nodes this step deleted (with all their properties)
 *       class?:   'human' | 'ai' | 'tool' | 'paste' | 'unknown'
 *     }
 *
 * Node ids are the host's (Figma: "12:34"); properties are the host's names ("fills",
 * "characters", "x"). `class` defaults to the record's agent: an AI agent makes `ai`, a tool
 * `tool`, none `human` (the signer); the plugin states `paste` for layers pasted from outside and
 * `unknown` for changes reconciled after it was not running. Within one record, `created` applies
 * first, then `nodes`, then `deleted`, so a node made and removed in one step leaves no trace.
 * Content ids are not checked for nodes: the asset's bytes are the host's, not a text.
 */
export interface NodeDelta {
  nodes?: { [nodeId: string]: string[] };
  created?: string[];
  deleted?: string[];
  class?: string;
}

/** True when the record's delta names nodes (nodes, created or deleted). */
export function hasNodeDelta(entry: LedgerEntry): boolean {
  const delta = entry.record.delta;
  return delta !== undefined && ('nodes' in delta || 'created' in delta || 'deleted' in delta);
}

/** One node: who created it (when a record said so) and the last writer of each property. */
export interface NodeAuthorship {
  id: string;
  createdBy?: Author;
  properties: { name: string; author: Author }[];
}

interface NodeState {
  createdBy?: Author;
  props: Map<string, Author>;
}

/** Last writer per (node, property). One (node, property) pair is one unit of the shares. */
export class NodeAuthorshipMap {
  private readonly state = new Map<string, NodeState>();

  /** Starts a node afresh: a created id has no properties from before. */
  create(id: string, author: Author): void {
    this.state.set(id, { createdBy: author, props: new Map() });
  }

  write(id: string, property: string, author: Author): void {
    let node = this.state.get(id);
    if (!node) {
      // A node no record created: it predates the records, or was restored by an undo.
      node = { props: new Map() };
      this.state.set(id, node);
    }
    node.props.set(property, author);
  }

  remove(id: string): void {
    this.state.delete(id);
  }

  /** Number of (node, property) pairs. */
  get cellCount(): number {
    let n = 0;
    for (const node of this.state.values()) n += node.props.size;
    return n;
  }

  node(id: string): NodeAuthorship | undefined {
    const node = this.state.get(id);
    return node && describe(id, node);
  }

  /** Every node, by id; properties by name. */
  nodes(): NodeAuthorship[] {
    return [...this.state.keys()].sort(compareStrings).map((id) => describe(id, this.state.get(id)!));
  }

  /** Property cells per author (the record that last wrote them included), largest first. */
  unitsByAuthor(): AuthorUnits[] {
    const byKey = new Map<string, AuthorUnits>();
    for (const node of this.state.values()) {
      for (const author of node.props.values()) {
        const key = `${author.class}\u0000${author.who}\u0000${author.record?.toString() ?? ''}`;
        const entry = byKey.get(key);
        if (entry) entry.units++;
        else byKey.set(key, { author, units: 1 });
      }
    }
    return [...byKey.values()].sort((a, b) => b.units - a.units || compareStrings(a.author.who, b.author.who));
  }

  unitsByClass(): Record<AuthorClass, number> {
    const out = Object.fromEntries(AUTHOR_CLASSES.map((c) => [c, 0])) as Record<AuthorClass, number>;
    for (const { author, units } of this.unitsByAuthor()) out[author.class] += units;
    return out;
  }
}

function describe(id: string, node: NodeState): NodeAuthorship {
  const properties = [...node.props.keys()].sort(compareStrings).map((name) => ({ name, author: node.props.get(name)! }));
  return node.createdBy ? { id, createdBy: node.createdBy, properties } : { id, properties };
}

export interface NodeReplay {
  asset?: string;
  map: NodeAuthorshipMap;
  records: CID[];
  out?: CID;
  actors: Set<AuthorClass>;
  /** Records left out (only with skipUnattributable). */
  skipped: { record: CID; reason: string }[];
}

/** Replays an asset's node deltas in causal order (see causalOrder) into a NodeAuthorshipMap. */
export function replayNodeAuthorship(entries: readonly LedgerEntry[], options: { asset: string; skipUnattributable?: boolean }): NodeReplay {
  const ordered = causalOrder(entries);
  const byCid = new Map(ordered.map((e) => [e.cid.toString(), e] as const));
  const lookup: EntryLookup = (cid) => byCid.get(cid);
  const replay: NodeReplay = { asset: options.asset, map: new NodeAuthorshipMap(), records: [], actors: new Set(), skipped: [] };
  for (const entry of ordered) {
    if (entry.record.asset !== options.asset || !hasNodeDelta(entry)) continue;
    try {
      replay.actors.add(applyNodeRecord(replay.map, entry, lookup));
    } catch (error) {
      if (!(options.skipUnattributable && error instanceof AttributionError)) throw error;
      replay.skipped.push({ record: entry.cid, reason: error.message });
      continue;
    }
    replay.records.push(entry.cid);
    if (entry.record.out) replay.out = entry.record.out;
  }
  return replay;
}

/**
 * Applies one record's node delta to `map`, all or nothing (an AttributionError on a malformed
 * delta or a class whose author cannot be named); returns the class that acted.
 */
export function applyNodeRecord(map: NodeAuthorshipMap, entry: LedgerEntry, lookup: EntryLookup): AuthorClass {
  const delta = readNodeDelta(entry);
  const author = resolveAuthor(entry, stepClass(entry.record), 'delta.class', lookup);
  for (const id of delta.created ?? []) map.create(id, author);
  for (const [id, properties] of Object.entries(delta.nodes ?? {})) for (const property of properties) map.write(id, property, author);
  for (const id of delta.deleted ?? []) map.remove(id);
  return author.class;
}

/** Checks a node delta's shape, naming the record and field on the first problem. */
function readNodeDelta(entry: LedgerEntry): NodeDelta {
  const delta = entry.record.delta as { [key: string]: unknown };
  const fail = (path: string, reason: string): never => {
    throw new AttributionError(reason, entry.cid, path);
  };
  const ids = (value: unknown, path: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return fail(path, 'must be a list of node ids');
    value.forEach((id, i) => {
      if (typeof id !== 'string' || id === '') fail(`${path}[${i}]`, 'must be a non-empty node id');
    });
    return value as string[];
  };
  const out: NodeDelta = {};
  const created = ids(delta.created, 'delta.created');
  const deleted = ids(delta.deleted, 'delta.deleted');
  if (created) out.created = created;
  if (deleted) out.deleted = deleted;
  if (delta.nodes !== undefined) {
    const nodes = delta.nodes;
    if (nodes === null || typeof nodes !== 'object' || Array.isArray(nodes)) return fail('delta.nodes', 'must be a map from node id to a list of property names');
    for (const [id, properties] of Object.entries(nodes)) {
      const path = `delta.nodes.${id}`;
      if (!Array.isArray(properties)) fail(path, 'must be a list of property names');
      (properties as unknown[]).forEach((name, i) => {
        if (typeof name !== 'string' || name === '') fail(`${path}[${i}]`, 'must be a non-empty property name');
      });
    }
    out.nodes = nodes as { [nodeId: string]: string[] };
  }
  return out;
}
