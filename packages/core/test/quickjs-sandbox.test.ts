// Runs the self-contained main-entry bundle (dist/core.bundle.js) inside QuickJS, the engine of
// Figma's plugin sandbox: no TextEncoder/TextDecoder, no crypto, no Buffer, no process, no require.
// The same scenario then runs in Node and must produce byte-identical records and identical CIDs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as dagCbor from '@ipld/dag-cbor';
import { getQuickJS, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { nodeCryptoBackend } from '../src/node/crypto.js';

const CORE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_PATH = join(CORE_DIR, 'dist', 'core.bundle.js');

/** RFC 8032 section 7.1 test 1 secret key; its did:key is known independently (shared notes). */
const SEED_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const SEED_DID = 'did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw';

const SANDBOX_ABSENT_GLOBALS = ['TextEncoder', 'TextDecoder', 'crypto', 'Buffer', 'process', 'require'] as const;
const QUICKJS_MEMORY_LIMIT = 128 * 1024 * 1024;
const QUICKJS_DEADLINE_MS = 40_000;

/**
 * The scenario, as plain ES2020 source so the very same text runs in QuickJS and in Node. It gets
 * only the core module namespace and a hex seed, and returns JSON (strings cross the boundary).
 */
const SCENARIO = String.raw`async function scenario(C, seedHex) {
  const fromHex = (hex) => {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  };
  const toHex = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  };
  const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const rejects = (fn) => {
    try { fn(); return false; } catch (error) { return error instanceof C.ColophonError; }
  };

  const identity = C.identityFromSeed(fromHex(seedHex));
  let now = 1767225600000; // 2026-01-01T00:00:00Z: above 2^32, so every "at" is an 8-byte integer
  const clock = () => now++;
  const store = new C.MemoryRecordStore();
  const project = await C.Project.create('QuickJS parity', identity, store, clock);

  const salt = new Uint8Array(32);
  for (let i = 0; i < salt.length; i++) salt[i] = (i * 37 + 11) & 255;
  const promptText = 'Write a haiku on provenance, über naïve café \u{1F338}';
  const commitment = C.commitText(promptText, salt);
  const intent = await project.record(identity, { kind: 'intent', intent: { commit: commitment.commit } });

  const generated = C.utf8Encode('Signed bytes travel\nfrom QuickJS to Node intact\nthe hash stays the same');
  const ai = await project.record(identity, {
    kind: 'ai.generate',
    agent: { type: 'ai', model: { provider: 'example', name: 'haiku-model', version: '2025-06-01' } },
    links: [intent.cid],
    out: C.contentCid(generated),
    at: 1767225700123,
  });

  const edited = C.utf8Encode('Hello' + C.utf8Decode(generated));
  const edit = await project.record(identity, {
    kind: 'asset.edit',
    asset: 'poems/haiku.txt',
    in: [ai.record.out],
    links: [ai.cid],
    out: C.contentCid(edited),
    delta: { text: [[0, 0, 5, 'human']] },
  });

  const records = [project.genesis, intent, ai, edit];
  const checks = records.map((r) => {
    const decoded = C.decodeRecord(r.bytes);
    return {
      kind: r.record.kind,
      cidMatches: decoded.cid.equals(r.cid) && C.recordCid(r.bytes).equals(r.cid),
      fieldsRoundTrip: sameBytes(C.encodeRecordFields(decoded.record), r.bytes),
      genericRoundTrip: sameBytes(C.encode(C.decode(r.bytes)), r.bytes),
      signatureValid: C.verifyRecordSignature(decoded.record),
      tamperedRejected: !C.verifyRecordSignature(Object.assign({}, decoded.record, { at: decoded.record.at + 1 })),
    };
  });
  const head = await store.head(identity.did);
  const strictness = {
    unsortedKeys: rejects(() => C.decode(Uint8Array.from([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02]))),
    nonShortestInteger: rejects(() => C.decode(Uint8Array.from([0x18, 0x05]))),
    invalidUtf8: rejects(() => C.decode(Uint8Array.from([0x62, 0xc3, 0x28]))),
    undefinedValue: rejects(() => C.encode({ a: undefined })),
    loneSurrogate: rejects(() => C.encode('\uD800')),
  };
  return JSON.stringify({
    did: identity.did,
    publicKey: toHex(identity.publicKey),
    commitment: {
      cid: commitment.commit.toString(),
      opening: toHex(commitment.opening),
      opens: C.openCommitment(commitment.commit, commitment.opening) === promptText,
    },
    records: records.map((r) => ({ kind: r.record.kind, cid: r.cid.toString(), bytes: toHex(r.bytes) })),
    headIsLast: head !== undefined && head.seq === 3 && head.cid.equals(edit.cid),
    checks,
    strictness,
  });
}`;

interface ScenarioResult {
  did: string;
  publicKey: string;
  commitment: { cid: string; opening: string; opens: boolean };
  records: { kind: string; cid: string; bytes: string }[];
  headIsLast: boolean;
  checks: Record<string, unknown>[];
  strictness: Record<string, boolean>;
}

type ScenarioFn = (core: unknown, seedHex: string) => Promise<string>;
const runScenarioInNode = new Function(`${SCENARIO}\nreturn scenario;`)() as ScenarioFn;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds dist/core.bundle.js with tsup when it is missing or older than anything it is built from.
 * COLOPHON_BUNDLE_ONLY=1 (see tsup.config.ts) skips the library build and its .d.ts step.
 */
function ensureBundle(): void {
  const inputs = Math.max(newestMtime(join(CORE_DIR, 'src')), newestMtime(join(CORE_DIR, 'tsup.config.ts')), newestMtime(join(CORE_DIR, 'package.json')));
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs >= inputs) return;
  const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  try {
    execFileSync(process.execPath, [tsup], {
      cwd: CORE_DIR,
      env: { ...process.env, COLOPHON_BUNDLE_ONLY: '1' },
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsup failed to build ${BUNDLE_PATH}:\n${stdout}\n${stderr}`);
  }
}

/** Names the bundled source module (esbuild's "// path" comments) around a line of the bundle. */
function moduleAtLine(source: string, line: number): string {
  const lines = source.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(lines[i]!);
    if (match) return match[1]!;
  }
  return '(unknown module)';
}

/** Adds the originating module to each "core.mjs:LINE" of a QuickJS stack, so a failure names its source. */
function annotateStack(source: string, stack: string): string {
  return stack.replace(/core\.mjs:(\d+)(?::\d+)?/g, (whole, line: string) => `${whole} [${moduleAtLine(source, Number(line))}]`);
}

describe('the main-entry bundle in QuickJS (Figma sandbox engine)', () => {
  let bundleSource = '';
  let runtime: QuickJSRuntime | undefined;
  let vm: QuickJSContext | undefined;

  beforeAll(async () => {
    ensureBundle();
    try {
      bundleSource = readFileSync(BUNDLE_PATH, 'utf8');
    } catch {
      // A concurrent full build (tsup cleans dist/ first) can remove the file for a moment.
      ensureBundle();
      bundleSource = readFileSync(BUNDLE_PATH, 'utf8');
    }
    const QuickJS = await getQuickJS();
    runtime = QuickJS.newRuntime();
    runtime.setMemoryLimit(QUICKJS_MEMORY_LIMIT);
    runtime.setMaxStackSize(1024 * 1024);
    vm = runtime.newContext();
  });

  afterAll(() => {
    vm?.dispose();
    runtime?.dispose();
  });

  function typeofGlobals(context: QuickJSContext): Record<string, string> {
    const handle = context.unwrapResult(
      context.evalCode(`JSON.stringify(Object.fromEntries(${JSON.stringify(SANDBOX_ABSENT_GLOBALS)}.map((n) => [n, typeof globalThis[n]])))`),
    );
    try {
      return JSON.parse(context.getString(handle)) as Record<string, string>;
    } finally {
      handle.dispose();
    }
  }

  function dumpError(context: QuickJSContext, handle: QuickJSHandle): string {
    const error = context.dump(handle) as { name?: string; message?: string; stack?: string } | string;
    if (typeof error !== 'object' || error === null) return String(error);
    return annotateStack(bundleSource, `${error.name ?? 'Error'}: ${error.message ?? ''}\n${error.stack ?? ''}`);
  }

  /** Evaluates the bundle as an ES module and runs the scenario on its exports, all inside QuickJS. */
  function runScenarioInQuickJS(context: QuickJSContext, rt: QuickJSRuntime, seedHex: string): ScenarioResult {
    // A hang (or a runaway loop) inside QuickJS is interrupted and fails the test.
    rt.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + QUICKJS_DEADLINE_MS));
    const evaluated = context.evalCode(bundleSource, 'core.mjs', { type: 'module' });
    if (evaluated.error) {
      const message = dumpError(context, evaluated.error);
      evaluated.error.dispose();
      throw new Error(`core.bundle.js failed to load in QuickJS: ${message}`);
    }
    // Module evaluation yields the namespace, or a promise of it when the module awaits at top level.
    let namespace = evaluated.value;
    const loaded = context.getPromiseState(namespace);
    if (loaded.type !== 'fulfilled' || !loaded.notAPromise) {
      rt.executePendingJobs();
      const settled = context.getPromiseState(namespace);
      namespace.dispose();
      if (settled.type !== 'fulfilled') {
        const message = settled.type === 'rejected' ? dumpError(context, settled.error) : 'still pending';
        if (settled.type === 'rejected') settled.error.dispose();
        throw new Error(`core.bundle.js failed to load in QuickJS: ${message}`);
      }
      namespace = settled.value;
    }

    const scenario = context.unwrapResult(context.evalCode(`(${SCENARIO})`, 'scenario.js', { type: 'global' }));
    const seed = context.newString(seedHex);
    const called = context.callFunction(scenario, context.undefined, namespace, seed);
    seed.dispose();
    scenario.dispose();
    namespace.dispose();
    if (called.error) {
      const message = dumpError(context, called.error);
      called.error.dispose();
      throw new Error(`scenario threw in QuickJS: ${message}`);
    }
    const promise = called.value;
    try {
      for (let round = 0; round < 1000; round++) {
        const jobs = rt.executePendingJobs();
        if (jobs.error) {
          const message = dumpError(context, jobs.error);
          jobs.error.dispose();
          throw new Error(`a pending job failed in QuickJS: ${message}`);
        }
        const state = context.getPromiseState(promise);
        if (state.type === 'fulfilled') {
          try {
            return JSON.parse(context.getString(state.value)) as ScenarioResult;
          } finally {
            state.value.dispose();
          }
        }
        if (state.type === 'rejected') {
          const message = dumpError(context, state.error);
          state.error.dispose();
          throw new Error(`scenario failed in QuickJS: ${message}`);
        }
        if (jobs.value === 0) break;
      }
      throw new Error('scenario never settled in QuickJS (no pending jobs left)');
    } finally {
      promise.dispose();
    }
  }

  it('is self-contained: no require() and no node: imports', () => {
    expect(bundleSource).not.toMatch(/\brequire\s*\(/);
    expect(bundleSource).not.toMatch(/["'`]node:/);
    expect(bundleSource).not.toMatch(/^\s*import[\s{*"']/m);
    expect(bundleSource).not.toMatch(/\bimport\s*\(/);
  });

  let inQuickJS: ScenarioResult | undefined;

  it('runs in a sandbox without TextEncoder, TextDecoder, crypto, Buffer, process or require', () => {
    const context = vm!;
    const absent = Object.fromEntries(SANDBOX_ABSENT_GLOBALS.map((name) => [name, 'undefined']));
    expect(typeofGlobals(context)).toEqual(absent);

    inQuickJS = runScenarioInQuickJS(context, runtime!, SEED_HEX);

    // Loading core must not have smuggled any of them in either.
    expect(typeofGlobals(context)).toEqual(absent);
    expect(inQuickJS.did).toBe(SEED_DID);
    expect(inQuickJS.records.map((r) => r.kind)).toEqual(['project.genesis', 'intent', 'ai.generate', 'asset.edit']);
    for (const check of inQuickJS.checks) {
      expect(check).toEqual({
        kind: check.kind,
        cidMatches: true,
        fieldsRoundTrip: true,
        genericRoundTrip: true,
        signatureValid: true,
        tamperedRejected: true,
      });
    }
    expect(inQuickJS.commitment.opens).toBe(true);
    expect(inQuickJS.headIsLast).toBe(true);
    expect(Object.values(inQuickJS.strictness).every(Boolean), JSON.stringify(inQuickJS.strictness)).toBe(true);
  });

  it('produces byte-identical records and CIDs to the same bundle and to the sources in Node', async () => {
    expect(inQuickJS, 'the QuickJS run must succeed first').toBeDefined();
    // The very same bundle file, run by V8.
    const bundleInNode = (await import(/* @vite-ignore */ pathToFileURL(BUNDLE_PATH).href)) as unknown;
    const fromBundle = JSON.parse(await runScenarioInNode(bundleInNode, SEED_HEX)) as ScenarioResult;
    expect(fromBundle).toEqual(inQuickJS);

    // The sources, with the pure-JS backend and then with node:crypto (deterministic Ed25519: same bytes).
    const fromSource = JSON.parse(await runScenarioInNode(core, SEED_HEX)) as ScenarioResult;
    expect(fromSource).toEqual(inQuickJS);
    core.useCryptoBackend(nodeCryptoBackend);
    try {
      const fromNodeCrypto = JSON.parse(await runScenarioInNode(core, SEED_HEX)) as ScenarioResult;
      expect(fromNodeCrypto).toEqual(inQuickJS);
    } finally {
      core.useCryptoBackend(core.pureJsBackend);
    }
  });

  it('writes bytes that @ipld/dag-cbor decodes and re-encodes identically', () => {
    expect(inQuickJS, 'the QuickJS run must succeed first').toBeDefined();
    const [genesis, intent, ai, edit] = inQuickJS!.records.map((r) => {
      const bytes = Uint8Array.from(Buffer.from(r.bytes, 'hex'));
      const value = dagCbor.decode<Record<string, unknown>>(bytes);
      expect(Buffer.from(dagCbor.encode(value)).toString('hex')).toBe(r.bytes);
      expect(value.v).toBe(1);
      expect(value.by).toBe(SEED_DID);
      expect(value.sig).toBeInstanceOf(Uint8Array);
      expect((value.sig as Uint8Array).length).toBe(64);
      expect(core.recordCid(bytes).toString()).toBe(r.cid);
      return { value, cid: r.cid };
    });
    expect(genesis!.value.at).toBe(1767225600000);
    expect(String(intent!.value.proj)).toBe(genesis!.cid);
    expect(String((intent!.value.intent as { commit: unknown }).commit)).toBe(inQuickJS!.commitment.cid);
    expect(ai!.value.at).toBe(1767225700123);
    expect(ai!.value.agent).toEqual({ type: 'ai', model: { provider: 'example', name: 'haiku-model', version: '2025-06-01' } });
    expect((ai!.value.links as unknown[]).map(String)).toEqual([intent!.cid]);
    expect(String(edit!.value.prev)).toBe(ai!.cid);
    expect(edit!.value.delta).toEqual({ text: [[0, 0, 5, 'human']] });
    expect(edit!.value.seq).toBe(3);

    const opening = dagCbor.decode<{ salt: Uint8Array; text: string }>(Uint8Array.from(Buffer.from(inQuickJS!.commitment.opening, 'hex')));
    expect(opening.text).toBe('Write a haiku on provenance, über naïve café \u{1F338}');
    expect(opening.salt.length).toBe(32);
  });
});
