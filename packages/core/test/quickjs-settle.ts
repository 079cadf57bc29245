// Runs QuickJS's job queue until a scenario's promise settles, for the tests that play a scenario
// against a bundle inside the sandbox. Returns the string the scenario resolved to.
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
