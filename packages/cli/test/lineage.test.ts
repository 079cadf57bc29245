// colophon trace | blame | diverge | runs | export prov | export intoto, run in-process on a real
// project folder where a pipeline (the core recorder) and people (the record command) worked.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTOTO_PAYLOAD_TYPE, PipelineRecorder, utf8Decode, base64Decode, verifyEnvelope, type AiAgent, type DsseEnvelope, type RecordHandle } from '@colophon/core';
import { idNew } from '../src/commands/id.js';
import { init } from '../src/commands/init.js';
import { record } from '../src/commands/record.js';
import { openWorkspace } from '../src/workspace.js';
import { type InProcessResult, capture, colophonInProcess, quiet } from './helpers.js';

const ASSET = 'file:post.md';
const model = (temperature: number): AiAgent => ({ type: 'ai', model: { provider: 'local', name: 'drafter', version: '1.0' }, params: { temperature } });

let base: string;
let dir: string;
let previousKeys: string | undefined;
const steps = new Map<string, Record<string, RecordHandle>>();
let intent = '';

type Result = InProcessResult;

async function colophon(...argv: string[]): Promise<Result> {
  return colophonInProcess(dir, ...argv);
}


/** One pipeline run in the workspace, signed by the "agent" identity. */
async function pipeline(run: string, rewriteTemperature: number, rewriteText: string): Promise<Record<string, RecordHandle>> {
  const ws = await openWorkspace(dir);
  const signer = (await ws.keys.get('agent'))!;
  const recorder = new PipelineRecorder({ project: ws.project, signer, blobs: ws.blobs, run });
  recorder.intentServed = (await import('@colophon/core')).parseCid(intent);
  const draft = await recorder.step({ name: 'draft', agent: model(0.7), prompt: 'Write a launch post about spring shoes.' }, async () => 'Spring shoes are here. Light, bright, made for walking.');
  recorder.check({ name: 'brand', score: 0.91, threshold: 0.8, of: draft.step, asset: ASSET, agent: { type: 'tool', name: 'brand-checker', version: '2' } });
  const rewrite = await recorder.step({ name: 'rewrite', agent: model(rewriteTemperature), prompt: 'Make it punchier.', inputs: [draft.step] }, async () => rewriteText);
  recorder.check({ name: 'brand', score: rewriteText.includes('!!!') ? 0.62 : 0.88, threshold: 0.8, of: rewrite.step, asset: ASSET, agent: { type: 'tool', name: 'brand-checker', version: '2' } });
  await recorder.close();
  return { draft: draft.step, rewrite: rewrite.step };
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-lineage-'));
  dir = join(base, 'studio');
  await mkdir(dir, { recursive: true });
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  await init(dir, { name: 'Lineage', as: 'dana' }, quiet);
  for (const name of ['wes', 'agent']) await idNew(dir, name, {}, quiet);
  intent = await capture((io) => record(dir, 'intent', { asset: ASSET, prompt: 'A warm launch post for spring shoes', as: 'dana' }, io));
  steps.set('run-1', await pipeline('run-1', 0.7, 'SHOES!!! BUY NOW!!! Spring madness!!!'));
  steps.set('run-2', await pipeline('run-2', 0.2, 'Spring shoes: light, bright, yours.'));
  const rewrite = steps.get('run-1')!.rewrite!;
  await writeFile(join(dir, 'post.md'), 'SHOES!!! BUY NOW!!! Spring madness!!!');
  await record(dir, 'asset.create', { asset: ASSET, file: join(dir, 'post.md'), link: [(await rewrite.cid()).toString()], as: 'wes' }, quiet);
  await writeFile(join(dir, 'post.md'), 'Spring shoes, made for walking.');
  await record(dir, 'asset.edit', { asset: ASSET, file: join(dir, 'post.md'), as: 'wes' }, quiet);
});

afterAll(() => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
});

describe('colophon trace', () => {
  it('prints the path from the intent through agent steps and edits to the version', async () => {
    const result = await colophon('trace', '--asset', ASSET);
    expect(result.code, result.err).toBe(0);
    const out = result.out;
    expect(out).toMatch(/^Lineage of file:post\.md \S+ \(edited by wes, .*\): 5 records/);
    expect(out).toMatch(/\[1\] intent · dana/);
    expect(out).toMatch(/brief: "A warm launch post for spring shoes"/);
    expect(out).toMatch(/\[2\] step "draft" · local\/drafter@1\.0 \(temperature 0\.7\) · signed by agent/);
    expect(out).toMatch(/prompt: \(private: only its commitment is on the ledger\)/);
    expect(out).toMatch(/✓ brand 0\.91 \(≥ 0\.8\)/);
    expect(out).toMatch(/\[3\] step "rewrite"[\s\S]*from \[1\], \[2\]/);
    expect(out).toMatch(/✗ brand 0\.62 \(< 0\.8\)/);
    expect(out).toMatch(/\[5\] edited · wes, by hand[\s\S]*from \[4\] \(previous version\)[\s\S]*← this version/);
  });

  it('answers in JSON, traces from a CID, and refuses bad targets', async () => {
    const json = JSON.parse((await colophon('trace', '--asset', ASSET, '--json')).out) as { nodes: { kind: string; title: string; checks: unknown[] }[]; edges: unknown[] };
    expect(json.nodes.map((n) => n.title)).toEqual(['intent', 'step "draft"', 'step "rewrite"', 'created', 'edited']);
    expect(json.nodes[1]!.checks).toHaveLength(1);
    const fromCid = await colophon('trace', (await steps.get('run-2')!.rewrite!.cid()).toString());
    expect(fromCid.code).toBe(0);
    expect(fromCid.out).toMatch(/: 3 records/);
    expect((await colophon('trace', '--asset', 'file:nope.md')).err).toMatch(/asset "file:nope.md" has no content records/);
    expect((await colophon('trace', 'not-a-cid')).code).toBe(2);
    expect((await colophon('trace')).err).toMatch(/name a record CID or --asset/);
  });
});

describe('colophon blame', () => {
  it('names the first step after which the check failed, with what went into it', async () => {
    const result = await colophon('blame', '--asset', ASSET, '--check', 'brand');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^Check "brand" on file:post\.md first failed after step "rewrite" \(\S+\)\./);
    expect(result.out).toMatch(/score 0\.62, threshold 0\.8/);
    expect(result.out).toMatch(/it last passed after step "draft" \(score 0\.91\)/);
    expect(result.out).toMatch(/What went into step "rewrite":/);
    expect(result.out).toMatch(/agent {4}local\/drafter@1\.0 \(temperature 0\.7\)/);
    expect(result.out).toMatch(/prompt {3}"Make it punchier\."  \(private: opened from this machine's blob store\)/);
    expect(result.out).toMatch(/input {4}output of step "draft": "Spring shoes are here\. Light, bright, made for walking\."/);
    expect(result.out).toMatch(/History of "brand":\n {2}✓ 0\.91 {3}after step "draft"/);
  });

  it('answers in JSON, judges by --threshold, and refuses a bad one', async () => {
    const json = JSON.parse((await colophon('blame', '--asset', ASSET, '--check', 'brand', '--json')).out) as { verdict: string; culprit: { step: { title: string } }; inputs: { prompt: { text: string } } };
    expect(json.verdict).toBe('failed');
    expect(json.culprit.step.title).toBe('step "rewrite"');
    expect(json.inputs.prompt.text).toBe('Make it punchier.');
    expect((await colophon('blame', '--asset', ASSET, '--check', 'brand', '--threshold', '0.5')).out).toMatch(/never failed/);
    const bad = await colophon('blame', '--asset', ASSET, '--check', 'brand', '--threshold', 'high');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--threshold "high" must be a number/);
    expect((await colophon('blame', '--asset', ASSET, '--check', 'pii')).out).toMatch(/No "pii" check about file:post\.md was recorded/);
  });
});

describe('colophon diverge and runs', () => {
  it('shows where two runs part and what differed', async () => {
    const result = await colophon('diverge', 'run-1', 'run-2');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^Runs run-1 \(2 steps\) and run-2 \(2 steps\) first differ at step "rewrite":/);
    expect(result.out).toMatch(/params\.temperature {2}0\.7 {2}→ {2}0\.2/);
    expect(result.out).toMatch(/output +SHOES!!! .* {2}→ {2}Spring shoes: light, bright, yours\.  \(from character 1\)/);
    expect(result.out).toMatch(/Steps before it match: draft\./);
    const json = JSON.parse((await colophon('diverge', 'run-1', intent, '--json')).out) as { identical: boolean; runB: string };
    expect(json.runB).toBe(`intent:${intent}`);
    const unknown = await colophon('diverge', 'run-1', 'run-9');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no run "run-9" in this ledger; runs: run-1, run-2/);
  });

  it('lists runs', async () => {
    const result = await colophon('runs');
    expect(result.out.split('\n')).toHaveLength(2);
    expect(result.out).toMatch(/^run-1 .* 2 step\(s\) · 2 check\(s\), 1 failed · draft → rewrite/);
    expect(JSON.parse((await colophon('runs', '--json')).out)).toHaveLength(2);
  });
});

describe('colophon export prov | intoto', () => {
  it('writes PROV-JSON of the asset version', async () => {
    const out = join(base, 'post.prov.json');
    const result = await colophon('export', 'prov', '--asset', ASSET, '--out', out);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/Wrote W3C PROV-JSON of file:post\.md \S+ to .*post\.prov\.json: \d+ entities, \d+ activities, \d+ agents\./);
    const doc = JSON.parse(await readFile(out, 'utf8')) as { prefix: Record<string, string>; activity: Record<string, unknown> };
    expect(doc.prefix.colophon).toBeDefined();
    expect(Object.keys(doc.activity).length).toBeGreaterThanOrEqual(4);
    const printed = JSON.parse((await colophon('export', 'prov', '--asset', ASSET)).out) as object;
    expect(printed).toEqual(doc);
  });

  it('writes an in-toto statement in a DSSE envelope signed by the chosen identity', async () => {
    const out = join(base, 'post.intoto.json');
    const result = await colophon('export', 'intoto', '--asset', ASSET, '--out', out, '--as', 'wes');
    expect(result.code, result.err).toBe(0);
    const ws = await openWorkspace(dir);
    const wes = (await ws.keys.get('wes'))!;
    expect(result.out).toContain(`signed by wes (${wes.did})`);
    const envelope = JSON.parse(await readFile(out, 'utf8')) as DsseEnvelope;
    expect(envelope.payloadType).toBe(INTOTO_PAYLOAD_TYPE);
    expect(verifyEnvelope(envelope, wes.did).signers).toEqual([wes.did]);
    const statement = JSON.parse(utf8Decode(base64Decode(envelope.payload))) as { subject: { name: string }[]; predicate: { lineage: { agentSteps: number } } };
    expect(statement.subject[0]!.name).toBe('post.md');
    expect(statement.predicate.lineage.agentSteps).toBe(2);
    expect((await colophon('export', 'intoto', '--asset', ASSET, '--as', 'nobody')).err).toMatch(/no identity named "nobody"/);
  });
});
