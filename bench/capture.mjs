// Capture benchmarks (see bench/README.md), one JSON line per figure:
// 1. the capture handler for one keystroke on a 1 MB document with 10k authorship runs (p50/p99),
//    against keeping a copy of the text per keystroke (string splice), the obvious alternative;
// 2. diff and record of a 200 KB chapter with a 1 KB change (word-level diff, record built, signed
//    and appended), against `diff`'s word diff of the whole chapter without trimming;
// 3. the minified size of a bundle importing capture, records, signing and attribution, against
//    the main entry's, with a check that it loads no CEL or protobuf.
// Needs the built package: cd packages/core && npx tsup.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.mjs';

const dist = (path) => new URL(`../packages/core/dist/${path}`, import.meta.url);
if (!existsSync(dist('capture/index.js'))) {
  console.error('bench: packages/core/dist/capture is missing; build first: cd packages/core && npx tsup');
  process.exit(2);
}
const core = await import(dist('index.js').href);
const { useNodeCrypto } = await import(dist('node/index.js').href);
useNodeCrypto();
const require = createRequire(fileURLToPath(new URL('../packages/core/package.json', import.meta.url)));
const { diffWordsWithSpace } = await import(require.resolve('diff'));

const quick = process.argv.includes('--quick');
const emit = (figure) => console.log(JSON.stringify(figure));

const rand = prng(42);
const WORDS = 'the night was dark and harbour kept its counsel while lamps burned low over water'.split(' ');
function prose(units) {
  let out = '';
  while (out.length < units) out += WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.08 ? '.\n' : ' ');
  return out.slice(0, units);
}
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function project() {
  const signer = core.identityFromSeed(new Uint8Array(32).fill(7));
  let now = 1767225600000;
  const clock = () => now++;
  const store = new core.MemoryRecordStore();
  const blobs = new core.MemoryBlobStore();
  const proj = await core.Project.create('bench', signer, store, clock);
  const writer = new core.LedgerWriter({ project: proj, signer, blobs, clock, schedule: () => () => {} });
  return { signer, clock, store, blobs, writer };
}

// 1. Keystrokes ------------------------------------------------------------------------------
{
  const LENGTH = 1 << 20;
  const RUNS = 10_000;
  const KEYS = quick ? 5_000 : 20_000;
  const text = prose(LENGTH);
  const map = new core.TextAuthorshipMap();
  const authors = [
    { class: 'human', who: 'did:key:alice' },
    { class: 'ai', who: 'acme/writer@2' },
    { class: 'pasted', who: 'did:key:alice' },
    { class: 'unknown', who: '' },
  ];
  // 10k runs of uneven length covering the 1 MB exactly.
  for (let i = 0; i < RUNS; i++) {
    const end = Math.round(((i + 1) * LENGTH) / RUNS);
    map.apply({ pos: map.length, del: 0, ins: end - map.length }, authors[i % authors.length]);
  }
  const { writer, clock } = await project();
  const engine = new core.CaptureEngine(writer, { clock });
  const session = engine.openText({ asset: 'file:big.md', baseline: { text, map, recorded: true } });
  // A writer types at a cursor and now and then moves it (a new op, and every 512 ops a new burst).
  const events = [];
  let cursor = LENGTH >> 1;
  let length = LENGTH;
  for (let i = 0; i < KEYS; i++) {
    if (rand() < 0.02) cursor = Math.floor(rand() * length);
    if (rand() < 0.1 && cursor > 0) {
      events.push({ pos: cursor - 1, deleted: 1, inserted: '', class: 'human', evidence: 'typed' });
      cursor--;
      length--;
    } else {
      events.push({ pos: cursor, deleted: 0, inserted: 'e', class: 'human', evidence: 'typed' });
      cursor++;
      length++;
    }
  }
  // Baseline: what an adapter keeping its own copy of the text does per keystroke.
  let copy = text;
  const splice = (e) => {
    copy = copy.slice(0, e.pos) + e.inserted + copy.slice(e.pos + e.deleted);
    return copy.charCodeAt(e.pos);
  };
  const ours = [];
  const base = [];
  let sink = 0;
  // Warm-up (JIT) on a separate session of the same shape, not timed.
  const warm = engine.openText({ asset: 'file:warm.md', baseline: { text, map: copyMap(map), recorded: true } });
  for (const e of events.slice(0, 3000)) warm.change(e);
  // Separate passes: the baseline's 1 MB strings must not put their garbage collection on our clock.
  for (const e of events) {
    const t = performance.now();
    session.change(e);
    ours.push(performance.now() - t);
  }
  for (const e of events) {
    const t = performance.now();
    sink += splice(e);
    base.push(performance.now() - t);
  }
  if (session.map.length !== copy.length) throw new Error('bench: the session and the copy disagree on the length');
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  for (const p of [0.5, 0.99]) {
    const value = percentile(ours, p);
    const baseline = percentile(base, p);
    emit({
      name: `capture keystroke p${p * 100} (1 MB, ${RUNS} runs)`,
      value: Number(value.toFixed(5)),
      unit: 'ms',
      baseline: Number(baseline.toFixed(5)),
      baselineName: 'string splice of the document per keystroke',
      ratio: Number((baseline / value).toFixed(2)),
      target: p === 0.99 ? 0.05 : null,
      pass: p === 0.99 ? value <= 0.05 : null,
    });
  }
  if (sink === -1) console.error(sink);
}

// 2. Diff and record of a chapter ---------------------------------------------------------------
{
  const CHAPTER = 200 * 1024;
  const ROUNDS = quick ? 5 : 21;
  const ours = [];
  const base = [];
  for (let round = -2; round < ROUNDS; round++) {
    const before = prose(CHAPTER);
    // A 1 KB change: a paragraph rewritten in the middle, a sentence added near the end.
    const mid = Math.floor(before.length / 2);
    const after = before.slice(0, mid) + prose(700) + before.slice(mid + 500, before.length - 2000) + prose(300) + before.slice(before.length - 2000);
    const { writer, clock, store } = await project();
    const engine = new core.CaptureEngine(writer, { clock });
    const session = engine.openText({ asset: 'file:chapter.md', baseline: { text: before, map: mapOf(before.length), recorded: true }, keepText: true });
    let t = performance.now();
    session.replaceAll(after, { class: 'human', evidence: 'diff' });
    await session.flush();
    ours.push(performance.now() - t);
    t = performance.now();
    const changes = diffWordsWithSpace(before, after);
    base.push(performance.now() - t);
    if (round < 0) {
      // Warm-up rounds are not counted.
      ours.pop();
      base.pop();
    }
    const last = await store.head(writer.signer.did);
    if (!last || changes.length === 0 || session.text() !== after) throw new Error('bench: the chapter was not recorded');
  }
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  const value = percentile(ours, 0.5);
  const baseline = percentile(base, 0.5);
  emit({
    name: 'diff and record a 200 KB chapter with a 1 KB change (median)',
    value: Number(value.toFixed(3)),
    unit: 'ms',
    baseline: Number(baseline.toFixed(3)),
    baselineName: "diff's diffWordsWithSpace over the whole chapter (no record)",
    ratio: Number((baseline / value).toFixed(2)),
    target: 20,
    pass: value <= 20,
  });
}

function copyMap(source) {
  const map = new core.TextAuthorshipMap();
  source.forEachRun((_, length, author) => map.apply({ pos: map.length, del: 0, ins: length }, author));
  return map;
}

function mapOf(length) {
  const map = new core.TextAuthorshipMap();
  map.apply({ pos: 0, del: 0, ins: length }, { class: 'human', who: 'did:key:alice' });
  return map;
}

// 3. Bundle size -------------------------------------------------------------------------------
{
  const esbuild = createRequire(require.resolve('tsup'))('esbuild');
  const build = async (contents) => {
    const result = await esbuild.build({
      stdin: { contents, resolveDir: fileURLToPath(dist('')), loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2020',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const [output] = Object.values(result.metafile.outputs);
    return { bytes: result.outputFiles[0].contents.length, inputs: Object.keys(result.metafile.inputs), parts: output.inputs };
  };
  /** Minified bytes per dependency, and ours as one sum (dist chunks do not say which module they hold). */
  const breakdown = (parts) => {
    const groups = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(parts)) {
      const dep = input.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
      const name = dep ? dep[1] : 'ours';
      groups.set(name, (groups.get(name) ?? 0) + bytesInOutput);
    }
    return [...groups].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${bytes}`).join(', ');
  };
  const minimal = await build(
    [
      "export { CaptureEngine, LedgerWriter, textBaseline } from './capture/index.js';",
      "export { Project, signRecord, verifyRecordSignature, identityFromSeed, MemoryRecordStore, MemoryBlobStore, contentCid } from './record/index.js';",
      "export { assetAttribution, loadAssetAttribution, TextAuthorshipMap } from './attribution/index.js';",
    ].join('\n'),
  );
  const main = await build("export * from './index.js';");
  const heavy = minimal.inputs.filter((input) => /@bufbuild|protobuf|cel-/.test(input));
  if (heavy.length > 0) {
    console.error(`bench: the capture bundle loads ${heavy.join(', ')}`);
    process.exit(1);
  }
  console.error(`bench: the capture bundle's bytes: ${breakdown(minimal.parts)}`);
  emit({
    name: 'bundle: capture + records + signing + attribution (minified)',
    value: minimal.bytes,
    unit: 'bytes',
    baseline: main.bytes,
    baselineName: 'the main entry, everything (minified)',
    ratio: Number((main.bytes / minimal.bytes).toFixed(2)),
    target: 80 * 1024,
    pass: minimal.bytes <= 80 * 1024,
  });
}
