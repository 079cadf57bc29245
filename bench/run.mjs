// Colophon micro-benchmarks: core's record codec and signatures against the obvious alternatives,
// measured in the same process, interleaved, so the ratios hold on any machine. Prints one JSON line
// per figure: {"name","value","unit","baseline","ratio","target","pass"} (value and baseline: median
// ops/s; ratio: ours / baseline, the median over back-to-back pairs of batches). Needs the built
// packages (`pnpm -r run build`). See bench/README.md.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as dagCbor from '@ipld/dag-cbor';

const distIndex = new URL('../packages/core/dist/index.js', import.meta.url);
const distNode = new URL('../packages/core/dist/node/index.js', import.meta.url);
if (!existsSync(distIndex) || !existsSync(distNode)) {
  console.error('bench: packages/core/dist is missing; build first: npx -y pnpm@12.4.2 -r run build');
  process.exit(2);
}
const core = await import(distIndex.href);
const coreNode = await import(distNode.href);
coreNode.useNodeCrypto();

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 9 : 41; // paired timed batches (ours, baseline); medians are taken over these
const BATCH_MS = quick ? 8 : 15; // target duration of one timed batch
const WARMUP_MS = quick ? 100 : 400; // per side, before calibration

// ---------------------------------------------------------------------------------------------
// Inputs: realistic signed records of a feed (ai.generate and asset.edit, about 380 bytes each).

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + 7) & 255);
const identity = core.identityFromSeed(seed);
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
const publicKeyObject = createPublicKey(privateKeyObject);

const text = (s) => Uint8Array.from(Buffer.from(s, 'utf8'));
const genesis = core.signRecord(
  { kind: 'project.genesis', by: identity.did, seq: 0, at: 1767225600000, ext: { [core.PROJECT_EXT]: { name: 'bench' } } },
  identity,
);

const RECORD_COUNT = 16;
const fieldsList = [];
const records = [];
let prev = genesis.cid;
for (let i = 0; i < RECORD_COUNT; i++) {
  const out = core.contentCid(text(`content ${i}`));
  const base = { proj: genesis.cid, by: identity.did, seq: i + 1, prev, at: 1767225600000 + 1_000 * i + 17 };
  const fields =
    i % 2 === 0
      ? {
          ...base,
          kind: 'ai.generate',
          agent: { type: 'ai', model: { provider: 'example', name: 'text-model', version: '2' } },
          links: [core.contentCid(text(`intent ${i}`))],
          out,
        }
      : {
          ...base,
          kind: 'asset.edit',
          asset: `docs/ch${i}.md`,
          out,
          delta: { text: [[12 * i, 3, 40, 'human']] },
        };
  const signed = core.signRecord(fields, identity);
  fieldsList.push(fields);
  records.push(signed);
  prev = signed.cid;
}
const recordObjects = records.map((r) => r.record);
const recordBytes = records.map((r) => r.bytes);
const unsignedMessages = records.map(({ record }) => {
  const { sig, ...unsigned } = record;
  return core.signatureMessage(core.encodeRecordFields(unsigned));
});

// ---------------------------------------------------------------------------------------------
// Correctness before timing: both sides of every comparison must compute the same thing.

const problems = [];
const meanSize = Math.round(recordBytes.reduce((n, b) => n + b.length, 0) / recordBytes.length);
for (let i = 0; i < RECORD_COUNT; i++) {
  const ours = core.encodeRecordFields(recordObjects[i]);
  const theirs = dagCbor.encode(recordObjects[i]);
  if (hex(ours) !== hex(theirs)) problems.push(`record ${i}: encodeRecordFields and @ipld/dag-cbor encode differ:\n  ${hex(ours)}\n  ${hex(theirs)}`);
  if (hex(dagCbor.encode(core.decode(recordBytes[i]))) !== hex(recordBytes[i])) problems.push(`record ${i}: core decode does not round-trip through @ipld/dag-cbor`);
  if (hex(core.encode(dagCbor.decode(recordBytes[i]))) !== hex(recordBytes[i])) problems.push(`record ${i}: @ipld/dag-cbor decode does not round-trip through core encode`);
  if (!core.decodeRecord(recordBytes[i]).cid.equals(records[i].cid)) problems.push(`record ${i}: decodeRecord gives another CID`);
  const rawSig = new Uint8Array(nodeSign(null, unsignedMessages[i], privateKeyObject));
  if (hex(rawSig) !== hex(recordObjects[i].sig)) problems.push(`record ${i}: signRecord's signature differs from node:crypto's over the same message`);
  if (!core.verifyRecordSignature(recordObjects[i])) problems.push(`record ${i}: verifyRecordSignature rejects a valid record`);
  if (!nodeVerify(null, unsignedMessages[i], publicKeyObject, recordObjects[i].sig)) problems.push(`record ${i}: node:crypto rejects the signature`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`bench: ${p}`);
  process.exit(1);
}
console.error(`bench: ${RECORD_COUNT} records, mean ${meanSize} bytes, crypto backend ${core.cryptoBackend().name}`);

// ---------------------------------------------------------------------------------------------
// Timing: calibrate a batch size, warm both sides, then alternate timed batches and take medians.

let sink = 0;
const consume = (value) => {
  sink = (sink + (value?.length ?? (value ? 1 : 0))) | 0;
};

function timeBatch(fn, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) consume(fn(i % RECORD_COUNT));
  return performance.now() - start;
}

function calibrate(fn) {
  let iterations = 16;
  for (;;) {
    const ms = timeBatch(fn, iterations);
    if (ms >= BATCH_MS / 4) return Math.max(16, Math.round((iterations * BATCH_MS) / ms));
    iterations *= 4;
  }
}

function warm(fn) {
  const until = performance.now() + WARMUP_MS;
  while (performance.now() < until) timeBatch(fn, 64);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function compare(name, target, ours, baseline) {
  warm(ours);
  warm(baseline);
  const n = { ours: calibrate(ours), baseline: calibrate(baseline) };
  const rates = { ours: [], baseline: [] };
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round times one batch of each side back to back (alternating which goes first), so a
    // burst of load elsewhere on the machine hits both sides of a pair alike.
    const order = round % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    for (const side of order) {
      const fn = side === 'ours' ? ours : baseline;
      rates[side].push((n[side] * 1000) / timeBatch(fn, n[side]));
    }
    ratios.push(rates.ours[round] / rates.baseline[round]);
  }
  const value = median(rates.ours);
  const base = median(rates.baseline);
  const ratio = median(ratios);
  const line = {
    name,
    value: Math.round(value),
    unit: 'ops/s',
    baseline: Math.round(base),
    ratio: Math.round(ratio * 1000) / 1000,
    target,
    pass: ratio >= target,
  };
  console.log(JSON.stringify(line));
  return line;
}

const started = performance.now();
const results = [
  compare(
    `encode ${meanSize}-byte record: encodeRecordFields vs @ipld/dag-cbor encode`,
    1.5,
    (i) => core.encodeRecordFields(recordObjects[i]),
    (i) => dagCbor.encode(recordObjects[i]),
  ),
  compare(
    `decode ${meanSize}-byte record: decode vs @ipld/dag-cbor decode`,
    1.5,
    (i) => core.decode(recordBytes[i]),
    (i) => dagCbor.decode(recordBytes[i]),
  ),
  compare(
    `decode+validate ${meanSize}-byte record: decodeRecord vs @ipld/dag-cbor decode`,
    1.5,
    (i) => core.decodeRecord(recordBytes[i]).record,
    (i) => dagCbor.decode(recordBytes[i]),
  ),
  compare(
    'sign record: signRecord (node:crypto backend) vs node:crypto sign of the same message',
    0.9,
    (i) => core.signRecord(fieldsList[i], identity).bytes,
    (i) => nodeSign(null, unsignedMessages[i], privateKeyObject),
  ),
  compare(
    'verify record: verifyRecordSignature (node:crypto backend) vs node:crypto verify of the same message',
    0.9,
    (i) => core.verifyRecordSignature(recordObjects[i]),
    (i) => nodeVerify(null, unsignedMessages[i], publicKeyObject, recordObjects[i].sig),
  ),
];
const failed = results.filter((r) => !r.pass).length;
console.error(
  `bench: ${results.length - failed}/${results.length} figures meet their target in ${((performance.now() - started) / 1000).toFixed(1)} s (sink ${sink & 1})`,
);

// The other areas' figures, each in its own process so one's heap and warm-up do not skew another.
const { spawnSync } = await import('node:child_process');
for (const script of ['ledger.mjs', 'workspace.mjs', 'attribution.mjs', 'capture.mjs', 'c2pa.mjs', 'figma.mjs', ...(process.env.BENCH_HUGE === '1' ? ['ledger-rss.mjs'] : [])]) {
  console.error(`bench: ${script}…`);
  const child = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0) process.exitCode = 1;
}
