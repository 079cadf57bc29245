// A capture session for one node-based asset (a Figma file or frame): node/property changes in,
// last writer per (node, property) kept current, bursts out as records with a node delta.
import type { CID } from 'multiformats/cid';
import { encode, type DagValue } from '../cbor/codec.js';
import { contentCid } from '../cid.js';
import { modelLabel, toolLabel, type Author } from '../attribution/classes.js';
import { NodeAuthorshipMap } from '../attribution/node-map.js';
import type { LedgerWriter } from '../lineage/ledger-writer.js';
import { once } from '../once.js';
import { CaptureError } from './errors.js';
import type { BurstInfo, CaptureOptions, NodeCaptureSession, NodeChange, NodeSessionOptions } from './interface.js';
import { SessionBase, type OpenBurst } from './session.js';

/** A burst's changes folded into one delta (created, then properties, then deleted, as replay applies them). */
interface Folded {
  created: Set<string>;
  nodes: Map<string, Set<string>>;
  deleted: Set<string>;
}

function ids(value: unknown, where: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || id === '')) throw new CaptureError(`${where} must be a list of node ids`);
  return value as string[];
}

export class NodeSession extends SessionBase<NodeChange> implements NodeCaptureSession {
  readonly map: NodeAuthorshipMap;
  private folded: Folded | undefined;
  private readonly contentId: (() => CID) | undefined;
  /** The state id of the last closed burst (default content ids chain the deltas). */
  private lastOut: () => CID | undefined;

  constructor(writer: LedgerWriter, options: CaptureOptions & { onBurst?: (info: BurstInfo) => void }, session: NodeSessionOptions) {
    super(session.asset, writer, options, session.head, session.recorded ?? session.map !== undefined);
    this.map = session.map ?? new NodeAuthorshipMap();
    this.contentId = session.contentId;
    this.lastOut = () => undefined;
  }

  change(change: NodeChange): void {
    this.checkOpen();
    const where = `${this.asset}: node change`;
    const created = ids(change.created, `${where} created`);
    const deleted = ids(change.deleted, `${where} deleted`);
    const nodes = change.nodes ?? {};
    if (typeof nodes !== 'object' || Array.isArray(nodes)) throw new CaptureError(`${where} nodes must map node ids to property names`);
    // One record applies created, then properties, then deleted: a change that needs another order closes the burst first.
    const folded = this.folded;
    if (folded && (created.some((id) => folded.deleted.has(id)) || Object.keys(nodes).some((id) => folded.deleted.has(id)))) this.closeBurst();
    const burst = this.burstFor(change, 'node change');
    const author = this.authorFor(burst);
    const fold = (this.folded ??= { created: new Set(), nodes: new Map(), deleted: new Set() });
    for (const id of created) {
      this.map.create(id, author);
      fold.created.add(id);
    }
    for (const [id, properties] of Object.entries(nodes)) {
      if (id === '' || !Array.isArray(properties) || properties.some((p) => typeof p !== 'string' || p === '')) throw new CaptureError(`${where} nodes["${id}"] must be a list of property names`);
      let set = fold.nodes.get(id);
      if (!set) fold.nodes.set(id, (set = new Set()));
      for (const property of properties) {
        this.map.write(id, property, author);
        set.add(property);
      }
    }
    for (const id of deleted) {
      this.map.remove(id);
      fold.deleted.add(id);
    }
    burst.ops.push(change);
  }

  private authorFor(burst: OpenBurst<NodeChange>): Author {
    const { source } = burst;
    if (source.class === 'ai' && source.agent?.type === 'ai') return { class: 'ai', who: modelLabel(source.agent) };
    if (source.class === 'tool' && source.agent?.type === 'tool') return { class: 'tool', who: toolLabel(source.agent) };
    if (source.class === 'unknown') return { class: 'unknown', who: '' };
    return { class: source.class === 'paste' ? 'pasted' : 'human', who: this.writer.signer.did };
  }

  protected isEffective(burst: OpenBurst<NodeChange>): boolean {
    return burst.ops.length > 0;
  }

  protected seal(): void {
    // The folded delta belongs to the closing burst; the next burst folds afresh.
    const folded = this.folded;
    this.folded = undefined;
    this.sealed = folded;
  }

  private sealed: Folded | undefined;

  protected builder(burst: OpenBurst<NodeChange>): () => { delta: { [key: string]: DagValue }; out: CID; blobs: Uint8Array[] } {
    const folded = this.sealed!;
    const cls = burst.source.class;
    const explicit = this.contentId?.();
    const before = this.lastOut;
    const build = once(() => {
      const delta: { [key: string]: DagValue } = { class: cls };
      if (folded.created.size > 0) delta.created = [...folded.created];
      if (folded.nodes.size > 0) delta.nodes = Object.fromEntries([...folded.nodes].map(([id, props]) => [id, [...props]]));
      if (folded.deleted.size > 0) delta.deleted = [...folded.deleted];
      // Without a content id from the host, `out` is a state id: the hash of the delta and the state before it.
      const prev = before();
      const out = explicit ?? contentCid(encode({ prev: prev ?? null, delta }));
      return { delta, out, blobs: [] as Uint8Array[] };
    });
    this.lastOut = () => build().out;
    return build;
  }
}
