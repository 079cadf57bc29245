// The lineage as a Graphviz graph (DOT): whoever renders the page lays it out with Graphviz (the
// CLI uses @viz-js/viz, Graphviz compiled to WebAssembly) and passes the SVG to reportPage.
import type { LedgerEntry } from '../attribution/index.js';
import type { CheckOn, LineageEdge, LineageGraph } from '../lineage/index.js';
import { checkLabel, classWords, formatMs, nodeFacts, oneLine, type NodeFacts } from './nodes.js';

/** Colours per kind of node; the report's legend uses the same. */
export const NODE_STYLES = {
  intent: { fill: '#FEF3C7', stroke: '#B45309', label: 'Intent (a brief)' },
  ai: { fill: '#EDE9FE', stroke: '#6D28D9', label: 'AI step' },
  tool: { fill: '#E0F2FE', stroke: '#0369A1', label: 'Tool step' },
  human: { fill: '#DCFCE7', stroke: '#15803D', label: 'Human work' },
  ingest: { fill: '#F1F5F9', stroke: '#475569', label: 'Outside material' },
  pass: { fill: '#F0FDF4', stroke: '#16A34A', label: 'Check passed' },
  fail: { fill: '#FEF2F2', stroke: '#DC2626', label: 'Check failed' },
  verdict: { fill: '#E0E7FF', stroke: '#4338CA', label: 'Review or approval' },
  unobserved: { fill: '#F1F5F9', stroke: '#64748B', label: 'Pasted, or changed unobserved' },
  unused: { fill: '#FFFFFF', stroke: '#94A3B8', label: 'Tried, not used in this version' },
} as const;

export type NodeStyle = keyof typeof NODE_STYLES;

/** Graphs with more nodes than this are laid out top to bottom: a phone scrolls down, not sideways. */
const WIDE_LIMIT = 4;
/** At most this many records are drawn (the most recent ones): a bigger drawing helps nobody and takes long to lay out. */
export const MAX_DRAWN = 150;

/** The part of the lineage that is drawn: everything, or the MAX_DRAWN most recent records. */
export function drawnPart(graph: LineageGraph): { graph: LineageGraph; left: number } {
  if (graph.nodes.length <= MAX_DRAWN) return { graph, left: 0 };
  const nodes = graph.nodes.slice(-MAX_DRAWN);
  const kept = new Set(nodes.map((n) => n.cid.toString()));
  const edges = graph.edges.filter((e) => kept.has(e.from.toString()) && kept.has(e.to.toString()));
  const checks = new Map([...graph.checks].filter(([on]) => kept.has(on)));
  return { graph: { ...graph, nodes, edges, checks }, left: graph.nodes.length - nodes.length };
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;
}

export function styleOf(facts: NodeFacts): NodeStyle {
  if (facts.kind === 'intent') return 'intent';
  if (facts.kind === 'check') return facts.check?.pass === false ? 'fail' : 'pass';
  if (facts.kind === 'ingest') return 'ingest';
  if (facts.kind === 'review' || facts.kind === 'approve' || facts.kind === 'reject') return 'verdict';
  if (facts.classes.length > 0 && facts.classes.every((c) => c === 'paste' || c === 'unknown')) return 'unobserved';
  if (facts.actor === 'ai') return 'ai';
  if (facts.actor === 'tool') return 'tool';
  return 'human';
}

function label(facts: NodeFacts, isTarget: boolean, unused = false): string {
  const lines: string[] = [];
  const title = facts.kind === 'intent' ? 'Intent' : facts.kind === 'agent.step' ? facts.title.replace(/^step /, 'AI step ') : `${facts.title[0]!.toUpperCase()}${facts.title.slice(1)}`;
  lines.push(`<b>${html(title)}</b>`);
  if (facts.kind === 'intent' && typeof facts.prompt === 'string') lines.push(`<i>${html(`“${oneLine(facts.prompt, 34)}”`)}</i>`);
  if (facts.agent) lines.push(html(oneLine(facts.agent, 36)));
  const small: string[] = [];
  if (facts.actor === 'human' || facts.kind === 'intent') small.push(`by ${oneLine(facts.by, 24)}`);
  if (facts.classes.some((c) => c !== 'human' && c !== facts.actor)) small.push(classWords(facts));
  if (facts.kind === 'intent' && facts.prompt === null) small.push('private');
  // Sub-millisecond steps (a local stand-in) read as noise; real model calls take longer.
  if (facts.ms) small.push(formatMs(facts.ms));
  if (small.length > 0) lines.push(`<font point-size="9" color="#475569">${html(small.join(' · '))}</font>`);
  if (facts.error) lines.push(`<font point-size="9" color="#B91C1C">${html(`failed: ${oneLine(facts.error, 30)}`)}</font>`);
  if (isTarget) lines.push('<font point-size="9" color="#0F172A"><b>THIS VERSION</b></font>');
  if (unused) lines.push('<font point-size="9" color="#64748B">not used in this version</font>');
  return `<${lines.join('<br/>')}>`;
}

/**
 * Drawn beside the lineage: steps tried and set aside (faded), and the reviews and decisions on
 * this version (`attached`, hung off the records they link to), which earn money or change a verdict.
 */
export interface SideNodes {
  nodes: LedgerEntry[];
  edges: LineageEdge[];
  checks: Map<string, CheckOn[]>;
  attached?: LedgerEntry[];
}

/**
 * The lineage as a Graphviz DOT graph: records as boxes, checks as small boxes beside the step
 * they judged, and (faded, dashed) the steps that were tried but did not lead to this version.
 */
export function lineageDot(graph: LineageGraph, names: ReadonlyMap<string, string>, side: SideNodes = { nodes: [], edges: [], checks: new Map() }): string {
  const out: string[] = [];
  const attached = side.attached ?? [];
  const wide = graph.nodes.length + side.nodes.length + attached.length <= WIDE_LIMIT;
  out.push('digraph lineage {');
  out.push(`  graph [rankdir=${wide ? 'LR' : 'TB'}, bgcolor="transparent", pad="0.2", nodesep="0.35", ranksep="0.55", fontname="Helvetica"];`);
  out.push('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.14,0.07", penwidth=1.4];');
  out.push('  edge [color="#64748B", arrowsize=0.7, penwidth=1.1, fontname="Helvetica", fontsize=9, fontcolor="#64748B"];');
  const id = new Map(graph.nodes.map((n, i) => [n.cid.toString(), `n${i}`]));
  graph.nodes.forEach((node, i) => {
    const facts = nodeFacts(node, names);
    const style = NODE_STYLES[styleOf(facts)];
    const isTarget = node === graph.target;
    const shape = facts.kind === 'intent' ? 'note' : facts.kind === 'ingest' ? 'cylinder' : 'box';
    const attributes = [
      `id=${quoted(`node-${node.cid}`)}`,
      `class=${quoted(`kind-${facts.kind.replace('.', '-')} style-${styleOf(facts)}${isTarget ? ' target' : ''}`)}`,
      `label=${label(facts, isTarget)}`,
      `fillcolor=${quoted(style.fill)}`,
      `color=${quoted(facts.error ? NODE_STYLES.fail.stroke : style.stroke)}`,
      `tooltip=${quoted(`${facts.title} · ${node.cid}`)}`,
    ];
    if (shape !== 'box') attributes.push(`shape=${shape}`, `style=filled`);
    if (isTarget) attributes.push('penwidth=3');
    out.push(`  n${i} [${attributes.join(', ')}];`);
  });
  side.nodes.forEach((node, i) => {
    const facts = nodeFacts(node, names);
    const style = NODE_STYLES.unused;
    id.set(node.cid.toString(), `s${i}`);
    out.push(
      `  s${i} [id=${quoted(`node-${node.cid}`)}, class=${quoted(`kind-${facts.kind.replace('.', '-')} style-unused`)}, label=${label(facts, false, true)}, style="rounded,filled,dashed", fillcolor=${quoted(style.fill)}, color=${quoted(facts.error ? NODE_STYLES.fail.stroke : style.stroke)}, fontcolor="#475569", tooltip=${quoted(`${facts.title} (not used in this version) · ${node.cid}`)}];`,
    );
  });
  attached.forEach((node, i) => {
    const facts = nodeFacts(node, names);
    const style = NODE_STYLES[styleOf(facts)];
    id.set(node.cid.toString(), `a${i}`);
    out.push(`  a${i} [id=${quoted(`node-${node.cid}`)}, class=${quoted(`kind-${facts.kind} style-${styleOf(facts)}`)}, label=${label(facts, false)}, fillcolor=${quoted(style.fill)}, color=${quoted(style.stroke)}, tooltip=${quoted(`${facts.title} · ${node.cid}`)}];`);
  });
  attached.forEach((node, i) => {
    const on = (node.record.links ?? []).map((l) => id.get(l.toString())).filter((x): x is string => x !== undefined && !x.startsWith('a'));
    for (const from of on.length > 0 ? on : [id.get(graph.target.cid.toString())!]) out.push(`  ${from} -> a${i} [style=dashed, color=${quoted(NODE_STYLES.verdict.stroke)}];`);
  });
  const sideIds = new Set(side.nodes.map((n) => n.cid.toString()));
  for (const edge of [...graph.edges, ...side.edges]) {
    const from = id.get(edge.from.toString());
    const to = id.get(edge.to.toString());
    if (!from || !to) continue;
    const attributes = edge.type === 'version' ? ['style=dashed', 'label="next version"'] : edge.type === 'input' ? ['label="used"'] : [];
    if (sideIds.has(edge.to.toString())) attributes.push('style=dashed', 'color="#94A3B8"');
    out.push(`  ${from} -> ${to}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`);
  }
  let c = 0;
  for (const [on, checks] of [...graph.checks, ...side.checks]) {
    const target = id.get(on);
    if (!target) continue;
    for (const { entry, result } of checks) {
      const style = NODE_STYLES[result.pass ? 'pass' : 'fail'];
      const text = `<<font point-size="10">${html(checkLabel(result))}</font>>`;
      out.push(`  c${c} [id=${quoted(`check-${entry.cid}`)}, class=${quoted(`check ${result.pass ? 'pass' : 'fail'}`)}, label=${text}, fillcolor=${quoted(style.fill)}, color=${quoted(style.stroke)}, fontcolor=${quoted(style.stroke)}, margin="0.08,0.03", tooltip=${quoted(`check ${result.name} · ${entry.cid}`)}];`);
      out.push(`  ${target} -> c${c} [style=dotted, arrowhead=none, color=${quoted(style.stroke)}];`);
      c++;
    }
  }
  out.push('}');
  return out.join('\n');
}
