// Peak RSS of verifying a 1M-record ledger from disk (issue 3). On demand, not in CI: `npm run
// bench` runs it when BENCH_HUGE=1. Building the ledger takes a few minutes on 2 cores.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, signRecord, contentCid, verifyBlocks } from '../packages/core/dist/index.js';
import { useNodeCrypto, CarFeedStore, feedBlocks, parallelSignatureVerifier } from '../packages/core/dist/node/index.js';
useNodeCrypto();
const count = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'rss-'));
const people = Array.from({ length: 8 }, () => generateIdentity());
const genesis = signRecord({ kind: 'project.genesis', by: people[0].did, seq: 0, at: 1_764_000_000_000, ext: { 'colophon.project': { name: 'rss' } } }, people[0]);
const store = await CarFeedStore.open(dir);
await store.appendMany([genesis]);
const heads = new Map([[people[0].did, { seq: 0, cid: genesis.cid }]]);
let batch = []; let last = genesis.cid;
for (let i = 1; i < count; i++) {
  const who = people[i % 8]; const head = heads.get(who.did);
  const f = { kind: 'asset.edit', proj: genesis.cid, by: who.did, seq: head ? head.seq + 1 : 0, asset: `file:${i % 40}.md`, out: contentCid(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)), at: 1_764_000_000_000 + i, links: [last], delta: { text: [[0, 0, 12, 'human']] } };
  if (head) f.prev = head.cid;
  const s = signRecord(f, who); heads.set(who.did, { seq: f.seq, cid: s.cid }); last = s.cid; batch.push(s);
  if (batch.length === 5000) { await store.appendMany(batch); batch = []; }
}
await store.appendMany(batch); batch = [];
const before = process.resourceUsage().maxRSS / 1024;
// Verify in a fresh process so the figure is verification's own, not building's.
console.error(`bench: built a ${count}-record ledger (peak RSS while building ${Math.round(before)} MB)`);
const { spawnSync } = await import('node:child_process');
const child = spawnSync(process.execPath, [...(process.env.BENCH_VERIFY_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_VERIFY_HEAP_MB}`] : []), '--input-type=module', '-e', `
import { verifyBlocks } from '${new URL('../packages/core/dist/index.js', import.meta.url)}';
import { useNodeCrypto, feedBlocks, parallelSignatureVerifier } from '${new URL('../packages/core/dist/node/index.js', import.meta.url)}';
useNodeCrypto();
const t = performance.now();
const r = await verifyBlocks(feedBlocks(${JSON.stringify(dir)}, () => {}), { verifySignatures: parallelSignatureVerifier() });
const mb = process.resourceUsage().maxRSS / 1024; if (!r.ok) process.exitCode = 1; console.log(JSON.stringify({ name: 'ledger.verify.' + r.records + '.peak-rss (parallel signatures, from disk; ' + Math.round((performance.now() - t) / 1000) + ' s)', value: Math.round(mb), unit: 'MB', baseline: 300, ratio: +(300 / mb).toFixed(3), target: 1, pass: mb <= 300 }));
`], { stdio: ['ignore', 'inherit', 'inherit'] });
await rm(dir, { recursive: true, force: true });
process.exitCode = child.status ?? 1;
