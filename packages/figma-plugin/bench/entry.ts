// Bench entry (bundled by bench/figma.mjs into one IIFE for QuickJS and for Chromium): the plugin's
// change handler (documentchange batch -> capture sessions) and record signing, on plain objects.
import { CaptureEngine, LedgerWriter } from '@colophon/core/capture';
import { MemoryBlobStore, MemoryRecordStore, Project, contentCid, identityFromSeed, readEmbeddedFeeds, signRecord } from '@colophon/core/record';
import { routeChanges } from '../src/change-router.js';
import { BatchClaims } from '../src/own-claims.js';
import { DocumentLedger, type SharedDataNode } from '../src/document-ledger.js';

interface FakeNode {
  id: string;
  type: string;
  name: string;
  x: number;
  parent: FakeNode | null;
  children?: FakeNode[];
}

const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + 5) & 255);
const identity = identityFromSeed(seed);

/** A page with `frames` top-level frames holding `perFrame` layers each; returns the layers. */
function tree(frames: number, perFrame: number): FakeNode[] {
  const doc: FakeNode = { id: '0:0', type: 'DOCUMENT', name: 'doc', x: 0, parent: null, children: [] };
  const page: FakeNode = { id: '0:1', type: 'PAGE', name: 'page', x: 0, parent: doc, children: [] };
  const layers: FakeNode[] = [];
  for (let f = 0; f < frames; f++) {
    const frame: FakeNode = { id: `1:${f}`, type: 'FRAME', name: `f${f}`, x: 0, parent: page, children: [] };
    page.children!.push(frame);
    for (let i = 0; i < perFrame; i++) {
      const layer: FakeNode = { id: `2:${f * perFrame + i}`, type: 'RECTANGLE', name: `r${i}`, x: i, parent: frame };
      frame.children!.push(layer);
      layers.push(layer);
    }
  }
  return layers;
}

async function setup() {
  const store = new MemoryRecordStore();
  let now = 1_767_225_600_000;
  const clock = () => now;
  const project = await Project.create('bench', identity, store, clock);
  const writer = new LedgerWriter({ project, signer: identity, blobs: new MemoryBlobStore(), clock });
  const engine = new CaptureEngine(writer, { clock });
  const sessions = new Map<string, ReturnType<CaptureEngine['openNodes']>>();
  const session = (asset: string) => {
    let s = sessions.get(asset);
    if (!s) sessions.set(asset, (s = engine.openNodes({ asset })));
    return s;
  };
  /** Closes the open bursts (time passes beyond the idle gap) and writes them: the ledger grows. */
  const settle = async () => {
    now += 60_000;
    await engine.flush();
  };
  return { session, settle, store };
}

/**
 * Times `batches` documentchange batches of `n` property changes each: the handler, or the same
 * loop doing nothing. `loaded` first records that many bursts over the same layers (a ledger of
 * `loaded` x 10 records, every layer's authorship already known), as a file worked on for a while.
 */
async function handler(n: number, batches: number, empty: boolean, loaded = 0): Promise<number[]> {
  const layers = tree(Math.max(1, Math.ceil(n / 100)), 100).slice(0, n);
  const { session, settle } = await setup();
  const changes = layers.map((node) => ({ type: 'PROPERTY_CHANGE' as const, id: node.id, origin: 'LOCAL' as const, node, properties: ['x', 'fills'] }));
  const route = () =>
    routeChanges(changes as unknown as DocumentChange[], {
      deliver: (asset, change) => session(asset).change(change),
      knownAsset: () => undefined,
      remember: () => undefined,
      knownDescendants: () => [],
      claims: BatchClaims.none,
      touched: () => undefined,
    });
  for (let i = 0; i < loaded; i++) {
    route();
    await settle();
  }
  const times: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const start = Date.now();
    if (empty) {
      for (const change of changes) sink += change.properties.length + change.id.length;
    } else route();
    times.push(Date.now() - start);
  }
  if (sink < 0) throw new Error('unreachable');
  return times;
}

/** Milliseconds per signed record (the record a burst becomes), over `count` records. */
function signing(count: number): number {
  const base = { kind: 'asset.edit' as const, by: identity.did, asset: 'figma:1:2', delta: { class: 'human', nodes: { '2:3': ['x', 'fills'] } }, ext: { 'colophon.evidence': 'typed' } };
  const genesis = signRecord({ kind: 'project.genesis', by: identity.did, seq: 0, at: 1_767_225_600_000, ext: { 'colophon.project': { name: 'bench' } } }, identity);
  let prev = genesis.cid;
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const signed = signRecord({ ...base, proj: genesis.cid, seq: i + 1, prev, at: 1_767_225_600_001 + i, out: contentCid(Uint8Array.of(i & 255, i >> 8)) }, identity);
    prev = signed.cid;
  }
  return (Date.now() - start) / count;
}

/** The document root's shared plugin data, in memory. */
function memoryRoot(): SharedDataNode {
  const entries = new Map<string, string>();
  return {
    getSharedPluginData: (_namespace, key) => entries.get(key) ?? '',
    setSharedPluginData: (_namespace, key, value) => void (value === '' ? entries.delete(key) : entries.set(key, value)),
    getSharedPluginDataKeys: () => [...entries.keys()],
  };
}

/**
 * What a REMOTE change batch (and the 3 s poll) costs on a loaded document: the plugin looks for
 * other writers' new records (DocumentLedger.refresh) when there are none. `records` records are
 * written first by another signer (about 300 bytes each). `fullRead` times the baseline instead:
 * reading, decoding and hashing every feed, as each refresh did before it looked at the index first.
 */
async function remoteRefresh(records: number, times: number, fullRead = false): Promise<number[]> {
  const root = memoryRoot();
  const other = identityFromSeed(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 255));
  const store = new MemoryRecordStore();
  const project = await Project.create('bench', other, store, () => 1_767_225_600_000);
  const nodes: Record<string, string[]> = {};
  for (let i = 0; i < 10; i++) nodes[`2:${i}`] = ['x', 'fills'];
  for (let i = 0; i < records; i++) await project.record(other, { kind: 'asset.edit', asset: `figma:1:${i % 10}`, out: contentCid(Uint8Array.of(i & 255, i >> 8)), delta: { class: 'human', nodes }, at: 1_767_225_600_001 + i });
  // Written into the document in one batch, as the other writer's plugin does after a busy session.
  const written = [];
  for await (const record of store.records()) written.push(record);
  await (await DocumentLedger.open(root, other.did)).appendMany(written);
  const ours = await DocumentLedger.open(root, identity.did);
  const out: number[] = [];
  for (let t = 0; t < times; t++) {
    const start = Date.now();
    if (fullRead) {
      // The baseline: what every refresh did before, reading, decoding and hashing every feed.
      if (readEmbeddedFeeds(ours.entries()).feeds.length !== 1) throw new Error('one feed was expected');
    } else if ((await ours.refresh()).length !== 0) throw new Error('nothing new was expected');
    out.push(Date.now() - start);
  }
  return out;
}

(globalThis as Record<string, unknown>).colophonBench = { handler, signing, remoteRefresh };
