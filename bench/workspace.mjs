// Workspace figures (issue 11), one JSON line each:
//  - import vs verify: `import car` of a ledger (the workspace API the CLI uses) against `verify`
//    of the same ledger, records/s, in the same run; ratio = import / verify, target 1.0.
//  - 4 concurrent writer processes x 200 appends on one feed (each head read, sign and append under
//    the lock), against one writer process doing the same 800 alone; the figure fails if any append
//    failed or any acknowledged record is missing.
//  - peak memory of exporting a PNG with Content Credentials, as a multiple of the file's size
//    (target: at most 2x), each in a fresh process (bench/c2pa-memory.mjs): from a file on disk
//    (the CLI's path), the same for a 4x larger file, from a file in memory, and the SDK alone
//    signing the whole file (the old path, for comparison).
// BENCH_IMPORT_RECORDS (default 8000) sets the ledger size. Needs the built packages.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writePng } from '../test/fixtures-scripts/png-file.mjs';
import { prng } from './prng.mjs';
import { Project, generateIdentity, identityFromSeed, signRecord, contentCid } from '../packages/core/dist/index.js';
import { useNodeCrypto, CarFeedStore, exportCar, importCar, openWorkspace, verifyWorkspace, writeProjectFiles } from '../packages/core/dist/node/index.js';

useNodeCrypto();
const emit = (figure) => console.log(JSON.stringify({ ...figure, pass: figure.target === undefined ? undefined : figure.ratio >= figure.target }));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A project folder holding `count` records over a few signers, as one project would have them. */
async function buildLedger(root, count, signers = 8) {
  const people = Array.from({ length: signers }, () => generateIdentity());
  const dir = join(root, '.colophon');
  const store = await CarFeedStore.open(dir);
  const project = await Project.create('bench', people[0], store, () => 1_764_000_000_000);
  await writeProjectFiles(dir, project.id.toString(), undefined);
  const heads = new Map([[people[0].did, { seq: 0, cid: project.id }]]);
  let batch = [];
  let previous = project.id;
  for (let i = 1; i < count; i++) {
    const who = people[i % signers];
    const head = heads.get(who.did);
    const fields = { kind: 'asset.edit', proj: project.id, by: who.did, seq: head ? head.seq + 1 : 0, asset: `file:chapters/${i % 40}.md`, out: contentCid(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)), at: 1_764_000_000_000 + i, links: [previous], delta: { text: [[0, 0, 12, 'human']] } };
    if (head) fields.prev = head.cid;
    const signed = signRecord(fields, who);
    heads.set(who.did, { seq: fields.seq, cid: signed.cid });
    previous = signed.cid;
    batch.push(signed);
    if (batch.length === 2000) {
      await store.appendMany(batch);
      batch = [];
    }
  }
  await store.appendMany(batch);
}

async function importVsVerify(base) {
  const count = Number(process.env.BENCH_IMPORT_RECORDS ?? 8000);
  const source = join(base, 'source');
  await mkdir(source, { recursive: true });
  await buildLedger(source, count);
  const car = join(base, 'ledger.car');
  await exportCar(await openWorkspace(source), car);
  const verifyRuns = [];
  const importRuns = [];
  for (let run = 0; run < 3; run++) {
    let t = performance.now();
    const report = await verifyWorkspace(source);
    if (!report.ok || report.records !== count) throw new Error(`bench ledger did not verify: ${JSON.stringify(report.findings.slice(0, 3))}`);
    verifyRuns.push(count / ((performance.now() - t) / 1000));
    const target = join(base, `import-${run}`);
    await mkdir(target, { recursive: true });
    t = performance.now();
    const result = await importCar(target, car);
    if (result.imported !== count) throw new Error(`imported ${result.imported} of ${count}`);
    importRuns.push(count / ((performance.now() - t) / 1000));
  }
  const verify = median(verifyRuns);
  const imported = median(importRuns);
  emit({ name: `workspace.import.${count} (verify, then store in batches) vs verify of the same ledger`, value: Math.round(imported), unit: 'records/s', baseline: Math.round(verify), ratio: +(imported / verify).toFixed(3), target: 1 });
}

function writer(dir, genesis, seedHex, count, tag) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(ROOT, 'test/fixtures-scripts/concurrent-writer.mjs'), dir, genesis, seedHex, String(count), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    proc.on('close', (code) => resolve({ code, stderr, acked: stdout.split('\n').filter((l) => l && l !== 'done') }));
  });
}

async function writers(base) {
  const seed = new Uint8Array(32).fill(7);
  const seedHex = Buffer.from(seed).toString('hex');
  const run = async (name, processes, each) => {
    const root = join(base, name);
    const dir = join(root, '.colophon');
    const store = await CarFeedStore.open(dir);
    const project = await Project.create(name, identityFromSeed(new Uint8Array(32).fill(1)), store);
    const t = performance.now();
    const results = await Promise.all(Array.from({ length: processes }, (_, i) => writer(dir, project.id.toString(), seedHex, each, `w${i}`)));
    const seconds = (performance.now() - t) / 1000;
    const failed = results.filter((r) => r.code !== 0).length;
    const acked = results.flatMap((r) => r.acked);
    const present = new Set((await store.query({ signer: identityFromSeed(seed).did })).map(String));
    const lost = acked.filter((cid) => !present.has(cid)).length;
    return { rate: acked.length / seconds, failed, lost, acked: acked.length, expected: processes * each };
  };
  const alone = await run('one-writer', 1, 800);
  const four = await run('four-writers', 4, 200);
  const clean = four.failed === 0 && four.lost === 0 && four.acked === four.expected && alone.acked === alone.expected;
  emit({ name: '4 writer processes x 200 appends on one feed (0 failed, 0 lost) vs 1 writer process x 800', value: Math.round(four.rate), unit: 'records/s', baseline: Math.round(alone.rate), ratio: clean ? +(four.rate / alone.rate).toFixed(3) : 0, target: 0.5, failed: four.failed, lost: four.lost });
}

/** A PNG of about `megabytes` MiB on disk: noise in IDAT chunks of 1 MiB, written in pieces. */
async function noisePngFile(path, megabytes) {
  const random = prng(megabytes);
  const side = Math.ceil(Math.sqrt((megabytes * 1024 * 1024) / 3));
  const noise = function* () {
    for (let i = 0; i < megabytes; i++) yield Buffer.from(Uint32Array.from({ length: 1 << 18 }, () => random() * 2 ** 32).buffer);
  };
  await writePng(path, side, side, noise());
}

/** Peak memory of one export (bench/c2pa-memory.mjs) in a fresh process, added over the process just before it, in file sizes. */
function c2paExportMemory(mode, path, out) {
  const child = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'bench', 'c2pa-memory.mjs'), mode, path, out], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`bench/c2pa-memory ${mode}: ${child.stderr.split('\n').slice(-5).join(' ')}`);
  const { size, before, peak } = JSON.parse(child.stdout.trim().split('\n').pop());
  return (peak - before) / size;
}

/**
 * Peak memory of C2PA exports of PNGs, as multiples of the file size: `colophon export c2pa`'s path
 * (file on disk, signed by splice), the same for a file 4x larger (the peak must not grow with the
 * file), exportC2pa over a file in memory, and the SDK signing the whole file (what the export did
 * before splicing; no target). Target: at most 2x the file size.
 */
async function c2paPeakMemory(base) {
  const megabytes = Number(process.env.BENCH_C2PA_MB ?? 32);
  const figure = (name, multiple, target = true) =>
    emit({ name, value: +multiple.toFixed(3), unit: 'x file size', baseline: 2, ratio: target ? +(2 / Math.max(multiple, 1e-3)).toFixed(3) : null, ...(target ? { target: 1 } : {}) });
  const small = join(base, 'noise.png');
  const large = join(base, 'noise-large.png');
  await noisePngFile(small, megabytes);
  await noisePngFile(large, megabytes * 4);
  const out = join(base, 'signed.png');
  figure(`c2pa export peak memory, file on disk (${megabytes} MiB PNG; colophon export c2pa: hashed and copied in pieces, SDK signs a carrier) vs 2x the file size`, c2paExportMemory('file', small, out));
  figure(`c2pa export peak memory, file on disk (${megabytes * 4} MiB PNG) vs 2x the file size`, c2paExportMemory('file', large, out));
  figure(`c2pa export peak memory, file in memory (${megabytes} MiB PNG; exportC2pa, added over the file in hand) vs 2x the file size`, c2paExportMemory('bytes', small, out));
  // The in-memory path returns the signed file (1x) and the SDK's first signing takes a fixed few
  // tens of MiB of wasm heap whatever the file's size: the larger file shows which part grows.
  figure(`c2pa export peak memory, file in memory (${megabytes * 4} MiB PNG; exportC2pa) vs 2x the file size`, c2paExportMemory('bytes', large, out));
  figure(`c2pa SDK signing the whole file in memory (${megabytes} MiB PNG, added over the file in hand; the export's path before splicing, no target)`, c2paExportMemory('sdk', small, out), false);
}

const base = await mkdtemp(join(tmpdir(), 'colophon-bench-workspace-'));
try {
  await importVsVerify(base);
  await writers(base);
  await c2paPeakMemory(base);
} finally {
  await rm(base, { recursive: true, force: true });
}
