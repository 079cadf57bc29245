// What the plugin knows of a layer without recording its content: which asset it belongs to, which
// properties it has, and a state hash per property (kept in the node's private plugin data) so a
// later launch can tell which properties changed while the plugin was not running.

/** The properties whose authorship is tracked (those documentchange reports that carry design). */
export const TRACKED_PROPERTIES = [
  'name',
  'visible',
  'locked',
  'opacity',
  'blendMode',
  'x',
  'y',
  'width',
  'height',
  'rotation',
  'fills',
  'strokes',
  'strokeWeight',
  'strokeAlign',
  'effects',
  'cornerRadius',
  'characters',
  'fontName',
  'fontSize',
  'lineHeight',
  'letterSpacing',
  'textAlignHorizontal',
  'layoutMode',
  'itemSpacing',
  'paddingLeft',
  'paddingRight',
  'paddingTop',
  'paddingBottom',
  'vectorNetwork',
  'constraints',
  'isMask',
  'clipsContent',
] as const;

/** Private plugin data key holding a node's last recorded state: {property: hash}. */
export const STATE_KEY = 'colophon.state';

/** The asset id of a layer: `figma:<id>` of its top-level layer (the child of a page it sits under). */
export function assetOf(node: BaseNode): string | undefined {
  let current: BaseNode = node;
  while (current.parent && current.parent.type !== 'PAGE') {
    if (current.parent.type === 'DOCUMENT') return undefined;
    current = current.parent;
  }
  if (!current.parent || current.type === 'PAGE' || current.type === 'DOCUMENT') return undefined;
  return `figma:${current.id}`;
}

/** The tracked properties a node has. */
export function propertiesOf(node: BaseNode): string[] {
  return TRACKED_PROPERTIES.filter((name) => name in node);
}

/**
 * A hash per tracked property. Not a commitment (the content sits in the same document): FNV-1a
 * over a canonical JSON form, cheap enough to run on every layer at launch in QuickJS.
 */
export function stateOf(node: BaseNode, mixed: symbol | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of propertiesOf(node)) out[name] = propertyHash(node, name, mixed);
  return out;
}

/** The hash of one property's current value, as stateOf computes it. */
export function propertyHash(node: BaseNode, name: string, mixed: symbol | undefined): string {
  return fnv1a(canonical((node as unknown as Record<string, unknown>)[name], mixed));
}

export function readState(node: BaseNode): Record<string, string> | undefined {
  const raw = node.getPluginData(STATE_KEY);
  if (raw === '') return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(node: BaseNode, state: Record<string, string>): void {
  node.setPluginData(STATE_KEY, JSON.stringify(state));
}

/** Properties whose hash differs, including ones that appeared or disappeared. */
export function changedProperties(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/** Every node of the document below the pages, depth first. */
export function* descendants(parent: BaseNode & ChildrenMixin): Generator<SceneNode> {
  for (const child of parent.children) {
    yield child;
    if ('children' in child) yield* descendants(child);
  }
}

function canonical(value: unknown, mixed: symbol | undefined): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'symbol') return v === mixed ? '<mixed>' : '<symbol>';
    if (v instanceof Uint8Array) return Array.from(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  }) ?? 'undefined';
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
