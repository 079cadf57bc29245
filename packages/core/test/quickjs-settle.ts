// For the tests that play a scenario against a bundle inside QuickJS: load the bundle as a module,
// then run the job queue until the scenario's promise settles.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';

export function settleScenario(runtime: QuickJSRuntime, vm: QuickJSContext, promise: QuickJSHandle): string {
  for (;;) {
    const jobs = runtime.executePendingJobs();
    if (jobs.error) {
      const message = JSON.stringify(vm.dump(jobs.error));
      jobs.error.dispose();
      promise.dispose();
      throw new Error(`QuickJS job failed: ${message}`);
    }
    const state = vm.getPromiseState(promise);
    if (state.type === 'fulfilled') {
      const out = vm.getString(state.value);
      state.value.dispose();
      promise.dispose();
      return out;
    }
    if (state.type === 'rejected') {
      const message = JSON.stringify(vm.dump(state.error));
      state.error.dispose();
      promise.dispose();
      throw new Error(`scenario failed in QuickJS: ${message}`);
    }
    if (jobs.value === 0) {
      promise.dispose();
      throw new Error('scenario never settled in QuickJS');
    }
  }
}

/** Evaluates an ES module bundle and returns its namespace, once its top level has run. */
export function loadModule(runtime: QuickJSRuntime, vm: QuickJSContext, source: string, name: string): QuickJSHandle {
  const namespace = vm.unwrapResult(vm.evalCode(source, name, { type: 'module' }));
  const loaded = vm.getPromiseState(namespace);
  if (loaded.type === 'fulfilled' && loaded.notAPromise) return namespace;
  runtime.executePendingJobs();
  const settled = vm.getPromiseState(namespace);
  namespace.dispose();
  if (settled.type !== 'fulfilled') throw new Error(`${name} did not load in QuickJS`);
  return settled.value;
}
