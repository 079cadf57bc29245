// The lineage of an asset version: every record it came from — intents, agent steps, human edits,
// ingested material — with the edges between them, and the checks run along the way. `colophon
// trace`, the report and the PROV export are all drawn from this one graph.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import { isContentStep } from '../attribution/steps.js';
import { CHECK_EXT, parseCheckResult, type CheckResult } from '../contracts/check-result.js';
import type { RecordKind } from '../record/kinds.js';
import { LineageError } from './errors.js';
import type { LedgerView } from './ledger-view.js';
import { stepPayloadOrUndefined } from './step-payload.js';

/** Governance and plumbing: never part of how content came to be. */
export const NOT_LINEAGE: ReadonlySet<RecordKind> = new Set<RecordKind>(['project.genesis', 'member', 'checkpoint', 'contract', 'gate', 'settle']);

export const MAX_LINEAGE_NODES = 5000;

/**
 * - `link`: the later record names the earlier one in its links (a parent step, the intent served,
 *   the draft a person accepted);
 * - `input`: the later record consumed content the earlier one produced (`in` = its `out`);
 * - `version`: the previous state of the same asset.
 */
export type LineageEdgeType = 'link' | 'input' | 'version';

export interface LineageEdge {
  /** The earlier record (where things came from). */
  from: CID;
  to: CID;
  type: LineageEdgeType;
}

export interface CheckOn {
  entry: LedgerEntry;
  result: CheckResult;
}

export interface LineageGraph {
  target: LedgerEntry;
  /** The asset the target is a version of, when it names one. */
  asset?: string;
  /** The target and everything it came from, in causal order (oldest first). */
  nodes: LedgerEntry[];
  edges: LineageEdge[];
  /** Checks that evaluated each node, by node CID string, in causal order. */
  checks: Map<string, CheckOn[]>;
  /** Links naming records this ledger does not hold. */
  missing: CID[];
  /** True when the graph was cut at MAX_LINEAGE_NODES. */
  truncated: boolean;
}

/** The check result a check record carries, or undefined when it carries none valid. */
export function checkOf(entry: LedgerEntry): CheckResult | undefined {
  if (entry.record.kind !== 'check') return undefined;
  try {
    return parseCheckResult(entry.record.ext?.[CHECK_EXT]);
  } catch {
    return undefined;
  }
}

/** The asset's current version: its latest content record (create, edit, generate, ingest) in causal order. */
export function assetVersion(view: LedgerView, asset: string): LedgerEntry | undefined {
  const versions = view.versionsOf(asset);
  return versions[versions.length - 1];
}

/** The record to trace: a record CID, or the current version of an asset; errors say what was not found. */
export function traceTarget(view: LedgerView, target: { cid?: CID; asset?: string }): LedgerEntry {
  if (target.cid) {
    const entry = view.get(target.cid);
    if (!entry) throw new LineageError(`record ${target.cid} is not in this ledger`);
    return entry;
  }
  if (target.asset === undefined) throw new LineageError('name a record CID or an asset to trace');
  const version = assetVersion(view, target.asset);
  if (!version) throw new LineageError(`asset "${target.asset}" has no content records (create, edit, generate or ingest) to trace`);
  return version;
}

/** Where a record came from: its linked records, the producers of what it consumed, its asset's previous version. */
export function lineageParents(view: LedgerView, entry: LedgerEntry): { parent: LedgerEntry | undefined; cid: CID; type: LineageEdgeType }[] {
  const parents: { parent: LedgerEntry | undefined; cid: CID; type: LineageEdgeType }[] = [];
  const { record } = entry;
  const links = [...(record.links ?? [])];
  const served = stepPayloadOrUndefined(entry)?.intent;
  if (served && !links.some((l) => l.equals(served))) links.push(served);
  for (const link of links) parents.push({ parent: view.get(link), cid: link, type: 'link' });
  for (const input of record.in ?? []) {
    const producer = view.producerBefore(input, entry);
    if (producer) parents.push({ parent: producer, cid: producer.cid, type: 'input' });
  }
  if (isContentStep(entry)) {
    const previous = view.previousVersion(entry);
    if (previous) parents.push({ parent: previous, cid: previous.cid, type: 'version' });
  }
  return parents;
}

/** The lineage of one record: everything it came from, transitively, with the checks along the way. */
export function lineageOf(view: LedgerView, target: LedgerEntry, maxNodes = MAX_LINEAGE_NODES): LineageGraph {
  const seen = new Map<string, LedgerEntry>([[target.cid.toString(), target]]);
  const edges = new Map<string, LineageEdge>();
  const missing = new Map<string, CID>();
  let truncated = false;
  const queue: LedgerEntry[] = [target];
  while (queue.length > 0) {
    const entry = queue.shift()!;
    for (const { parent, cid, type } of lineageParents(view, entry)) {
      if (!parent) {
        missing.set(cid.toString(), cid);
        continue;
      }
      if (NOT_LINEAGE.has(parent.record.kind)) continue;
      const key = parent.cid.toString();
      if (!seen.has(key)) {
        if (seen.size >= maxNodes) {
          truncated = true;
          continue;
        }
        seen.set(key, parent);
        queue.push(parent);
      }
      // One edge per pair: a link says more than "previous version", so it wins.
      const pair = `${key}>${entry.cid}`;
      const known = edges.get(pair);
      if (!known || (known.type === 'version' && type !== 'version')) edges.set(pair, { from: parent.cid, to: entry.cid, type });
    }
  }
  const nodes = [...seen.values()].sort((a, b) => view.positionOf(a.cid) - view.positionOf(b.cid));
  const checks = new Map<string, CheckOn[]>();
  for (const node of nodes) {
    const on = view
      .linking(node.cid)
      .map((entry) => ({ entry, result: checkOf(entry) }))
      .filter((c): c is CheckOn => c.result !== undefined);
    if (on.length > 0) checks.set(node.cid.toString(), on);
  }
  const graph: LineageGraph = { target, nodes, edges: [...edges.values()], checks, missing: [...missing.values()], truncated };
  if (target.record.asset !== undefined) graph.asset = target.record.asset;
  return graph;
}

/** Ancestors of a record within the lineage (CID strings), itself included. */
export function ancestorsOf(view: LedgerView, entry: LedgerEntry, maxNodes = MAX_LINEAGE_NODES): Set<string> {
  return new Set(lineageOf(view, entry, maxNodes).nodes.map((n) => n.cid.toString()));
}
