// Everything the report shows, gathered from the workspace: the lineage, the attribution, the
// checks, gate verdicts and settlement, Content Credentials, and whether the ledger verifies.
import { stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  CONTRACT_EXT,
  LedgerView,
  checkOf,
  gatePayloadOf,
  lineageOf,
  lineageParents,
  stepPayloadOrUndefined,
  settlePayloadOf,
  traceTarget,
  type AssetAttribution,
  type CheckOn,
  type CheckResult,
  type CID,
  type GatePayload,
  type LedgerEntry,
  type LineageEdge,
  type LineageGraph,
  type SettlePayload,
} from '@colophon/core';
import { contentCidOfFile } from '@colophon/core/node';
import { attributionOf } from '../commands/lineage.js';
import { verifyWorkspace } from '../commands/verify.js';
import { identityNames, type Workspace } from '../workspace.js';

export interface GateFact {
  entry: LedgerEntry;
  payload: GatePayload;
  contract?: string;
}

export interface SettleFact {
  entry: LedgerEntry;
  payload: SettlePayload;
  /** A later settle record of the same asset and contract: never paid. */
  duplicate: boolean;
}

export interface CredentialFact {
  /** Where the facts come from: the file on disk, or an ingest record. */
  source: string;
  state: string;
  explanation: string;
  claimGenerator?: string;
  signer?: string;
  codes: string[];
}

/** Steps of the same runs or intents that did not make it into this version (a rejected rewrite). */
export interface SideBranch {
  nodes: LedgerEntry[];
  edges: LineageEdge[];
  checks: Map<string, CheckOn[]>;
}

export interface ReportData {
  project: { name: string; genesis: CID };
  asset: string;
  graph: LineageGraph;
  side: SideBranch;
  names: Map<string, string>;
  attribution?: AssetAttribution;
  attributionNote?: string;
  checks: { entry: LedgerEntry; result: CheckResult; on: LedgerEntry }[];
  gates: GateFact[];
  decisions: LedgerEntry[];
  settlements: SettleFact[];
  credentials: CredentialFact[];
  credentialNote?: string;
  /** The asset's file on disk, when the asset is a file: whether it is the version recorded. */
  file?: { path: string; matches: boolean };
  verification: { ok: boolean; records: number; feeds: number; findings: { code: string; message: string }[] };
  generatedAt: number;
}

/** A path as people know it: relative to the project folder when inside it. */
function shown(ws: Workspace, path: string): string {
  const inside = relative(ws.root, path);
  return inside.startsWith('..') ? path : inside;
}

/** The bridge (C2PA SDK) loads only when there is a file to read. */
async function readFileCredentials(ws: Workspace, path: string): Promise<CredentialFact | { note: string }> {
  const bridge = await import('@colophon/c2pa-bridge');
  const { readFile } = await import('node:fs/promises');
  const bytes = new Uint8Array(await readFile(path));
  let format;
  try {
    format = bridge.assetFormat(path, bytes);
  } catch (error) {
    return { note: (error as Error).message };
  }
  const sidecar = format.carriage === 'sidecar' ? await readFile(bridge.sidecarPathFor(path)).then((b) => new Uint8Array(b)).catch(() => undefined) : undefined;
  const anchors = await new bridge.ProjectCa(ws.dir).anchorPem().catch(() => undefined);
  const report = await bridge.readCredentials({ fileName: path, bytes, ...(sidecar ? { sidecar } : {}), ...(anchors ? { anchors } : {}) });
  const fact: CredentialFact = {
    source: format.carriage === 'sidecar' ? `${shown(ws, path)} (sidecar ${sidecar ? 'found' : 'not found'})` : shown(ws, path),
    state: report.state === 'Valid' && report.untrusted ? 'Valid, signer untrusted' : report.state,
    explanation: bridge.explainState(report),
    codes: report.failures.map((f) => f.code),
  };
  if (report.claimGenerator) fact.claimGenerator = report.claimGenerator;
  const signer = report.signer?.commonName ?? report.signer?.issuer;
  if (signer) fact.signer = signer;
  return fact;
}

function ingestFacts(graph: LineageGraph): CredentialFact[] {
  const facts: CredentialFact[] = [];
  for (const node of graph.nodes) {
    const c2pa = node.record.kind === 'ingest' ? (node.record.ext?.['colophon.c2pa'] as { state?: unknown; file?: unknown; claimGenerator?: unknown; codes?: unknown } | undefined) : undefined;
    if (!c2pa || typeof c2pa.state !== 'string') continue;
    const fact: CredentialFact = {
      source: `ingested ${typeof c2pa.file === 'string' ? c2pa.file : 'file'} (record ${node.cid})`,
      state: c2pa.state,
      explanation: c2pa.state === 'none' ? 'The ingested file carried no Content Credentials.' : `Its Content Credentials were ${c2pa.state} when it was ingested.`,
      codes: Array.isArray(c2pa.codes) ? c2pa.codes.filter((x): x is string => typeof x === 'string') : [],
    };
    if (typeof c2pa.claimGenerator === 'string') fact.claimGenerator = c2pa.claimGenerator;
    facts.push(fact);
  }
  return facts;
}

/** Most side-branch steps drawn; more would bury the version's own story. */
const MAX_SIDE_STEPS = 24;

/**
 * Agent steps of the runs in this version's lineage, or serving its intents, that the version did
 * not come from: what was tried and set aside. Drawn faded, with their checks.
 */
export function sideBranch(view: LedgerView, graph: LineageGraph): SideBranch {
  const inGraph = new Set(graph.nodes.map((n) => n.cid.toString()));
  const runs = new Set<string>();
  const intents = new Set<string>();
  for (const node of graph.nodes) {
    const payload = stepPayloadOrUndefined(node);
    if (payload && node.record.kind === 'agent.step') runs.add(payload.run);
    if (node.record.kind === 'intent') intents.add(node.cid.toString());
  }
  const nodes: LedgerEntry[] = [];
  for (const entry of view.ordered) {
    if (entry.record.kind !== 'agent.step' || inGraph.has(entry.cid.toString())) continue;
    const payload = stepPayloadOrUndefined(entry);
    const serves = (payload?.intent && intents.has(payload.intent.toString())) || (entry.record.links ?? []).some((l) => intents.has(l.toString()));
    if ((payload && runs.has(payload.run)) || serves) nodes.push(entry);
    if (nodes.length >= MAX_SIDE_STEPS) break;
  }
  const drawn = new Set([...inGraph, ...nodes.map((n) => n.cid.toString())]);
  const edges: LineageEdge[] = [];
  const checks = new Map<string, CheckOn[]>();
  for (const node of nodes) {
    for (const { parent, type } of lineageParents(view, node)) {
      if (parent && drawn.has(parent.cid.toString())) edges.push({ from: parent.cid, to: node.cid, type });
    }
    const on = view
      .linking(node.cid)
      .map((entry) => ({ entry, result: checkOf(entry) }))
      .filter((c): c is CheckOn => c.result !== undefined);
    if (on.length > 0) checks.set(node.cid.toString(), on);
  }
  return { nodes, edges, checks };
}

export interface GatherOptions {
  asset: string;
  /** A record to report on instead of the asset's current version. */
  record?: CID;
  /** The exported file to read Content Credentials from (default: the asset's own file). */
  file?: string;
  now?: number;
}

export async function gatherReport(cwd: string, ws: Workspace, options: GatherOptions): Promise<ReportData> {
  const view = await LedgerView.load(ws.feeds);
  const names = await identityNames(ws.keys);
  const graph = lineageOf(view, traceTarget(view, options.record ? { cid: options.record } : { asset: options.asset }));
  const asset = graph.asset ?? options.asset;
  const { attribution, note } = attributionOf(view, asset);
  const side = sideBranch(view, graph);
  const checks = [...graph.checks.entries(), ...side.checks.entries()].flatMap(([on, list]) => list.map((c) => ({ ...c, on: view.get(on)! })));
  checks.sort((a, b) => view.positionOf(a.entry.cid) - view.positionOf(b.entry.cid));

  const gates: GateFact[] = [];
  const settlements: SettleFact[] = [];
  const decisions: LedgerEntry[] = [];
  const settled = new Set<string>();
  for (const entry of view.ordered) {
    if (entry.record.asset !== asset) continue;
    if (entry.record.kind === 'gate') {
      const payload = gatePayloadOf(entry);
      const contract = view.get(payload.contract)?.record.ext?.[CONTRACT_EXT] as { name?: unknown } | undefined;
      gates.push({ entry, payload, ...(typeof contract?.name === 'string' ? { contract: contract.name } : {}) });
    } else if (entry.record.kind === 'settle') {
      const payload = settlePayloadOf(entry);
      const key = payload.contract.toString();
      settlements.push({ entry, payload, duplicate: settled.has(key) });
      settled.add(key);
    } else if (entry.record.kind === 'approve' || entry.record.kind === 'reject') decisions.push(entry);
  }

  const data: ReportData = {
    project: { name: ws.project.name, genesis: ws.project.id },
    asset,
    graph,
    side,
    names,
    checks,
    gates,
    decisions,
    settlements,
    credentials: ingestFacts(graph),
    verification: { ok: false, records: 0, feeds: 0, findings: [] },
    generatedAt: options.now ?? Date.now(),
  };
  if (attribution) data.attribution = attribution;
  if (note) data.attributionNote = note;

  const path = options.file ? resolve(cwd, options.file) : asset.startsWith('file:') ? join(ws.root, asset.slice('file:'.length)) : undefined;
  const exists = path ? await stat(path).then((s) => s.isFile(), () => false) : false;
  if (path && exists) {
    if (!options.file && graph.target.record.out) data.file = { path, matches: (await contentCidOfFile(path)).equals(graph.target.record.out) };
    try {
      const read = await readFileCredentials(ws, path);
      if ('note' in read) data.credentialNote = read.note;
      else data.credentials.unshift(read);
    } catch (error) {
      data.credentialNote = `could not read Content Credentials from ${path}: ${(error as Error).message}`;
    }
  } else if (options.file) data.credentialNote = `${path} does not exist`;

  const report = await verifyWorkspace(cwd);
  data.verification = { ok: report.ok, records: report.records, feeds: report.feeds, findings: report.findings.map((f) => ({ code: f.code, message: f.message })) };
  return data;
}
