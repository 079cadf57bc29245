// The report page: one self-contained HTML file (styles and the lineage drawing inline, no scripts,
// and a Content-Security-Policy that forbids loading anything), written for someone who has never
// heard of Colophon.
import { AUTHOR_CLASSES, type AuthorClass, type LedgerEntry } from '@colophon/core';
import { who } from '../describe.js';
import { formatAmount } from '../commands/governance.js';
import { formatTime, shortCid } from '../output.js';
import type { ReportData } from './data.js';
import { NODE_STYLES, styleOf } from './graph.js';
import { formatMs, nodeFacts, oneLine, tokensLabel } from './nodes.js';
import { REPORT_CSS } from './style.js';

const CLASS_WORDS: Record<AuthorClass, string> = { human: 'People', ai: 'AI models', tool: 'Tools', pasted: 'Pasted or imported', unknown: 'Unknown' };
const CLASS_COLOURS: Record<AuthorClass, string> = { human: 'var(--human)', ai: 'var(--ai)', tool: 'var(--tool)', pasted: 'var(--pasted)', unknown: 'var(--unknown)' };
const SOURCE_TYPES: Record<string, string> = {
  digitalCreation: 'made by people (digitalCreation)',
  trainedAlgorithmicMedia: 'made by an AI model (trainedAlgorithmicMedia)',
  compositeWithTrainedAlgorithmicMedia: "people's work combined with AI output (compositeWithTrainedAlgorithmicMedia)",
  algorithmicMedia: 'made by an algorithm (algorithmicMedia)',
};

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function percent(share: number): string {
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

function pill(text: string, tone: 'ok' | 'bad' | 'warn' | 'info'): string {
  return `<span class="pill ${tone}">${esc(text)}</span>`;
}

function card(label: string, value: string, note: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`;
}

function displayName(asset: string): string {
  return asset.startsWith('file:') ? asset.slice('file:'.length) : asset;
}

function latestChecks(data: ReportData): Map<string, (typeof data.checks)[number]> {
  const latest = new Map<string, (typeof data.checks)[number]>();
  for (const check of data.checks) latest.set(check.result.name, check);
  return latest;
}

function cards(data: ReportData): string {
  const out: string[] = [];
  const v = data.verification;
  out.push(v.ok ? card('Ledger', 'Verified', `${v.records} signed records in ${v.feeds} feeds check out`, 'ok') : card('Ledger', 'Not verified', `${v.findings.length} problem(s) found`, 'bad'));
  const a = data.attribution;
  if (a) {
    const unit = a.unit === 'characters' ? `of ${a.total} characters` : a.unit === 'properties' ? `of ${a.total} design properties` : `of ${a.total} steps`;
    out.push(card('By people', percent(a.humanShare), unit));
    out.push(card('By AI', percent(a.shares.byClass.ai), a.shares.byClass.tool > 0 ? `tools ${percent(a.shares.byClass.tool)}` : 'of this version as it stands'));
  } else out.push(card('Authorship', 'Unknown', data.attributionNote ?? 'no attribution', 'warn'));
  const latest = [...latestChecks(data).values()];
  if (latest.length > 0) {
    const failing = latest.filter((c) => !c.result.pass);
    const names = latest.map((c) => c.result.name).join(', ');
    out.push(failing.length > 0 ? card('Checks', `${failing.length} failing`, `latest ${failing.map((c) => c.result.name).join(', ')} failed`, 'bad') : card('Checks', 'All pass', `latest result of ${names}`, 'ok'));
  } else out.push(card('Checks', 'None', 'no automated checks recorded'));
  const gate = data.gates[data.gates.length - 1];
  if (gate) out.push(card('Gates', gate.payload.pass ? 'Passed' : 'Blocked', `${gate.payload.gates.filter((g) => g.pass).length} of ${gate.payload.gates.length} publishing gates pass`, gate.payload.pass ? 'ok' : 'bad'));
  else out.push(card('Gates', 'None', 'no contract evaluated'));
  const credential = data.credentials[0];
  if (credential) out.push(card('C2PA', credential.state === 'none' ? 'None' : credential.state, credential.state === 'none' ? 'the file carries no Content Credentials' : 'Content Credentials', credential.state.startsWith('Invalid') ? 'bad' : credential.state === 'none' ? 'warn' : 'ok'));
  else out.push(card('C2PA', 'None', data.credentialNote ? oneLine(data.credentialNote, 60) : 'no exported file with Content Credentials'));
  return `<div class="cards">${out.join('')}</div>`;
}

function legend(): string {
  const items = Object.values(NODE_STYLES).map((s) => `<span><i class="swatch" style="background:${s.fill};border-color:${s.stroke}"></i>${esc(s.label)}</span>`);
  items.push('<span><i class="swatch" style="background:#fff;border-color:#0f172a;border-width:3px"></i>This version</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

function lineageSection(data: ReportData, svg: string, notDrawn: number): string {
  const { graph } = data;
  const steps = graph.nodes.filter((n) => n.record.kind === 'agent.step').length;
  const people = new Set(graph.nodes.filter((n) => !n.record.agent).map((n) => n.record.by)).size;
  const tried = data.side.nodes.length;
  const aside = tried > 0 ? ` Faded, dashed boxes are ${tried} step${tried === 1 ? '' : 's'} of the same work that ${tried === 1 ? 'was' : 'were'} tried and not used.` : '';
  return `<section id="lineage"><h2>How it was made</h2>
<p class="intro">Each box is a signed record in the project's ledger; arrows point from what came first to what was built from it. This version came from ${graph.nodes.length} records: ${steps} AI step${steps === 1 ? '' : 's'}, with ${people} ${people === 1 ? 'person' : 'people'} taking part. Checks hang off the step they judged.${aside}</p>
<div class="graph">${svg}</div>${legend()}
${notDrawn > 0 ? `<p class="intro">The ${notDrawn} oldest records are not drawn (the timeline below lists them all); <code>colophon trace</code> prints the whole lineage.</p>` : ''}
${graph.missing.length > 0 ? `<p class="intro">${graph.missing.length} linked record(s) are not in this ledger.</p>` : ''}</section>`;
}

function contributorName(data: ReportData, cls: AuthorClass, whoId: string): string {
  if (cls === 'human' || cls === 'pasted') return who(whoId, data.names);
  if (cls === 'unknown') return 'Unknown (changed while nobody recorded it)';
  return whoId;
}

function sharesSection(data: ReportData): string {
  const a = data.attribution;
  if (!a) return `<section id="shares"><h2>Who made it</h2><p class="empty">${esc(data.attributionNote ?? 'No attribution could be derived.')}</p></section>`;
  const classes = AUTHOR_CLASSES.filter((c) => a.shares.byClass[c] > 0);
  const bar = classes.map((c) => `<div title="${esc(CLASS_WORDS[c])} ${percent(a.shares.byClass[c])}" style="width:${(a.shares.byClass[c] * 100).toFixed(3)}%;background:${CLASS_COLOURS[c]}"></div>`).join('');
  const keys = classes.map((c) => `<span class="share-${c}"><i class="dot" style="background:${CLASS_COLOURS[c]}"></i>${esc(CLASS_WORDS[c])} <b>${percent(a.shares.byClass[c])}</b></span>`).join('');
  const rows = a.shares.byContributor
    .slice(0, 50)
    .map((c) => `<tr><td>${esc(contributorName(data, c.class, c.who))}</td><td>${esc(CLASS_WORDS[c.class])}</td><td class="num">${c.units}</td><td class="num">${percent(c.share)}</td></tr>`)
    .join('');
  const unit = a.unit === 'characters' ? 'characters of the text' : a.unit === 'properties' ? 'design properties' : 'recorded steps';
  const term = a.digitalSourceType?.slice(a.digitalSourceType.lastIndexOf('/') + 1);
  const sourceType = term ? `<p>Honest label (IPTC digital source type): <b>${esc(SOURCE_TYPES[term] ?? term)}</b>.</p>` : '<p>No IPTC digital source type can be claimed honestly for this mix.</p>';
  const notes = a.notes.length > 0 ? `<p class="intro">${a.notes.map(esc).join(' ')}</p>` : '';
  return `<section id="shares"><h2>Who made it</h2>
<p class="intro">Counted over the ${esc(unit)} as they stand in this version: what each person, model or tool contributed that is still there.</p>
<div class="bar" role="img" aria-label="shares">${bar}</div><div class="keys">${keys}</div>
<table><thead><tr><th>Contributor</th><th>As</th><th class="num">${esc(a.unit)}</th><th class="num">Share</th></tr></thead><tbody>${rows}</tbody></table>
${sourceType}${notes}</section>`;
}

function stepTitle(entry: LedgerEntry, data: ReportData): string {
  const facts = nodeFacts(entry, data.names);
  return facts.kind === 'agent.step' ? `AI step “${facts.title.replace(/^step "(.*)"$/, '$1')}”` : `${facts.title} by ${facts.by}`;
}

function checksSection(data: ReportData): string {
  if (data.checks.length === 0) return '<section id="checks"><h2>Checks</h2><p class="empty">No automated checks were recorded along the way.</p></section>';
  const rows = data.checks
    .map(({ entry, result, on }) => {
      const threshold = result.threshold === undefined ? '—' : String(result.threshold);
      return `<tr><td><b>${esc(result.name)}</b></td><td>${esc(stepTitle(on, data))}</td><td class="num">${result.score}</td><td class="num">${esc(threshold)}</td><td>${result.pass ? pill('passed', 'ok') : pill('failed', 'bad')}</td><td class="num">${esc(formatTime(entry.record.at))}</td></tr>`;
    })
    .join('');
  return `<section id="checks"><h2>Checks</h2><p class="intro">Automated checks run on the steps (for example brand consistency), in the order they ran. A gate usually looks at the latest result of each check.</p>
<table><thead><tr><th>Check</th><th>On</th><th class="num">Score</th><th class="num">Pass mark</th><th>Result</th><th class="num">When</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function governanceSection(data: ReportData): string {
  const parts: string[] = [];
  for (const decision of data.decisions) {
    const approved = decision.record.kind === 'approve';
    parts.push(`<p>${approved ? pill('approved', 'ok') : pill('rejected', 'bad')} by <b>${esc(who(decision.record.by, data.names))}</b> on ${esc(formatTime(decision.record.at))}</p>`);
  }
  const gate = data.gates[data.gates.length - 1];
  if (gate) {
    const rows = gate.payload.gates.map((g) => `<tr><td><b>${esc(g.name)}</b></td><td>${g.pass ? pill('pass', 'ok') : pill('fail', 'bad')}</td><td>${esc(g.error ?? '')}</td></tr>`).join('');
    parts.push(`<p>Contract <b>${esc(gate.contract ?? shortCid(gate.payload.contract))}</b>, evaluated ${esc(formatTime(gate.entry.record.at))}: ${gate.payload.pass ? pill('all gates pass', 'ok') : pill('blocked', 'bad')}</p><table><thead><tr><th>Gate</th><th>Verdict</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table>`);
    if (data.gates.length > 1) parts.push(`<p class="intro">${data.gates.length - 1} earlier evaluation(s) are in the ledger too.</p>`);
  }
  const settlement = data.settlements.find((s) => !s.duplicate);
  if (settlement) {
    const { payload } = settlement;
    const rows = payload.lines
      .map((l) => `<tr><td>${esc(l.payee.startsWith('ai:') ? `${l.payee.slice(3)} (AI provider)` : who(l.payee, data.names))}</td><td>${esc(l.via.join(', '))}</td><td class="num">${esc(formatAmount(l.amount, payload.currency))}</td></tr>`)
      .join('');
    parts.push(`<h3>Payout</h3><p>${esc(formatAmount(payload.budget, payload.currency))} settled on ${esc(formatTime(settlement.entry.record.at))} (record <span class="cid">${esc(shortCid(settlement.entry.cid))}</span>). Anyone can recompute it from the ledger.</p><table><thead><tr><th>Payee</th><th>For</th><th class="num">Amount</th></tr></thead><tbody>${rows}</tbody></table>`);
  }
  if (parts.length === 0) parts.push('<p class="empty">No approval, gate or payout recorded for this asset.</p>');
  return `<section id="governance"><h2>Approval, gates and payout</h2><p class="intro">Gates are rules written in the project's contract, checked when a director approves; a passing approval settles the budget among the contributors.</p>${parts.join('')}</section>`;
}

function credentialsSection(data: ReportData): string {
  const parts = data.credentials.map((c) => {
    const tone = c.state.startsWith('Invalid') ? 'bad' : c.state === 'none' ? 'warn' : c.state.startsWith('Trusted') ? 'ok' : 'info';
    const facts = [c.claimGenerator ? `made with ${esc(c.claimGenerator)}` : '', c.signer ? `signed by ${esc(c.signer)}` : '', c.codes.length > 0 ? `codes: ${c.codes.map(esc).join(', ')}` : ''].filter(Boolean).join(' · ');
    return `<p>${pill(c.state, tone)} <span class="cid">${esc(c.source)}</span></p><p>${esc(c.explanation)}</p>${facts ? `<p class="intro">${facts}</p>` : ''}`;
  });
  if (data.file) parts.push(`<p>${data.file.matches ? pill('matches the ledger', 'ok') : pill('differs from the ledger', 'bad')} The file on disk ${data.file.matches ? 'is exactly the version recorded here' : 'is not the version recorded here (it was changed since)'}.</p>`);
  if (data.credentialNote) parts.push(`<p class="intro">${esc(data.credentialNote)}</p>`);
  if (parts.length === 0) parts.push('<p class="empty">No exported file with Content Credentials was found, and no ingested material carried any.</p>');
  return `<section id="c2pa"><h2>Content Credentials (C2PA)</h2><p class="intro">Content Credentials travel with the file and let anyone check who made it and how.</p>${parts.join('')}</section>`;
}

function verificationSection(data: ReportData): string {
  const v = data.verification;
  const body = v.ok
    ? `<p>${pill('verified', 'ok')} Every signature, chain, link and role in the ledger checks out: ${v.records} records in ${v.feeds} feeds.</p>`
    : `<p>${pill('not verified', 'bad')} ${v.findings.length} problem(s) in ${v.records} records:</p><ul class="findings">${v.findings
        .slice(0, 20)
        .map((f) => `<li><code>${esc(f.code)}</code> ${esc(f.message)}</li>`)
        .join('')}</ul>`;
  return `<section id="verification"><h2>Verification</h2><p class="intro">Checked when this report was made. Anyone with the project folder can check again with <code>colophon verify</code>.</p>${body}</section>`;
}

interface Moment {
  at: number;
  position: number;
  what: string;
  detail: string;
  colour: string;
}

function timelineSection(data: ReportData): string {
  const moments: Moment[] = [];
  const add = (entry: LedgerEntry, what: string, detail: string, colour: string) => moments.push({ at: entry.record.at, position: moments.length, what, detail, colour });
  const unused = new Set(data.side.nodes.map((n) => n.cid.toString()));
  for (const node of [...data.graph.nodes, ...data.side.nodes]) {
    const facts = nodeFacts(node, data.names);
    const style = NODE_STYLES[unused.has(node.cid.toString()) ? 'unused' : styleOf(facts)];
    const detail: string[] = [];
    if (facts.kind === 'intent') detail.push(`set by ${facts.by}`, facts.prompt === null ? 'brief kept private' : `“${oneLine(facts.prompt ?? '', 90)}”`);
    else if (facts.agent) detail.push(facts.agent, `signed by ${facts.by}`);
    else detail.push(`by ${facts.by}, by hand`);
    if (facts.ms) detail.push(formatMs(facts.ms));
    const tokens = tokensLabel(facts.tokens);
    if (tokens) detail.push(tokens);
    if (facts.error) detail.push(`failed: ${oneLine(facts.error, 80)}`);
    const what =
      facts.kind === 'intent'
        ? 'Intent set'
        : facts.kind === 'agent.step'
          ? `${stepTitle(node, data)}${unused.has(node.cid.toString()) ? ' (not used in this version)' : ''}`
          : `${facts.title[0]!.toUpperCase()}${facts.title.slice(1)}${node === data.graph.target ? ' — this version' : ''}`;
    add(node, what, detail.join(' · '), style.stroke);
  }
  for (const { entry, result, on } of data.checks) add(entry, `Check “${result.name}” ${result.pass ? 'passed' : 'failed'}: ${result.score}`, `on ${stepTitle(on, data)}`, result.pass ? NODE_STYLES.pass.stroke : NODE_STYLES.fail.stroke);
  for (const d of data.decisions) add(d, d.record.kind === 'approve' ? 'Approved' : 'Rejected', `by ${who(d.record.by, data.names)}`, d.record.kind === 'approve' ? '#15803d' : '#b91c1c');
  for (const g of data.gates) add(g.entry, `Gates ${g.payload.pass ? 'passed' : 'blocked'}`, `${g.payload.gates.filter((x) => x.pass).length} of ${g.payload.gates.length} pass · contract ${g.contract ?? shortCid(g.payload.contract)}`, g.payload.pass ? '#15803d' : '#b91c1c');
  for (const s of data.settlements) add(s.entry, s.duplicate ? 'Duplicate settlement (never paid)' : 'Settled', `${formatAmount(s.payload.budget, s.payload.currency)} among ${s.payload.lines.length} payee(s)`, '#0f172a');
  moments.sort((a, b) => a.at - b.at || a.position - b.position);
  const items = moments.map((m) => `<li style="--c:${m.colour}"><div class="when">${esc(formatTime(m.at))}</div><div class="what">${esc(m.what)}</div><div class="detail">${esc(m.detail)}</div></li>`).join('');
  return `<section id="timeline"><h2>Timeline</h2><p class="intro">Every contribution in the order it happened (times are as each signer stated them).</p><ol class="timeline">${items}</ol></section>`;
}

/** The page; `notDrawn` says how many of the oldest lineage records the drawing leaves out. */
export function reportHtml(data: ReportData, svg: string, notDrawn = 0): string {
  const target = data.graph.target;
  const facts = nodeFacts(target, data.names);
  const title = `${displayName(data.asset)} — Colophon report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="Colophon">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="top"><div><div class="eyebrow">Colophon report · project ${esc(data.project.name)}</div>
<h1>${esc(displayName(data.asset))}</h1>
<div class="sub">Version <span class="mono">${esc(shortCid(target.cid))}</span> · ${esc(facts.title)} by ${esc(facts.by)} · ${esc(formatTime(target.record.at))}</div></div></header>
${cards(data)}
${lineageSection(data, svg, notDrawn)}
${sharesSection(data)}
${checksSection(data)}
${governanceSection(data)}
${credentialsSection(data)}
${verificationSection(data)}
${timelineSection(data)}
<footer>Made by Colophon on ${esc(formatTime(data.generatedAt))} from the ledger of project “${esc(data.project.name)}” (<span class="cid">${esc(data.project.genesis.toString())}</span>). This page is self-contained: it loads nothing from the network. Version record <span class="cid">${esc(target.cid.toString())}</span>.</footer>
</main>
</body>
</html>
`;
}
