// Ledger figures (issue 3): verification throughput vs a raw node:crypto loop over the same
// signatures, bulk durable append, and interactive append latency. Prints JSON lines.
// BENCH_RECORDS (default 100000) sets the ledger size; peak RSS at 1M is bench/ledger-rss.mjs.
import { createPublicKey, verify as rawVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project, generateIdentity, signRecord, contentCid, verifyBlocks, verifyDecodedSignature, signedMessageOf, publicKeyFromDidKey } from '../packages/core/dist/index.js';
import { useNodeCrypto, CarFeedStore, feedBlocks, parallelSignatureVerifier } from '../packages/core/dist/node/index.js';

useNodeCrypto();
const emit = (figure) => console.log(JSON.stringify({ ...figure, pass: figure.target === undefined ? undefined : figure.ratio >= figure.target }));
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Builds `count` signed records spread over a few signers, as one project would have them. */
function buildRecords(count, signers = 8) {
  const people = Array.from({ length: signers }, () => generateIdentity());
  const owner = people[0];
  const genesis = signRecord({ kind: 'project.genesis', by: owner.did, seq: 0, at: 1_764_000_000_000, ext: { 'colophon.project': { name: 'bench' } } }, owner);
  const records = [genesis];
  const heads = new Map([[owner.did, { seq: 0, cid: genesis.cid }]]);
  for (let i = 1; i < count; i++) {
    const who = people[i % signers];
    const head = heads.get(who.did);
    const fields = {
      kind: i % 3 === 0 ? 'ai.generate' : 'asset.edit',
      proj: genesis.cid,
      by: who.did,
      seq: head ? head.seq + 1 : 0,
      asset: `file:chapters/${i % 40}.md`,
      out: contentCid(Uint8Array.of(i & 255, (i >> 8) & 255, (i >> 16) & 255)),
      at: 1_764_000_000_000 + i,
      links: [records[i - 1].cid],
      delta: { text: [[0, 0, 12, i % 3 === 0 ? 'ai' : 'human']] },
    };
    if (head) fields.prev = head.cid;
    if (i % 3 === 0) fields.agent = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2025-06' }, params: { temperature: 0.7 } };
    const signed = signRecord(fields, who);
    heads.set(who.did, { seq: fields.seq, cid: signed.cid });
    records.push(signed);
  }
  return records;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const count = Number(process.env.BENCH_RECORDS ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'colophon-bench-ledger-'));
  try {
    const records = buildRecords(count);

    // Bulk durable append: group commit in batches, fdatasync per batch.
    const store = await CarFeedStore.open(dir);
    const batch = 2000;
    let t = performance.now();
    for (let i = 0; i < records.length; i += batch) await store.appendMany(records.slice(i, i + batch));
    const appendSeconds = (performance.now() - t) / 1000;
    emit({ name: 'ledger.append.bulk (group commit, 2000/batch, fdatasync each)', value: Math.round(count / appendSeconds), unit: 'records/s', baseline: 20_000, ratio: +(count / appendSeconds / 20_000).toFixed(3), target: 1 });

    // The raw loop: node:crypto verify over the very same messages and signatures, keys prepared.
    const keys = new Map();
    const inputs = records.map((r) => {
      let key = keys.get(r.record.by);
      if (!key) keys.set(r.record.by, (key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKeyFromDidKey(r.record.by)]), format: 'der', type: 'spki' })));
      return { message: signedMessageOf(r.bytes), sig: r.record.sig, key };
    });
    const rawRuns = [];
    for (let run = 0; run < 3; run++) {
      t = performance.now();
      for (const { message, sig, key } of inputs) if (!rawVerify(null, message, key, sig)) throw new Error('raw verify failed');
      rawRuns.push(count / ((performance.now() - t) / 1000));
    }
    const raw = median(rawRuns);

    // Ours, whole pipeline from disk: read feeds, check CIDs, decode and validate, signatures,
    // chains, links, roles.
    const ours = async (verifySignatures) => {
      const runs = [];
      for (let run = 0; run < 3; run++) {
        t = performance.now();
        const report = await verifyBlocks(feedBlocks(dir, () => {}), { verifySignatures });
        if (!report.ok || report.records !== count) throw new Error(`bench ledger did not verify: ${JSON.stringify(report.findings.slice(0, 3))}`);
        runs.push(count / ((performance.now() - t) / 1000));
      }
      return median(runs);
    };
    const single = await ours(async (batch) => batch.map(verifyDecodedSignature));
    emit({ name: `ledger.verify.${count}.one-thread (whole pipeline from disk) vs raw node:crypto verify loop`, value: Math.round(single), unit: 'records/s', baseline: Math.round(raw), ratio: +(single / raw).toFixed(3), target: 0.85 });
    const parallel = await ours(parallelSignatureVerifier());
    emit({ name: `ledger.verify.${count}.parallel (libuv pool) vs raw single-thread loop`, value: Math.round(parallel), unit: 'records/s', baseline: Math.round(raw), ratio: +(parallel / raw).toFixed(3), target: 1.6 });

    // Interactive append: one record signed, appended under the lock and fdatasync'ed.
    const interactiveDir = await mkdtemp(join(tmpdir(), 'colophon-bench-interactive-'));
    const interactive = await CarFeedStore.open(interactiveDir);
    const me = generateIdentity();
    const project = await Project.create('interactive', me, interactive);
    const latencies = [];
    for (let i = 0; i < 300; i++) {
      t = performance.now();
      await project.record(me, { kind: 'asset.edit', asset: 'file:a.md', out: contentCid(Uint8Array.of(i & 255, i >> 8)) });
      latencies.push(performance.now() - t);
    }
    await rm(interactiveDir, { recursive: true, force: true });
    emit({ name: 'ledger.append.interactive.p50 (sign + lock + write + fdatasync)', value: +percentile(latencies, 50).toFixed(3), unit: 'ms' });
    emit({ name: 'ledger.append.interactive.p99', value: +percentile(latencies, 99).toFixed(3), unit: 'ms' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

}

await main();
