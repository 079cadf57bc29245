// Wires the controllers: identity, the document's ledger, change capture, reconciliation, the
// Generate and Mark-as-AI commands, and the panel. Takes the host as a value (see host.ts).
import { loadAssetHistory, replayNodeAuthorship } from '@colophon/core/attribution';
import { LedgerView } from '@colophon/core/lineage';
import { collectReport, sharesHtml, workHtml, type ReportData } from '@colophon/core/report';
import { CaptureEngine, LedgerWriter, type NodeCaptureSession, type NodeChange, type Scheduler } from '@colophon/core/capture';
import { approveAsset, contractFromJson, recordContract } from '@colophon/core/contracts';
import { MemoryBlobStore, Project, commitText, type AgentRef, type SigningIdentity } from '@colophon/core/record';
import { routeChanges } from './change-router.js';
import { REMOTE_GRACE_MS, RemoteHold } from './remote-hold.js';
import { DocumentLedger } from './document-ledger.js';
import { generateLayers, type Fetch } from './generate.js';
import type { FigmaHost } from './host.js';
import { loadIdentity } from './identity.js';
import { exportJob, signForPanel, storeChain } from './credentials.js';
import { PlacedImages, type ImageReading } from './placed-images.js';
import { OwnClaims, type BatchClaims } from './own-claims.js';
import { assetOf, changedProperties, descendants, propertiesOf, readState, stateOf, writeState } from './node-state.js';
import type { MainToUi, SelectionReport, TimelineEntry, UiToMain } from './protocol.js';

export type PluginHost = FigmaHost & Pick<PluginAPI, 'createFrame' | 'createRectangle' | 'createText' | 'loadFontAsync' | 'mixed'>;

export interface PluginOptions {
  html: string;
  clock?: () => number;
  schedule?: Scheduler;
  fetch?: Fetch;
  /** Idle gap that closes a burst (ms). */
  idleMs?: number;
}

export interface PluginController {
  readonly identity: SigningIdentity;
  readonly ledger: DocumentLedger;
  readonly project: Project;
  /** Closes every open burst and waits until its records are in the document. */
  flush(): Promise<number>;
}

export async function startPlugin(host: PluginHost, options: PluginOptions): Promise<PluginController> {
  const clock = options.clock ?? Date.now;
  const schedule = options.schedule ?? platformScheduler();
  const post = (message: MainToUi): void => host.ui.postMessage(message);
  const handlers: ((message: UiToMain) => void)[] = [];
  host.showUI(options.html, { width: 380, height: 620, themeColors: true, title: 'Colophon' });
  host.ui.onmessage = (message: UiToMain) => {
    for (const handler of handlers) handler(message);
  };

  const identity = await loadIdentity(host.clientStorage, (length) => requestEntropy(post, handlers, length));
  await host.loadAllPagesAsync();
  const ledger = await DocumentLedger.open(host.root, identity.did);
  const genesis = await ledger.genesis();
  const project = genesis ? Project.open(genesis, ledger, clock) : await Project.create(host.root.name || 'Figma file', identity, ledger, clock);

  const tracker = new LayerTracker();
  // One writer for this user's feed: group commit (one document write per batch), re-sign on conflict.
  const writer = new LedgerWriter({ project, signer: identity, blobs: new MemoryBlobStore(), clock, ...(schedule && { schedule }) });
  const engine = new CaptureEngine(writer, { clock, ...(schedule && { schedule }), idleMs: options.idleMs ?? 2000 });
  const sessions = new Map<string, NodeCaptureSession>();
  const recordedAssets = new Set<string>();
  for await (const record of ledger.records()) if (record.record.asset?.startsWith('figma:')) recordedAssets.add(record.record.asset);
  const session = (asset: string): NodeCaptureSession => {
    let found = sessions.get(asset);
    if (!found) {
      found = engine.openNodes({ asset, recorded: recordedAssets.has(asset) });
      sessions.set(asset, found);
    }
    return found;
  };
  /** Layers whose state hash is refreshed after the next flush. */
  const touched = new Set<string>();
  const claims = new OwnClaims(host.mixed);
  let intents = 0;
  let exports = 0;
  let ingests = 0;
  let imageReads = 0;
  const readings = new Map<number, (reading: ImageReading) => void>();
  const images = new PlacedImages({
    host,
    read: (hash, bytes) =>
      new Promise((resolve) => {
        const id = ++imageReads;
        readings.set(id, resolve);
        post({ type: 'read-image', id, hash, bytes });
      }),
    ingest: (contribution, blobs) =>
      writer.enqueue({ kind: 'ingest', id: `ingest#${++ingests}`, label: 'an image placed in the design', prepare: () => ({ contribution: { kind: 'ingest', ...contribution }, blobs }) }),
    change: (asset, change) => session(asset).change(change),
  });

  await reconcile(host, ledger, tracker, session, touched);

  const remoteHold = new RemoteHold();
  /** Takes in other writers' new records; REMOTE changes they do not claim and that waited long enough are recorded as unknown. */
  const refresh = async (all = false): Promise<void> => {
    const fresh = await ledger.refresh();
    remoteHold.cover(fresh);
    for (const [asset, change] of remoteHold.take(all ? undefined : clock() - REMOTE_GRACE_MS)) session(asset).change(change);
    if (fresh.length > 0) {
      sendStatus();
      sendSelection();
    }
  };
  const flush = async (): Promise<number> => {
    const before = (await ledger.head(identity.did))?.seq ?? -1;
    await refresh(true);
    await images.settled();
    await engine.flush();
    // State hashes follow the records, so a crash between the two re-reports a change as unknown rather than losing it.
    for (const id of touched) {
      const node = await host.getNodeByIdAsync(id);
      if (node && !('removed' in node && node.removed)) writeState(node, stateOf(node, host.mixed));
    }
    touched.clear();
    return ((await ledger.head(identity.did))?.seq ?? -1) - before;
  };

  let flushTimer: (() => void) | undefined;
  host.on('documentchange', (event) => {
    let fromOthers = false;
    // This batch holds the events of every claim made since the last one (and nothing later does).
    const batchClaims = claims.forBatch();
    routeChanges(event.documentChanges, {
      deliver: (asset, change, origin) => (origin === 'REMOTE' ? remoteHold.add(asset, change, clock()) : session(asset).change(change)),
      knownAsset: (id) => tracker.asset(id),
      remember: (id, asset, parent) => tracker.remember(id, asset, parent),
      knownDescendants: (id) => tracker.descendants(id),
      claims: batchClaims,
      touched: (id) => touched.add(id),
    });
    for (const change of event.documentChanges) {
      if (change.origin === 'REMOTE') fromOthers = true;
      if (change.type === 'CREATE' || (change.type === 'PROPERTY_CHANGE' && change.properties.includes('fills'))) checkImages(change, batchClaims);
    }
    flushTimer?.();
    flushTimer = schedule?.(() => void flush().then(() => sendSelection()), (options.idleMs ?? 2000) + 50);
    if (fromOthers) void refresh();
  });


  /** A created subtree is reported by its top node only: its layers are looked at too. Fills a claim still covers are the claim's. */
  function checkImages(change: CreateChange | PropertyChange, batchClaims: BatchClaims): void {
    const node = change.node;
    if (node.removed) return;
    const asset = assetOf(node);
    if (!asset) return;
    const covered = (layer: SceneNode): boolean => change.origin === 'LOCAL' && batchClaims.has(layer.id) && batchClaims.verdict(layer, 'fills') === 'claimed';
    for (const layer of 'children' in node ? [node, ...descendants(node)] : [node]) if (!covered(layer)) images.check(layer, asset);
  }

  const sendStatus = (): void => {
    void (async () => {
      let records = 0;
      for await (const _ of ledger.records()) records++;
      post({
        type: 'status',
        did: identity.did,
        user: host.currentUser?.name ?? 'unknown user',
        project: project.name,
        records,
        feeds: (await ledger.signers()).length,
        ownFeedBytes: ledger.ownFeedBytes(),
        problems: [...ledger.problems.map((p) => (p.key ? `${p.key}: ${p.message}` : p.message)), ...images.problems],
      });
    })();
  };

  const sendSelection = (): void => {
    void (async () => post(await selectionReport(host, ledger, project, new Map([[identity.did, host.currentUser?.name ?? 'you']]), clock())))();
  };

  host.on('selectionchange', sendSelection);
  let closed = false;
  host.on('close', () => {
    closed = true;
    void flush();
  });

  handlers.push((message) => {
    void (async () => {
      try {
        switch (message.type) {
          case 'flush':
            post({ type: 'flushed', records: await flush() });
            sendStatus();
            sendSelection();
            break;
          case 'refresh':
            await refresh();
            post({ type: 'timeline', entries: await timeline(ledger) });
            break;
          case 'export':
            await flush();
            post(await exportJob(host, identity, ++exports, message.format, ledger.entries()));
            break;
          case 'verify':
            await refresh();
            post({ type: 'verify-job', entries: ledger.entries(), did: identity.did });
            break;
          case 'sign':
            try {
              post({ type: 'signature', id: message.id, signature: signForPanel(identity, message.bytes) });
            } catch (error) {
              post({ type: 'signature', id: message.id, error: (error as Error).message });
            }
            break;
          case 'gates':
            await refresh();
            post({ type: 'gates-job', asset: selectedAsset(host), entries: ledger.entries(), did: identity.did });
            break;
          case 'approve': {
            // Everything captured so far goes in first: the approval is of the final version as it is now.
            await flush();
            const asset = selectedAsset(host);
            const result = await approveAsset(project, identity, { asset });
            const approved: MainToUi = { type: 'approved', asset, record: result.approval.cid.toString() };
            if (result.gate) {
              approved.pass = result.gate.evaluation.pass;
              approved.gates = result.gate.evaluation.verdicts.map((v) => ({ name: v.name, pass: v.pass, ...(v.error !== undefined && { error: v.error }) }));
            }
            post(approved);
            sendStatus();
            break;
          }
          case 'contract': {
            await flush();
            const record = await recordContract(project, identity, contractFromJson(JSON.parse(message.text)));
            post({ type: 'contract-recorded', record: record.cid.toString() });
            sendStatus();
            break;
          }
          case 'grant': {
            if (identity.did !== project.owner) throw new Error(`only the project's owner (${project.owner}) grants roles`);
            if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(message.subject)) throw new Error('grant a role to a did:key (the panel of that person shows theirs)');
            await flush();
            await project.record(identity, { kind: 'member', delta: { op: 'grant', role: message.role, subject: message.subject } });
            post({ type: 'granted', subject: message.subject, role: message.role });
            sendStatus();
            break;
          }
          case 'image-read': {
            const resolve = readings.get(message.id);
            readings.delete(message.id);
            const reading: ImageReading = {};
            if (message.facts) reading.facts = message.facts;
            if (message.store) reading.store = message.store;
            if (message.validation) reading.validation = message.validation;
            if (message.error) reading.error = message.error;
            resolve?.(reading);
            break;
          }
          case 'certificate':
            await storeChain(host.clientStorage, identity, message.chain);
            post({ type: 'certificate-stored' });
            break;
          case 'mark-ai':
            post({ type: 'marked', layers: markSelection(host, message.model, session, claims) });
            break;
          case 'generate': {
            const fetch = options.fetch ?? (globalThis as { fetch?: Fetch }).fetch;
            if (!fetch) throw new Error('this host has no fetch');
            const result = await generateLayers(host, fetch, message.prompt, message.settings, claims);
            const commitment = message.settings.publicPrompt ? undefined : commitText(message.prompt, message.salt);
            // Through the one writer of this feed, so the intent and the generation share its queue and order.
            const intent = writer.enqueue({
              kind: 'intent',
              id: `intent#${++intents}`,
              label: 'the prompt of a generation',
              prepare: () => ({ contribution: { kind: 'intent', intent: commitment ? { commit: commitment.commit } : { text: message.prompt } }, blobs: [] }),
            });
            if (commitment) await host.clientStorage.setAsync(`colophon.prompt.${commitment.commit.toString()}`, message.prompt);
            const asset = assetOf(result.frame)!;
            tracker.rememberTree(result.frame, asset);
            const nodes: Record<string, string[]> = {};
            const { created } = result;
            for (const node of created) nodes[node.id] = propertiesOf(node);
            session(asset).change({ class: 'ai', evidence: 'command', agent: result.agent, links: [intent], created: created.map((n) => n.id), nodes });
            for (const node of created) touched.add(node.id);
            await flush();
            const head = await ledger.head(identity.did);
            post({ type: 'generated', frame: result.frame.id, layers: created.length, record: head!.cid.toString() });
            sendStatus();
            sendSelection();
            break;
          }
        }
      } catch (error) {
        post({ type: 'error', message: (error as Error).message });
      }
    })();
  });

  if (schedule) {
    // Other writers' feeds change without any event on the document root: look every few seconds.
    const poll = (): void => {
      if (closed) return;
      void refresh();
      schedule(poll, 3000);
    };
    schedule(poll, 3000);
  }
  await flush();
  sendStatus();
  sendSelection();
  post({ type: 'timeline', entries: await timeline(ledger) });
  return { identity, ledger, project, flush };
}

/** Layers by id: their asset and parent, as last seen (a deleted layer can no longer say). */
class LayerTracker {
  private readonly layers = new Map<string, { asset: string; parent: string }>();

  remember(id: string, asset: string, parent: string): void {
    this.layers.set(id, { asset, parent });
  }

  rememberTree(top: SceneNode, asset: string): void {
    this.remember(top.id, asset, top.parent!.id);
    if ('children' in top) for (const node of descendants(top)) this.remember(node.id, asset, node.parent!.id);
  }

  asset(id: string): string | undefined {
    return this.layers.get(id)?.asset;
  }

  descendants(id: string): string[] {
    const out: string[] = [];
    const below = (candidate: string): boolean => {
      for (let at = this.layers.get(candidate)?.parent; at !== undefined; at = this.layers.get(at)?.parent) if (at === id) return true;
      return false;
    };
    for (const candidate of this.layers.keys()) if (below(candidate)) out.push(candidate);
    return out;
  }
}

/**
 * What changed while the plugin was not running, from the state hashes the last run left on each
 * layer: new layers, changed properties, vanished layers. Recorded as class unknown, evidence
 * `reconciled`: nobody watched, so nobody is credited.
 */
async function reconcile(
  host: PluginHost,
  ledger: DocumentLedger,
  tracker: LayerTracker,
  session: (asset: string) => NodeCaptureSession,
  touched: Set<string>,
): Promise<void> {
  const seen = new Set<string>();
  const changes = new Map<string, NodeChange & { nodes: Record<string, string[]>; created: string[] }>();
  const changeOf = (asset: string) => {
    let change = changes.get(asset);
    if (!change) changes.set(asset, (change = { class: 'unknown', evidence: 'reconciled', nodes: {}, created: [] }));
    return change;
  };
  for (const page of host.root.children) {
    for (const node of descendants(page)) {
      const asset = assetOf(node);
      if (!asset) continue;
      tracker.remember(node.id, asset, node.parent!.id);
      seen.add(node.id);
      const now = stateOf(node, host.mixed);
      const before = readState(node);
      if (!before) {
        changeOf(asset).created.push(node.id);
        changeOf(asset).nodes[node.id] = Object.keys(now).sort();
      } else {
        const changed = changedProperties(before, now);
        if (changed.length === 0) continue;
        changeOf(asset).nodes[node.id] = changed;
      }
      touched.add(node.id);
    }
  }
  // Layers the ledger knows that are gone.
  const assets = new Set<string>();
  for await (const record of ledger.records()) if (record.record.asset?.startsWith('figma:')) assets.add(record.record.asset);
  for (const asset of assets) {
    const replay = replayNodeAuthorship(await loadAssetHistory(ledger, asset), { asset });
    const gone = replay.map.nodes().filter((n) => !seen.has(n.id)).map((n) => n.id);
    if (gone.length > 0) (changeOf(asset) as NodeChange & { deleted?: string[] }).deleted = gone;
  }
  for (const [asset, change] of changes) {
    const out: NodeChange = { class: 'unknown', evidence: 'reconciled' };
    if (change.created.length > 0) out.created = change.created;
    if (Object.keys(change.nodes).length > 0) out.nodes = change.nodes;
    if (change.deleted && change.deleted.length > 0) out.deleted = change.deleted;
    session(asset).change(out);
  }
}

/** The asset of the selection's first layer: the top-level layer a gate or an approval is about. */
function selectedAsset(host: PluginHost): string {
  const selected = host.currentPage.selection[0];
  const asset = selected && assetOf(selected);
  if (!asset) throw new Error('select a layer first (its top-level layer is the asset)');
  return asset;
}

/** Marks the selection (and everything in it) as made by an AI model: the user's signed claim. */
function markSelection(host: PluginHost, model: { provider: string; name: string; version: string }, session: (asset: string) => NodeCaptureSession, claims: OwnClaims): number {
  const agent: AgentRef = { type: 'ai', model };
  const byAsset = new Map<string, Record<string, string[]>>();
  const marked: SceneNode[] = [];
  for (const selected of host.currentPage.selection) {
    for (const node of 'children' in selected ? [selected, ...descendants(selected)] : [selected]) {
      const asset = assetOf(node);
      if (!asset) continue;
      const nodes = byAsset.get(asset) ?? {};
      nodes[node.id] = propertiesOf(node);
      byAsset.set(asset, nodes);
      marked.push(node);
    }
  }
  // The claim covers the layers as they are now: edits the user made just before, still on their way, are part of it.
  claims.claim(marked);
  for (const [asset, nodes] of byAsset) session(asset).change({ class: 'ai', evidence: 'reported', agent, nodes });
  return marked.length;
}

/**
 * The asset of the selection as the report shows it: core's report sections (the layers with who
 * last set each property, and the shares), so the panel and `colophon report` tell the same truth.
 */
async function selectionReport(host: PluginHost, ledger: DocumentLedger, project: Project, names: ReadonlyMap<string, string>, now: number): Promise<MainToUi> {
  const selection = host.currentPage.selection;
  const first = selection[0];
  const asset = first && assetOf(first);
  if (!first || !asset) return { type: 'selection', note: 'Select layers to see who made them.' };
  const top = await host.getNodeByIdAsync(asset.slice('figma:'.length));
  const layerNames: Record<string, string> = {};
  if (top && 'children' in top) for (const node of [top as SceneNode, ...descendants(top as SceneNode & ChildrenMixin)]) layerNames[node.id] = node.name;
  else if (top) layerNames[top.id] = top.name;
  let data: ReportData;
  try {
    data = collectReport(await LedgerView.load(ledger), { asset, names, project: { name: project.name, genesis: project.id }, now });
  } catch {
    return { type: 'selection', note: `No records of ${asset} yet: its changes are saved within seconds.` };
  }
  const report: SelectionReport = { asset, html: workHtml(data) + sharesHtml(data), names: layerNames, selected: selection.map((n) => n.id) };
  return { type: 'selection', report };
}

async function timeline(ledger: DocumentLedger): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  for await (const { cid, record } of ledger.records()) {
    const delta = record.delta as { nodes?: object; created?: unknown[]; class?: string } | undefined;
    const entry: TimelineEntry = { cid: cid.toString(), kind: record.kind, by: record.by, at: record.at, nodes: Object.keys(delta?.nodes ?? {}).length + (delta?.created?.length ?? 0) };
    if (record.asset) entry.asset = record.asset;
    if (delta?.class) entry.class = delta.class;
    const evidence = record.ext?.['colophon.evidence'];
    if (typeof evidence === 'string') entry.evidence = evidence;
    if (record.agent?.type === 'ai') entry.model = `${record.agent.model.provider}/${record.agent.model.name}@${record.agent.model.version}`;
    entries.push(entry);
  }
  return entries.sort((a, b) => b.at - a.at).slice(0, 200);
}

function requestEntropy(post: (m: MainToUi) => void, handlers: ((m: UiToMain) => void)[], length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const handler = (message: UiToMain): void => {
      if (message.type !== 'entropy') return;
      handlers.splice(handlers.indexOf(handler), 1);
      const bytes = message.bytes;
      if (!(bytes instanceof Uint8Array) || bytes.length !== length) reject(new Error(`the panel sent ${bytes instanceof Uint8Array ? bytes.length : 'no'} random bytes; ${length} are needed`));
      else resolve(bytes);
    };
    handlers.push(handler);
    post({ type: 'entropy-request', length });
  });
}

function platformScheduler(): Scheduler | undefined {
  const g = globalThis as { setTimeout?: (task: () => void, ms: number) => unknown; clearTimeout?: (id: unknown) => void };
  if (typeof g.setTimeout !== 'function') return undefined;
  return (task, ms) => {
    const id = g.setTimeout!(task, ms);
    return () => g.clearTimeout?.(id);
  };
}
