// VS Code extension benchmark: the change handler's real code (the formatter-prediction check, the
// extension's classify() and announcement check, then the capture session's change()) for one keystroke into a 1 MB document
// with 10k authorship runs; memory per open document; time from a burst closing to its record
// being durable in a real workspace on disk. One JSON line per figure (see bench/README.md).
// Run with --expose-gc (bench/run.mjs does) for the memory figure.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dist = (path) => new URL(`../packages/${path}`, import.meta.url);
for (const path of ['core/dist/index.js', 'core/dist/capture/index.js', 'core/dist/node/index.js', 'vscode-extension/dist/bench/classify.js', 'vscode-extension/dist/bench/formatted.js']) {
  if (!existsSync(dist(path))) {
    console.error(`bench: packages/${path} is missing; build first: npx -y pnpm@12.4.2 -r run build`);
    process.exit(2);
  }
}
const core = await import(dist('core/dist/index.js').href);
const capture = await import(dist('core/dist/capture/index.js').href);
const coreNode = await import(dist('core/dist/node/index.js').href);
const { classify } = await import(dist('vscode-extension/dist/bench/classify.js').href);
const { Expectations } = await import(dist('vscode-extension/dist/bench/expectations.js').href);
const { FormatPrediction } = await import(dist('vscode-extension/dist/bench/formatted.js').href);
coreNode.useNodeCrypto();

const quick = process.argv.includes('--quick');
const DOC_UNITS = 1 << 20;
const RUNS = 10_000;
const KEYSTROKES = quick ? 5_000 : 50_000;
const BURSTS = quick ? 20 : 100;

let rng = 0x2545f491;
const random = () => ((rng = (Math.imul(rng ^ (rng >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const emit = (figure) => console.log(JSON.stringify(figure));

// A real workspace on disk, signed by a key kept in memory (outside it).
const base = await mkdtemp(join(tmpdir(), 'colophon-bench-vscode-'));
const keys = new core.MemoryKeyStore();
const ws = await coreNode.createWorkspace(join(base, 'workspace'), { owner: 'bench', keys });
const signer = await keys.get('bench');

/** A 1 MB text whose map has 10k runs of alternating human / AI authors (as replayed from a ledger). */
function baseline() {
  const words = 'the keeper counted ships along the dark coast while rain fell ';
  let text = '';
  while (text.length < DOC_UNITS) text += words;
  text = text.slice(0, DOC_UNITS);
  const map = new core.TextAuthorshipMap();
  const human = { class: 'human', who: signer.did };
  const ai = { class: 'ai', who: 'example/text-model@2' };
  const runLength = DOC_UNITS / RUNS;
  for (let i = 0; i < RUNS; i++) map.apply({ pos: map.length, del: 0, ins: i === RUNS - 1 ? DOC_UNITS - map.length : Math.floor(runLength) }, i % 2 ? ai : human);
  // The session keeps the baseline text as the blob store gives it: its own copy, not the editor's.
  return { text: Buffer.from(text, 'utf8').toString('utf8'), map, recorded: true };
}

function openSession(engine, asset) {
  return engine.openText({ asset, baseline: baseline(), keepText: true });
}

// ---------------------------------------------------------------------------------------------
// 1. Keystroke: what onDidChangeTextDocument runs for one typed character.
{
  const writer = new capture.LedgerWriter({ project: ws.project, signer, blobs: ws.blobs });
  const engine = new capture.CaptureEngine(writer, { clock: Date.now, schedule: capture.platformScheduler(), idleMs: 2000 });
  const session = openSession(engine, 'file:bench/keystroke.md');
  if (session.map.runCount < RUNS) throw new Error(`the document has ${session.map.runCount} runs, expected ${RUNS}`);
  const expectations = new Expectations();
  const context = { reason: undefined, programmatic: false, formatter: undefined };
  // A formatter prediction for the version before each keystroke (the worst case: the check runs in full).
  const prediction = FormatPrediction.of(1, 'a ,b', 'a, b');
  const baselineMap = baseline().map;
  const ours = [];
  const theirs = [];
  const author = { class: 'human', who: signer.did };
  for (let i = 0; i < KEYSTROKES; i++) {
    const pos = Math.floor(random() * session.map.length);
    const event = [{ rangeOffset: pos, rangeLength: 0, text: 'x' }];
    let t0 = performance.now();
    if (prediction.mayBe(2, event)) throw new Error('a keystroke far from the predicted window is not the formatter');
    for (const change of classify(event, context, expectations, Date.now())) session.change(change);
    ours.push(performance.now() - t0);
    // Baseline: the authorship map's own insert, the least any per-character capture must do.
    t0 = performance.now();
    baselineMap.apply({ pos, del: 0, ins: 1 }, author);
    theirs.push(performance.now() - t0);
    // Let the writer sign and append closed bursts between keystrokes, as the host's event loop does.
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await session.close();
  ours.sort((a, b) => a - b);
  theirs.sort((a, b) => a - b);
  const p50 = percentile(ours, 0.5);
  const p99 = percentile(ours, 0.99);
  const base50 = percentile(theirs, 0.5);
  const base99 = percentile(theirs, 0.99);
  emit({ name: `vscode: keystroke handler p50, 1 MB doc, ${RUNS} runs (ms)`, value: +p50.toFixed(5), unit: 'ms', baseline: +base50.toFixed(5), ratio: +(p50 / base50).toFixed(2), target: 0.05, pass: p50 <= 0.05 });
  emit({ name: `vscode: keystroke handler p99, 1 MB doc, ${RUNS} runs (ms)`, value: +p99.toFixed(5), unit: 'ms', baseline: +base99.toFixed(5), ratio: +(p99 / base99).toFixed(2), target: 0.05, limit: 0.2, pass: p99 <= 0.05 });
}

// ---------------------------------------------------------------------------------------------
// 2. Memory per open document: heap held by a session (map, kept text, graveyard) over its text size.
if (typeof globalThis.gc === 'function') {
  const writer = new capture.LedgerWriter({ project: ws.project, signer, blobs: ws.blobs });
  const engine = new capture.CaptureEngine(writer, { clock: Date.now, idleMs: 2000 });
  const sessions = [];
  const DOCS = 8;
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < DOCS; i++) sessions.push(openSession(engine, `file:bench/memory-${i}.md`));
  globalThis.gc();
  const perDoc = (process.memoryUsage().heapUsed - before) / DOCS;
  const ratio = perDoc / DOC_UNITS;
  emit({ name: 'vscode: heap per open 1 MB document / its text size', value: Math.round(perDoc), unit: 'bytes', baseline: DOC_UNITS, ratio: +ratio.toFixed(2), target: 3, pass: ratio <= 3 });
  if (sessions.length !== DOCS) throw new Error('sessions were collected before measuring');
} else {
  console.error('bench: run with node --expose-gc for the memory figure');
}

// ---------------------------------------------------------------------------------------------
// 3. Burst close -> durable: save() closes a burst; its record is signed, appended and fsynced.
{
  const writer = new capture.LedgerWriter({ project: ws.project, signer, blobs: ws.blobs });
  const engine = new capture.CaptureEngine(writer, { clock: Date.now, schedule: capture.platformScheduler(), idleMs: 2000 });
  const session = engine.openText({ asset: 'file:bench/bursts.md', baseline: { text: '' }, keepText: true });
  const times = [];
  for (let i = 0; i < BURSTS; i++) {
    for (const ch of 'A short burst of typing. ') session.change({ pos: session.map.length, deleted: 0, inserted: ch, class: 'human', evidence: 'typed' });
    const t0 = performance.now();
    session.save();
    const records = session.records ? session.records() : [];
    await records[records.length - 1].cid();
    times.push(performance.now() - t0);
  }
  await session.close();
  times.sort((a, b) => a - b);
  emit({ name: 'vscode: burst close -> durable record p50 (ms)', value: +percentile(times, 0.5).toFixed(2), unit: 'ms' });
  emit({ name: 'vscode: burst close -> durable record p99 (ms)', value: +percentile(times, 0.99).toFixed(2), unit: 'ms' });
}

await rm(base, { recursive: true, force: true });
