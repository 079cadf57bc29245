// The pipeline recorder (platform-neutral core): steps, intents and checks become valid signed
// records; signing happens off the caller's path in batches; privacy by commitment; clear errors.
import { describe, expect, it } from 'vitest';
import {
  CHECK_EXT,
  LineageError,
  MemoryBlobStore,
  MemoryRecordStore,
  PipelineRecorder,
  Project,
  STEP_EXT,
  contentCid,
  generateStep,
  identityFromSeed,
  openCommitment,
  stepPayloadOf,
  utf8Encode,
  verifyBlocks,
  type AiAgent,
  type CID,
  type RecordQuery,
  type RecordStore,
  type DecodedRecord,
  type GenerateRequest,
  type Generation,
  type RawBlock,
  type TextGenerator,
} from '../src/index.js';
import { useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const owner = identityFromSeed(new Uint8Array(32).fill(1));
const agentKey = identityFromSeed(new Uint8Array(32).fill(2));
const checkerKey = identityFromSeed(new Uint8Array(32).fill(3));
const DRAFTER: AiAgent = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1.0' }, params: { temperature: 0.7 } };
/** A scheduler that never fires: records are written only by flush() (or a full batch). */
const manual = () => () => {};

/** A real store that counts group commits. */
class CountingStore extends MemoryRecordStore {
  readonly batches: number[] = [];
  override async appendMany(records: readonly DecodedRecord[]): Promise<void> {
    this.batches.push(records.length);
    for (const record of records) await this.append(record);
  }
}

async function setup(store: RecordStore = new MemoryRecordStore()) {
  const project = await Project.create('pipeline', owner, store, () => 1_700_000_000_000);
  return { project, store, blobs: new MemoryBlobStore() };
}

async function all(store: RecordStore): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  for await (const r of store.records()) out.push(r);
  return out;
}

async function verifyAll(store: RecordStore, genesis: Project['id']) {
  const blocks: RawBlock[] = (await all(store)).map((r, i) => ({ source: 'memory', position: i, cid: r.cid, bytes: r.bytes }));
  return verifyBlocks(blocks, { genesis });
}

/** A deterministic local generator (a real TextGenerator, not a mock). */
class EchoGenerator implements TextGenerator {
  readonly agent = DRAFTER;
  agentFor?: TextGenerator['agentFor'];
  calls = 0;
  async generate(request: GenerateRequest): Promise<Generation> {
    this.calls++;
    const last = request.messages[request.messages.length - 1]!.content;
    return { text: `Draft: ${last}`, tokens: { in: last.length, out: last.length + 7 }, model: 'drafter-1.0.3' };
  }
}

describe('pipeline recorder', () => {
  it('records an intent, agent steps with parents and inputs, and a check, all valid and verifiable', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, run: 'run-1', schedule: manual });
    const brief = recorder.intent({ text: 'Launch post for the spring collection', asset: 'file:post.md', disclose: true });
    const draft = await recorder.step({ name: 'draft', agent: DRAFTER, prompt: 'Write the launch post' }, async () => 'Spring is here.');
    const polish = await recorder.step({ name: 'polish', agent: DRAFTER, prompt: 'Polish it', inputs: [draft.step] }, async () => 'Spring is finally here!');
    const { result, check } = recorder.check({ name: 'brand', score: 0.62, threshold: 0.8, of: polish.step, asset: 'file:post.md', agent: { type: 'tool', name: 'brand-checker', version: '2' } });
    expect(result.pass).toBe(false);
    expect(polish.value).toBe('Spring is finally here!');
    await recorder.flush();

    const briefCid = await brief.cid();
    const draftCid = await draft.step.cid();
    const polishRecord = (await store.get(await polish.step.cid()))!.record;
    expect(polishRecord.kind).toBe('agent.step');
    expect(polishRecord.agent).toEqual(DRAFTER);
    expect(polishRecord.links!.map(String)).toEqual([briefCid.toString(), draftCid.toString()]);
    expect(polishRecord.in!.map(String)).toEqual([draft.step.output!.toString()]);
    const payload = stepPayloadOf({ cid: await polish.step.cid(), record: polishRecord })!;
    expect(payload).toMatchObject({ v: 1, name: 'polish', run: 'run-1', committed: true });
    expect(payload.intent!.equals(briefCid)).toBe(true);
    expect(typeof payload.ms).toBe('number');

    // Private by default: the prompt and output are commitments; their openings are in the blob store.
    expect('commit' in polishRecord.intent!).toBe(true);
    const promptCommit = (polishRecord.intent as { commit: typeof draftCid }).commit;
    expect(openCommitment(promptCommit, (await blobs.get(promptCommit))!)).toBe('Polish it');
    expect(openCommitment(polishRecord.out!, (await blobs.get(polishRecord.out!))!)).toBe('Spring is finally here!');
    // The disclosed brief is in the clear.
    expect((await store.get(briefCid))!.record.intent).toEqual({ text: 'Launch post for the spring collection' });

    const checkRecord = (await store.get(await check.cid()))!.record;
    expect(checkRecord.kind).toBe('check');
    expect(checkRecord.ext![CHECK_EXT]).toEqual({ name: 'brand', score: 0.62, pass: false, threshold: 0.8 });
    expect((checkRecord.ext![STEP_EXT] as { run: string }).run).toBe('run-1');
    expect(checkRecord.links!.map(String)).toEqual([(await polish.step.cid()).toString()]);

    const report = await verifyAll(store, project.id);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('keeps signing off the caller\'s path: a step returns before its record exists, and batches are group-committed', async () => {
    const store = new CountingStore();
    const { project, blobs } = await setup(store);
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, batchSize: 4, schedule: manual });
    const steps = [];
    for (let i = 0; i < 3; i++) steps.push((await recorder.step({ name: `s${i}`, agent: DRAFTER }, async () => `out ${i}`)).step);
    // Nothing signed yet: the records wait in the queue.
    expect(recorder.pending).toBe(3);
    expect(steps[0]!.recordedCid).toBeUndefined();
    expect(await store.head(agentKey.did)).toBeUndefined();
    // The 4th fills a batch, which is written in the background.
    steps.push((await recorder.step({ name: 's3', agent: DRAFTER }, async () => 'out 3')).step);
    for (let i = 4; i < 10; i++) steps.push((await recorder.step({ name: `s${i}`, agent: DRAFTER }, async () => `out ${i}`)).step);
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect(store.batches).toEqual([4, 4, 2]);
    const cids = await Promise.all(steps.map((s) => s.cid()));
    const seqs = await Promise.all(cids.map(async (cid) => (await store.get(cid))!.record.seq));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('writes a partial batch by itself after the delay, with the platform timer', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, flushDelayMs: 5 });
    const { step } = await recorder.step({ name: 'draft', agent: DRAFTER }, async () => 'text');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(step.recordedCid).toBeDefined();
    expect((await store.get(step.recordedCid!))!.record.kind).toBe('agent.step');
  });

  it('records a failed call as a failed step and rethrows the error unchanged', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const boom = new Error('model overloaded');
    await expect(recorder.step({ name: 'draft', agent: DRAFTER, prompt: 'p' }, async () => Promise.reject(boom))).rejects.toBe(boom);
    await recorder.flush();
    const records = (await all(store)).filter((r) => r.record.kind === 'agent.step');
    expect(records).toHaveLength(1);
    expect(records[0]!.record.out).toBeUndefined();
    expect(stepPayloadOf(records[0]!)!.error).toBe('model overloaded');
  });

  it('stores disclosed outputs and bytes as raw content', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const text = await recorder.step({ name: 'caption', agent: DRAFTER, prompt: 'public prompt', disclose: { prompt: true, output: true } }, async () => 'A public caption');
    const image = await recorder.step({ name: 'render', agent: DRAFTER }, async () => new Uint8Array([137, 80, 78, 71]));
    await recorder.flush();
    const textRecord = (await store.get(await text.step.cid()))!.record;
    expect(textRecord.intent).toEqual({ text: 'public prompt' });
    expect(textRecord.out!.equals(contentCid(utf8Encode('A public caption')))).toBe(true);
    expect(stepPayloadOf({ cid: await text.step.cid(), record: textRecord })!.committed).toBeUndefined();
    const imageRecord = (await store.get(await image.step.cid()))!.record;
    expect(imageRecord.out!.equals(contentCid(new Uint8Array([137, 80, 78, 71])))).toBe(true);
    expect(await blobs.get(imageRecord.out!)).toEqual(new Uint8Array([137, 80, 78, 71]));
  });

  it('refuses a bad agent on the caller\'s path, naming the field', async () => {
    const { project, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const bad = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '' } } as AiAgent;
    await expect(recorder.step({ name: 'draft', agent: bad }, async () => 'x')).rejects.toThrow(/agent\.model\.version must not be empty/);
    await expect(recorder.step({ name: 'draft', agent: { ...DRAFTER, params: { temperature: undefined as unknown as number } } }, async () => 'x')).rejects.toThrow(LineageError);
    await expect(recorder.step({ name: ' bad name', agent: DRAFTER }, async () => 'x')).rejects.toThrow(/step name/);
    expect(() => recorder.check({ name: 'brand', score: 1, of: [] })).toThrow(/"of" must name/);
  });

  it('links records across recorders (two signers), whichever flushes first', async () => {
    const { project, store, blobs } = await setup();
    const drafter = new PipelineRecorder({ project, signer: agentKey, blobs, run: 'run-x', schedule: manual });
    const checker = new PipelineRecorder({ project, signer: checkerKey, blobs, run: 'run-x', schedule: manual });
    const a1 = (await drafter.step({ name: 'draft', agent: DRAFTER }, async () => 'one')).step;
    const b1 = (await checker.step({ name: 'rate', agent: DRAFTER, inputs: [a1] }, async () => '0.9')).step;
    const a2 = (await drafter.step({ name: 'revise', agent: DRAFTER, inputs: [b1] }, async () => 'two')).step;
    // The drafter's batch needs the checker's record, which needs the drafter's first: no deadlock.
    await drafter.flush();
    await checker.flush();
    const revise = (await store.get(await a2.cid()))!.record;
    expect(revise.links!.map(String)).toEqual([(await b1.cid()).toString()]);
    expect((await verifyAll(store, project.id)).ok).toBe(true);
  });

  it('signs the batch again when another writer extended the feed meanwhile (a store without appendOnHead)', async () => {
    /** A store that cannot read, sign and append as one step: another writer slips in before the first append. */
    class RacingStore implements RecordStore {
      private readonly inner = new MemoryRecordStore();
      raced = false;
      project?: Project;
      async append(record: DecodedRecord): Promise<void> {
        if (!this.raced && this.project && record.record.by === agentKey.did) {
          this.raced = true;
          await this.project.record(agentKey, { kind: 'review', links: [this.project.id] });
        }
        await this.inner.append(record);
      }
      head = (signer: string) => this.inner.head(signer);
      get = (cid: CID) => this.inner.get(cid);
      records = () => this.inner.records();
      signers = () => this.inner.signers();
      query = (query: RecordQuery) => this.inner.query(query);
      children = (cid: CID) => this.inner.children(cid);
    }
    const store = new RacingStore();
    const { project, blobs } = await setup(store);
    store.project = project;
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const { step } = await recorder.step({ name: 'draft', agent: DRAFTER }, async () => 'x');
    await recorder.flush();
    expect(store.raced).toBe(true);
    // The racing review took seq 0; the step, signed again on the new head, follows it.
    const review = (await store.query({ kind: 'review' }))[0]!;
    expect((await store.get(review))!.record.seq).toBe(0);
    const stepRecord = (await store.get(await step.cid()))!.record;
    expect(stepRecord.seq).toBe(1);
    expect(stepRecord.prev?.equals(review)).toBe(true);
    expect((await verifyAll(store, project.id)).ok).toBe(true);
  });

  it('a store with appendOnHead lets no writer slip in: concurrent steps and records all land, none re-signed', async () => {
    const store = new CountingStore();
    const { project, blobs } = await setup(store);
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const steps = await Promise.all(Array.from({ length: 5 }, (_, i) => recorder.step({ name: `s${i}`, agent: DRAFTER }, async () => `x${i}`)));
    await Promise.all([recorder.flush(), ...Array.from({ length: 5 }, () => project.record(agentKey, { kind: 'review', links: [project.id] }))]);
    const seqs = (await all(store)).filter((r) => r.record.by === agentKey.did).map((r) => r.record.seq);
    expect(seqs).toEqual([...Array(10).keys()]);
    for (const { step } of steps) expect(await step.cid()).toBeDefined();
    expect((await verifyAll(store, project.id)).ok).toBe(true);
  });

  it('refuses a record whose parent was never recorded, saying which, and writes the rest', async () => {
    const { project, store, blobs } = await setup();
    const failing = new PipelineRecorder({ project, signer: checkerKey, blobs: { put: async () => Promise.reject(new Error('disk full')), get: async () => undefined, has: async () => false, delete: async () => false }, schedule: manual });
    const orphanParent = (await failing.step({ name: 'draft', agent: DRAFTER }, async () => 'x')).step;
    await expect(failing.flush()).rejects.toThrow('disk full');
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const ok = (await recorder.step({ name: 'fine', agent: DRAFTER }, async () => 'y')).step;
    const child = (await recorder.step({ name: 'child', agent: DRAFTER, inputs: [orphanParent] }, async () => 'z')).step;
    await expect(recorder.flush()).rejects.toThrow(/agent\.step child was not recorded: .*draft is not written yet/);
    expect(ok.recordedCid).toBeDefined();
    await expect(child.cid()).rejects.toThrow(LineageError);
    expect((await all(store)).filter((r) => r.record.kind === 'agent.step')).toHaveLength(1);
  });

  it('records generator calls with the model that answered, its parameters and token usage', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const generator = new EchoGenerator();
    generator.agentFor = (request: GenerateRequest, g: Generation) => ({ ...DRAFTER, model: { ...DRAFTER.model, version: g.model! }, params: { ...DRAFTER.params, ...request.params } });
    const { value, step } = await generateStep(recorder, generator, { name: 'draft', messages: [{ role: 'user', content: 'hello' }], params: { seed: 7 } });
    expect(value.text).toBe('Draft: hello');
    await recorder.flush();
    const record = (await store.get(await step.cid()))!;
    expect(record.record.agent).toEqual({ type: 'ai', model: { provider: 'local', name: 'drafter', version: 'drafter-1.0.3' }, params: { temperature: 0.7, seed: 7 } });
    expect(stepPayloadOf(record)!.tokens).toEqual({ in: 5, out: 12 });
    expect(openCommitment((record.record.intent as { commit: typeof record.cid }).commit, (await blobs.get((record.record.intent as { commit: typeof record.cid }).commit))!)).toBe('hello');
  });

  it('refuses records after close, and close writes what was queued', async () => {
    const { project, store, blobs } = await setup();
    const recorder = new PipelineRecorder({ project, signer: agentKey, blobs, schedule: manual });
    const { step } = await recorder.step({ name: 'draft', agent: DRAFTER }, async () => 'x');
    await recorder.close();
    expect(step.recordedCid).toBeDefined();
    expect(await store.get(step.recordedCid!)).toBeDefined();
    expect(() => recorder.intent({ text: 'late' })).toThrow(/closed/);
  });
});
