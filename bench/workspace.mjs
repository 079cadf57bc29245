// Workspace figures (issue 11), one JSON line each:
//  - import vs verify: `import car` of a ledger (the workspace API the CLI uses) against `verify`
//    of the same ledger, records/s, in the same run; ratio = import / verify, target 1.0.
//  - 4 concurrent writer processes x 200 appends on one feed (each head read, sign and append under
//    the lock), against one writer process doing the same 800 alone; the figure fails if any append
//    failed or any acknowledged record is missing.
//  - peak memory of exporting a PNG with Content Credentials, as a multiple of the file's size
//    (target: at most 2x), in a fresh process.
// BENCH_IMPORT_RECORDS (default 8000) sets the ledger size. Needs the built packages.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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

/** Peak RSS of a fresh process exporting a noise PNG of `megabytes`, over the same process idle with the SDK loaded. */
function c2paPeakMemory(base) {
  const megabytes = Number(process.env.BENCH_C2PA_MB ?? 32);
  const script = `
    import { deflateSync } from 'node:zlib';
    const bridge = await import(${JSON.stringify(new URL('../packages/c2pa-bridge/dist/index.js', import.meta.url).href)});
    const core = await import(${JSON.stringify(new URL('../packages/core/dist/index.js', import.meta.url).href)});
    const node = await import(${JSON.stringify(new URL('../packages/core/dist/node/index.js', import.meta.url).href)});
    node.useNodeCrypto();
    bridge.initSdk();
    const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
    const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
    const chunk = (type, data) => { const out = Buffer.alloc(12 + data.length); out.writeUInt32BE(data.length); out.write(type, 4, 'latin1'); Buffer.from(data).copy(out, 8); out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length); return out; };
    const side = Math.ceil(Math.sqrt((${megabytes} * 1024 * 1024) / 3));
    const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(side, 0); ihdr.writeUInt32BE(side, 4); ihdr[8] = 8; ihdr[9] = 2;
    let state = 1; const raw = Buffer.alloc((side * 3 + 1) * side); for (let i = 0; i < raw.length; i++) { state = (state * 1103515245 + 12345) >>> 0; raw[i] = i % (side * 3 + 1) === 0 ? 0 : state >>> 24; }
    const png = new Uint8Array(Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))]));
    const me = core.generateIdentity();
    const store = new core.MemoryRecordStore();
    const project = await core.Project.create('mem', me, store);
    await project.record(me, { kind: 'asset.create', asset: 'file:big.png', out: core.contentCid(png) });
    const chain = [await bridge.selfSignedCertificate(me, { commonName: 'bench' })];
    global.gc?.();
    const before = process.memoryUsage().rss;
    const result = await bridge.exportC2pa({ store, blobs: new core.MemoryBlobStore(), project: project.id, asset: 'file:big.png', fileName: 'big.png', bytes: png, identity: me, chain });
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ size: png.length, before, peak, out: result.asset.length }));
  `;
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) {
    emit({ name: `c2pa export peak memory (${megabytes} MiB PNG)`, value: null, unit: 'x file size', note: child.stderr.split('\n').slice(-5).join(' ') });
    return;
  }
  const { size, before, peak } = JSON.parse(child.stdout.trim().split('\n').pop());
  // Memory the export added over the process as it stood with the file in hand, in file sizes.
  const multiple = (peak - before) / size;
  emit({ name: `c2pa export peak memory (${(size / 1024 / 1024).toFixed(0)} MiB PNG, added over the file in hand) vs 2x the file size`, value: +multiple.toFixed(2), unit: 'x file size', baseline: 2, ratio: +(2 / multiple).toFixed(3), target: 1 });
}

const base = await mkdtemp(join(tmpdir(), 'colophon-bench-workspace-'));
try {
  await importVsVerify(base);
  await writers(base);
  c2paPeakMemory(base);
} finally {
  await rm(base, { recursive: true, force: true });
}
