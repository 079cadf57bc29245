// An in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
// about an asset version: the subject is the version's content digest, the predicate is Colophon's
// attribution and lineage summary under its own versioned predicate type. Signed in a DSSE envelope.
import type { CID } from 'multiformats/cid';
import type { AssetAttribution } from '../attribution/asset.js';
import type { SigningIdentity } from '../identity/identity.js';
import { utf8Encode } from '../text/utf8.js';
import { SHA2_256_CODE } from '../cid.js';
import { LineageError } from '../lineage/errors.js';
import { stepPayloadOrUndefined } from '../lineage/step-payload.js';
import type { LineageGraph } from '../lineage/graph.js';
import { signEnvelope, type DsseEnvelope } from './dsse.js';

export const INTOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The predicate's type; its last segment is the predicate's version (a new shape gets a new one). */
export const LINEAGE_PREDICATE_TYPE = 'https://colophon.dev/attestation/lineage/v1';

/** Lists in the predicate are cut at this many entries (the counts stay exact). */
export const MAX_PREDICATE_LIST = 1000;

export interface InTotoSubject {
  name: string;
  digest: { [algorithm: string]: string };
}

export interface LineagePredicate {
  asset: string;
  project?: { genesis: string; name: string };
  /** The asset version attested: its record. */
  version: { record: string; kind: string; by: string; at: string };
  attribution?: {
    kind: string;
    unit: string;
    total: number;
    humanShare: number;
    digitalSourceType?: string;
    rule: string;
    byClass: { [cls: string]: number };
    contributors: { id: string; class: string; who: string; name?: string; units: number; share: number }[];
  };
  lineage: {
    records: number;
    intents: number;
    agentSteps: number;
    humanEdits: number;
    failedSteps: number;
    models: string[];
    tools: string[];
    signers: { did: string; name?: string }[];
    runs: string[];
    checks: { name: string; score: number; pass: boolean; threshold?: number; record: string; on: string }[];
    /** Every record of the lineage (fetch them to check this summary), cut at MAX_PREDICATE_LIST. */
    recordIds: string[];
    truncated: boolean;
  };
}

export interface InTotoStatement {
  _type: typeof INTOTO_STATEMENT_TYPE;
  subject: InTotoSubject[];
  predicateType: typeof LINEAGE_PREDICATE_TYPE;
  predicate: LineagePredicate;
}

export interface StatementInput {
  graph: LineageGraph;
  attribution?: AssetAttribution;
  project?: { genesis: CID; name: string };
  names?: ReadonlyMap<string, string>;
  /** Subject name; default: the asset's path for file: assets, else the asset id. */
  subjectName?: string;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const iso = (ms: number) => new Date(ms).toISOString();
const HUMAN_KINDS = new Set(['asset.create', 'asset.edit']);

/** The sha256 hex digest inside a raw content CID. */
export function sha256Hex(cid: CID, what: string): string {
  if (cid.multihash.code !== SHA2_256_CODE) throw new LineageError(`${what} ${cid} is not a sha2-256 content id`);
  return hex(cid.multihash.digest);
}

export function lineageStatement(input: StatementInput): InTotoStatement {
  const { graph, attribution, names } = input;
  const { target } = graph;
  const asset = graph.asset ?? target.record.asset;
  if (!asset) throw new LineageError(`record ${target.cid} names no asset; an attestation is about an asset version`);
  if (!target.record.out) throw new LineageError(`record ${target.cid} names no content (out) to attest`, 'out');
  const subjectName = input.subjectName ?? (asset.startsWith('file:') ? asset.slice('file:'.length) : asset);
  const models = new Set<string>();
  const tools = new Set<string>();
  const signers = new Set<string>();
  const runs = new Set<string>();
  let intents = 0;
  let agentSteps = 0;
  let humanEdits = 0;
  let failedSteps = 0;
  for (const node of graph.nodes) {
    const { record } = node;
    signers.add(record.by);
    if (record.agent?.type === 'ai') models.add(`${record.agent.model.provider}/${record.agent.model.name}@${record.agent.model.version}`);
    if (record.agent?.type === 'tool') tools.add(`${record.agent.name}@${record.agent.version}`);
    if (record.kind === 'intent') intents++;
    if (record.kind === 'agent.step') agentSteps++;
    if (HUMAN_KINDS.has(record.kind) && !record.agent) humanEdits++;
    const step = stepPayloadOrUndefined(node);
    if (step && record.kind === 'agent.step') runs.add(step.run);
    if (step?.error !== undefined) failedSteps++;
  }
  const checks: LineagePredicate['lineage']['checks'] = [];
  for (const [on, list] of graph.checks) {
    for (const { entry, result } of list) {
      checks.push({ name: result.name, score: result.score, pass: result.pass, ...(result.threshold !== undefined ? { threshold: result.threshold } : {}), record: entry.cid.toString(), on });
    }
  }
  const recordIds = graph.nodes.map((n) => n.cid.toString());
  const predicate: LineagePredicate = {
    asset,
    version: { record: target.cid.toString(), kind: target.record.kind, by: target.record.by, at: iso(target.record.at) },
    lineage: {
      records: graph.nodes.length,
      intents,
      agentSteps,
      humanEdits,
      failedSteps,
      models: [...models].sort(),
      tools: [...tools].sort(),
      signers: [...signers].sort().map((did) => (names?.get(did) ? { did, name: names.get(did)! } : { did })),
      runs: [...runs].sort().slice(0, MAX_PREDICATE_LIST),
      checks: checks.slice(0, MAX_PREDICATE_LIST),
      recordIds: recordIds.slice(0, MAX_PREDICATE_LIST),
      truncated: graph.truncated || recordIds.length > MAX_PREDICATE_LIST || checks.length > MAX_PREDICATE_LIST,
    },
  };
  if (input.project) predicate.project = { genesis: input.project.genesis.toString(), name: input.project.name };
  if (attribution) {
    predicate.attribution = {
      kind: attribution.kind,
      unit: attribution.unit,
      total: attribution.total,
      humanShare: attribution.humanShare,
      rule: attribution.sourceTypeRule,
      byClass: { ...attribution.shares.byClass },
      contributors: attribution.shares.byContributor.slice(0, MAX_PREDICATE_LIST).map((c) => {
        const name = c.class === 'human' || c.class === 'pasted' ? names?.get(c.who) : undefined;
        return { id: c.contributor, class: c.class, who: c.who, ...(name ? { name } : {}), units: c.units, share: c.share };
      }),
    };
    if (attribution.digitalSourceType) predicate.attribution.digitalSourceType = attribution.digitalSourceType;
  }
  return {
    _type: INTOTO_STATEMENT_TYPE,
    subject: [{ name: subjectName, digest: { sha256: sha256Hex(target.record.out, `the content of record ${target.cid}`) } }],
    predicateType: LINEAGE_PREDICATE_TYPE,
    predicate,
  };
}

/** The statement as a DSSE envelope signed by `signer` (payload: the statement's JSON). */
export function signStatement(statement: InTotoStatement, signer: SigningIdentity): DsseEnvelope {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, utf8Encode(JSON.stringify(statement)), signer);
}
