// W3C PROV-JSON (https://www.w3.org/Submission/prov-json/) of an asset version's lineage: records
// become activities, content becomes entities, signers, models and tools become agents; the
// relations say who did what with what on whose behalf.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import type { AssetAttribution } from '../attribution/asset.js';
import type { AgentRef } from '../record/types.js';
import type { LineageGraph } from '../lineage/graph.js';
import { stepPayloadOrUndefined } from '../lineage/step-payload.js';

/** Colophon's PROV namespace: types (colophon:agent.step) and attributes (colophon:run). */
export const COLOPHON_PROV_NS = 'https://colophon.dev/ns/prov#';

export type ProvLiteral = string | number | boolean | { $: string; type: string };
export type ProvAttributes = { [key: string]: ProvLiteral | ProvLiteral[] };

export interface ProvDocument {
  prefix: { [prefix: string]: string };
  entity: { [id: string]: ProvAttributes };
  activity: { [id: string]: ProvAttributes };
  agent: { [id: string]: ProvAttributes };
  wasGeneratedBy: { [id: string]: ProvAttributes };
  used: { [id: string]: ProvAttributes };
  wasDerivedFrom: { [id: string]: ProvAttributes };
  wasAttributedTo: { [id: string]: ProvAttributes };
  wasAssociatedWith: { [id: string]: ProvAttributes };
  actedOnBehalfOf: { [id: string]: ProvAttributes };
  wasInformedBy: { [id: string]: ProvAttributes };
  specializationOf: { [id: string]: ProvAttributes };
}

export interface ProvOptions {
  /** Names to show for signers (did -> name). */
  names?: ReadonlyMap<string, string>;
  /** Attribution of the asset, stated on the version entity. */
  attribution?: AssetAttribution;
}

/** Record kinds that are plans (briefs) rather than something done. */
const PLAN_KINDS = new Set(['intent']);
/** Kinds that stand for people's own work: their signers are people. */
const PERSON_KINDS = new Set(['intent', 'asset.create', 'asset.edit', 'review', 'approve', 'reject', 'ingest']);

const qname = (name: string): { $: string; type: string } => ({ $: name, type: 'prov:QUALIFIED_NAME' });
const iso = (ms: number) => new Date(ms).toISOString();

/** A local name safe in a PROV qualified name and a URI: percent-encoded. */
function local(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function agentId(agent: AgentRef): string {
  return agent.type === 'ai' ? `model:${local(`${agent.model.provider}/${agent.model.name}@${agent.model.version}`)}` : `tool:${local(`${agent.name}@${agent.version}`)}`;
}

class ProvBuilder {
  readonly doc: ProvDocument = {
    prefix: {
      colophon: COLOPHON_PROV_NS,
      ipfs: 'ipfs://',
      // Signers are did:key identities: "didkey:z6Mk…" expands to exactly "did:key:z6Mk…".
      didkey: 'did:key:',
      asset: `${COLOPHON_PROV_NS}asset/`,
      model: `${COLOPHON_PROV_NS}model/`,
      tool: `${COLOPHON_PROV_NS}tool/`,
      prompt: `${COLOPHON_PROV_NS}prompt/`,
    },
    entity: {},
    activity: {},
    agent: {},
    wasGeneratedBy: {},
    used: {},
    wasDerivedFrom: {},
    wasAttributedTo: {},
    wasAssociatedWith: {},
    actedOnBehalfOf: {},
    wasInformedBy: {},
    specializationOf: {},
  };
  private counter = 0;

  constructor(private readonly options: ProvOptions) {}

  relation(kind: Exclude<keyof ProvDocument, 'prefix' | 'entity' | 'activity' | 'agent'>, attributes: ProvAttributes): void {
    this.doc[kind][`_:${kind}${++this.counter}`] = attributes;
  }

  signer(did: string, person: boolean): string {
    const id = did.startsWith('did:key:') ? `didkey:${did.slice('did:key:'.length)}` : did;
    const known = this.doc.agent[id];
    const name = this.options.names?.get(did);
    if (!known) this.doc.agent[id] = { 'prov:label': name ?? did, ...(person ? { 'prov:type': qname('prov:Person') } : {}) };
    else if (person && !known['prov:type']) known['prov:type'] = qname('prov:Person');
    return id;
  }

  software(agent: AgentRef): string {
    const id = agentId(agent);
    if (!this.doc.agent[id]) {
      this.doc.agent[id] =
        agent.type === 'ai'
          ? {
              'prov:type': [qname('prov:SoftwareAgent'), qname('colophon:AIModel')],
              'prov:label': `${agent.model.provider}/${agent.model.name}@${agent.model.version}`,
              'colophon:provider': agent.model.provider,
              'colophon:model': agent.model.name,
              'colophon:version': agent.model.version,
            }
          : { 'prov:type': [qname('prov:SoftwareAgent'), qname('colophon:Tool')], 'prov:label': `${agent.name}@${agent.version}`, 'colophon:version': agent.version };
    }
    return id;
  }

  content(cid: CID, committed: boolean): string {
    const id = `ipfs:${cid}`;
    if (!this.doc.entity[id]) this.doc.entity[id] = { 'prov:type': qname(committed ? 'colophon:Commitment' : 'colophon:Content') };
    return id;
  }

  asset(asset: string): string {
    const id = `asset:${local(asset)}`;
    if (!this.doc.entity[id]) this.doc.entity[id] = { 'prov:type': qname('colophon:Asset'), 'prov:label': asset };
    return id;
  }
}

function label(entry: LedgerEntry): string {
  const step = stepPayloadOrUndefined(entry);
  const { record } = entry;
  if (record.kind === 'agent.step') return `agent step "${step?.name ?? '?'}"`;
  return `${record.kind}${record.asset ? ` of ${record.asset}` : ''}`;
}

export function provDocument(graph: LineageGraph, options: ProvOptions = {}): ProvDocument {
  const b = new ProvBuilder(options);
  const nodeIds = new Set(graph.nodes.map((n) => n.cid.toString()));
  const plans = new Set(graph.nodes.filter((n) => PLAN_KINDS.has(n.record.kind)).map((n) => n.cid.toString()));
  const activities: LedgerEntry[] = [];
  for (const node of graph.nodes) {
    if (plans.has(node.cid.toString())) addPlan(b, node);
    else activities.push(node);
  }
  for (const node of activities) addActivity(b, node, plans, nodeIds);
  for (const [on, checks] of graph.checks) {
    const evaluated = graph.nodes.find((n) => n.cid.toString() === on)!;
    for (const { entry, result } of checks) {
      if (!nodeIds.has(entry.cid.toString())) {
        addActivity(b, entry, plans, nodeIds);
        nodeIds.add(entry.cid.toString());
      }
      const id = `ipfs:${entry.cid}`;
      Object.assign(b.doc.activity[id]!, { 'colophon:checkName': result.name, 'colophon:score': result.score, 'colophon:pass': result.pass }, result.threshold !== undefined ? { 'colophon:threshold': result.threshold } : {});
      if (!plans.has(on)) b.relation('wasInformedBy', { 'prov:informed': id, 'prov:informant': `ipfs:${on}` });
      if (evaluated.record.out) b.relation('used', { 'prov:activity': id, 'prov:entity': b.content(evaluated.record.out, stepPayloadOrUndefined(evaluated)?.committed === true), 'prov:role': qname('colophon:evaluated') });
    }
  }
  const { target } = graph;
  if (target.record.out) {
    const version = b.doc.entity[`ipfs:${target.record.out}`];
    if (version) {
      version['colophon:final'] = true;
      const a = options.attribution;
      if (a) {
        version['colophon:humanShare'] = a.humanShare;
        version['colophon:attributionUnit'] = a.unit;
        if (a.digitalSourceType) version['colophon:digitalSourceType'] = a.digitalSourceType;
      }
    }
  }
  return b.doc;
}

function addPlan(b: ProvBuilder, node: LedgerEntry): void {
  const { record } = node;
  const id = `ipfs:${node.cid}`;
  const attributes: ProvAttributes = { 'prov:type': [qname('prov:Plan'), qname('colophon:intent')], 'prov:label': 'intent', 'colophon:time': iso(record.at) };
  if (record.intent && 'text' in record.intent) attributes['prov:value'] = record.intent.text;
  else if (record.intent) attributes['colophon:commitment'] = record.intent.commit.toString();
  if (record.asset) attributes['colophon:asset'] = record.asset;
  b.doc.entity[id] = attributes;
  b.relation('wasAttributedTo', { 'prov:entity': id, 'prov:agent': b.signer(record.by, true) });
}

function addActivity(b: ProvBuilder, node: LedgerEntry, plans: ReadonlySet<string>, nodes: ReadonlySet<string>): void {
  const { record } = node;
  const step = stepPayloadOrUndefined(node);
  const id = `ipfs:${node.cid}`;
  const end = record.at + (step?.ms ?? 0);
  const attributes: ProvAttributes = { 'prov:type': qname(`colophon:${record.kind}`), 'prov:label': label(node), 'prov:startTime': iso(record.at), 'prov:endTime': iso(end) };
  if (record.asset) attributes['colophon:asset'] = record.asset;
  if (step) {
    attributes['colophon:step'] = step.name;
    attributes['colophon:run'] = step.run;
    if (step.ms !== undefined) attributes['colophon:durationMs'] = step.ms;
    if (step.error !== undefined) attributes['colophon:error'] = step.error;
    if (step.tokens?.in !== undefined) attributes['colophon:inputTokens'] = step.tokens.in;
    if (step.tokens?.out !== undefined) attributes['colophon:outputTokens'] = step.tokens.out;
  }
  b.doc.activity[id] = attributes;
  const links = (record.links ?? []).map(String);
  const plan = links.find((l) => plans.has(l)) ?? (step?.intent && plans.has(step.intent.toString()) ? step.intent.toString() : undefined);
  const signer = b.signer(record.by, PERSON_KINDS.has(record.kind));
  b.relation('wasAssociatedWith', { 'prov:activity': id, 'prov:agent': signer, ...(plan ? { 'prov:plan': `ipfs:${plan}` } : {}) });
  let software: string | undefined;
  if (record.agent) {
    software = b.software(record.agent);
    b.relation('wasAssociatedWith', { 'prov:activity': id, 'prov:agent': software, ...(plan ? { 'prov:plan': `ipfs:${plan}` } : {}) });
    b.relation('actedOnBehalfOf', { 'prov:delegate': software, 'prov:responsible': signer, 'prov:activity': id });
  }
  if (record.intent) {
    const prompt = 'text' in record.intent ? `prompt:${node.cid}` : b.content(record.intent.commit, true);
    if ('text' in record.intent) b.doc.entity[prompt] = { 'prov:type': qname('colophon:Prompt'), 'prov:value': record.intent.text };
    b.relation('used', { 'prov:activity': id, 'prov:entity': prompt, 'prov:role': qname('colophon:prompt') });
  }
  const out = record.out ? b.content(record.out, step?.committed === true) : undefined;
  if (out) {
    b.relation('wasGeneratedBy', { 'prov:entity': out, 'prov:activity': id, 'prov:time': iso(end) });
    b.relation('wasAttributedTo', { 'prov:entity': out, 'prov:agent': signer });
    if (software && record.agent?.type === 'ai') b.relation('wasAttributedTo', { 'prov:entity': out, 'prov:agent': software });
    if (record.asset) b.relation('specializationOf', { 'prov:specificEntity': out, 'prov:generalEntity': b.asset(record.asset) });
  }
  for (const input of record.in ?? []) {
    const used = b.content(input, false);
    b.relation('used', { 'prov:activity': id, 'prov:entity': used });
    if (out) b.relation('wasDerivedFrom', { 'prov:generatedEntity': out, 'prov:usedEntity': used, 'prov:activity': id });
  }
  for (const link of links) {
    if (plans.has(link) || !nodes.has(link)) continue;
    b.relation('wasInformedBy', { 'prov:informed': id, 'prov:informant': `ipfs:${link}` });
  }
}
