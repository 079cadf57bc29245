// Contracts run in the main-entry bundle inside QuickJS (Figma's sandbox engine: no TextEncoder,
// TextDecoder, crypto, Buffer, process or require), and reach the same verdicts, the same signed
// gate and settle records (same CIDs) and the same amounts as in Node.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getQuickJS, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

const CORE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_PATH = join(CORE_DIR, 'dist', 'core.bundle.js');
const ABSENT = ['TextEncoder', 'TextDecoder', 'crypto', 'Buffer', 'process', 'require'];

/** Plain ES2020, so the very same text runs in QuickJS and in Node. Returns JSON. */
const SCENARIO = String.raw`async function scenario(C) {
  const id = (n) => C.identityFromSeed(new Uint8Array(32).fill(n));
  const owner = id(1), director = id(2), writer = id(3);
  let now = 1767225600000;
  const store = new C.MemoryRecordStore();
  const project = await C.Project.create('QuickJS contracts', owner, store, () => (now += 1000));
  await project.record(owner, { kind: 'member', delta: { op: 'grant', role: 'director', subject: director.did } });
  await project.record(owner, { kind: 'member', delta: { op: 'grant', role: 'editor', subject: writer.did } });
  const draftText = 'An AI draft about autumn knitwear.';
  const draft = await project.record(writer, {
    kind: 'ai.generate', asset: 'doc:a', agent: { type: 'ai', model: { provider: 'acme', name: 'w', version: '1' } },
    intent: { text: 'write the post' }, out: C.contentCid(C.utf8Encode(draftText)), delta: { text: [[0, 0, draftText.length, 'ai']] },
  });
  const edited = 'Made by hand in Porto: ' + draftText;
  await project.record(writer, { kind: 'asset.edit', asset: 'doc:a', links: [draft.cid], out: C.contentCid(C.utf8Encode(edited)), delta: { text: [[0, 0, 23, 'human']] } });
  await C.recordCheck(project, writer, { asset: 'doc:a', name: 'brand', score: 0.9, threshold: 0.8 });
  const gates = C.EXAMPLE_GATES.map((g) => ({ name: g.name, expr: g.expr }));
  gates.push({ name: 'mapFilter', expr: 'records.map(r, r.kind).filter(k, k == "asset.edit").size() == 1' });
  await project.record(owner, { kind: 'contract', asset: 'doc:a', ext: C.contractExt({ v: 1, name: 'c', gates, payout: { budget: 1001, currency: 'EUR', weights: { humanText: 3, prompts: 1, ai: 1 } } }) });
  let badCel = '';
  try { C.compileGate('g', 'approvals.exists(a, a.final', C.VIEW_VARIABLES); } catch (e) { badCel = e.message; }
  const result = await C.approveAsset(project, director, { asset: 'doc:a' });
  const replay = await C.replayGate(result.gate.record, store);
  const settled = await C.replaySettlement(result.settlement.record, store);
  return JSON.stringify({
    verdicts: result.gate.evaluation.verdicts,
    gate: result.gate.record.cid.toString(),
    settle: result.settlement.record.cid.toString(),
    lines: result.settlement.payload.lines,
    replayOk: replay.ok,
    settlementReplayOk: settled.ok,
    badCel,
  });
}`;

type ScenarioFn = (c: unknown) => Promise<string>;
const runInNode = new Function(`${SCENARIO}\nreturn scenario;`)() as ScenarioFn;

function newest(path: string): number {
  const s = statSync(path);
  return s.isDirectory() ? Math.max(s.mtimeMs, ...readdirSync(path).map((e) => newest(join(path, e)))) : s.mtimeMs;
}

function ensureBundle(): void {
  const inputs = Math.max(newest(join(CORE_DIR, 'src')), newest(join(CORE_DIR, 'tsup.config.ts')), newest(join(CORE_DIR, 'package.json')));
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs >= inputs) return;
  const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup], { cwd: CORE_DIR, env: { ...process.env, COLOPHON_BUNDLE_ONLY: '1' }, stdio: 'pipe' });
}

describe('contracts in QuickJS', () => {
  let runtime: QuickJSRuntime;
  let vm: QuickJSContext;

  beforeAll(async () => {
    ensureBundle();
    const QuickJS = await getQuickJS();
    runtime = QuickJS.newRuntime();
    runtime.setMemoryLimit(256 * 1024 * 1024);
    runtime.setMaxStackSize(1024 * 1024);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 90_000));
    vm = runtime.newContext();
  });

  afterAll(() => {
    vm?.dispose();
    runtime?.dispose();
  });

  function globalsInSandbox(): string[] {
    const handle = vm.unwrapResult(vm.evalCode(`JSON.stringify(${JSON.stringify(ABSENT)}.filter((n) => typeof globalThis[n] !== 'undefined'))`));
    try {
      return JSON.parse(vm.getString(handle)) as string[];
    } finally {
      handle.dispose();
    }
  }

  function settle(handle: ReturnType<QuickJSContext['evalCode']>, what: string) {
    if (handle.error) {
      const error = vm.dump(handle.error);
      handle.error.dispose();
      throw new Error(`${what}: ${JSON.stringify(error)}`);
    }
    let value = handle.value;
    for (let round = 0; round < 10_000; round++) {
      const state = vm.getPromiseState(value);
      if (state.type === 'fulfilled') {
        if (state.notAPromise) return value;
        value.dispose();
        return state.value;
      }
      if (state.type === 'rejected') {
        const error = vm.dump(state.error);
        state.error.dispose();
        throw new Error(`${what}: ${JSON.stringify(error)}`);
      }
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        const error = vm.dump(jobs.error);
        jobs.error.dispose();
        throw new Error(`${what}: ${JSON.stringify(error)}`);
      }
      if (jobs.value === 0 && vm.getPromiseState(value).type === 'pending') throw new Error(`${what}: never settled`);
    }
    throw new Error(`${what}: too many rounds`);
  }

  it('evaluates gates, settles, and replays exactly as Node does', async () => {
    expect(globalsInSandbox()).toEqual([]);
    const namespace = settle(vm.evalCode(readFileSync(BUNDLE_PATH, 'utf8'), 'core.mjs', { type: 'module' }), 'loading the bundle');
    // Loading @bufbuild/cel inside core left no global behind (see contracts/text-codec-shim.ts).
    expect(globalsInSandbox()).toEqual([]);
    const scenario = vm.unwrapResult(vm.evalCode(`(${SCENARIO})`, 'scenario.js', { type: 'global' }));
    const result = settle(vm.callFunction(scenario, vm.undefined, namespace), 'running the scenario');
    scenario.dispose();
    namespace.dispose();
    const inQuickJS = JSON.parse(vm.getString(result)) as { verdicts: { name: string; pass: boolean }[]; badCel: string; replayOk: boolean; settlementReplayOk: boolean; lines: { amount: number }[] };
    result.dispose();
    expect(globalsInSandbox()).toEqual([]);

    expect(inQuickJS.verdicts.every((v) => v.pass), JSON.stringify(inQuickJS.verdicts)).toBe(true);
    expect(inQuickJS.verdicts.map((v) => v.name)).toContain('mapFilter');
    expect(inQuickJS.badCel).toMatch(/invalid CEL at line 1, column 17: "\(" is never closed/);
    expect(inQuickJS.replayOk).toBe(true);
    expect(inQuickJS.settlementReplayOk).toBe(true);
    expect(inQuickJS.lines.reduce((s, l) => s + l.amount, 0)).toBe(1001);

    const inNode = JSON.parse(await runInNode(core)) as unknown;
    expect(inNode).toEqual(inQuickJS);
  });
});
