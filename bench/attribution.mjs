// Attribution benchmark: random edits on a 1 MB text with 50k authorship runs, applied to core's
// TextAuthorshipMap (a B+ tree of runs) and to the obvious alternative — one array of runs, found
// by a linear scan and changed with splice — on the same op sequence, timed in alternating
// batches in one process so the ratio holds on any machine. Prints one JSON line per figure:
// {"name","value","unit","baseline","ratio","target","pass"} (value/baseline in ops/s, ratio =
// value / baseline). Target: the tree is at least 10x faster than splicing at that size.
// Needs the built package: cd packages/core && npx tsup.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { prng } from './prng.mjs';

const distIndex = new URL('../packages/core/dist/index.js', import.meta.url);
if (!existsSync(distIndex)) {
  console.error('bench: packages/core/dist is missing; build first: cd packages/core && npx tsup');
  process.exit(2);
}
const { TextAuthorshipMap } = await import(distIndex.href);

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 5 : 15; // timed batches per side; medians are taken over these
const BATCH_MS = quick ? 15 : 40; // target duration of one timed batch
const TARGET_LENGTH = 1 << 20; // 1 MB of text (UTF-16 code units; ASCII text is 1 MB on disk)
const TARGET_RUNS = 50_000;
const TARGET_RATIO = 10;

const AUTHORS = [
  { class: 'human', who: 'did:key:alice' },
  { class: 'human', who: 'did:key:bob' },
  { class: 'human', who: 'did:key:carol' },
  { class: 'ai', who: 'acme/writer@2' },
  { class: 'ai', who: 'other/model@7' },
  { class: 'tool', who: 'prettier@3.3.3' },
  { class: 'pasted', who: 'did:key:alice' },
  { class: 'unknown', who: '' },
];


/**
 * An endless stream of edits that fit the text: at a random place, replace up to 84 characters
 * with up to 84 of a random author (a word to a sentence). With runs of ~21 characters such an
 * edit removes about as many runs as it adds (two on average), so the document stays near 1 MB and 50k runs
 * while it is measured. Each side owns a stream with the same seed, so op i is the same op for both.
 */
function editStream(seed, startLength) {
  const rand = prng(seed);
  let length = startLength;
  return () => {
    const pos = Math.floor(rand() * (length + 1));
    const del = Math.min(length - pos, Math.floor(rand() * 85));
    const ins = Math.floor(rand() * 85);
    const tag = Math.floor(rand() * AUTHORS.length);
    length += ins - del;
    return { pos, del, ins, tag };
  };
}

/** The baseline: an array of runs, a linear scan to find the position, splice to change it. */
class SpliceRuns {
  constructor(runs) {
    this.lens = runs.map((r) => r.length);
    this.tags = runs.map((r) => AUTHORS.indexOf(r.author));
  }

  apply(pos, del, ins, tag) {
    const { lens, tags } = this;
    if (del > 0) {
      let i = 0;
      let start = 0;
      while (start + lens[i] <= pos) start += lens[i++];
      let j = i;
      let jStart = start;
      while (jStart + lens[j] < pos + del) jStart += lens[j++];
      const head = pos - start;
      const tail = jStart + lens[j] - (pos + del);
      const pl = [];
      const pt = [];
      if (head > 0) pl.push(head), pt.push(tags[i]);
      if (tail > 0) {
        if (pt.length && pt[0] === tags[j]) pl[0] += tail;
        else pl.push(tail), pt.push(tags[j]);
      }
      lens.splice(i, j - i + 1, ...pl);
      tags.splice(i, j - i + 1, ...pt);
      this.mergeAt(i + pl.length);
      if (pl.length) this.mergeAt(i);
    }
    if (ins > 0) {
      if (lens.length === 0) return void (lens.push(ins), tags.push(tag));
      let i = 0;
      let off = pos;
      while (i < lens.length - 1 && off > lens[i]) off -= lens[i++];
      if (tags[i] === tag) lens[i] += ins;
      else if (off === lens[i]) {
        if (tags[i + 1] === tag) lens[i + 1] += ins;
        else lens.splice(i + 1, 0, ins), tags.splice(i + 1, 0, tag);
      } else if (off === 0) lens.splice(i, 0, ins), tags.splice(i, 0, tag);
      else {
        const rest = lens[i] - off;
        lens[i] = off;
        lens.splice(i + 1, 0, ins, rest);
        tags.splice(i + 1, 0, tag, tags[i]);
      }
    }
  }

  mergeAt(k) {
    const { lens, tags } = this;
    if (k <= 0 || k >= lens.length || tags[k - 1] !== tags[k]) return;
    lens[k - 1] += lens[k];
    lens.splice(k, 1);
    tags.splice(k, 1);
  }

  runs() {
    const out = [];
    let start = 0;
    for (let i = 0; i < this.lens.length; i++) {
      const last = out[out.length - 1];
      if (last && last[2] === this.tags[i]) last[1] += this.lens[i];
      else out.push([start, this.lens[i], this.tags[i]]);
      start += this.lens[i];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The document: random inserts (each usually splits a run) until it is 1 MB with >= 50k runs.

const built = performance.now();
const map = new TextAuthorshipMap();
{
  const rand = prng(1);
  // A mean insert of 36 units reaches 1 MB about when the splits reach 50k runs. runCount walks
  // the whole map, so it is looked at every 256 inserts only.
  const insertBatch = () => {
    for (let i = 0; i < 256; i++) {
      const ins = 1 + Math.floor(rand() * 71);
      map.apply({ pos: Math.floor(rand() * (map.length + 1)), del: 0, ins }, AUTHORS[Math.floor(rand() * AUTHORS.length)]);
    }
  };
  while (map.length < TARGET_LENGTH || map.runCount < TARGET_RUNS) insertBatch();
}
const buildMs = performance.now() - built;
const baseline = new SpliceRuns(map.runs());
const startLength = map.length;
const runsAtStart = map.runCount;
console.error(`bench: document of ${startLength} code units in ${runsAtStart} runs, built by random inserts in ${buildMs.toFixed(0)} ms`);

// ---------------------------------------------------------------------------------------------
// Correctness before timing: both sides must hold the same runs after the same ops.

const treeOps = editStream(2, startLength);
const spliceOps = editStream(2, startLength);
const tagsOf = (runs) => runs.map((r) => [r.start, r.length, AUTHORS.indexOf(r.author)]);
for (let i = 0; i < 5_000; i++) {
  const a = treeOps();
  map.apply(a, AUTHORS[a.tag]);
  const b = spliceOps();
  baseline.apply(b.pos, b.del, b.ins, b.tag);
}
if (JSON.stringify(tagsOf(map.runs())) !== JSON.stringify(baseline.runs())) {
  console.error('bench: TextAuthorshipMap and the splice baseline disagree after the same 5000 ops');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Timing: calibrate a batch size per side, then alternate timed batches and take medians.

const sides = {
  tree: () => {
    const op = treeOps();
    map.apply(op, AUTHORS[op.tag]);
  },
  splice: () => {
    const op = spliceOps();
    baseline.apply(op.pos, op.del, op.ins, op.tag);
  },
};

function timeBatch(fn, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return performance.now() - start;
}

function calibrate(fn) {
  let n = 8;
  for (;;) {
    const ms = timeBatch(fn, n);
    if (ms >= BATCH_MS / 4) return Math.max(8, Math.round((n * BATCH_MS) / ms));
    n *= 4;
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const n = { tree: calibrate(sides.tree), splice: calibrate(sides.splice) };
const rates = { tree: [], splice: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const side of round % 2 === 0 ? ['tree', 'splice'] : ['splice', 'tree']) rates[side].push((n[side] * 1000) / timeBatch(sides[side], n[side]));
}
const value = median(rates.tree);
const base = median(rates.splice);
const ratio = value / base;
console.log(
  JSON.stringify({
    name: `random edit (replace <=84 chars) on a ${(startLength / 2 ** 20).toFixed(2)} MB text with ${Math.round(runsAtStart / 1000)}k runs: TextAuthorshipMap (B+ tree) vs array-of-runs splice; target >= ${TARGET_RATIO}x`,
    value: Math.round(value),
    unit: 'ops/s',
    baseline: Math.round(base),
    ratio: Math.round(ratio * 10) / 10,
    target: TARGET_RATIO,
    pass: ratio >= TARGET_RATIO,
  }),
);
console.error(`bench: after timing the map holds ${map.length} code units in ${map.runCount} runs`);
if (ratio < TARGET_RATIO) process.exitCode = 1;
