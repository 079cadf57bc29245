// Figma plugin benchmark. Prints one JSON line per figure (see bench/README.md):
// - the change handler (a documentchange batch of 1000 changed layers -> capture sessions) in
//   QuickJS, the engine of Figma's main thread: median ms per batch, against the same loop over
//   the same changes doing nothing (the floor); target <= 20 ms per batch;
// - signing one record on the main thread (QuickJS, pure JS) vs in the panel iframe (Chromium,
//   V8, pure JS, the same bundle): ms per record and the ratio;
// - the size of dist/code.js, the main-thread bundle (bytes and gzip bytes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { newQuickJSWASMModule } from 'quickjs-emscripten';

const quick = process.argv.includes('--quick');
const PLUGIN = new URL('../packages/figma-plugin/', import.meta.url);
const BATCHES = quick ? 5 : 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emit = (figure) => console.log(JSON.stringify(figure));

// The main bundle, built as Figma loads it.
const out = mkdtempSync(join(tmpdir(), 'colophon-figma-bench-'));
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: PLUGIN.pathname, env: { ...process.env, COLOPHON_FIGMA_OUT: out }, stdio: 'inherit' });
const code = readFileSync(join(out, 'code.js'));
rmSync(out, { recursive: true, force: true });
emit({ name: 'figma: main bundle dist/code.js', value: code.length, unit: 'bytes', gzip: gzipSync(code).length });

const bundled = await build({
  entryPoints: [new URL('bench/entry.ts', PLUGIN).pathname],
  bundle: true,
  format: 'iife',
  platform: 'neutral',
  target: 'es2020',
  conditions: ['@colophon/source'],
  mainFields: ['module', 'main'],
  minify: true,
  write: false,
  logLevel: 'warning',
});
const source = bundled.outputFiles[0].text;

// QuickJS: one realm, as Figma's main thread.
const QuickJS = await newQuickJSWASMModule();
const runtime = QuickJS.newRuntime();
runtime.setMemoryLimit(512 * 1024 * 1024);
const vm = runtime.newContext();
vm.unwrapResult(vm.evalCode(source, 'bench.js')).dispose();
function inQuickJS(expression) {
  const promise = vm.unwrapResult(vm.evalCode(`Promise.resolve(${expression}).then((v) => JSON.stringify(v))`));
  for (;;) {
    const jobs = runtime.executePendingJobs();
    if (jobs.error) throw new Error(JSON.stringify(vm.dump(jobs.error)));
    const state = vm.getPromiseState(promise);
    if (state.type === 'fulfilled') {
      const text = vm.getString(state.value);
      state.value.dispose();
      promise.dispose();
      return JSON.parse(text);
    }
    if (state.type === 'rejected') throw new Error(JSON.stringify(vm.dump(state.error)));
  }
}
const handler = median(inQuickJS(`colophonBench.handler(1000, ${BATCHES}, false)`));
const floor = median(inQuickJS(`colophonBench.handler(1000, ${BATCHES}, true)`));
emit({ name: 'figma: change handler, 1000 changed layers, QuickJS', value: handler, unit: 'ms/batch', baseline: floor, baselineName: 'the same loop doing nothing', ratio: floor > 0 ? handler / floor : null, target: 20, pass: handler <= 20 });
// The same batch on a file worked on for a while: 20 earlier bursts over the same layers recorded (200 records).
const loaded = median(inQuickJS(`colophonBench.handler(1000, ${BATCHES}, false, 20)`));
emit({ name: 'figma: change handler, 1000 changed layers, loaded ledger (200 records), QuickJS', value: loaded, unit: 'ms/batch', baseline: handler, baselineName: 'the same batch on a fresh ledger', ratio: handler > 0 ? loaded / handler : null, target: 20, pass: loaded <= 20 });
// A REMOTE batch on a loaded document: looking for other writers' new records when there are none.
const REFRESH_RECORDS = quick ? 500 : 2000;
const refreshLoaded = median(inQuickJS(`colophonBench.remoteRefresh(${REFRESH_RECORDS}, ${BATCHES})`));
const refreshFull = median(inQuickJS(`colophonBench.remoteRefresh(${REFRESH_RECORDS}, ${Math.min(BATCHES, 5)}, true)`));
emit({ name: `figma: REMOTE change on a loaded document (${REFRESH_RECORDS} records of another writer), refresh with nothing new, QuickJS`, value: refreshLoaded, unit: 'ms/event', baseline: refreshFull, baselineName: 'reading, decoding and hashing every feed (each refresh before)', ratio: refreshFull > 0 ? refreshLoaded / refreshFull : null, target: 20, pass: refreshLoaded <= 20 });
const signMain = inQuickJS(`colophonBench.signing(${quick ? 10 : 40})`);
// Freed strictly: QuickJS aborts if anything is still referenced (quickjs-emscripten-core is patched,
// see patches/README.md, so a job that grows the heap no longer leaves a stray context behind).
vm.dispose();
runtime.dispose();

// Chromium (the panel iframe's engine), same bundle.
let signIframe = null;
try {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.setContent(`<script>${source.replace(/<\/script/gi, '<\\/script')}</script>`);
  await page.evaluate(() => colophonBench.signing(20)); // warm-up (JIT)
  signIframe = await page.evaluate((n) => colophonBench.signing(n), quick ? 50 : 200);
  await browser.close();
} catch (error) {
  console.error(`bench/figma: Chromium unavailable (${error.message.split('\n')[0]}); the iframe figure is skipped`);
}
emit({ name: 'figma: sign one record, main thread (QuickJS, pure JS)', value: signMain, unit: 'ms/record', baseline: signIframe, baselineName: 'panel iframe (Chromium, pure JS)', ratio: signIframe ? signMain / signIframe : null });
