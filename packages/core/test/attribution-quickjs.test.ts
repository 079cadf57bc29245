// Attribution must run unchanged in Figma's plugin sandbox (QuickJS: ES2020, no TextEncoder, no
// crypto, no Buffer). Bundles the main entry the way tsup bundles core.bundle.js, into a temp file
// (so it never races a build of dist/), runs one scenario in QuickJS and the same source in Node,
// and requires identical results.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getQuickJS, shouldInterruptAfterDeadline } from 'quickjs-emscripten';
import { describe, expect, it } from 'vitest';
import { loadModule, settleScenario } from './quickjs-settle.js';
import * as core from '../src/index.js';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** Plain ES2020 source: the same text runs in QuickJS and in Node, and returns JSON. */
const SCENARIO = String.raw`async function scenario(C) {
  const seed = (n) => { const s = new Uint8Array(32); s.fill(n); return s; };
  const alice = C.identityFromSeed(seed(1));
  const bob = C.identityFromSeed(seed(2));
  let now = 1767225600000;
  const store = new C.MemoryRecordStore();
  const project = await C.Project.create('quickjs attribution', alice, store, () => now++);
  const model = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };
  const asset = 'file:poem.md';
  let text = '';
  let last;
  const edit = async (by, ops, extra) => {
    for (const [pos, del, ins] of ops) text = text.slice(0, pos) + ins + text.slice(pos + del);
    last = await project.record(by, Object.assign({
      kind: 'asset.edit', asset, out: C.contentCid(C.utf8Encode(text)),
      delta: { text: ops.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
    }, extra || {}));
    return last;
  };
  await edit(alice, [[0, 0, 'Signed bytes travel\nfrom QuickJS to Node \u{1F338}\n', 'ai']], { kind: 'ai.generate', agent: model });
  await edit(alice, [[0, 6, 'Hashed', 'human']]);
  await edit(bob, [[text.length, 0, 'the map stays the same\n', 'human']], { links: [last.cid] });
  const textResult = await C.loadAssetAttribution(store, { asset, text });
  await project.record(bob, { kind: 'asset.edit', asset: 'figma:1:2', out: C.contentCid(C.utf8Encode('v1')),
    delta: { created: ['1:3'], nodes: { '1:3': ['fills', 'characters'] } } });
  await project.record(alice, { kind: 'asset.edit', asset: 'figma:1:2', agent: model, out: C.contentCid(C.utf8Encode('v2')),
    delta: { nodes: { '1:3': ['fills'] } } });
  const nodeResult = await C.loadAssetAttribution(store, { asset: 'figma:1:2' });

  // The tree itself, through many levels: 20k seeded edits.
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const authors = [0, 1, 2, 3, 4].map((i) => ({ class: i === 4 ? 'ai' : 'human', who: 'w' + i }));
  const map = new C.TextAuthorshipMap();
  for (let i = 0; i < 20000; i++) {
    const pos = Math.floor(rand() * (map.length + 1));
    const del = Math.min(map.length - pos, Math.floor(rand() * (i > 15000 ? 12 : 4)));
    map.apply({ pos, del, ins: Math.floor(rand() * 8), }, authors[Math.floor(rand() * 5)]);
  }
  map.checkInvariants();

  // A record with an unknown class is refused when written; one that arrives anyway (an imported
  // feed) is skipped by attribution, which says so.
  const robot = { kind: 'asset.edit', asset, out: C.contentCid(C.utf8Encode('!' + text)), delta: { text: [[0, 0, 1, 'robot']] } };
  let refused = '';
  try { await project.record(alice, robot); } catch (error) { refused = error.name + ': ' + error.message; }
  const head = await store.head(alice.did);
  const bad = C.signRecord(Object.assign({ proj: project.id, by: alice.did, seq: head.seq + 1, prev: head.cid, at: now++ }, robot), alice);
  await store.append(bad);
  const badClass = (await C.loadAssetAttribution(store, { asset })).notes.join(' | ');

  return JSON.stringify({
    runs: textResult.textMap.runs().map((r) => [r.start, r.length, r.author.class, r.author.who, String(r.author.record)]),
    byClass: textResult.shares.byClass,
    humanShare: textResult.humanShare,
    digitalSourceType: textResult.digitalSourceType,
    verified: textResult.verification.ok,
    nodes: nodeResult.nodeMap.nodes().map((n) => [n.id, n.properties.map((p) => [p.name, p.author.class, p.author.who])]),
    nodeSourceType: nodeResult.digitalSourceType,
    big: { length: map.length, runs: map.runCount, byClass: map.unitsByClass(), sample: map.runs(1000, 1100).map((r) => [r.start, r.length, r.author.who]) },
    badClass, badCid: String(bad.cid), refused,
  });
}`;

type Scenario = (core: unknown) => Promise<string>;

async function bundle(): Promise<string> {
  // tsup's own esbuild: the build core.bundle.js gets, without writing into dist/.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as typeof import('esbuild');
  const outfile = join(await mkdtemp(join(tmpdir(), 'colophon-qjs-')), 'core.mjs');
  await esbuild.build({ entryPoints: [ENTRY], bundle: true, format: 'esm', target: 'es2020', platform: 'neutral', mainFields: ['module', 'main'], outfile, logLevel: 'silent' });
  return readFile(outfile, 'utf8');
}

async function runInQuickJS(source: string): Promise<string> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  runtime.setMaxStackSize(1024 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 50_000));
  const vm = runtime.newContext();
  try {
    const present = vm.unwrapResult(vm.evalCode(`['TextEncoder', 'crypto', 'Buffer', 'process'].filter((n) => typeof globalThis[n] !== 'undefined')`));
    expect(vm.dump(present)).toEqual([]);
    present.dispose();
    const namespace = loadModule(runtime, vm, source, 'core.mjs');
    const fn = vm.unwrapResult(vm.evalCode(`(${SCENARIO})`, 'scenario.js', { type: 'global' }));
    const promise = vm.unwrapResult(vm.callFunction(fn, vm.undefined, namespace));
    fn.dispose();
    namespace.dispose();
    return settleScenario(runtime, vm, promise);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

describe('attribution in QuickJS (Figma sandbox engine)', () => {
  it('gives the same maps, shares, source types and errors as Node', async () => {
    const inQuickJS = JSON.parse(await runInQuickJS(await bundle()));
    const inNode = JSON.parse(await (new Function(`${SCENARIO}\nreturn scenario;`)() as Scenario)(core));
    expect(inQuickJS).toEqual(inNode);
    expect(inNode.verified).toBe(true);
    expect(inNode.digitalSourceType).toBe(core.DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);
    expect(inNode.runs.map((r: unknown[]) => r[2])).toEqual(['human', 'ai', 'human']);
    expect(inNode.nodes).toEqual([['1:3', [['characters', 'human', expect.stringMatching(/^did:key:/)], ['fills', 'ai', 'acme/writer@2']]]]);
    expect(inNode.big.runs).toBeGreaterThan(4096);
    expect(inNode.refused).toBe('RecordError: asset.edit record: delta.text[0][3]: unknown class "robot"; classes are "human", "ai", "tool", "paste", "unknown"');
    expect(inNode.badClass).toBe(
      `skipped a record that cannot be attributed (record ${inNode.badCid} delta.text[0][3]: unknown class "robot"; classes are "human", "ai", "tool", "paste", "unknown"); the result leaves it out`,
    );
  });
});
