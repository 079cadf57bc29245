/**
 * Everything the ledger says about one asset up to a given content state: the steps that made it
 * (in causal order), who made what in each and in the result (core's attribution: the same shares,
 * human share and digital source type as `colophon attribute`), the prompts behind them, the
 * outside sources used, the rights, the feed heads and the latest checkpoint. The manifest is
 * built from this, never by hand, so Content Credentials can only claim what the ledger records.
 */
import {
  AttributionError,
  LedgerView,
  assetAttribution,
  loadAssetHistory,
  recordAuthors,
  type AssetAttribution,
  type AuthorClass,
  type CID,
  type ContributionRecord,
  type LedgerEntry,
  type RecordStore,
  type Rights,
} from '@colophon/core';
import { ingestFactsOf, type IngestFacts } from './ingest-facts.js';

export interface PromptRef {
  /** Ingredient label in the manifest. */
  label: string;
  /** The record that carries the prompt (an `intent` record, or the step itself). */
  record: CID;
  /** The salted commitment, when the prompt is private; its opening is a blob. */
  commit?: CID;
  /** The text, when the ledger itself holds it in the clear. */
  clearText?: string;
}

export type Relationship = 'parentOf' | 'componentOf' | 'inputTo';

export interface SourceRef {
  label: string;
  content: CID;
  /** The record that produced this content: an ingest of an outside file, or another asset's step. */
  producer: LedgerEntry;
  relationship: Relationship;
  title: string;
  format?: string;
  /** What was read from the file's own Content Credentials when it was ingested. */
  facts?: IngestFacts;
}

export interface HistoryStep {
  record: LedgerEntry;
  /** The classes this step contributed as (core's recordAuthors), e.g. ['ai'] or ['human', 'pasted']. */
  classes: AuthorClass[];
  /** Digital source type of the asset after this step (core's attribution as of this step). */
  sourceType?: string;
  prompts: PromptRef[];
  sources: SourceRef[];
  /** `in` CIDs the ledger cannot resolve to a prompt, a source or an earlier state. */
  unresolved: CID[];
}

export interface FeedHeadRef {
  signer: string;
  seq: number;
  cid: CID;
}

/** The latest signed checkpoint (C2SP tlog-checkpoint note) of one feed, already verified by the caller. */
export interface FeedCheckpointRef {
  signer: string;
  size: number;
  rootHash: Uint8Array;
}

export interface AssetHistory {
  project: CID;
  asset: string;
  /** Content id of the asset state being exported. */
  content: CID;
  /** Core's attribution of that state: shares, human share, digital source type. */
  attribution: AssetAttribution;
  steps: HistoryStep[];
  prompts: PromptRef[];
  sources: SourceRef[];
  heads: FeedHeadRef[];
  /** Latest checkpoint per feed, as given to assetHistory (feeds without one are absent). */
  checkpoints: FeedCheckpointRef[];
  rights?: Rights;
}

/** The ledger cannot describe the requested asset state. */
export class HistoryError extends Error {
  override name = 'HistoryError';
}

function sourceTitle(producer: ContributionRecord, facts: IngestFacts | undefined): string {
  return facts?.file ?? producer.asset ?? producer.out?.toString() ?? 'source';
}

/**
 * The history of `asset` up to the state whose content id is `content`. Throws HistoryError when
 * the asset has no records, or `content` is none of its recorded states (the ledger would then be
 * describing other bytes than the ones being exported).
 */
export async function assetHistory(store: RecordStore, project: CID, asset: string, content: CID, checkpoints: readonly FeedCheckpointRef[] = []): Promise<AssetHistory> {
  // The whole ledger in causal order: what produced each input, and the order of the steps.
  const view = await LedgerView.load(store);
  const states = view.versionsOf(asset);
  if (states.length === 0) throw new HistoryError(`asset "${asset}" has no recorded content in this project (no create, edit, generate or ingest record names it)`);
  let end = -1;
  states.forEach((r, i) => {
    if (r.record.out!.equals(content)) end = i;
  });
  if (end < 0) {
    const latest = states[states.length - 1]!;
    throw new HistoryError(
      `the file's content (${content}) is not a recorded state of asset "${asset}"; its latest recorded state is ${latest.record.out} (record ${latest.cid}). Record the final step first, e.g. colophon record asset.edit --asset ${asset} --file FILE`,
    );
  }
  const steps = states.slice(0, end + 1);
  const ownStates = new Set(steps.map((s) => s.record.out!.toString()));
  const past = await loadAssetHistory(store, asset);
  const attributionAt = (step: LedgerEntry): AssetAttribution => {
    try {
      return assetAttribution(past, { asset, until: step.cid });
    } catch (error) {
      if (error instanceof AttributionError) throw new HistoryError(`cannot attribute asset "${asset}": ${error.message}`);
      throw error;
    }
  };
  const lookup = (cid: string) => view.get(cid);

  const prompts: PromptRef[] = [];
  const sources: SourceRef[] = [];
  const promptByRecord = new Map<string, PromptRef>();
  const promptByCommit = new Map<string, PromptRef>();
  const addPrompt = (record: LedgerEntry): PromptRef | undefined => {
    const intent = record.record.intent;
    if (!intent) return undefined;
    const key = record.cid.toString();
    const known = promptByRecord.get(key) ?? ('commit' in intent ? promptByCommit.get(intent.commit.toString()) : undefined);
    if (known) return known;
    const ref: PromptRef = { label: `prompt-${prompts.length + 1}`, record: record.cid };
    if ('commit' in intent) ref.commit = intent.commit;
    else ref.clearText = intent.text;
    prompts.push(ref);
    promptByRecord.set(key, ref);
    if (ref.commit) promptByCommit.set(ref.commit.toString(), ref);
    return ref;
  };

  const historySteps: HistoryStep[] = [];
  let attribution: AssetAttribution | undefined;
  for (const [index, record] of steps.entries()) {
    const classes = [...new Set(recordAuthors(record, lookup).map((a) => a.class))];
    const step: HistoryStep = { record, classes, prompts: [], sources: [], unresolved: [] };
    const own = addPrompt(record);
    if (own) step.prompts.push(own);
    for (const link of record.record.links ?? []) {
      const linked = view.get(link);
      if (linked?.record.kind !== 'intent') continue;
      const ref = addPrompt(linked);
      if (ref && !step.prompts.includes(ref)) step.prompts.push(ref);
    }
    let facts: IngestFacts | undefined;
    if (record.record.kind === 'ingest') {
      facts = ingestFactsOf(record.record.ext);
      // The file brought in is where this asset starts (parentOf) or something it took in later.
      step.sources.push({
        label: `source-${sources.length + 1}`,
        content: record.record.out!,
        producer: record,
        relationship: index === 0 ? 'parentOf' : 'componentOf',
        title: sourceTitle(record.record, facts),
        ...(facts ? { format: facts.format, facts } : {}),
      });
      sources.push(step.sources[step.sources.length - 1]!);
    }
    for (const input of record.record.in ?? []) {
      const key = input.toString();
      if (ownStates.has(key)) continue; // an earlier state of this same asset
      if (facts?.manifest?.equals(input) || facts?.validation?.equals(input)) continue; // the ingest's own credentials
      const prompt = promptByCommit.get(key);
      if (prompt) {
        if (!step.prompts.includes(prompt)) step.prompts.push(prompt);
        continue;
      }
      // The earliest producer is where that content entered the ledger.
      const producer = view.producersOf(key)[0];
      if (!producer) {
        step.unresolved.push(input);
        continue;
      }
      const producerFacts = producer.record.kind === 'ingest' ? ingestFactsOf(producer.record.ext) : undefined;
      const ref: SourceRef = {
        label: `source-${sources.length + 1}`,
        content: input,
        producer,
        // A model's inputs shaped its output; what people placed is part of the asset.
        relationship: record.record.agent?.type === 'ai' ? 'inputTo' : 'componentOf',
        title: sourceTitle(producer.record, producerFacts),
        ...(producerFacts ? { format: producerFacts.format, facts: producerFacts } : {}),
      };
      step.sources.push(ref);
      sources.push(ref);
    }
    attribution = attributionAt(record);
    if (attribution.digitalSourceType) step.sourceType = attribution.digitalSourceType;
    historySteps.push(step);
  }

  const heads: FeedHeadRef[] = [];
  for (const signer of (await store.signers()).sort()) {
    const head = await store.head(signer);
    if (head) heads.push({ signer, seq: head.seq, cid: head.cid });
  }
  const withRights = steps.filter((s) => s.record.rights).pop();
  const latest = new Map<string, FeedCheckpointRef>();
  for (const checkpoint of checkpoints) {
    const known = latest.get(checkpoint.signer);
    if (!known || checkpoint.size > known.size) latest.set(checkpoint.signer, checkpoint);
  }

  const history: AssetHistory = { project, asset, content, attribution: attribution!, steps: historySteps, prompts, sources, heads, checkpoints: [...latest.values()].sort((a, b) => (a.signer < b.signer ? -1 : 1)) };
  if (withRights?.record.rights) history.rights = withRights.record.rights;
  return history;
}
