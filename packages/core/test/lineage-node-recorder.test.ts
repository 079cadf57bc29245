// The Node pipeline recorder on a real project folder: records reach the CAR feeds; a process that
// ends normally without closing still writes everything (beforeExit); a process killed outright
// loses at most its unwritten queue, and the next recorder to open says exactly what was lost.
// The child processes run the BUILT core (packages/core/dist), as a user's pipeline would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CID, identityFromSeed, Project, stepPayloadOf, type DecodedRecord } from '../src/index.js';
import { CarFeedStore, FileBlobStore, JOURNAL_DIRECTORY, openNodeRecorder, useNodeCrypto, type LostReport } from '../src/node/index.js';

useNodeCrypto();

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CORE = pathToFileURL(join(ROOT, 'packages/core/dist/index.js')).href;
const CORE_NODE = pathToFileURL(join(ROOT, 'packages/core/dist/node/index.js')).href;
const owner = identityFromSeed(new Uint8Array(32).fill(1));
const AGENT = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1' } } as const;

/** A pipeline process: writes one step durably, queues three more records, then ends as told. */
const CHILD = `
const core = await import(process.env.CORE);
const node = await import(process.env.CORE_NODE);
node.useNodeCrypto();
const dir = process.env.DIR;
const store = await node.CarFeedStore.open(dir);
const owner = core.identityFromSeed(new Uint8Array(32).fill(1));
const project = await core.Project.create('crash', owner, store);
const { recorder } = await node.openNodeRecorder({ dir, project, signer: owner, blobs: new node.FileBlobStore(dir + '/blobs'), run: 'run-child', flushDelayMs: 60000 });
const agent = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1' } };
const first = await recorder.step({ name: 'draft', agent, prompt: 'write' }, async () => 'one');
await recorder.flush();
process.stdout.write(JSON.stringify({ genesis: project.id.toString(), flushed: (await first.step.cid()).toString() }) + '\\n');
const second = await recorder.step({ name: 'polish', agent, inputs: [first.step] }, async () => 'two');
await recorder.step({ name: 'shorten', agent, inputs: [second.step] }, async () => 'three');
recorder.check({ name: 'brand', score: 0.5, threshold: 0.8, of: second.step });
if (process.env.MODE === 'crash') process.kill(process.pid, 'SIGKILL');
// MODE=normal: nothing more; the process ends when its event loop is empty.
`;

async function runChild(mode: 'crash' | 'normal'): Promise<{ dir: string; genesis: CID; flushed: CID; status: number | null; signal: string | null }> {
  const base = await mkdtemp(join(tmpdir(), 'colophon-recorder-'));
  const dir = join(base, '.colophon');
  const script = join(base, 'pipeline.mjs');
  await writeFile(script, CHILD);
  const result = spawnSync(process.execPath, [script], { env: { ...process.env, CORE, CORE_NODE, DIR: dir, MODE: mode }, encoding: 'utf8' });
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`the child wrote nothing: ${result.stderr}`);
  const { genesis, flushed } = JSON.parse(line) as { genesis: string; flushed: string };
  return { dir, genesis: CID.parse(genesis), flushed: CID.parse(flushed), status: result.status, signal: result.signal };
}

async function records(dir: string): Promise<DecodedRecord[]> {
  const store = await CarFeedStore.open(dir);
  const out: DecodedRecord[] = [];
  for await (const r of store.records()) out.push(r);
  return out;
}

describe.skipIf(!existsSync(fileURLToPath(CORE)))('Node pipeline recorder', () => {
  it('writes steps to the feeds and removes its journal on close', async () => {
    const base = await mkdtemp(join(tmpdir(), 'colophon-recorder-'));
    const dir = join(base, '.colophon');
    const store = await CarFeedStore.open(dir);
    const project = await Project.create('node', owner, store);
    const { recorder, lost } = await openNodeRecorder({ dir, project, signer: owner, blobs: new FileBlobStore(join(dir, 'blobs')), run: 'run-a' });
    expect(lost).toEqual([]);
    const { step } = await recorder.step({ name: 'draft', agent: AGENT, prompt: 'hello' }, async () => 'text');
    expect(await readdir(join(dir, JOURNAL_DIRECTORY))).toHaveLength(1);
    await recorder.close();
    expect(await readdir(join(dir, JOURNAL_DIRECTORY))).toHaveLength(0);
    const written = (await records(dir)).find((r) => r.cid.equals(step.recordedCid!))!;
    expect(stepPayloadOf(written)).toMatchObject({ name: 'draft', run: 'run-a', committed: true });
    // Durations come from a monotonic clock: a whole, non-negative number of milliseconds.
    expect(Number.isSafeInteger(stepPayloadOf(written)!.ms)).toBe(true);
  });

  it('a process that ends normally without close() still writes everything (beforeExit)', async () => {
    const child = await runChild('normal');
    expect(child.status).toBe(0);
    const all = await records(child.dir);
    const names = all.map((r) => stepPayloadOf(r)?.name).filter(Boolean);
    expect(names).toEqual(['draft', 'polish', 'shorten', 'brand']);
    const store = await CarFeedStore.open(child.dir);
    const project = Project.open((await store.get(child.genesis))!, store);
    const { recorder, lost } = await openNodeRecorder({ dir: child.dir, project, signer: owner, blobs: new FileBlobStore(join(child.dir, 'blobs')), onLost: () => {} });
    expect(lost).toEqual([]);
    await recorder.close();
  });

  it('a crash loses at most the unwritten queue, and the next open says which records', async () => {
    const child = await runChild('crash');
    expect(child.signal).toBe('SIGKILL');
    const all = await records(child.dir);
    // What was flushed is there; what was only queued is not.
    expect(all.some((r) => r.cid.equals(child.flushed))).toBe(true);
    expect(all.filter((r) => r.record.kind === 'agent.step')).toHaveLength(1);

    const store = await CarFeedStore.open(child.dir);
    const project = Project.open((await store.get(child.genesis))!, store);
    const told: LostReport[] = [];
    const { recorder, lost } = await openNodeRecorder({ dir: child.dir, project, signer: owner, blobs: new FileBlobStore(join(child.dir, 'blobs')), onLost: (r) => told.push(r) });
    expect(told).toEqual(lost);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.records.map((r) => r.label)).toEqual(['agent.step polish', 'agent.step shorten', 'check brand']);
    expect(lost[0]!.records.map((r) => r.id)).toEqual(['run-child/1', 'run-child/2', 'run-child/3']);
    await recorder.close();
    // Said once: the crashed process's journal is gone.
    const again = await openNodeRecorder({ dir: child.dir, project, signer: owner, blobs: new FileBlobStore(join(child.dir, 'blobs')), onLost: () => {} });
    expect(again.lost).toEqual([]);
    await again.recorder.close();
  });
});
