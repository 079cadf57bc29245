// Several real processes write one project's ledger at once (an editor host, a watcher, an agent
// hook and the CLI will): 4 writer processes x 200 records, all on ONE signer's feed, so every
// append races the others for the same head. Every append must succeed, every acknowledged record
// must be there exactly once, the feed must be one unbroken chain, and a store opened before the
// writers started must see all of it (queries catch up on other processes' appends).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Project, identityFromSeed, type DecodedRecord } from '../packages/core/src/index.js';
import { CarFeedStore, useNodeCrypto, verifyWorkspace, writeProjectFiles } from '../packages/core/src/node/index.js';

useNodeCrypto();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'test/fixtures-scripts/concurrent-writer.mjs');
const WRITERS = 4;
const RECORDS_EACH = 200;

const owner = identityFromSeed(new Uint8Array(32).fill(1));
const carlSeed = new Uint8Array(32).fill(7);
const carl = identityFromSeed(carlSeed);
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

function writer(dir: string, genesis: string, tag: string): Promise<{ code: number | null; acked: string[]; done: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [SCRIPT, dir, genesis, Buffer.from(carlSeed).toString('hex'), String(RECORDS_EACH), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.on('close', (code) => {
      const lines = stdout.split('\n').filter(Boolean);
      resolve({ code, acked: lines.filter((l) => l !== 'done'), done: lines.includes('done'), stderr });
    });
  });
}

describe('concurrent writers', () => {
  it(`${WRITERS} processes x ${RECORDS_EACH} records on one feed: no failed or lost append, and a long-lived store sees them all`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'colophon-writers-'));
    temps.push(root);
    const dir = join(root, '.colophon');
    const store = await CarFeedStore.open(dir);
    const project = await Project.create('writers', owner, store);
    await writeProjectFiles(dir, project.id.toString(), undefined);
    // Queried once before the writers start, so its index is warm and must catch up later.
    expect(await store.query({ signer: carl.did })).toEqual([]);

    const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(dir, project.id.toString(), `w${i}`)));
    for (const [i, result] of results.entries()) {
      expect(result.stderr, `writer ${i}`).toBe('');
      expect(result.code, `writer ${i}`).toBe(0);
      expect(result.done).toBe(true);
      expect(result.acked).toHaveLength(RECORDS_EACH);
    }
    const acked = results.flatMap((r) => r.acked);
    expect(new Set(acked).size).toBe(WRITERS * RECORDS_EACH);

    // The store opened before the writers sees every append, through each way of asking.
    const seen = (await store.query({ signer: carl.did })).map(String);
    expect(new Set(seen)).toEqual(new Set(acked));
    expect((await store.query({ asset: 'file:w3.md' })).length).toBe(RECORDS_EACH);
    expect((await store.head(carl.did))?.seq).toBe(WRITERS * RECORDS_EACH - 1);
    // One unbroken chain: seq 0..799, each prev the record before.
    const feed: DecodedRecord[] = [];
    for await (const record of store.records()) if (record.record.by === carl.did) feed.push(record);
    expect(feed.map((r) => r.record.seq)).toEqual([...Array(WRITERS * RECORDS_EACH).keys()]);
    feed.forEach((record, i) => {
      if (i > 0) expect(record.record.prev?.equals(feed[i - 1]!.cid)).toBe(true);
    });
    const report = await verifyWorkspace(root);
    expect(report.findings).toEqual([]);
    expect(report.records).toBe(1 + WRITERS * RECORDS_EACH);
  }, 300_000);
});
