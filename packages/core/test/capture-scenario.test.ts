// The capture engine driven by a scripted writing session with known truth (typing, an AI
// command, word replacement, paste with non-ASCII, a formatter, undo/redo, an undo nobody can
// match, an external change reconciled on reopen), checked per character against the ledger's
// replay — in Node and in QuickJS from a bundle of the /record, /attribution, /capture and /lineage
// entries (no crypto, no TextEncoder), with identical record CIDs; the pipeline recorder shares
// the capture engine's writer and runs without a random source.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getQuickJS, shouldInterruptAfterDeadline } from 'quickjs-emscripten';
import { describe, expect, it } from 'vitest';
import { loadModule, settleScenario } from './quickjs-settle.js';
import * as attribution from '../src/attribution/index.js';
import * as capture from '../src/capture/index.js';
import * as lineage from '../src/lineage/index.js';
import * as record from '../src/record/index.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const SCENARIO_FILE = fileURLToPath(new URL('./capture/scenario.js', import.meta.url));

async function bundle(): Promise<string> {
  // tsup's own esbuild (not a direct dependency, so typed here by what the test uses).
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
  const outfile = join(await mkdtemp(join(tmpdir(), 'colophon-capture-qjs-')), 'capture.mjs');
  await esbuild.build({
    stdin: {
      contents: ['record', 'attribution', 'capture', 'lineage'].map((entry) => `export * from './${entry}/index.ts';`).join('\n'),
      resolveDir: SRC,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
  });
  return readFile(outfile, 'utf8');
}

async function runInQuickJS(moduleSource: string, scenario: string): Promise<string> {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  runtime.setMaxStackSize(1024 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 60_000));
  const vm = runtime.newContext();
  try {
    const present = vm.unwrapResult(vm.evalCode(`['TextEncoder', 'TextDecoder', 'crypto', 'Buffer', 'process', 'setTimeout'].filter((n) => typeof globalThis[n] !== 'undefined')`));
    expect(vm.dump(present)).toEqual([]);
    present.dispose();
    const before = vm.unwrapResult(vm.evalCode('Object.getOwnPropertyNames(globalThis).sort().join(",")'));
    const globalsBefore = vm.getString(before);
    before.dispose();
    const namespace = loadModule(runtime, vm, moduleSource, 'capture.mjs');
    const after = vm.unwrapResult(vm.evalCode('Object.getOwnPropertyNames(globalThis).sort().join(",")'));
    expect(vm.getString(after)).toBe(globalsBefore);
    after.dispose();
    const fn = vm.unwrapResult(vm.evalCode(`(${scenario})`, 'scenario.js', { type: 'global' }));
    const promise = vm.unwrapResult(vm.callFunction(fn, vm.undefined, namespace));
    fn.dispose();
    namespace.dispose();
    return settleScenario(runtime, vm, promise);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

interface Outcome {
  text: string;
  truth: string;
  classes: string;
  reconciled: number;
  unnamedRun: string;
  verified: boolean;
  problems: string[];
  notes: string[];
  records: [cid: string, kind: string, evidence: string | null, ops: string | null][];
}

async function scenarioSource(): Promise<string> {
  const source = await readFile(SCENARIO_FILE, 'utf8');
  return source.slice(source.indexOf('async function scenario'));
}

describe('capture engine: a scripted session against known truth', () => {
  it('gives every character the class it was made with, in Node', async () => {
    const run = new Function(`${await scenarioSource()}\nreturn scenario;`)() as (core: unknown) => Promise<string>;
    const out = JSON.parse(await run({ ...record, ...attribution, ...capture, ...lineage })) as Outcome;
    expect(out.problems).toEqual([]);
    expect(out.verified).toBe(true);
    expect(out.classes).toBe(out.truth);
    // Every class and evidence of the session shows up, each record states one evidence.
    expect(new Set(out.truth)).toEqual(new Set(['h', 'a', 'p', 't', '?']));
    const kinds = out.records.map((r) => r[1]);
    expect(kinds[0]).toBe('project.genesis');
    expect(kinds[1]).toBe('asset.create');
    expect(kinds).toContain('ai.generate');
    expect(kinds[kinds.length - 1]).toBe('agent.step');
    expect(out.unnamedRun).toBe('string');
    const evidence = new Set(out.records.slice(1, -1).map((r) => r[2]));
    expect(evidence).toEqual(new Set(['typed', 'command', 'reconciled']));
    // The AI generation is one record with one op; typing coalesces into few ops, not one per key.
    const ai = out.records.find((r) => r[1] === 'ai.generate')!;
    expect(ai[3]).toMatch(/^\d+:0:35:ai$/);
    expect(out.records.length).toBeLessThan(25);
    // The external change is word-level: "The" -> "That" replaced as one span, plus the new sentence.
    expect(out.reconciled).toBe(3 + 4 + 'Written elsewhere.\n'.length);
  });

  it('runs unchanged in QuickJS with the same record CIDs, and touches no globals', async () => {
    const source = await scenarioSource();
    const inNode = JSON.parse(await (new Function(`${source}\nreturn scenario;`)() as (core: unknown) => Promise<string>)({ ...record, ...attribution, ...capture, ...lineage })) as Outcome;
    const inQuickJS = JSON.parse(await runInQuickJS(await bundle(), source)) as Outcome;
    expect(inQuickJS).toEqual(inNode);
    expect(inQuickJS.classes).toBe(inQuickJS.truth);
  }, 120_000);
});
