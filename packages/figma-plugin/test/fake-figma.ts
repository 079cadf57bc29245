// A Figma host for tests, because the real one cannot run outside Figma. It implements the exact
// surface the plugin uses (FigmaHost = Pick<PluginAPI, ...>), so the compiler checks it against
// @figma/plugin-typings, and it enforces the documented rules the plugin must live with:
// - shared/private plugin data entries of at most 100 kB (namespace + key + value), "" for a
//   missing key, "" deletes, namespaces of at least 3 alphanumeric characters;
// - documentchange events batched and delivered asynchronously, with origin LOCAL for the user
//   who made the change and REMOTE for everyone else; only the top node of a created or deleted
//   subtree is reported; pluginData writes on layers echo back as a 'pluginData' property change;
//   changes a plugin makes inside its own documentchange callback are not reported to it;
//   the order of the changes within a batch, and whether several changes to one node are merged
//   into one entry, are not documented: `batchShape` delivers them as made, reversed or merged
//   (one entry per node, a new layer's later changes folded into its creation, as is a new layer
//   under another new layer, the way Figma reports only the top of a created subtree);
// - documentAccess "dynamic-page": documentchange can only be registered after
//   loadAllPagesAsync(), and only the current page's children can be read before pages load;
// - clientStorage: 5 MB in total, values copied on the way in and out, undefined when missing;
// - width/height change only through resize(); characters only with the font loaded;
// - exportAsync renders real PNG/JPG/SVG/PDF bytes of the layer's boxes (fake-render.ts).
// One FakeDocument is the multiplayer truth; each FakeFigma is one user's view of it.
import { createHash } from 'node:crypto';
import type { FigmaHost } from '../src/host.js';
import { render, type Box } from './fake-render.js';

export const ENTRY_LIMIT_BYTES = 100_000;
const MIXED: symbol = Symbol('figma.mixed');
export const CLIENT_STORAGE_LIMIT_BYTES = 5 * 1024 * 1024;

type NodeKind = 'FRAME' | 'RECTANGLE' | 'ELLIPSE' | 'TEXT' | 'GROUP';
/** How a batch's changes are delivered: in the order made, reversed, or merged (one entry per node, folded into creations). */
export type BatchShape = 'as-made' | 'reversed' | 'merged';
type Origin = 'LOCAL' | 'REMOTE';

const COMMON = ['name', 'visible', 'locked', 'opacity', 'blendMode', 'x', 'y', 'width', 'height', 'rotation', 'isMask', 'constraints', 'effects'];
const SHAPE = [...COMMON, 'fills', 'strokes', 'strokeWeight', 'strokeAlign'];
const PROPERTIES: Record<NodeKind, readonly string[]> = {
  FRAME: [...SHAPE, 'cornerRadius', 'layoutMode', 'itemSpacing', 'paddingLeft', 'paddingRight', 'paddingTop', 'paddingBottom', 'clipsContent'],
  RECTANGLE: [...SHAPE, 'cornerRadius'],
  ELLIPSE: SHAPE,
  TEXT: [...SHAPE, 'characters', 'fontName', 'fontSize', 'lineHeight', 'letterSpacing', 'textAlignHorizontal'],
  GROUP: COMMON,
};
const READ_ONLY = new Set(['width', 'height']);
const DEFAULTS: Record<string, unknown> = {
  visible: true,
  locked: false,
  opacity: 1,
  blendMode: 'PASS_THROUGH',
  x: 0,
  y: 0,
  width: 100,
  height: 100,
  rotation: 0,
  isMask: false,
  constraints: { horizontal: 'MIN', vertical: 'MIN' },
  effects: [],
  fills: [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 }, opacity: 1, visible: true, blendMode: 'NORMAL' }],
  strokes: [],
  strokeWeight: 1,
  strokeAlign: 'INSIDE',
  cornerRadius: 0,
  layoutMode: 'NONE',
  itemSpacing: 0,
  paddingLeft: 0,
  paddingRight: 0,
  paddingTop: 0,
  paddingBottom: 0,
  clipsContent: true,
  characters: '',
  fontName: { family: 'Inter', style: 'Regular' },
  fontSize: 12,
  lineHeight: { unit: 'AUTO' },
  letterSpacing: { unit: 'PERCENT', value: 0 },
  textAlignHorizontal: 'LEFT',
};

interface NodeData {
  id: string;
  type: 'DOCUMENT' | 'PAGE' | NodeKind;
  parent?: string;
  children: string[];
  props: Map<string, unknown>;
  pluginData: Map<string, string>;
  shared: Map<string, Map<string, string>>;
}

type Change =
  | { type: 'CREATE' | 'DELETE'; id: string; nodeType: string }
  | { type: 'PROPERTY_CHANGE'; id: string; properties: string[] };
/** A change made and not yet delivered, as a test's `actBeforeBatch` sees it. */
export type PendingChange = Readonly<Change>;

/** The document everyone edits: nodes, images, and the views (users) connected to it. */
export class FakeDocument {
  readonly nodes = new Map<string, NodeData>();
  readonly images = new Map<string, Uint8Array>();
  private readonly views: FakeFigma[] = [];
  private nextId = 1;

  constructor(name = 'Untitled', pages = ['Page 1']) {
    this.nodes.set('0:0', { id: '0:0', type: 'DOCUMENT', children: [], props: new Map([['name', name]]), pluginData: new Map(), shared: new Map() });
    for (const page of pages) {
      const id = this.newId();
      this.nodes.set(id, { id, type: 'PAGE', parent: '0:0', children: [], props: new Map([['name', page]]), pluginData: new Map(), shared: new Map() });
      this.nodes.get('0:0')!.children.push(id);
    }
  }

  get pageIds(): string[] {
    return this.nodes.get('0:0')!.children;
  }

  /**
   * A user opens the file. `machine` is the clientStorage of an earlier session on the same
   * machine (clientStorage is per user and machine, not per file or session).
   */
  connect(user: { id: string; name: string }, machine?: FakeFigma): FakeFigma {
    const view = new FakeFigma(this, user, machine?.storage);
    this.views.push(view);
    return view;
  }

  disconnect(view: FakeFigma): void {
    const at = this.views.indexOf(view);
    if (at >= 0) this.views.splice(at, 1);
  }

  /** Adds image bytes as Figma does on upload; returns their hash (SHA-1 hex, like Figma's). */
  addImage(bytes: Uint8Array): string {
    const hash = createHash('sha1').update(bytes).digest('hex');
    this.images.set(hash, Uint8Array.from(bytes));
    return hash;
  }

  newId(): string {
    return `${1 + (this.nextId % 7)}:${this.nextId++}`;
  }

  /** Tells every connected view; the actor sees LOCAL, everyone else REMOTE. */
  emit(change: Change, actor: FakeFigma | undefined): void {
    for (const view of this.views) view.queue(change, view === actor ? 'LOCAL' : 'REMOTE');
  }

  /**
   * The document as GET /v1/files/:key?plugin_data=shared returns it (the fields `colophon
   * import figma` reads): the document node with sharedPluginData, pages and layers by id.
   */
  restJson(): unknown {
    const toRest = (data: NodeData): Record<string, unknown> => {
      const out: Record<string, unknown> = { id: data.id, name: data.props.get('name') ?? '', type: data.type === 'DOCUMENT' ? 'DOCUMENT' : data.type === 'PAGE' ? 'CANVAS' : data.type };
      if (data.shared.size > 0) out.sharedPluginData = Object.fromEntries([...data.shared].map(([ns, entries]) => [ns, Object.fromEntries(entries)]));
      if (data.type !== 'DOCUMENT' && data.type !== 'PAGE' && data.children.length === 0) return out;
      out.children = data.children.map((id) => toRest(this.nodes.get(id)!));
      return out;
    };
    return { name: this.nodes.get('0:0')!.props.get('name'), version: '1', lastModified: new Date(0).toISOString(), schemaVersion: 0, document: toRest(this.nodes.get('0:0')!) };
  }
}

interface Listener {
  type: string;
  callback: (event?: unknown) => unknown;
}

/** One user's Figma: the `figma` global the plugin sees. */
export class FakeFigma implements FigmaHost {
  readonly currentUser: User;
  readonly clientStorage: ClientStorageAPI;
  readonly ui: UIAPI;
  readonly mixed = MIXED as PluginAPI['mixed'];
  /** Messages the plugin posted to its UI, and the handler it set for messages from the UI. */
  readonly uiMessages: unknown[] = [];
  notifications: string[] = [];
  html: string | undefined;
  /** Figma promises no order within a batch and no granularity: tests run under each shape. */
  batchShape: BatchShape = 'as-made';
  private readonly listeners: Listener[] = [];
  private pending: { change: Change; origin: Origin }[] = [];
  private flushScheduled = false;
  private pagesLoaded = false;
  private dispatching = false;
  private readonly wrappers = new Map<string, unknown>();
  private readonly proxies = new WeakSet<object>();
  private currentPageId: string;
  private selectionIds: string[] = [];
  private readonly loadedFonts = new Set<string>();
  readonly storage: Map<string, string>;
  private uiHandler: ((message: unknown) => void) | undefined;
  /** Set while this view's user (not the plugin) acts, for tests that script the designer. */
  private acting = false;
  private readonly beforeBatch: { holds: (changes: readonly PendingChange[]) => boolean; act: () => void }[] = [];

  constructor(
    readonly document: FakeDocument,
    user: { id: string; name: string },
    machine?: Map<string, string>,
  ) {
    this.storage = machine ?? new Map();
    this.currentUser = { id: user.id, name: user.name, photoUrl: null, color: '#18a0fb', sessionId: 1 };
    this.currentPageId = document.pageIds[0]!;
    const storage = this.storage;
    this.clientStorage = {
      async getAsync(key: string) {
        const value = storage.get(key);
        return value === undefined ? undefined : JSON.parse(value);
      },
      async setAsync(key: string, value: unknown) {
        if (value === undefined) throw new Error('clientStorage.setAsync: undefined is not storable');
        const encoded = JSON.stringify(value);
        let total = Buffer.byteLength(key) + Buffer.byteLength(encoded);
        for (const [k, v] of storage) if (k !== key) total += Buffer.byteLength(k) + Buffer.byteLength(v);
        if (total > CLIENT_STORAGE_LIMIT_BYTES) throw new Error(`clientStorage quota of ${CLIENT_STORAGE_LIMIT_BYTES} bytes exceeded`);
        storage.set(key, encoded);
      },
      async deleteAsync(key: string) {
        storage.delete(key);
      },
      async keysAsync() {
        return [...storage.keys()];
      },
    };
    this.ui = {
      show: () => undefined,
      hide: () => undefined,
      resize: () => undefined,
      reposition: () => undefined,
      getPosition: () => ({ windowSpace: { x: 0, y: 0 }, canvasSpace: { x: 0, y: 0 } }),
      close: () => undefined,
      postMessage: (message: unknown) => {
        this.uiMessages.push(message);
      },
      onmessage: undefined,
      on: (type: 'message', callback: MessageEventHandler) => {
        if (type === 'message') this.uiHandler = (m) => callback(m, { origin: 'null' });
      },
      once: () => undefined,
      off: () => undefined,
    } as UIAPI;
  }

  /** Sends a message from the UI iframe to the plugin, as Figma does. */
  fromUi(message: unknown): void {
    const handler = this.uiHandler ?? (this.ui.onmessage as ((m: unknown) => void) | undefined);
    if (!handler) throw new Error('the plugin has no UI message handler');
    handler(message);
  }

  // ---- the FigmaHost surface -------------------------------------------------------------

  get root(): DocumentNode {
    return this.wrap('0:0') as DocumentNode;
  }

  get currentPage(): PageNode {
    return this.wrap(this.currentPageId) as PageNode;
  }

  set currentPage(page: PageNode) {
    this.currentPageId = page.id;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one implementation for PluginAPI.on's overloads
  on(type: string, callback: (...args: any[]) => unknown): void {
    if (type === 'documentchange' && !this.pagesLoaded) {
      throw new Error('in "documentAccess": "dynamic-page", call figma.loadAllPagesAsync() before registering for "documentchange"');
    }
    this.listeners.push({ type, callback });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as on()
  off(type: string, callback: (...args: any[]) => unknown): void {
    const at = this.listeners.findIndex((l) => l.type === type && l.callback === (callback as unknown));
    if (at >= 0) this.listeners.splice(at, 1);
  }

  async loadAllPagesAsync(): Promise<void> {
    await Promise.resolve();
    this.pagesLoaded = true;
  }

  async getNodeByIdAsync(id: string): Promise<BaseNode | null> {
    return this.document.nodes.has(id) ? (this.wrap(id) as BaseNode) : null;
  }

  getImageByHash(hash: string): Image | null {
    const bytes = this.document.images.get(hash);
    if (!bytes) return null;
    return {
      hash,
      getBytesAsync: async () => Uint8Array.from(bytes),
      getSizeAsync: async () => ({ width: 1, height: 1 }),
    };
  }

  showUI(html: string): void {
    this.html = html;
  }

  notify(message: string): NotificationHandler {
    this.notifications.push(message);
    return { cancel: () => undefined };
  }

  createFrame(): FrameNode {
    return this.createByPlugin('FRAME') as FrameNode;
  }

  createRectangle(): RectangleNode {
    return this.createByPlugin('RECTANGLE') as RectangleNode;
  }

  createText(): TextNode {
    return this.createByPlugin('TEXT') as TextNode;
  }

  async loadFontAsync(font: FontName): Promise<void> {
    this.loadedFonts.add(`${font.family}\u0000${font.style}`);
  }

  // ---- scripting the user ------------------------------------------------------------------

  /** Runs `fn` as this view's user acting in the editor (their fonts are always loaded). */
  act<T>(fn: () => T): T {
    this.acting = true;
    try {
      return fn();
    } finally {
      this.acting = false;
    }
  }

  /** The user draws a layer under `parent` (a page or frame); returns it. */
  draw(kind: NodeKind, parent: BaseNode, props: Record<string, unknown> = {}): SceneNode {
    return this.act(() => {
      const node = this.insert(kind, parent.id, props);
      return node;
    });
  }

  select(nodes: readonly SceneNode[]): void {
    this.selectionIds = nodes.map((n) => n.id);
    this.dispatch('selectionchange', undefined);
  }

  /** Closes the plugin as Figma would: 'close' listeners run, then nothing more is delivered. */
  close(): void {
    this.dispatch('close', undefined);
    this.listeners.length = 0;
    this.document.disconnect(this);
  }

  /**
   * The user acts in the moment before a batch is delivered, once, when that batch holds changes
   * `holds` picks out: their changes join the same batch (milliseconds after the others).
   */
  actBeforeBatch(holds: (changes: readonly PendingChange[]) => boolean, act: () => void): void {
    this.beforeBatch.push({ holds, act });
  }

  /** Waits until pending change batches are delivered (a macrotask later, as in Figma). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  // ---- for the QuickJS bridge ---------------------------------------------------------------

  /** This view's live object for a layer. */
  node(id: string): BaseNode {
    if (!this.document.nodes.has(id) && !this.wrappers.has(id)) throw new Error(`The node with id "${id}" does not exist`);
    return this.wrap(id) as BaseNode;
  }

  isNode(value: unknown): boolean {
    return typeof value === 'object' && value !== null && this.proxies.has(value);
  }

  /** Whether a member of a layer is a method, an async method, or a value. */
  memberKind(id: string, name: string): 'method' | 'async' | 'value' {
    const member = (this.node(id) as unknown as Record<string, unknown>)[name];
    if (typeof member !== 'function') return 'value';
    return name.endsWith('Async') ? 'async' : 'method';
  }

  // ---- internals -------------------------------------------------------------------------

  queue(change: Change, origin: Origin): void {
    // Figma does not report changes a plugin makes inside its own documentchange callback.
    if (origin === 'LOCAL' && this.dispatching && !this.acting) return;
    this.pending.push({ change, origin });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      for (const hook of [...this.beforeBatch]) {
        if (!hook.holds(this.pending.map((p) => p.change))) continue;
        this.beforeBatch.splice(this.beforeBatch.indexOf(hook), 1);
        this.act(hook.act);
      }
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      const documentChanges = shapeBatch(batch, this.batchShape, this.document).map(({ change, origin }) => this.describe(change, origin));
      this.dispatching = true;
      try {
        this.dispatch('documentchange', { documentChanges });
      } finally {
        this.dispatching = false;
      }
    }, 0);
  }

  private describe(change: Change, origin: Origin): DocumentChange {
    const exists = this.document.nodes.has(change.id);
    const node = exists ? (this.wrap(change.id) as SceneNode) : ({ removed: true, id: change.id, type: change.type === 'PROPERTY_CHANGE' ? 'RECTANGLE' : change.nodeType } as RemovedNode);
    if (change.type === 'PROPERTY_CHANGE') return { type: 'PROPERTY_CHANGE', id: change.id, origin, node, properties: change.properties as NodeChangeProperty[] };
    return { type: change.type, id: change.id, origin, node };
  }

  private dispatch(type: string, event: unknown): void {
    for (const listener of [...this.listeners]) if (listener.type === type) listener.callback(event);
  }

  private actor(): FakeFigma {
    return this;
  }

  private createByPlugin(kind: NodeKind): SceneNode {
    return this.insert(kind, this.currentPageId, {});
  }

  private insert(kind: NodeKind, parentId: string, props: Record<string, unknown>): SceneNode {
    const id = this.document.newId();
    const data: NodeData = { id, type: kind, parent: parentId, children: [], props: new Map(), pluginData: new Map(), shared: new Map() };
    data.props.set('name', props.name ?? `${kind[0]}${kind.slice(1).toLowerCase()} ${id}`);
    for (const name of PROPERTIES[kind]) if (name !== 'name') data.props.set(name, structuredClone(props[name] ?? DEFAULTS[name]));
    this.document.nodes.set(id, data);
    this.document.nodes.get(parentId)!.children.push(id);
    this.document.emit({ type: 'CREATE', id, nodeType: kind }, this.actor());
    return this.wrap(id) as SceneNode;
  }

  private remove(id: string): void {
    const data = this.document.nodes.get(id);
    if (!data) throw new Error(`The node with id "${id}" does not exist`);
    const drop = (nodeId: string): void => {
      const node = this.document.nodes.get(nodeId)!;
      for (const child of node.children) drop(child);
      this.document.nodes.delete(nodeId);
    };
    const parent = this.document.nodes.get(data.parent!)!;
    parent.children.splice(parent.children.indexOf(id), 1);
    drop(id);
    this.document.emit({ type: 'DELETE', id, nodeType: data.type }, this.actor());
  }

  private setProperties(data: NodeData, values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) {
      if (name === 'characters' && !this.acting) {
        const font = data.props.get('fontName') as FontName;
        if (!this.loadedFonts.has(`${font.family}\u0000${font.style}`)) throw new Error(`Cannot write to node with unloaded font "${font.family} ${font.style}". Please call figma.loadFontAsync({ family: "${font.family}", style: "${font.style}" }) and await the returned promise first.`);
      }
      data.props.set(name, structuredClone(value));
    }
    this.document.emit({ type: 'PROPERTY_CHANGE', id: data.id, properties: Object.keys(values) }, this.actor());
  }

  private checkEntry(namespace: string | undefined, key: string, value: string): void {
    if (namespace !== undefined && !/^[A-Za-z0-9_]{3,}$/.test(namespace)) throw new Error(`Invalid namespace "${namespace}": at least 3 alphanumeric characters`);
    const bytes = Buffer.byteLength(namespace ?? '') + Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > ENTRY_LIMIT_BYTES) throw new Error(`Plugin data entry is ${bytes} bytes; the limit is ${ENTRY_LIMIT_BYTES} (namespace, key and value)`);
  }

  /** The view's object for a node: live, so reads always see the document's current state. */
  private wrap(id: string): unknown {
    const cached = this.wrappers.get(id);
    if (cached) return cached;
    const view = this;
    const doc = this.document;
    const data = (): NodeData => {
      const node = doc.nodes.get(id);
      if (!node) throw new Error(`The node with id "${id}" does not exist`);
      return node;
    };
    const kind = doc.nodes.get(id)!.type;
    const echo = (): void => {
      if (kind !== 'DOCUMENT' && kind !== 'PAGE') doc.emit({ type: 'PROPERTY_CHANGE', id, properties: ['pluginData'] }, view.actor());
    };
    const methods: Record<string, (...args: never[]) => unknown> = {
      getPluginData: (key: string) => data().pluginData.get(key) ?? '',
      setPluginData: (key: string, value: string) => {
        view.checkEntry(undefined, key, value);
        if (value === '') data().pluginData.delete(key);
        else data().pluginData.set(key, value);
        echo();
      },
      getPluginDataKeys: () => [...data().pluginData.keys()],
      getSharedPluginData: (namespace: string, key: string) => data().shared.get(namespace)?.get(key) ?? '',
      setSharedPluginData: (namespace: string, key: string, value: string) => {
        view.checkEntry(namespace, key, value);
        const node = data();
        const entries = node.shared.get(namespace) ?? new Map<string, string>();
        if (value === '') entries.delete(key);
        else entries.set(key, value);
        if (entries.size > 0) node.shared.set(namespace, entries);
        else node.shared.delete(namespace);
        echo();
      },
      getSharedPluginDataKeys: (namespace: string) => [...(data().shared.get(namespace)?.keys() ?? [])],
      remove: () => view.remove(id),
      resize: (width: number, height: number) => view.setProperties(data(), { width, height }),
      appendChild: (child: SceneNode) => {
        const moving = doc.nodes.get(child.id)!;
        const from = doc.nodes.get(moving.parent!)!;
        from.children.splice(from.children.indexOf(child.id), 1);
        moving.parent = id;
        data().children.push(child.id);
        doc.emit({ type: 'PROPERTY_CHANGE', id: child.id, properties: ['parent'] }, view.actor());
      },
      loadAsync: async () => undefined,
      exportAsync: async (settings?: ExportSettings) => {
        const top = data();
        if (top.type === 'DOCUMENT' || top.type === 'PAGE') throw new Error('exportAsync is only available on scene nodes');
        return render(boxesOf(doc, id), top.props.get('width') as number, top.props.get('height') as number, settings?.format ?? 'PNG');
      },
      findAll: (predicate?: (node: SceneNode) => boolean) => {
        const out: SceneNode[] = [];
        const walk = (nodeId: string): void => {
          for (const child of doc.nodes.get(nodeId)!.children) {
            const wrapped = view.wrap(child) as SceneNode;
            if (!predicate || predicate(wrapped)) out.push(wrapped);
            walk(child);
          }
        };
        walk(id);
        return out;
      },
    };
    const proxy = new Proxy(
      {},
      {
        has: (_target, property) => {
          if (typeof property !== 'string') return false;
          const node = doc.nodes.get(id);
          if (!node) return property === 'removed' || property === 'id';
          return ['id', 'type', 'parent', 'removed'].includes(property) || property in methods || node.props.has(property) || (property === 'children' && ['DOCUMENT', 'PAGE', 'FRAME', 'GROUP'].includes(node.type)) || (property === 'selection' && node.type === 'PAGE');
        },
        get: (_target, property) => {
          if (typeof property !== 'string') return undefined;
          if (property === 'id') return id;
          if (property === 'removed') return !doc.nodes.has(id);
          const node = data();
          if (property === 'type') return node.type;
          if (property === 'parent') return node.parent ? view.wrap(node.parent) : null;
          if (property === 'children') {
            if (node.type === 'PAGE' && !view.pagesLoaded && id !== view.currentPageId) throw new Error(`Cannot access children on a page that has not been explicitly loaded. Remember to call await page.loadAsync() or await figma.loadAllPagesAsync() first.`);
            return node.children.map((child) => view.wrap(child));
          }
          if (property === 'selection' && node.type === 'PAGE') return view.selectionIds.filter((s) => doc.nodes.has(s)).map((s) => view.wrap(s));
          if (property in methods) return methods[property];
          if (node.props.has(property)) return structuredClone(node.props.get(property));
          return undefined;
        },
        set: (_target, property, value) => {
          if (typeof property !== 'string') return false;
          const node = data();
          if (property === 'selection' && node.type === 'PAGE') {
            view.selectionIds = (value as SceneNode[]).map((n) => n.id);
            return true;
          }
          if (READ_ONLY.has(property) || !PROPERTIES[node.type as NodeKind]?.includes(property)) throw new TypeError(`Cannot set property ${property} on a ${node.type} node`);
          view.setProperties(node, { [property]: value });
          return true;
        },
      },
    );
    this.wrappers.set(id, proxy);
    this.proxies.add(proxy);
    return proxy;
  }
}

function shapeBatch(batch: { change: Change; origin: Origin }[], shape: BatchShape, doc: FakeDocument): { change: Change; origin: Origin }[] {
  if (shape === 'reversed') return [...batch].reverse();
  if (shape === 'as-made') return batch;
  const created = new Map<string, Origin>();
  for (const { change, origin } of batch) if (change.type === 'CREATE' && doc.nodes.has(change.id)) created.set(change.id, origin);
  /** The top of the subtree created in this batch by one person that `id` belongs to, if any. */
  const createdTop = (id: string, origin: Origin): string | undefined => {
    let top: string | undefined;
    for (let at: string | undefined = id; at !== undefined; at = doc.nodes.get(at)?.parent) if (created.get(at) === origin) top = at;
    return top;
  };
  const merged = new Map<string, { change: Change; origin: Origin }>();
  for (const { change, origin } of batch) {
    const top = change.type === 'DELETE' ? undefined : createdTop(change.id, origin);
    if (top !== undefined && top !== change.id) continue;
    if (top !== undefined && change.type === 'PROPERTY_CHANGE') continue;
    const key = `${origin}\u0000${change.type}\u0000${change.id}`;
    const first = merged.get(key);
    if (!first) merged.set(key, { change: change.type === 'PROPERTY_CHANGE' ? { ...change, properties: [...change.properties] } : change, origin });
    else if (first.change.type === 'PROPERTY_CHANGE' && change.type === 'PROPERTY_CHANGE') for (const p of change.properties) if (!first.change.properties.includes(p)) first.change.properties.push(p);
  }
  return [...merged.values()];
}

/** The visible boxes of a layer and everything under it, relative to the layer, in paint order. */
function boxesOf(doc: FakeDocument, id: string): Box[] {
  const out: Box[] = [];
  const walk = (nodeId: string, dx: number, dy: number, top: boolean): void => {
    const node = doc.nodes.get(nodeId)!;
    if (node.props.get('visible') === false) return;
    const x = top ? 0 : dx + ((node.props.get('x') as number) ?? 0);
    const y = top ? 0 : dy + ((node.props.get('y') as number) ?? 0);
    const fill = ((node.props.get('fills') as Paint[] | undefined) ?? []).find((p): p is SolidPaint => p.type === 'SOLID' && p.visible !== false);
    if (fill) out.push({ x, y, width: node.props.get('width') as number, height: node.props.get('height') as number, color: fill.color, opacity: (fill.opacity ?? 1) * ((node.props.get('opacity') as number) ?? 1) });
    for (const child of node.children) walk(child, x, y, false);
  };
  walk(id, 0, 0, true);
  return out;
}
