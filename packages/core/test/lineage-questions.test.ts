// The questions lineage answers, over a real multi-agent story: trace (where a version came from),
// blame (the first step after which a check failed), diverge (where two runs of a pipeline part).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LedgerView,
  LineageError,
  MemoryBlobStore,
  MemoryRecordStore,
  PipelineRecorder,
  Project,
  blame,
  contentCid,
  diverge,
  findRun,
  identityFromSeed,
  lineageOf,
  listRuns,
  traceTarget,
  utf8Encode,
  type AiAgent,
  type CID,
  type RecordHandle,
} from '../src/index.js';
import { useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const ASSET = 'file:post.md';
const director = identityFromSeed(new Uint8Array(32).fill(11));
const writer = identityFromSeed(new Uint8Array(32).fill(12));
const agentKey = identityFromSeed(new Uint8Array(32).fill(13));
const model = (version: string, temperature = 0.7): AiAgent => ({ type: 'ai', model: { provider: 'local', name: 'drafter', version }, params: { temperature } });
const manual = () => () => {};

interface PipelineVariant {
  run: string;
  draftModel?: AiAgent;
  draftPrompt?: string;
  rewriteTemperature?: number;
  rewriteText?: string;
}

let store: MemoryRecordStore;
let blobs: MemoryBlobStore;
let project: Project;
let intentCid: CID;
const runs = new Map<string, Record<string, RecordHandle>>();
let createCid: CID;
let editCid: CID;

let clock = 1_700_000_000_000;
const tick = () => (clock += 1000);

/** One run of the pipeline: draft, brand check, rewrite, brand check, shorten, brand check. */
async function pipeline(variant: PipelineVariant): Promise<Record<string, RecordHandle>> {
  const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, run: variant.run, schedule: manual, clock: tick });
  recorder.intentServed = intentCid;
  const draft = await recorder.step({ name: 'draft', agent: variant.draftModel ?? model('1.0'), prompt: variant.draftPrompt ?? 'Write a launch post about spring shoes.' }, async () => 'Spring shoes are here. Light, bright, made for walking.');
  const c1 = recorder.check({ name: 'brand', score: 0.91, threshold: 0.8, of: draft.step, asset: ASSET, agent: { type: 'tool', name: 'brand-checker', version: '2' } });
  const rewrite = await recorder.step(
    { name: 'rewrite', agent: model('1.0', variant.rewriteTemperature ?? 0.7), prompt: 'Make it punchier.', inputs: [draft.step] },
    async () => variant.rewriteText ?? 'SHOES!!! BUY NOW!!! Spring madness!!!',
  );
  const c2 = recorder.check({ name: 'brand', score: 0.62, threshold: 0.8, of: rewrite.step, asset: ASSET });
  const shorten = await recorder.step({ name: 'shorten', agent: model('1.0'), prompt: 'Shorten to one line.', inputs: [rewrite.step] }, async () => 'SHOES!!! BUY NOW!!!');
  const c3 = recorder.check({ name: 'brand', score: 0.55, threshold: 0.8, of: shorten.step, asset: ASSET });
  await recorder.close();
  return { draft: draft.step, rewrite: rewrite.step, shorten: shorten.step, c1: c1.check, c2: c2.check, c3: c3.check };
}

beforeAll(async () => {
  store = new MemoryRecordStore();
  blobs = new MemoryBlobStore();
  project = await Project.create('studio', director, store, tick);
  intentCid = (await project.record(director, { kind: 'intent', asset: ASSET, intent: { text: 'A warm launch post for spring shoes' } })).cid;
  runs.set('run-1', await pipeline({ run: 'run-1' }));
  // The writer takes the shortened line as the post, then edits it by hand.
  const shorten = runs.get('run-1')!.shorten!;
  createCid = (await project.record(writer, { kind: 'asset.create', asset: ASSET, out: contentCid(utf8Encode('SHOES!!! BUY NOW!!!')), in: [shorten.output!], links: [await shorten.cid()], delta: { class: 'ai' } })).cid;
  editCid = (await project.record(writer, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode('Spring shoes, made for walking.')) })).cid;
  runs.set('run-2', await pipeline({ run: 'run-2', rewriteTemperature: 0.9, rewriteText: 'Spring shoes: light, bright, yours.' }));
  runs.set('run-3', await pipeline({ run: 'run-3', draftModel: model('1.1') }));
  runs.set('run-4', await pipeline({ run: 'run-4', draftPrompt: 'Write a launch post about summer shoes.' }));
});

describe('trace', () => {
  it('goes from the asset version back through human edits and agent steps to the intent', async () => {
    const view = await LedgerView.load(store);
    const target = traceTarget(view, { asset: ASSET });
    expect(target.cid.equals(editCid)).toBe(true);
    const graph = lineageOf(view, target);
    const kinds = graph.nodes.map((n) => `${n.record.kind}${n.record.kind === 'agent.step' ? `:${(n.record.ext!['colophon.step'] as { name: string }).name}` : ''}`);
    expect(kinds).toEqual(['intent', 'agent.step:draft', 'agent.step:rewrite', 'agent.step:shorten', 'asset.create', 'asset.edit']);
    const r1 = runs.get('run-1')!;
    const edge = (from: CID, to: CID) => graph.edges.find((e) => e.from.equals(from) && e.to.equals(to))?.type;
    expect(edge(intentCid, await r1.draft!.cid())).toBe('link');
    expect(edge(await r1.draft!.cid(), await r1.rewrite!.cid())).toBe('link');
    expect(edge(await r1.shorten!.cid(), createCid)).toBe('link');
    expect(edge(createCid, editCid)).toBe('version');
    // Checks are attached to the steps they evaluated.
    expect(graph.checks.get((await r1.rewrite!.cid()).toString())!.map((c) => c.result.score)).toEqual([0.62]);
    expect(graph.missing).toEqual([]);
    expect(graph.truncated).toBe(false);
  });

  it('traces from any record CID, and says when a target is not found', async () => {
    const view = await LedgerView.load(store);
    const graph = lineageOf(view, traceTarget(view, { cid: await runs.get('run-2')!.rewrite!.cid() }));
    expect(graph.nodes.map((n) => n.record.kind)).toEqual(['intent', 'agent.step', 'agent.step']);
    expect(() => traceTarget(view, { asset: 'file:nope.md' })).toThrow(/asset "file:nope.md" has no content records/);
    expect(() => traceTarget(view, { cid: contentCid(utf8Encode('x')) })).toThrow(/is not in this ledger/);
  });
});

describe('blame', () => {
  it('finds the first step after which the check failed, the last good one, and what went into the failing step', async () => {
    const view = await LedgerView.load(store);
    const result = await blame(view, { asset: ASSET, check: 'brand', blobs });
    const r1 = runs.get('run-1')!;
    expect(result.verdict).toBe('failed');
    expect(result.culprit!.step.cid.equals(await r1.rewrite!.cid())).toBe(true);
    expect(result.culprit!.result.score).toBe(0.62);
    expect(result.lastGood!.step.cid.equals(await r1.draft!.cid())).toBe(true);
    expect(result.suspects.map((s) => s.cid.toString())).toEqual([(await r1.rewrite!.cid()).toString()]);
    const inputs = result.inputs!;
    expect(inputs.prompt).toMatchObject({ text: 'Make it punchier.', committed: true });
    expect(inputs.inputs).toHaveLength(1);
    expect(inputs.inputs[0]!.producer!.cid.equals(await r1.draft!.cid())).toBe(true);
    expect(inputs.inputs[0]!.content.text).toBe('Spring shoes are here. Light, bright, made for walking.');
    expect(inputs.agent).toEqual(model('1.0'));
    // Only the checks about this asset's lineage count (run-1 fed the post).
    expect(result.history).toHaveLength(3);
  });

  it('judges by a stricter threshold when asked, and without blobs says the prompt is private', async () => {
    const view = await LedgerView.load(store);
    const result = await blame(view, { asset: ASSET, check: 'brand', threshold: 0.95 });
    expect(result.culprit!.step.cid.equals(await runs.get('run-1')!.draft!.cid())).toBe(true);
    expect(result.lastGood).toBeUndefined();
    expect(result.inputs!.prompt).toMatchObject({ committed: true, unavailable: 'not-in-blob-store' });
  });

  it('says when a check never failed or never ran, and refuses an unknown asset', async () => {
    const view = await LedgerView.load(store);
    expect((await blame(view, { asset: ASSET, check: 'brand', threshold: 0.5 })).verdict).toBe('never-failed');
    expect((await blame(view, { asset: ASSET, check: 'pii' })).verdict).toBe('no-checks');
    await expect(blame(view, { asset: 'file:nope.md', check: 'brand' })).rejects.toThrow(/asset "file:nope.md" has no records/);
  });
});

describe('diverge', () => {
  it('finds the step where a parameter changed, and the output it led to', async () => {
    const view = await LedgerView.load(store);
    const result = await diverge(view, 'run-1', 'run-2', { blobs });
    expect(result.pairs.map((p) => p.key)).toEqual(['draft', 'rewrite']);
    expect(result.first!.key).toBe('rewrite');
    expect(result.first!.differences).toContainEqual({ field: 'params.temperature', a: '0.7', b: '0.9' });
    const output = result.first!.differences.find((d) => d.field === 'output')!;
    expect(output.a).toContain('SHOES');
    expect(output.b).toContain('Spring shoes: light');
    expect(output.at).toBe(1);
  });

  it('finds a model version change at the first step, and a prompt change with where the texts differ', async () => {
    const view = await LedgerView.load(store);
    const byModel = await diverge(view, 'run-1', 'run-3', { blobs });
    expect(byModel.first!.key).toBe('draft');
    expect(byModel.first!.differences).toEqual([{ field: 'model.version', a: '1.0', b: '1.1' }]);
    const byPrompt = await diverge(view, 'run-1', 'run-4', { blobs });
    expect(byPrompt.first!.key).toBe('draft');
    const prompt = byPrompt.first!.differences.find((d) => d.field === 'prompt')!;
    expect(prompt.at).toBe('Write a launch post about s'.length);
    expect(prompt.b).toContain('summer');
  });

  it('cannot compare private prompts without their openings, and says so rather than guess', async () => {
    const view = await LedgerView.load(store);
    const result = await diverge(view, 'run-1', 'run-4');
    // Without the blob store the prompt texts are unknown: the draft step is uncertain, not different.
    expect(result.pairs[0]!.uncertain.map((u) => u.field)).toContain('prompt');
    expect(result.pairs[0]!.differences).toEqual([]);
  });

  it('names runs by id, by the intent they serve, or by one of their steps; unknown runs are refused', async () => {
    const view = await LedgerView.load(store);
    expect(findRun(view, (await runs.get('run-3')!.shorten!.cid()).toString()).id).toBe('run-3');
    expect(findRun(view, intentCid.toString()).steps).toHaveLength(12);
    expect(listRuns(view).map((r) => [r.id, r.steps, r.checks, r.failedChecks])).toEqual([
      ['run-1', 3, 3, 2],
      ['run-2', 3, 3, 2],
      ['run-3', 3, 3, 2],
      ['run-4', 3, 3, 2],
    ]);
    expect(() => findRun(view, 'run-9')).toThrow(LineageError);
    expect(() => findRun(view, 'run-9')).toThrow(/no run "run-9" in this ledger; runs: run-1, run-2, run-3, run-4/);
    const same = await diverge(view, 'run-1', 'run-1', { blobs });
    expect(same.first).toBeUndefined();
    expect(same.pairs).toHaveLength(3);
  });
});
