// Runs the BUNDLED main thread (dist/code.js) in QuickJS, the engine of Figma's plugin sandbox,
// against a FakeFigma view. Inside QuickJS there is only ES2020 plus what Figma provides: the
// `figma` global, `__html__`, `console`, timers and Figma's fetch. No TextEncoder, crypto,
// WebAssembly, atob/btoa, structuredClone or DOM: a bundle that needs one fails here.
//
// Everything crosses the boundary as JSON through one host function; layers cross as ids and
// are live proxies on the QuickJS side, so every property read reaches the fake document.
import { newQuickJSWASMModule, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';
import type { FakeFigma } from './fake-figma.js';

const MEMORY_LIMIT = 256 * 1024 * 1024;
const ABSENT = ['TextEncoder', 'TextDecoder', 'crypto', 'WebAssembly', 'atob', 'btoa', 'structuredClone', 'window', 'document', 'process', 'require', 'Buffer'];

/** Figma's fetch, served by the test (a real HTTP request from Node). */
export type HostFetch = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<{ ok: boolean; status: number; text: string }>;

export interface QuickJSPlugin {
  /** A message from the panel (figma.ui.onmessage). */
  fromUi(message: unknown): void;
  /** Waits until `predicate` holds for a message the plugin posted to its panel; returns it. */
  waitForUi<T = Record<string, unknown>>(predicate: (message: Record<string, unknown>) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<T>;
  /** Sends a panel message and waits for the first matching answer posted after it. */
  request<T = Record<string, unknown>>(message: unknown, answer: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T>;
  /** Messages the plugin posted, decoded (Uint8Array restored). */
  readonly posted: Record<string, unknown>[];
  /** figma.closePlugin() messages and errors thrown inside QuickJS. */
  readonly failures: string[];
  /** Milliseconds spent inside QuickJS per documentchange dispatch. */
  readonly dispatchMs: number[];
  dispose(): void;
}

/** Everything inside QuickJS that stands for Figma's globals: built on one host function. */
const SHIM = String.raw`
(() => {
  const H = globalThis.__host;
  delete globalThis.__host;
  const ids = new WeakMap();
  const proxies = new Map();
  const callbacks = new Map();
  let nextCallback = 1;
  const pending = new Map();
  let nextPending = 1;
  let mixed;
  const encode = (v) => {
    if (v === undefined) return { $undefined: 1 };
    if (v === null || typeof v !== 'object') return typeof v === 'symbol' ? { $mixed: 1 } : v;
    if (ids.has(v)) return { $node: ids.get(v) };
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
    if (Array.isArray(v)) return v.map(encode);
    const out = {};
    for (const k of Object.keys(v)) out[k] = encode(v[k]);
    return out;
  };
  const decode = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(decode);
    if ('$undefined' in v) return undefined;
    if ('$mixed' in v) return mixed;
    if ('$node' in v) return node(v.$node);
    if ('$removed' in v) return { removed: true, id: v.$removed.id, type: v.$removed.type };
    if ('$bytes' in v) return Uint8Array.from(v.$bytes);
    const out = {};
    for (const k of Object.keys(v)) out[k] = decode(v[k]);
    return out;
  };
  const call = (op, ...args) => {
    const answer = JSON.parse(H(JSON.stringify([op, args.map(encode)])));
    if (answer.error !== undefined) throw new Error(answer.error);
    return decode(answer.value);
  };
  const callAsync = (op, ...args) => new Promise((resolve, reject) => {
    const id = nextPending++;
    pending.set(id, { resolve, reject });
    call('async', id, op, args);
  });
  globalThis.__settle = (id, json) => {
    const p = pending.get(id);
    pending.delete(id);
    const answer = JSON.parse(json);
    if (answer.error !== undefined) p.reject(new Error(answer.error));
    else p.resolve(decode(answer.value));
  };
  const ASYNC_METHODS = new Set(['loadAsync', 'getBytesAsync', 'getSizeAsync', 'exportAsync']);
  const node = (id) => {
    let proxy = proxies.get(id);
    if (proxy) return proxy;
    proxy = new Proxy({}, {
      get(_t, p) {
        if (typeof p !== 'string') return undefined;
        if (p === 'id') return id;
        const kind = call('nodeMember', id, p);
        if (kind === 'method') return (...args) => call('nodeCall', id, p, args);
        if (kind === 'async') return (...args) => callAsync('nodeCall', id, p, args);
        return call('nodeGet', id, p);
      },
      set(_t, p, value) {
        call('nodeSet', id, p, value);
        return true;
      },
      has(_t, p) {
        return typeof p === 'string' && call('nodeHas', id, p);
      },
    });
    ids.set(proxy, id);
    proxies.set(id, proxy);
    return proxy;
  };
  const register = (fn) => {
    for (const [id, f] of callbacks) if (f === fn) return id;
    const id = nextCallback++;
    callbacks.set(id, fn);
    return id;
  };
  globalThis.__dispatch = (id, json) => {
    const fn = callbacks.get(id);
    if (fn) fn(decode(JSON.parse(json)));
  };
  let uiHandler;
  globalThis.__uiMessage = (json) => {
    if (uiHandler) uiHandler(decode(JSON.parse(json)), { origin: 'null' });
  };
  const timers = new Map();
  let nextTimer = 1;
  globalThis.__timer = (id) => {
    const fn = timers.get(id);
    timers.delete(id);
    if (fn) fn();
  };
  globalThis.setTimeout = (fn, ms) => {
    const id = nextTimer++;
    timers.set(id, fn);
    call('setTimeout', id, ms || 0);
    return id;
  };
  globalThis.clearTimeout = (id) => {
    timers.delete(id);
    call('clearTimeout', id);
  };
  globalThis.console = {
    log: (...a) => call('log', a.map(String).join(' ')),
    warn: (...a) => call('log', a.map(String).join(' ')),
    error: (...a) => call('log', a.map(String).join(' ')),
  };
  globalThis.fetch = (url, init) => callAsync('fetch', url, init || {}).then((r) => ({
    ok: r.ok, status: r.status, statusText: '', headersObject: {}, redirected: false, type: 'basic', url,
    text: async () => r.text,
    json: async () => JSON.parse(r.text),
    arrayBuffer: async () => { throw new Error('arrayBuffer is not provided by this host'); },
  }));
  mixed = Symbol('figma.mixed');
  globalThis.figma = {
    get root() { return call('root'); },
    get currentPage() { return call('currentPage'); },
    set currentPage(page) { call('setCurrentPage', page); },
    get currentUser() { return call('currentUser'); },
    get mixed() { return mixed; },
    clientStorage: {
      getAsync: (key) => callAsync('storage', 'getAsync', [key]),
      setAsync: (key, value) => callAsync('storage', 'setAsync', [key, value]),
      deleteAsync: (key) => callAsync('storage', 'deleteAsync', [key]),
      keysAsync: () => callAsync('storage', 'keysAsync', []),
    },
    on: (type, fn) => call('on', type, register(fn)),
    off: (type, fn) => call('off', type, register(fn)),
    loadAllPagesAsync: () => callAsync('loadAllPagesAsync'),
    getNodeByIdAsync: (id) => callAsync('getNodeByIdAsync', id),
    getImageByHash: (hash) => call('hasImage', hash) ? { hash, getBytesAsync: () => callAsync('imageBytes', hash), getSizeAsync: () => callAsync('imageSize', hash) } : null,
    showUI: (html, options) => call('showUI', html, options),
    ui: {
      postMessage: (message) => call('postMessage', message),
      set onmessage(fn) { uiHandler = fn; },
      get onmessage() { return uiHandler; },
      on: (type, fn) => { if (type === 'message') uiHandler = fn; },
      show() {}, hide() {}, resize() {}, close() {},
    },
    notify: (message) => { call('notify', String(message)); return { cancel() {} }; },
    closePlugin: (message) => call('closePlugin', message === undefined ? '' : String(message)),
    createFrame: () => call('create', 'FRAME'),
    createRectangle: () => call('create', 'RECTANGLE'),
    createText: () => call('create', 'TEXT'),
    loadFontAsync: (font) => callAsync('loadFontAsync', font),
  };
})();
`;

export async function runPluginInQuickJS(
  view: FakeFigma,
  code: string,
  html: string,
  options: { fetch?: HostFetch; deadlineMs?: number; /** Relays what the plugin posts to a real panel. */ onPost?: (message: Record<string, unknown>) => void } = {},
): Promise<QuickJSPlugin> {
  // A module of its own: an aborted runtime must not take other tests' QuickJS down with it.
  const QuickJS = await newQuickJSWASMModule();
  const runtime: QuickJSRuntime = QuickJS.newRuntime();
  runtime.setMemoryLimit(MEMORY_LIMIT);
  runtime.setMaxStackSize(2 * 1024 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + (options.deadlineMs ?? 300_000)));
  const vm: QuickJSContext = runtime.newContext();
  const posted: Record<string, unknown>[] = [];
  const failures: string[] = [];
  const dispatchMs: number[] = [];
  const timers = new Map<number, NodeJS.Timeout>();
  const callbackIds = new Map<number, (event?: unknown) => void>();
  const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  let disposed = false;

  const encode = (value: unknown): unknown => {
    if (value === undefined) return { $undefined: 1 };
    if (typeof value === 'symbol') return { $mixed: 1 };
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Uint8Array) return { $bytes: Array.from(value) };
    if (Array.isArray(value)) return value.map(encode);
    if (view.isNode(value)) {
      const node = value as { id: string; removed?: boolean; type?: string };
      return node.removed ? { $removed: { id: node.id, type: node.type } } : { $node: node.id };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  };
  const decode = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(decode);
    const v = value as Record<string, unknown>;
    if ('$undefined' in v) return undefined;
    if ('$mixed' in v) return view.mixed;
    if ('$node' in v) return view.node(v.$node as string);
    if ('$bytes' in v) return Uint8Array.from(v.$bytes as number[]);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  };

  const dumpError = (handle: QuickJSHandle): string => {
    const error = vm.dump(handle) as { name?: string; message?: string; stack?: string } | string;
    return typeof error === 'object' && error !== null ? `${error.name ?? 'Error'}: ${error.message ?? ''}\n${error.stack ?? ''}` : String(error);
  };
  /** Calls a function the shim put on globalThis, then runs the jobs it queued. */
  const enter = (name: string, ...args: (string | number)[]): void => {
    if (disposed) return;
    const fn = vm.getProp(vm.global, name);
    const handles = args.map((a) => (typeof a === 'string' ? vm.newString(a) : vm.newNumber(a)));
    const result = vm.callFunction(fn, vm.undefined, ...handles);
    fn.dispose();
    for (const h of handles) h.dispose();
    if (result.error) {
      failures.push(`${name}: ${dumpError(result.error)}`);
      result.error.dispose();
    } else result.value.dispose();
    drain();
  };
  const drain = (): void => {
    // Bounded: a job that keeps queueing jobs is a bug to report, not a reason to hang the test.
    for (let round = 0; round < 100_000; round++) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        failures.push(`pending job: ${dumpError(jobs.error)}`);
        jobs.error.dispose();
        if (failures.length > 100) return;
        continue;
      }
      if (jobs.value === 0) return;
    }
    failures.push('pending jobs never ran out');
  };
  const settleLater = (id: number, work: () => Promise<unknown>): void => {
    work().then(
      (value) => enter('__settle', id, JSON.stringify({ value: encode(value) })),
      (error: Error) => enter('__settle', id, JSON.stringify({ error: error.message })),
    );
  };

  const storage = view.clientStorage;
  const ops: Record<string, (...args: unknown[]) => unknown> = {
    root: () => view.root,
    currentPage: () => view.currentPage,
    setCurrentPage: (page) => (view.currentPage = page as PageNode),
    currentUser: () => view.currentUser,
    nodeMember: (id, name) => view.memberKind(id as string, name as string),
    nodeGet: (id, name) => (view.node(id as string) as unknown as Record<string, unknown>)[name as string],
    nodeHas: (id, name) => (name as string) in (view.node(id as string) as object),
    nodeSet: (id, name, value) => ((view.node(id as string) as unknown as Record<string, unknown>)[name as string] = value),
    nodeCall: (id, name, args) => (view.node(id as string) as unknown as Record<string, (...a: unknown[]) => unknown>)[name as string]!(...(args as unknown[])),
    on: (type, callbackId) => {
      const id = callbackId as number;
      const callback =
        callbackIds.get(id) ??
        ((event?: unknown) => {
          const started = performance.now();
          enter('__dispatch', id, JSON.stringify(encode(event)));
          if (type === 'documentchange') dispatchMs.push(performance.now() - started);
        });
      callbackIds.set(id, callback);
      view.on(type as 'close', callback);
    },
    off: (type, callbackId) => {
      const callback = callbackIds.get(callbackId as number);
      if (callback) view.off(type as 'close', callback);
    },
    hasImage: (hash) => view.getImageByHash(hash as string) !== null,
    showUI: (html) => view.showUI(html as string),
    postMessage: (message) => {
      const decoded = message as Record<string, unknown>;
      posted.push(decoded);
      view.ui.postMessage(decoded);
      options.onPost?.(decoded);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(decoded)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(decoded);
        }
      }
    },
    notify: (message) => view.notify(message as string),
    closePlugin: (message) => failures.push(`closePlugin: ${message as string}`),
    create: (kind) => (kind === 'FRAME' ? view.createFrame() : kind === 'TEXT' ? view.createText() : view.createRectangle()),
    log: (line) => process.env.COLOPHON_QUICKJS_LOG && console.log(`[quickjs] ${line as string}`),
    setTimeout: (id, ms) => {
      timers.set(
        id as number,
        setTimeout(() => {
          timers.delete(id as number);
          enter('__timer', id as number);
        }, ms as number),
      );
    },
    clearTimeout: (id) => {
      clearTimeout(timers.get(id as number));
      timers.delete(id as number);
    },
    async: (id, op, args) => {
      const [a, b, c] = args as unknown[];
      const work: Record<string, () => Promise<unknown>> = {
        storage: () => (storage as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[a as string]!(...(b as unknown[])),
        loadAllPagesAsync: () => view.loadAllPagesAsync(),
        getNodeByIdAsync: () => view.getNodeByIdAsync(a as string),
        imageBytes: () => view.getImageByHash(a as string)!.getBytesAsync(),
        imageSize: () => view.getImageByHash(a as string)!.getSizeAsync(),
        loadFontAsync: () => view.loadFontAsync(a as FontName),
        nodeCall: () => Promise.resolve((view.node(a as string) as unknown as Record<string, (...x: unknown[]) => unknown>)[b as string]!(...(c as unknown[]))),
        fetch: () => {
          if (!options.fetch) return Promise.reject(new Error('network access is not available'));
          return options.fetch(a as string, b as { method?: string; headers?: Record<string, string>; body?: string });
        },
      };
      const run = work[op as string];
      if (!run) throw new Error(`unknown async host operation ${String(op)}`);
      settleLater(id as number, run);
    },
  };

  const host = vm.newFunction('__host', (request) => {
    const [op, args] = JSON.parse(vm.getString(request)) as [string, unknown[]];
    try {
      const fn = ops[op];
      if (!fn) throw new Error(`unknown host operation ${op}`);
      const value = fn(...(args.map(decode) as unknown[]));
      return vm.newString(JSON.stringify({ value: encode(value) }));
    } catch (error) {
      return vm.newString(JSON.stringify({ error: (error as Error).message }));
    }
  });
  vm.setProp(vm.global, '__host', host);
  host.dispose();
  const html_ = vm.newString(html);
  vm.setProp(vm.global, '__html__', html_);
  html_.dispose();
  vm.unwrapResult(vm.evalCode(SHIM, 'figma-host.js')).dispose();
  const absent = vm.unwrapResult(vm.evalCode(`JSON.stringify(${JSON.stringify(ABSENT)}.filter((n) => typeof globalThis[n] !== 'undefined'))`));
  const present = JSON.parse(vm.getString(absent)) as string[];
  absent.dispose();
  if (present.length > 0) throw new Error(`the QuickJS realm unexpectedly has ${present.join(', ')}`);

  const loaded = vm.evalCode(code, 'code.js');
  if (loaded.error) {
    const message = dumpError(loaded.error);
    loaded.error.dispose();
    vm.dispose();
    runtime.dispose();
    throw new Error(`dist/code.js failed to load in QuickJS: ${message}`);
  }
  loaded.value.dispose();
  drain();

  const plugin: QuickJSPlugin = {
    posted,
    failures,
    dispatchMs,
    fromUi(message) {
      enter('__uiMessage', JSON.stringify(encode(message)));
    },
    request<T>(message: unknown, answer: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T> {
      const after = posted.length;
      const waiting = plugin.waitForUi<T>(answer, { after, timeoutMs });
      plugin.fromUi(message);
      return waiting;
    },
    waitForUi<T>(predicate: (m: Record<string, unknown>) => boolean, { after = 0, timeoutMs = 60_000 }: { after?: number; timeoutMs?: number } = {}): Promise<T> {
      const found = posted.slice(after).find(predicate);
      if (found) return Promise.resolve(found as T);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching panel message within ${timeoutMs} ms; failures: ${failures.join('\n') || 'none'}; last posted: ${JSON.stringify(posted.slice(-3)).slice(0, 800)}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
        });
      });
    },
    dispose() {
      disposed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      view.close();
      // Strict: QuickJS aborts here if anything the plugin or this host made is still referenced.
      vm.dispose();
      runtime.dispose();
    },
  };
  return plugin;
}
