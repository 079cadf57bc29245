// The lineage laid out by Graphviz itself (@viz-js/viz, Graphviz compiled to WebAssembly, runs in
// Node with no native parts), as SVG that the report inlines. The DOT comes from core (lineageDot).

/** Renders DOT to an SVG element (the XML prolog and doctype dropped, to sit inside HTML). */
export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  const svg = viz.renderString(dot, { format: 'svg' });
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('Graphviz produced no SVG');
  return svg.slice(start).replace(/<!--[\s\S]*?-->/g, '');
}
