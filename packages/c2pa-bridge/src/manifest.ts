/**
 * The C2PA manifest definition for an asset, built from its ledger history (see ledger-history):
 * actions v2 (c2pa.created or c2pa.opened first, then one action per recorded step, each with the
 * digital source type of the asset after it, the model or tool as softwareAgent, and `when`),
 * ingredients (sources with their own manifests; prompts as inputTo carrying only their commitment
 * unless disclosed), c2pa.training-mining from the rights, and the `org.colophon.ledger` assertion.
 */
import { DIGITAL_SOURCE_TYPES, base64Encode, type AgentRef, type AttributionUnit, type AuthorClass } from '@colophon/core';
import type { AssetHistory, HistoryStep, PromptRef, SourceRef } from './ledger-history.js';

export const LEDGER_ASSERTION = 'org.colophon.ledger';
export const ACTIONS_ASSERTION = 'c2pa.actions.v2';
export const TRAINING_MINING_ASSERTION = 'c2pa.training-mining';
/** Action parameter naming the ledger record behind an action. */
export const RECORD_PARAMETER = 'org.colophon.record';
/** 2: steps say their `classes` and the share is core's attribution in its unit (1 had `actor` and a step-count fallback). */
export const LEDGER_ASSERTION_VERSION = 2;

export interface ClaimGenerator {
  name: string;
  version: string;
}

export const CLAIM_GENERATOR: ClaimGenerator = { name: 'Colophon', version: '0.1.0' };

export interface ManifestInputs {
  history: AssetHistory;
  /** File name shown as the manifest title. */
  title: string;
  /** MIME type of the asset. */
  format: string;
  claimGenerator: ClaimGenerator;
  /** Prompt texts to disclose, by prompt label; prompts not listed carry only their commitment. */
  disclosed?: ReadonlyMap<string, string>;
  /** Manifest stores and validation results of sources that had Content Credentials, by source label. */
  sourceManifests?: ReadonlyMap<string, { store: Uint8Array; validation: unknown }>;
}

export interface ManifestPlan {
  /** The SDK's manifest definition (JSON). */
  definition: ManifestDefinition;
  /** Binary resources the definition refers to by identifier. */
  resources: Map<string, Uint8Array>;
  /** The `org.colophon.ledger` assertion's data, also inside `definition`. */
  ledger: LedgerAssertion;
}

export interface ManifestDefinition {
  claim_generator_info: { name: string; version: string }[];
  title: string;
  format: string;
  assertions: { label: string; data: unknown }[];
  ingredients: Record<string, unknown>[];
}

export interface LedgerAssertion {
  version: number;
  project: string;
  asset: string;
  content: string;
  steps: { record: string; kind: string; by: string; classes: AuthorClass[]; at: string; inputs?: string[] }[];
  heads: { signer: string; seq: number; record: string }[];
  /** Latest signed checkpoint per feed: tree size and RFC 9162 root hash (base64). */
  checkpoints?: { signer: string; size: number; root: string }[];
  /**
   * Core's attribution of the exported state (the same as `colophon attribute`): the fraction per
   * class, rounded to 4 places, counted in `unit` over `total` units; absent for an empty asset.
   */
  share?: Record<AuthorClass, number> & { unit: AttributionUnit; total: number };
  prompts: { ingredient: string; record: string; commitment?: string; disclosed: boolean }[];
  license?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function softwareAgent(agent: AgentRef | undefined): { name: string; version: string } | undefined {
  if (agent?.type === 'ai') return { name: `${agent.model.provider}/${agent.model.name}`, version: agent.model.version };
  if (agent?.type === 'tool') return { name: agent.name, version: agent.version };
  return undefined;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** One main action per step (plus c2pa.placed for what people placed into the asset). */
function stepActions(step: HistoryStep, first: boolean): Record<string, unknown>[] {
  const { record } = step.record;
  const when = iso(record.at);
  const parent = step.sources.find((s) => s.relationship === 'parentOf');
  const ingested = record.kind === 'ingest';
  const action = first ? (parent ? 'c2pa.opened' : 'c2pa.created') : 'c2pa.edited';
  const ingredientIds = [
    ...(parent ? [parent.label] : []),
    ...step.prompts.map((p) => p.label),
    ...step.sources.filter((s) => s.relationship === 'inputTo' || (ingested && s.relationship === 'componentOf')).map((s) => s.label),
  ];
  const main: Record<string, unknown> = { action, when };
  // c2pa.opened describes a source, whose own manifest says how it was made.
  if (step.sourceType && action !== 'c2pa.opened') main.digitalSourceType = step.sourceType;
  // C2PA requires a type on c2pa.created. When core claims none (everything in the first version
  // is of unobserved origin: pasted, or recorded as unknown), the one term that claims nothing more
  // is compositeSynthetic: "elements any of which may or may not be generative AI".
  else if (action === 'c2pa.created') main.digitalSourceType = DIGITAL_SOURCE_TYPES.compositeSynthetic;
  const agent = softwareAgent(record.agent);
  if (agent) main.softwareAgent = agent;
  main.parameters = { [RECORD_PARAMETER]: step.record.cid.toString(), ...(ingredientIds.length ? { ingredientIds } : {}) };
  const placed = ingested ? [] : step.sources.filter((s) => s.relationship === 'componentOf');
  return [
    main,
    ...placed.map((source) => ({ action: 'c2pa.placed', when, parameters: { [RECORD_PARAMETER]: step.record.cid.toString(), ingredientIds: [source.label] } })),
  ];
}

function promptIngredient(prompt: PromptRef, text: string | undefined, resources: Map<string, Uint8Array>): Record<string, unknown> {
  const ingredient: Record<string, unknown> = { title: text === undefined ? 'Prompt (private)' : 'Prompt', format: 'text/plain', relationship: 'inputTo', label: prompt.label };
  if (prompt.commit) {
    // The commitment is the prompt's identity: whoever holds the opening can prove the text.
    ingredient.instance_id = `colophon:commitment:${prompt.commit}`;
  } else {
    ingredient.instance_id = `colophon:record:${prompt.record}`;
  }
  if (text !== undefined) {
    const id = `${prompt.label}.txt`;
    resources.set(id, new TextEncoder().encode(text));
    ingredient.data = { format: 'text/plain', identifier: id };
    ingredient.description = 'The prompt, disclosed by its author.';
  } else {
    ingredient.description = prompt.commit
      ? `A prompt its author kept private. The Colophon ledger holds its salted commitment ${prompt.commit}, which only the author can open.`
      : `A prompt kept out of these credentials; it is in Colophon ledger record ${prompt.record}.`;
  }
  return ingredient;
}

function sourceIngredient(source: SourceRef, manifest: { store: Uint8Array; validation: unknown } | undefined, resources: Map<string, Uint8Array>): Record<string, unknown> {
  const ingredient: Record<string, unknown> = { title: source.title, relationship: source.relationship, label: source.label, instance_id: `colophon:content:${source.content}` };
  if (source.format) ingredient.format = source.format;
  if (manifest && source.facts?.activeManifest) {
    const id = `${source.label}.c2pa`;
    resources.set(id, manifest.store);
    ingredient.active_manifest = source.facts.activeManifest;
    ingredient.manifest_data = { format: 'application/c2pa', identifier: id };
    ingredient.validation_results = manifest.validation;
  }
  return ingredient;
}

export function buildManifest(inputs: ManifestInputs): ManifestPlan {
  const { history } = inputs;
  if (history.steps.length === 0) throw new Error(`asset "${history.asset}" has no steps to describe`);
  const resources = new Map<string, Uint8Array>();

  const actions = history.steps.flatMap((step, i) => stepActions(step, i === 0));
  const ingredients = [
    ...history.sources.map((s) => sourceIngredient(s, inputs.sourceManifests?.get(s.label), resources)),
    ...history.prompts.map((p) => promptIngredient(p, inputs.disclosed?.get(p.label), resources)),
  ];

  const ledger: LedgerAssertion = {
    version: LEDGER_ASSERTION_VERSION,
    project: history.project.toString(),
    asset: history.asset,
    content: history.content.toString(),
    steps: history.steps.map((s) => {
      const inputsList = s.unresolved.map(String);
      return {
        record: s.record.cid.toString(),
        kind: s.record.record.kind,
        by: s.record.record.by,
        classes: s.classes,
        at: iso(s.record.record.at),
        ...(inputsList.length ? { inputs: inputsList } : {}),
      };
    }),
    heads: history.heads.map((h) => ({ signer: h.signer, seq: h.seq, record: h.cid.toString() })),
    prompts: history.prompts.map((p) => ({
      ingredient: p.label,
      record: p.record.toString(),
      ...(p.commit ? { commitment: p.commit.toString() } : {}),
      disclosed: inputs.disclosed?.has(p.label) ?? false,
    })),
  };
  if (history.checkpoints.length) ledger.checkpoints = history.checkpoints.map((c) => ({ signer: c.signer, size: c.size, root: base64Encode(c.rootHash) }));
  const { attribution } = history;
  if (attribution.total > 0) {
    const byClass = Object.fromEntries(Object.entries(attribution.shares.byClass).map(([c, share]) => [c, round4(share)])) as Record<AuthorClass, number>;
    ledger.share = { ...byClass, unit: attribution.unit, total: attribution.total };
  }
  if (history.rights?.license) ledger.license = history.rights.license;

  const assertions: { label: string; data: unknown }[] = [{ label: ACTIONS_ASSERTION, data: { actions } }];
  const tdm = history.rights?.tdm;
  if (tdm && Object.keys(tdm).length > 0) {
    assertions.push({ label: TRAINING_MINING_ASSERTION, data: { entries: Object.fromEntries(Object.entries(tdm).map(([entry, use]) => [entry, { use }])) } });
  }
  assertions.push({ label: LEDGER_ASSERTION, data: ledger });

  const definition: ManifestDefinition = {
    claim_generator_info: [{ name: inputs.claimGenerator.name, version: inputs.claimGenerator.version }],
    title: inputs.title,
    format: inputs.format,
    assertions,
    ingredients,
  };
  return { definition, resources, ledger };
}
