// Everything the report shows that the ledger alone can tell: the lineage of a version, the steps
// tried beside it, who made what (core's attribution: the same figures as `colophon attribute`
// and the credentials), the contributions that earn money or decide a verdict (core's gate facts:
// the same prompts and reviews the payout counts), checks, gates and settlements. Platform-neutral:
// the CLI, the VS Code history view and the Figma panel gather it the same way and add what only
// they can see (the file, its credentials, the ledger verification).
import type { CID } from 'multiformats/cid';
import { AttributionError, assetAttribution, type AssetAttribution, type LedgerEntry } from '../attribution/index.js';
import { CONTRACT_EXT, LedgerSlice, gatePayloadOf, settlePayloadOf, type CheckResult, type GatePayload, type SettlePayload } from '../contracts/index.js';
import { checkOf, lineageOf, lineageParents, stepPayloadOrUndefined, traceTarget, type CheckOn, type LedgerView, type LineageEdge, type LineageGraph } from '../lineage/index.js';

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
  /** Reviews, approvals and rejections of the asset: drawn hung off what they judged. */
  attached: LedgerEntry[];
}

/** What a contribution that earns money or decides a verdict is. */
export type ContributionRole = 'prompt' | 'review' | 'approval' | 'rejection' | 'check';

/** A brief, prompt, review, check or decision, as the gate and the payout count it. */
export interface CountedContribution {
  entry: LedgerEntry;
  role: ContributionRole;
  check?: CheckResult;
  /** The payout classes its signer was paid in by the settlement, when one was. */
  paidAs: string[];
}

/** The work itself: the text the map describes, or the image; the asset's file when it has one. */
export interface WorkContent {
  text?: string;
  image?: { mime: string; base64: string };
  /** Why the work is not shown, when it is not. */
  note?: string;
}

export interface ReportData {
  project: { name: string; genesis: CID };
  asset: string;
  graph: LineageGraph;
  side: SideBranch;
  names: ReadonlyMap<string, string>;
  attribution?: AssetAttribution;
  attributionNote?: string;
  /** Evidence and claimed time per record, for the spans' titles. */
  records: ReadonlyMap<string, LedgerEntry>;
  contributions: CountedContribution[];
  checks: { entry: LedgerEntry; result: CheckResult; on: LedgerEntry }[];
  gates: GateFact[];
  decisions: LedgerEntry[];
  settlements: SettleFact[];
  credentials: CredentialFact[];
  credentialNote?: string;
  /** The asset's file on disk, when the asset is a file: whether it is the version recorded. */
  file?: { path: string; matches: boolean };
  work?: WorkContent;
  /** `colophon verify` over the whole ledger, when the caller ran it. */
  verification?: { ok: boolean; records: number; feeds: number; findings: { code: string; message: string }[] };
  generatedAt: number;
}

/** Most side-branch steps drawn; more would bury the version's own story. */
const MAX_SIDE_STEPS = 24;

/**
 * Agent steps of the runs in this version's lineage, or serving its intents, that the version did
 * not come from: what was tried and set aside. Drawn faded, with their checks.
 */
export function sideBranch(view: LedgerView, graph: LineageGraph): Omit<SideBranch, 'attached'> {
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

/** Credentials read from outside files when they were ingested (the ingest record keeps the facts). */
function ingestCredentials(graph: LineageGraph): CredentialFact[] {
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

export interface CollectOptions {
  asset: string;
  /** A record to report on instead of the asset's current version. */
  record?: CID;
  names: ReadonlyMap<string, string>;
  project: { name: string; genesis: CID };
  now: number;
}

/**
 * The ledger's part of the report on an asset version. Attribution is core's, as of the version
 * reported on; prompts, reviews, checks and decisions are the gate's facts (LedgerSlice.factsOf),
 * so the page counts what the gates and the payout count.
 */
export function collectReport(view: LedgerView, options: CollectOptions): ReportData {
  const graph = lineageOf(view, traceTarget(view, options.record ? { cid: options.record } : { asset: options.asset }));
  const asset = graph.asset ?? options.asset;
  let attribution: AssetAttribution | undefined;
  let attributionNote: string | undefined;
  try {
    attribution = assetAttribution(view.ordered, { asset, until: graph.target.cid });
  } catch (error) {
    if (!(error instanceof AttributionError)) throw error;
    attributionNote = `no attribution: ${error.message}`;
  }

  const gates: GateFact[] = [];
  const settlements: SettleFact[] = [];
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
    }
  }
  // The gate's own facts: the same prompts, reviews, checks and decisions the gates and the payout count.
  const facts = new LedgerSlice(view.ordered).factsOf(asset);
  const paid = settlements.find((s) => !s.duplicate)?.payload.lines ?? [];
  const paidAs = (did: string, cls: string) => paid.filter((l) => l.payee === did && l.via.includes(cls)).map(() => cls);
  const contributions: CountedContribution[] = [
    ...facts.prompts.map((entry) => ({ entry, role: 'prompt' as const, paidAs: paidAs(entry.record.by, 'prompts') })),
    ...facts.reviews.map((entry) => ({ entry, role: 'review' as const, paidAs: paidAs(entry.record.by, 'reviews') })),
    ...facts.checks.map(({ entry, result }) => ({ entry, role: 'check' as const, check: result, paidAs: [] })),
    ...facts.approvals.map((entry) => ({ entry, role: 'approval' as const, paidAs: [] })),
    ...facts.rejections.map((entry) => ({ entry, role: 'rejection' as const, paidAs: [] })),
  ].sort((a, b) => view.positionOf(a.entry.cid) - view.positionOf(b.entry.cid));

  const branch = sideBranch(view, graph);
  const inGraph = new Set(graph.nodes.map((n) => n.cid.toString()));
  // Reviews and decisions are not ancestors of the version, so lineage leaves them out; they are drawn hung off it.
  const attached = contributions.filter((c) => c.role === 'review' || c.role === 'approval' || c.role === 'rejection').map((c) => c.entry);
  const extraPrompts = contributions.filter((c) => c.role === 'prompt' && !inGraph.has(c.entry.cid.toString())).map((c) => c.entry);
  const side: SideBranch = { ...branch, attached: [...extraPrompts, ...attached] };
  const checks = [...graph.checks.entries(), ...side.checks.entries()].flatMap(([on, list]) => list.map((c) => ({ ...c, on: view.get(on)! })));
  checks.sort((a, b) => view.positionOf(a.entry.cid) - view.positionOf(b.entry.cid));

  const data: ReportData = {
    project: options.project,
    asset,
    graph,
    side,
    names: options.names,
    records: new Map(view.ordered.map((e) => [e.cid.toString(), e] as const)),
    contributions,
    checks,
    gates,
    decisions: [...facts.approvals, ...facts.rejections].sort((a, b) => view.positionOf(a.cid) - view.positionOf(b.cid)),
    settlements,
    credentials: ingestCredentials(graph),
    generatedAt: options.now,
  };
  if (attribution) data.attribution = attribution;
  if (attributionNote) data.attributionNote = attributionNote;
  return data;
}
