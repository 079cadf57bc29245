// Shared by the plugin tests: builds the bundle once, starts it in QuickJS for a user of a fake
// document, and reads the document's ledger back the way `colophon import figma` does.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EMBEDDED_FEED_NAMESPACE,
  carBytesBlocks,
  decodeRecord,
  loadAssetHistory,
  MemoryRecordStore,
  readEmbeddedFeeds,
  replayNodeAuthorship,
  verifyBlocks,
  type DecodedRecord,
  type NodeAuthorshipMap,
  type VerifyReport,
} from '@colophon/core';
import '@colophon/c2pa-bridge';
import { readPlacedImage } from '../src/ui/image-reading.js';
import type { FakeDocument, FakeFigma } from './fake-figma.js';
import { runPluginInQuickJS, type HostFetch, type QuickJSPlugin } from './quickjs-host.js';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
let built: { code: string; html: string } | undefined;

/** dist/code.js and dist/ui.html, built from the current sources once per test file. */
export function bundle(): { code: string; html: string } {
  if (!built) {
    const out = mkdtempSync(join(tmpdir(), 'colophon-figma-build-'));
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: PLUGIN_DIR, stdio: 'pipe', env: { ...process.env, COLOPHON_FIGMA_OUT: out } });
    built = { code: readFileSync(join(out, 'code.js'), 'utf8'), html: readFileSync(join(out, 'ui.html'), 'utf8') };
    rmSync(out, { recursive: true, force: true });
  }
  return built;
}

/**
 * Starts the bundled plugin for `view`'s user, answering its first-run request for key entropy
 * and its requests to read placed images' credentials as the panel would (the panel's own
 * reading code, with the SDK loaded by Node's c2pa-bridge entry).
 */
export async function launch(view: FakeFigma, options: { fetch?: HostFetch } = {}): Promise<QuickJSPlugin> {
  const { code, html } = bundle();
  const onPost = (message: Record<string, unknown>): void => {
    if (message.type !== 'read-image') return;
    void readPlacedImage(message.bytes as Uint8Array).then((reading) => plugin.fromUi({ type: 'image-read', id: message.id, ...reading }));
  };
  const plugin: QuickJSPlugin = await runPluginInQuickJS(view, code, html, { ...options, onPost });
  const started = plugin.waitForUi((m) => m.type === 'status' || m.type === 'entropy-request');
  const first = await started;
  if (first.type === 'entropy-request') plugin.fromUi({ type: 'entropy', bytes: new Uint8Array(randomBytes(first.length as number)) });
  await plugin.waitForUi((m) => m.type === 'status');
  if (plugin.failures.length > 0) throw new Error(plugin.failures.join('\n'));
  return plugin;
}

/** Lets change batches arrive, then asks the plugin to write every open burst. */
export async function flush(view: FakeFigma, plugin: QuickJSPlugin): Promise<number> {
  await view.settle();
  const answer = await plugin.request<{ records: number }>({ type: 'flush' }, (m) => m.type === 'flushed');
  if (plugin.failures.length > 0) throw new Error(plugin.failures.join('\n'));
  return answer.records;
}

export interface ReadBack {
  report: VerifyReport;
  records: DecodedRecord[];
  store: MemoryRecordStore;
  nodes(asset: string): Promise<NodeAuthorshipMap>;
}

/** The ledger as stored in the document, verified independently of the plugin. */
export async function readBack(doc: FakeDocument): Promise<ReadBack> {
  const rest = doc.restJson() as { document: { sharedPluginData?: Record<string, Record<string, string>> } };
  const { feeds, problems } = readEmbeddedFeeds(rest.document.sharedPluginData?.[EMBEDDED_FEED_NAMESPACE] ?? {});
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.key}: ${p.message}`).join('\n'));
  const blocks = feeds.flatMap((f) => carBytesBlocks(f.car, f.signer).blocks);
  const report = await verifyBlocks(blocks);
  const store = new MemoryRecordStore();
  const records = blocks.map((b) => decodeRecord(b.bytes));
  for (const feed of feeds) for (const record of records.filter((r) => r.record.by === feed.signer)) await store.append(record);
  return {
    report,
    records,
    store,
    nodes: async (asset) => replayNodeAuthorship(await loadAssetHistory(store, asset), { asset }).map,
  };
}
