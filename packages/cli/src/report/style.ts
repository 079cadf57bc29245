// The report's stylesheet, inlined into the page (the report loads nothing from anywhere). System
// fonts only, light and dark friendly neutrals, print-friendly.
export const REPORT_CSS = `
:root {
  --ink: #0f172a; --muted: #475569; --faint: #94a3b8; --line: #e2e8f0; --paper: #ffffff; --wash: #f8fafc;
  --human: #16a34a; --ai: #7c3aed; --tool: #0284c7; --pasted: #d97706; --unknown: #94a3b8;
  --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --warn: #b45309; --warn-bg: #fef3c7;
}
* { box-sizing: border-box; }
html { background: var(--wash); }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); }
main { max-width: 1080px; margin: 0 auto; padding: 32px 24px 48px; }
header.top { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-end; justify-content: space-between; margin-bottom: 20px; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 30px; line-height: 1.2; margin: 4px 0 6px; word-break: break-word; }
h2 { font-size: 19px; margin: 0 0 4px; }
.sub { color: var(--muted); font-size: 14px; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.cid { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 8px 0 28px; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-weight: 600; }
.card .value { font-size: 24px; font-weight: 700; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .note { font-size: 13px; color: var(--muted); }
.card.ok .value { color: var(--ok); } .card.bad .value { color: var(--bad); } .card.warn .value { color: var(--warn); }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 14px; padding: 22px 24px; margin: 0 0 20px; }
section > .intro { color: var(--muted); margin: 0 0 16px; font-size: 14px; }
.graph { overflow-x: auto; text-align: center; padding: 8px 0; }
.graph svg { max-width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 18px; font-size: 13px; color: var(--muted); margin-top: 10px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 14px; height: 14px; border-radius: 4px; border: 1.5px solid; display: inline-block; }
.bar { display: flex; height: 22px; border-radius: 8px; overflow: hidden; background: var(--line); margin: 8px 0 10px; }
.bar div { height: 100%; }
.keys { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; margin-bottom: 14px; }
.keys b { font-variant-numeric: tabular-nums; }
.dot { width: 10px; height: 10px; border-radius: 50%; display: inline-block; margin-right: 6px; vertical-align: 0; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 8px; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; white-space: nowrap; }
.pill.ok { background: var(--ok-bg); color: var(--ok); } .pill.bad { background: var(--bad-bg); color: var(--bad); }
.pill.warn { background: var(--warn-bg); color: var(--warn); } .pill.info { background: #e0e7ff; color: #3730a3; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 20px; }
.empty { color: var(--muted); font-style: italic; }
ol.timeline { list-style: none; margin: 0; padding: 0; position: relative; }
ol.timeline::before { content: ""; position: absolute; left: 7px; top: 6px; bottom: 6px; width: 2px; background: var(--line); }
ol.timeline li { position: relative; padding: 0 0 14px 28px; }
ol.timeline li::before { content: ""; position: absolute; left: 1px; top: 6px; width: 14px; height: 14px; border-radius: 50%; background: var(--paper); border: 3px solid var(--c, var(--faint)); }
ol.timeline .when { font-size: 12.5px; color: var(--muted); font-variant-numeric: tabular-nums; }
ol.timeline .what { font-weight: 600; }
ol.timeline .detail { font-size: 13.5px; color: var(--muted); }
.findings li { color: var(--bad); }
footer { color: var(--muted); font-size: 13px; text-align: center; margin-top: 28px; }
@media print { html { background: #fff; } section, .card { break-inside: avoid; border-color: #cbd5e1; } }
`;
