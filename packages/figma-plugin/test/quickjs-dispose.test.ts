// The QuickJS runtimes of the plugin tests and of bench/figma.mjs are freed strictly: QuickJS
// aborts if anything is still referenced. quickjs-emscripten-core 0.32.0 read the context of the
// last promise job through a view of the wasm heap taken before the jobs ran; a job that grew the
// heap left that view detached, the read gave undefined, and the library made a new context for it
// that nobody disposed (justjake/quickjs-emscripten#269). patches/quickjs-emscripten-core@0.32.0.patch
// re-reads the heap; this checks the patched library.
import { newQuickJSWASMModule } from 'quickjs-emscripten';
import { expect, it } from 'vitest';

it('frees a QuickJS runtime cleanly after a promise job that grows the wasm heap', async () => {
  const QuickJS = await newQuickJSWASMModule();
  const runtime = QuickJS.newRuntime();
  const vm = runtime.newContext();
  vm.unwrapResult(vm.evalCode('Promise.resolve().then(() => { const kept = []; for (let i = 0; i < 200000; i++) kept.push({ i }); globalThis.count = kept.length; })')).dispose();
  const heapBefore = QuickJS.getWasmMemory().buffer.byteLength;
  const jobs = runtime.executePendingJobs();
  expect(jobs.error).toBeUndefined();
  expect(QuickJS.getWasmMemory().buffer.byteLength).toBeGreaterThan(heapBefore);
  const count = vm.getProp(vm.global, 'count');
  expect(vm.getNumber(count)).toBe(200000);
  count.dispose();
  vm.dispose();
  expect(() => runtime.dispose()).not.toThrow();
});
