// The report's stylesheet, inlined into the page (the report loads nothing from anywhere). System
// fonts only; from 360 px phones to 1920 px screens without sideways scrolling (wide tables and the
// lineage drawing pan inside their own frames); authorship tints survive printing.
export const REPORT_CSS = `
:root {
  --ink: #0f172a; --muted: #475569; --faint: #94a3b8; --line: #e2e8f0; --paper: #ffffff; --wash: #f8fafc;
  --human: #15803d; --ai: #7c3aed; --tool: #0369a1; --pasted: #b45309; --unknown: #64748b;
  --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --warn: #b45309; --warn-bg: #fef3c7;
}
* { box-sizing: border-box; }
html { background: var(--wash); -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
a { color: inherit; text-decoration-color: var(--faint); text-underline-offset: 2px; }
header.top { margin-bottom: 20px; min-width: 0; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 30px; line-height: 1.2; margin: 4px 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 0 0 4px; }
h3 { font-size: 16px; margin: 18px 0 4px; }
.sub { color: var(--muted); font-size: 14px; overflow-wrap: anywhere; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.cid { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; margin: 8px 0 24px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; min-width: 0; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-weight: 600; }
.card .value { font-size: 22px; font-weight: 700; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 1.3; }
.card .note { font-size: 13px; color: var(--muted); }
.card.ok .value { color: var(--ok); } .card.bad .value { color: var(--bad); } .card.warn .value { color: var(--warn); }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 14px; padding: 22px 24px; margin: 0 0 20px; min-width: 0; }
section > .intro, .intro { color: var(--muted); margin: 0 0 14px; font-size: 14px; }
.hint { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.scroll { overflow-x: auto; max-width: 100%; }
.graph { overflow: auto; max-width: 100%; max-height: 80vh; padding: 8px 0; border: 1px solid var(--line); border-radius: 10px; background: var(--wash); }
.graph svg { display: block; margin: 0 auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; color: var(--muted); margin: 10px 0 12px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend small { font-size: 12px; color: var(--faint); }
.swatch { width: 14px; height: 14px; border-radius: 4px; border: 1.5px solid; display: inline-block; flex: none; }
.chip { width: 14px; height: 14px; border-radius: 3px; display: inline-block; flex: none; vertical-align: -2px; border-bottom: 3px solid; }
.bar { display: flex; height: 22px; border-radius: 8px; overflow: hidden; background: var(--line); margin: 8px 0 10px; }
.bar div { height: 100%; }
.bar .c-human { background: var(--human); } .bar .c-ai { background: var(--ai); } .bar .c-tool { background: var(--tool); } .bar .c-pasted { background: var(--pasted); } .bar .c-unknown { background: var(--unknown); }
.keys { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; margin-bottom: 14px; }
.keys span { display: inline-flex; align-items: center; gap: 6px; }
.keys b { font-variant-numeric: tabular-nums; }
.authored { white-space: pre-wrap; overflow-wrap: anywhere; font: 16px/1.7 Georgia, "Iowan Old Style", "Times New Roman", serif; color: var(--ink); max-height: 70vh; overflow-y: auto; padding: 14px 16px; border: 1px solid var(--line); border-radius: 10px; }
.run { border-bottom: 2px solid; padding: 1px 0; -webkit-box-decoration-break: clone; box-decoration-break: clone; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.c-human { border-color: var(--human); } .c-human.k0 { background: #dcfce7; } .c-human.k1 { background: #ecfccb; } .c-human.k2 { background: #ccfbf1; } .c-human.k3 { background: #d1fae5; }
.c-ai { border-color: var(--ai); } .c-ai.k0 { background: #ede9fe; } .c-ai.k1 { background: #fae8ff; } .c-ai.k2 { background: #e0e7ff; } .c-ai.k3 { background: #fce7f3; }
.c-tool { border-color: var(--tool); } .c-tool.k0 { background: #e0f2fe; } .c-tool.k1 { background: #cffafe; } .c-tool.k2 { background: #dbeafe; } .c-tool.k3 { background: #e0f2fe; }
.c-pasted { border-color: var(--pasted); } .c-pasted.k0 { background: #fef3c7; } .c-pasted.k1 { background: #ffedd5; } .c-pasted.k2 { background: #fef9c3; } .c-pasted.k3 { background: #fde68a; }
.c-unknown { border-color: var(--unknown); border-bottom-style: dashed; } .c-unknown.k0, .c-unknown.k1, .c-unknown.k2, .c-unknown.k3 { background: #f1f5f9; }
.chip { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.work-image { margin: 0 0 14px; text-align: center; }
.work-image img { max-width: 100%; max-height: 60vh; height: auto; border-radius: 8px; border: 1px solid var(--line); image-rendering: auto; }
table.layers .prop { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
.by { display: inline-flex; align-items: center; gap: 5px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 8px; vertical-align: top; overflow-wrap: break-word; }
table.wide { min-width: 600px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; white-space: nowrap; }
.pill.ok { background: var(--ok-bg); color: var(--ok); } .pill.bad { background: var(--bad-bg); color: var(--bad); }
.pill.warn { background: var(--warn-bg); color: var(--warn); } .pill.info { background: #e0e7ff; color: #3730a3; }
.empty { color: var(--muted); font-style: italic; }
ol.timeline { list-style: none; margin: 0; padding: 0; position: relative; }
ol.timeline::before { content: ""; position: absolute; left: 7px; top: 6px; bottom: 6px; width: 2px; background: var(--line); }
ol.timeline li { position: relative; padding: 0 0 14px 28px; }
ol.timeline li:target .what { background: #fef9c3; }
ol.timeline li::before { content: ""; position: absolute; left: 1px; top: 6px; width: 14px; height: 14px; border-radius: 50%; background: var(--paper); border: 3px solid var(--c, var(--faint)); }
ol.timeline .when { font-size: 12.5px; color: var(--muted); font-variant-numeric: tabular-nums; }
ol.timeline .what { font-weight: 600; }
ol.timeline .detail { font-size: 13.5px; color: var(--muted); overflow-wrap: anywhere; }
.findings li { color: var(--bad); }
footer { color: var(--muted); font-size: 13px; text-align: center; margin-top: 28px; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  main { padding: 16px 10px 32px; }
  section { padding: 16px 14px; border-radius: 12px; }
  h1 { font-size: 24px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .card { padding: 10px 12px; }
  .card .value { font-size: 20px; }
  th, td { padding: 6px 5px; }
  .authored { font-size: 15px; padding: 10px; }
  /* Wide tables become one card per row, each cell labelled. */
  table.wide { min-width: 0; }
  table.wide thead { display: none; }
  table.wide tr { display: block; padding: 8px 0; border-bottom: 1px solid var(--line); }
  table.wide tr:last-child { border-bottom: 0; }
  table.wide td { display: block; position: relative; border: 0; padding: 2px 0 2px 96px; text-align: left; white-space: normal; }
  table.wide td::before { content: attr(data-label); position: absolute; left: 0; top: 4px; width: 88px; font-size: 11.5px; line-height: 1.3; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
}
@media print {
  html { background: #fff; }
  main { max-width: none; padding: 0; }
  .bar div, .pill, .chip, .swatch, .run { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section, .card { break-inside: avoid; border-color: #cbd5e1; }
  section#work, section#timeline, section#lineage { break-inside: auto; }
  .authored { max-height: none; overflow: visible; border: 0; padding: 0; }
  .graph { overflow: visible; max-height: none; border: 0; background: none; }
  .graph svg { max-width: 100%; height: auto; }
  .scroll { overflow: visible; }
  table.wide { min-width: 0; }
  .hint { display: none; }
  a { text-decoration: none; }
}
`;
