// The report as HTML: a self-contained page (styles and the lineage drawing inline, no scripts, a
// Content-Security-Policy that forbids loading anything), and the same page's sections as
// functions of the data, so the VS Code history view and the Figma panel show the same truth.
// Every share, count and label comes from core's attribution (ReportData.attribution), the same
// figures `colophon attribute` prints; each carries data-figure/data-value so tests can hold the
// page to `attribute --json`.
import { AUTHOR_CLASSES, type AssetAttribution, type AuthorClass, type ContributorShare, type LedgerEntry } from '../attribution/index.js';
import { sourceTypeTerm, sourceTypeWords } from '../attribution/source-type.js';
import type { ReportData } from './facts.js';
import { NODE_STYLES, styleOf } from './graph.js';
import { classWords, formatMs, nodeFacts, oneLine, tokensLabel } from './nodes.js';
import { REPORT_CSS } from './style.js';
import { counted, escapeHtml as esc, formatAmount, formatTime, percent, shortCid, who } from './words.js';

/** The page's policy: nothing may load; inline styles and data: images only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CLASS_WORDS: Record<AuthorClass, string> = { human: 'People', ai: 'AI models', tool: 'Tools', pasted: 'Pasted or imported', unknown: 'Unknown' };
/** Texts longer than this (UTF-16 units) are shown up to it; the shares still cover all of it. */
export const MAX_SHOWN_TEXT = 1_000_000;
/** Tints per contributor within a class (a second model gets the second tint). */
const TINTS = 4;

function pill(text: string, tone: 'ok' | 'bad' | 'warn' | 'info'): string {
  return `<span class="pill ${tone}">${esc(text)}</span>`;
}

/** A figure the tests hold to `attribute --json`: `figure` names the field, `value` its exact value. */
function figure(name: string, value: number | string, shown: string, tag = 'span'): string {
  return `<${tag} data-figure="${esc(name)}" data-value="${esc(String(value))}">${esc(shown)}</${tag}>`;
}

function card(label: string, valueHtml: string, note: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="label">${esc(label)}</div><div class="value">${valueHtml}</div><div class="note">${esc(note)}</div></div>`;
}

function displayName(asset: string): string {
  return asset.startsWith('file:') ? asset.slice('file:'.length) : asset;
}

function unitWords(a: AssetAttribution): string {
  return a.unit === 'characters' ? 'characters' : a.unit === 'properties' ? 'design properties' : 'recorded steps';
}

function latestChecks(data: ReportData): ReportData['checks'] {
  const latest = new Map<string, ReportData['checks'][number]>();
  for (const check of data.checks) latest.set(check.result.name, check);
  return [...latest.values()];
}

export function cardsHtml(data: ReportData): string {
  const out: string[] = [];
  const v = data.verification;
  if (v) out.push(v.ok ? card('Ledger', 'Verified', `${counted(v.records, 'signed record')} in ${counted(v.feeds, 'feed')} check out`, 'ok') : card('Ledger', 'Not verified', `${v.findings.length} problem(s) found`, 'bad'));
  const a = data.attribution;
  if (a) {
    out.push(card('By people', figure('humanShare', a.humanShare, percent(a.humanShare)), `of ${a.total} ${unitWords(a)}`));
    const others = (['tool', 'pasted', 'unknown'] as const).filter((c) => a.shares.byClass[c] > 0).map((c) => `${CLASS_WORDS[c].toLowerCase()} ${percent(a.shares.byClass[c])}`);
    out.push(card('By AI', figure('byClass.ai', a.shares.byClass.ai, percent(a.shares.byClass.ai)), others.length > 0 ? others.join(', ') : 'of this version as it stands'));
  } else out.push(card('Authorship', 'Unknown', data.attributionNote ?? 'no attribution', 'warn'));
  const latest = latestChecks(data);
  if (latest.length > 0) {
    const failing = latest.filter((c) => !c.result.pass);
    out.push(failing.length > 0 ? card('Checks', `${failing.length} failing`, `latest ${failing.map((c) => c.result.name).join(', ')} failed`, 'bad') : card('Checks', 'All pass', `latest result of ${latest.map((c) => c.result.name).join(', ')}`, 'ok'));
  } else out.push(card('Checks', 'None', 'no automated checks recorded'));
  const gate = data.gates[data.gates.length - 1];
  if (gate) out.push(card('Gates', gate.payload.pass ? 'Passed' : 'Blocked', `${gate.payload.gates.filter((g) => g.pass).length} of ${gate.payload.gates.length} publishing gates pass`, gate.payload.pass ? 'ok' : 'bad'));
  else out.push(card('Gates', 'None', 'no contract evaluated'));
  const settlement = data.settlements.find((s) => !s.duplicate);
  if (settlement) {
    // `EUR 1500.00`: the currency goes in the label, so the amount fits a narrow card on one line.
    const amount = formatAmount(settlement.payload.budget, settlement.payload.currency);
    out.push(card(`Paid (${settlement.payload.currency})`, esc(amount.slice(amount.indexOf(' ') + 1)), `to ${settlement.payload.lines.length} payee(s)`, 'ok'));
  }
  const credential = data.credentials[0];
  if (credential) out.push(card('C2PA', esc(credential.state === 'none' ? 'None' : credential.state), credential.state === 'none' ? 'the file carries no Content Credentials' : 'Content Credentials', credential.state.startsWith('Invalid') ? 'bad' : credential.state === 'none' ? 'warn' : 'ok'));
  else out.push(card('C2PA', 'None', data.credentialNote ? oneLine(data.credentialNote, 60) : 'no exported file with Content Credentials'));
  return `<div class="cards">${out.join('')}</div>`;
}

function contributorName(data: ReportData, cls: AuthorClass, whoId: string): string {
  if (cls === 'human' || cls === 'pasted') return who(whoId, data.names);
  if (cls === 'unknown') return 'Unknown (changed while nobody recorded it)';
  return whoId;
}

/** `c-<class> k<n>`: the class's colour, and the contributor's tint within the class. */
function tintClasses(a: AssetAttribution): Map<string, string> {
  const tints = new Map<string, string>();
  const perClass = new Map<AuthorClass, number>();
  for (const c of a.shares.byContributor) {
    const n = perClass.get(c.class) ?? 0;
    perClass.set(c.class, n + 1);
    tints.set(c.contributor, `c-${c.class} k${n % TINTS}`);
  }
  return tints;
}

function legendHtml(data: ReportData, a: AssetAttribution): string {
  const tints = tintClasses(a);
  const items = a.shares.byContributor.map(
    (c: ContributorShare) => `<span class="key"><i class="chip ${tints.get(c.contributor)}"></i>${esc(contributorName(data, c.class, c.who))} <small>${esc(CLASS_WORDS[c.class])}</small></span>`,
  );
  return `<div class="legend" aria-label="who wrote what">${items.join('')}</div>`;
}

/**
 * The text with each run of the authorship map as one span, tinted by author class and
 * contributor; its title says who, when, how it was observed and through which record. One pass
 * over the runs: a 50 KB chapter with thousands of runs renders in milliseconds.
 */
export function authoredTextHtml(data: ReportData, text: string): string {
  const a = data.attribution;
  if (!a?.textMap) return '';
  const tints = tintClasses(a);
  const parts: string[] = [];
  const shown = Math.min(text.length, MAX_SHOWN_TEXT);
  a.textMap.forEachRun(
    (start, length, author) => {
      const id = author.class === 'unknown' ? 'unknown' : `${author.class}:${author.who}`;
      const entry = author.record ? data.records.get(author.record.toString()) : undefined;
      const title = [
        `${CLASS_WORDS[author.class]}: ${contributorName(data, author.class, author.who)}`,
        entry ? formatTime(entry.record.at) : undefined,
        author.evidence ? `observed: ${author.evidence}` : undefined,
        author.record ? `record ${author.record}` : undefined,
      ].filter(Boolean);
      const end = Math.min(start + length, shown);
      parts.push(
        `<span class="run ${tints.get(id) ?? `c-${author.class}`}" data-start="${start}" data-length="${length}" data-class="${author.class}" data-who="${esc(author.who)}" title="${esc(title.join(' · '))}">${esc(text.slice(start, end))}</span>`,
      );
    },
    0,
    shown,
  );
  const cut = shown < text.length ? `<p class="intro">The first ${shown.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters are shown; the shares cover all of them.</p>` : '';
  return `${legendHtml(data, a)}<div class="authored" role="document">${parts.join('')}</div>${cut}`;
}

function layersHtml(data: ReportData, a: AssetAttribution): string {
  const tints = tintClasses(a);
  const author = (cls: AuthorClass, whoId: string) => {
    const id = cls === 'unknown' ? 'unknown' : `${cls}:${whoId}`;
    return `<span class="by"><i class="chip ${tints.get(id) ?? `c-${cls}`}"></i>${esc(contributorName(data, cls, whoId))}</span>`;
  };
  const rows = a
    .nodeMap!.nodes()
    .map(
      (node) =>
        `<tr data-node="${esc(node.id)}"><td><b>${esc(node.id)}</b>${node.createdBy ? `<div class="sub">created by ${author(node.createdBy.class, node.createdBy.who)}</div>` : ''}</td><td>${node.properties.map((p) => `<div class="prop" data-class="${p.author.class}"><code>${esc(p.name)}</code> ${author(p.author.class, p.author.who)}</div>`).join('') || '<span class="empty">no properties recorded</span>'}</td></tr>`,
    )
    .join('');
  return `${legendHtml(data, a)}<div class="scroll"><table class="layers"><thead><tr><th>Layer</th><th>Last set, property by property</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The work itself, first: the text coloured by author, the image, or the layers with their authors. */
export function workHtml(data: ReportData): string {
  const parts: string[] = [];
  const a = data.attribution;
  const work = data.work;
  if (work?.image) {
    parts.push(`<figure class="work-image"><img src="data:${esc(work.image.mime)};base64,${work.image.base64}" alt="${esc(displayName(data.asset))}, the version reported on"></figure>`);
  }
  if (a?.textMap && work?.text !== undefined) parts.push(authoredTextHtml(data, work.text));
  else if (a?.textMap) parts.push(`<p class="empty">The text itself is not at hand (${esc(work?.note ?? 'no file')}); the shares below still come from its records.</p>`);
  if (a?.nodeMap) parts.push(layersHtml(data, a));
  if (work?.note && !(a?.textMap && work.text === undefined)) parts.push(`<p class="intro">${esc(work.note)}</p>`);
  if (parts.length === 0) return '';
  const intro = a?.textMap
    ? 'Each stretch of text is tinted by who wrote it: people, AI models, tools, pasted material. Point at any of it to see who, when, how it was observed and the signed record.'
    : a?.nodeMap
      ? 'Each layer property names the last person, model or tool that set it.'
      : 'The version reported on, as recorded.';
  return `<section id="work"><h2>The work</h2><p class="intro">${intro}</p>${parts.join('')}</section>`;
}

export function sharesHtml(data: ReportData): string {
  const a = data.attribution;
  if (!a) return `<section id="shares"><h2>Who made it</h2><p class="empty">${esc(data.attributionNote ?? 'No attribution could be derived.')}</p></section>`;
  const classes = AUTHOR_CLASSES.filter((c) => a.shares.unitsByClass[c] > 0);
  const bar = classes.map((c) => `<div class="c-${c}" style="width:${(a.shares.byClass[c] * 100).toFixed(3)}%"></div>`).join('');
  const keys = classes
    .map((c) => `<span><i class="chip c-${c} k0"></i>${esc(CLASS_WORDS[c])} <b>${figure(`byClass.${c}`, a.shares.byClass[c], percent(a.shares.byClass[c]))}</b> · ${figure(`unitsByClass.${c}`, a.shares.unitsByClass[c], a.shares.unitsByClass[c].toLocaleString('en'))}</span>`)
    .join('');
  const rows = a.shares.byContributor
    .slice(0, 50)
    .map(
      (c) =>
        `<tr data-contributor="${esc(c.contributor)}"><td>${esc(contributorName(data, c.class, c.who))}</td><td>${esc(CLASS_WORDS[c.class])}</td><td class="num">${figure(`contributor.units`, c.units, c.units.toLocaleString('en'))}</td><td class="num">${figure('contributor.share', c.share, percent(c.share))}</td></tr>`,
    )
    .join('');
  const type = a.digitalSourceType;
  const sourceType = type
    ? `<p>Honest label (IPTC digital source type): <b>${esc(sourceTypeWords(type))}</b> (${figure('digitalSourceType', type, sourceTypeTerm(type), 'code')}): ${esc(a.sourceTypeRule)}.</p>`
    : `<p>No IPTC digital source type can be claimed honestly: ${esc(a.sourceTypeRule)}.</p>`;
  const notes = a.notes.length > 0 ? `<p class="intro">${a.notes.map(esc).join(' ')}</p>` : '';
  return `<section id="shares"><h2>Who made it</h2>
<p class="intro">Counted over the ${figure('total', a.total, a.total.toLocaleString('en'))} ${esc(unitWords(a))} of this version, from ${figure('records', a.records.length, String(a.records.length))} record(s): what each person, model or tool contributed that is still there. The same figures as <code>colophon attribute</code> and the Content Credentials.</p>
<div class="bar" role="img" aria-label="shares by class">${bar}</div><div class="keys">${keys}</div>
<div class="scroll"><table><thead><tr><th>Contributor</th><th>As</th><th class="num">${esc(a.unit)}</th><th class="num">Share</th></tr></thead><tbody>${rows}</tbody></table></div>
${sourceType}${notes}</section>`;
}

function stepTitle(entry: LedgerEntry, data: ReportData): string {
  const facts = nodeFacts(entry, data.names);
  return facts.kind === 'agent.step' ? `AI step “${facts.title.replace(/^step "(.*)"$/, '$1')}”` : `${facts.title} by ${facts.by}`;
}

function recordLink(entry: LedgerEntry): string {
  return `<a class="cid" href="#t-${esc(entry.cid.toString())}" title="${esc(entry.cid.toString())}">${esc(shortCid(entry.cid))}</a>`;
}

const ROLE_WORDS = { prompt: 'Brief or prompt', review: 'Review', check: 'Check', approval: 'Approval', rejection: 'Rejection' } as const;

/** Briefs, prompts, reviews, checks and decisions: what earned money or changed the verdict. */
export function contributionsHtml(data: ReportData): string {
  if (data.contributions.length === 0) return '';
  const rows = data.contributions
    .map(({ entry, role, check, paidAs }) => {
      const facts = nodeFacts(entry, data.names);
      let what: string;
      if (role === 'prompt') what = facts.prompt === null || facts.prompt === undefined ? '<i>private prompt</i> (only its commitment is on the ledger)' : `“${esc(oneLine(facts.prompt, 120))}”`;
      else if (role === 'check' && check) what = `${esc(check.name)} ${check.score}${check.threshold === undefined ? '' : ` (pass mark ${check.threshold})`} ${check.pass ? pill('passed', 'ok') : pill('failed', 'bad')}`;
      else if (role === 'approval') what = pill('approved', 'ok');
      else if (role === 'rejection') what = pill('rejected', 'bad');
      else what = 'reviewed this version';
      const paid = paidAs.length > 0 ? pill(`paid: ${paidAs.join(', ')}`, 'info') : role === 'prompt' || role === 'review' ? '<span class="sub">counted</span>' : '<span class="sub">decides gates</span>';
      return `<tr data-role="${role}"><td data-label="What"><b>${ROLE_WORDS[role]}</b></td><td data-label="Who">${esc(facts.by)}</td><td data-label="Said">${what}</td><td data-label="Counts">${paid}</td><td class="num" data-label="When">${esc(formatTime(entry.record.at))}<br>${recordLink(entry)}</td></tr>`;
    })
    .join('');
  return `<section id="contributions"><h2>Briefs, reviews, checks and decisions</h2><p class="intro">Everything the contract's gates and payout count besides the text: who set the brief, who reviewed, which checks ran, who approved. Each links to its moment in the timeline and its signed record.</p>
<div class="scroll"><table class="wide"><thead><tr><th>What</th><th>Who</th><th>Said</th><th>Counts for</th><th class="num">When · record</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function graphLegend(): string {
  const items = Object.values(NODE_STYLES).map((s) => `<span><i class="swatch" style="background:${s.fill};border-color:${s.stroke}"></i>${esc(s.label)}</span>`);
  items.push('<span><i class="swatch" style="background:#fff;border-color:#0f172a;border-width:3px"></i>This version</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

/** Width in CSS px of a Graphviz SVG (its width is in points). */
function svgWidthPx(svg: string): number {
  const match = /<svg[^>]*\swidth="([\d.]+)pt"/.exec(svg);
  return match ? (Number(match[1]) * 4) / 3 : 0;
}

/**
 * The lineage drawn at its natural size, so no label shrinks below 11 px: a wide drawing pans
 * inside its frame (scroll, or swipe on a phone) instead of widening the page.
 */
export function lineageHtml(data: ReportData, svg: string | undefined, notDrawn = 0): string {
  const { graph } = data;
  const byModels = graph.nodes.filter((n) => n.record.agent?.type === 'ai').length;
  const byTools = graph.nodes.filter((n) => n.record.agent?.type === 'tool').length;
  const people = new Set(graph.nodes.filter((n) => !n.record.agent).map((n) => n.record.by)).size;
  const tried = data.side.nodes.length;
  const attached = data.side.attached.length;
  const aside = [
    tried > 0 ? `Faded, dashed boxes are ${tried} step${tried === 1 ? '' : 's'} of the same work that ${tried === 1 ? 'was' : 'were'} tried and not used.` : '',
    attached > 0 ? `Blue boxes are ${attached} brief(s), review(s) and decision(s) about this version.` : '',
  ].join(' ');
  const wide = svg !== undefined && svgWidthPx(svg) > 640;
  const drawing = svg ? `<div class="graph" role="region" aria-label="lineage drawing${wide ? ', scroll to pan' : ''}">${svg}</div>${wide ? '<p class="hint">The drawing is wider than the page: scroll or swipe inside it to pan.</p>' : ''}` : '';
  return `<section id="lineage"><h2>How it was made</h2>
<p class="intro">Each box is a signed record in the project's ledger; arrows point from what came first to what was built from it. This version came from ${graph.nodes.length} records: ${byModels} made by AI models, ${byTools} by tools, and ${people} ${people === 1 ? 'person' : 'people'} signing work of their own. Checks hang off the step they judged. ${aside}</p>
${drawing}${graphLegend()}
${notDrawn > 0 ? `<p class="intro">The ${notDrawn} oldest records are not drawn (the timeline below lists them all); <code>colophon trace</code> prints the whole lineage.</p>` : ''}
${graph.missing.length > 0 ? `<p class="intro">${graph.missing.length} linked record(s) are not in this ledger.</p>` : ''}</section>`;
}

export function checksHtml(data: ReportData): string {
  if (data.checks.length === 0) return '<section id="checks"><h2>Checks</h2><p class="empty">No automated checks were recorded along the way.</p></section>';
  const rows = data.checks
    .map(({ entry, result, on }) => {
      const threshold = result.threshold === undefined ? '—' : String(result.threshold);
      return `<tr><td data-label="Check"><b>${esc(result.name)}</b></td><td data-label="On">${esc(stepTitle(on, data))}</td><td class="num" data-label="Score">${result.score}</td><td class="num" data-label="Pass at">${esc(threshold)}</td><td data-label="Result">${result.pass ? pill('passed', 'ok') : pill('failed', 'bad')}</td><td class="num" data-label="When">${esc(formatTime(entry.record.at))}</td></tr>`;
    })
    .join('');
  return `<section id="checks"><h2>Checks</h2><p class="intro">Automated checks run on the steps (for example brand consistency), in the order they ran. A gate usually looks at the latest result of each check.</p>
<div class="scroll"><table class="wide"><thead><tr><th>Check</th><th>On</th><th class="num">Score</th><th class="num">Pass mark</th><th>Result</th><th class="num">When</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

export function governanceHtml(data: ReportData): string {
  const parts: string[] = [];
  for (const decision of data.decisions) {
    const approved = decision.record.kind === 'approve';
    parts.push(`<p>${approved ? pill('approved', 'ok') : pill('rejected', 'bad')} by <b>${esc(who(decision.record.by, data.names))}</b> on ${esc(formatTime(decision.record.at))} · ${recordLink(decision)}</p>`);
  }
  const gate = data.gates[data.gates.length - 1];
  if (gate) {
    const rows = gate.payload.gates.map((g) => `<tr><td><b>${esc(g.name)}</b></td><td>${g.pass ? pill('pass', 'ok') : pill('fail', 'bad')}</td><td>${esc(g.error ?? '')}</td></tr>`).join('');
    parts.push(`<p>Contract <b>${esc(gate.contract ?? shortCid(gate.payload.contract))}</b>, evaluated ${esc(formatTime(gate.entry.record.at))}: ${gate.payload.pass ? pill('all gates pass', 'ok') : pill('blocked', 'bad')}</p><div class="scroll"><table><thead><tr><th>Gate</th><th>Verdict</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table></div>`);
    if (data.gates.length > 1) parts.push(`<p class="intro">${data.gates.length - 1} earlier evaluation(s) are in the ledger too.</p>`);
  }
  const settlement = data.settlements.find((s) => !s.duplicate);
  if (settlement) {
    const { payload } = settlement;
    const rows = payload.lines
      .map((l) => `<tr data-payee="${esc(l.payee)}"><td>${esc(l.payee.startsWith('ai:') ? `${l.payee.slice(3)} (AI provider)` : who(l.payee, data.names))}</td><td>${l.via.map((v) => esc(v)).join(', ')}</td><td class="num">${esc(formatAmount(l.amount, payload.currency))}</td></tr>`)
      .join('');
    parts.push(`<h3>Payout</h3><p>${esc(formatAmount(payload.budget, payload.currency))} settled on ${esc(formatTime(settlement.entry.record.at))} (record ${recordLink(settlement.entry)}). Anyone can recompute it from the ledger. Text is paid by the characters each person kept (see <a href="#shares">Who made it</a>); prompts and reviews by the contributions listed under <a href="#contributions">Briefs, reviews, checks and decisions</a>.</p><div class="scroll"><table><thead><tr><th>Payee</th><th>For</th><th class="num">Amount</th></tr></thead><tbody>${rows}</tbody></table></div>`);
  }
  if (parts.length === 0) parts.push('<p class="empty">No approval, gate or payout recorded for this asset.</p>');
  return `<section id="governance"><h2>Approval, gates and payout</h2><p class="intro">Gates are rules written in the project's contract, checked when a director approves; a passing approval settles the budget among the contributors.</p>${parts.join('')}</section>`;
}

export function credentialsHtml(data: ReportData): string {
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

export function verificationHtml(data: ReportData): string {
  const v = data.verification;
  if (!v) return '';
  const body = v.ok
    ? `<p>${pill('verified', 'ok')} Every signature, chain, link and role in the ledger checks out: ${counted(v.records, 'record')} in ${counted(v.feeds, 'feed')}.</p>`
    : `<p>${pill('not verified', 'bad')} ${v.findings.length} problem(s) in ${v.records} records:</p><ul class="findings">${v.findings
        .slice(0, 20)
        .map((f) => `<li><code>${esc(f.code)}</code> ${esc(f.message)}</li>`)
        .join('')}</ul>`;
  return `<section id="verification"><h2>Verification</h2><p class="intro">Checked when this report was made. Anyone with the project folder can check again with <code>colophon verify</code>.</p>${body}</section>`;
}

interface Moment {
  entry: LedgerEntry;
  position: number;
  what: string;
  detail: string;
  colour: string;
}

export function timelineHtml(data: ReportData): string {
  const moments: Moment[] = [];
  const seen = new Set<string>();
  const add = (entry: LedgerEntry, what: string, detail: string, colour: string) => {
    if (seen.has(entry.cid.toString())) return;
    seen.add(entry.cid.toString());
    moments.push({ entry, position: moments.length, what, detail, colour });
  };
  const unused = new Set(data.side.nodes.map((n) => n.cid.toString()));
  for (const node of [...data.graph.nodes, ...data.side.nodes]) {
    const facts = nodeFacts(node, data.names);
    const style = NODE_STYLES[unused.has(node.cid.toString()) ? 'unused' : styleOf(facts)];
    const detail: string[] = [];
    if (facts.kind === 'intent') detail.push(`set by ${facts.by}`, facts.prompt === null ? 'private prompt' : `“${oneLine(facts.prompt ?? '', 90)}”`);
    else if (facts.agent) detail.push(facts.agent, `signed by ${facts.by}`);
    else detail.push(`by ${facts.by}${facts.classes.length > 0 ? `, ${classWords(facts)}` : ''}`);
    if (facts.ms) detail.push(formatMs(facts.ms));
    const tokens = tokensLabel(facts.tokens);
    if (tokens) detail.push(tokens);
    if (facts.error) detail.push(`failed: ${oneLine(facts.error, 80)}`);
    const what =
      facts.kind === 'intent'
        ? 'Brief set'
        : facts.kind === 'agent.step'
          ? `${stepTitle(node, data)}${unused.has(node.cid.toString()) ? ' (not used in this version)' : ''}`
          : `${facts.title[0]!.toUpperCase()}${facts.title.slice(1)}${node === data.graph.target ? ' — this version' : ''}`;
    add(node, what, detail.join(' · '), style.stroke);
  }
  for (const { entry, role } of data.contributions) {
    const by = who(entry.record.by, data.names);
    if (role === 'prompt') {
      const facts = nodeFacts(entry, data.names);
      add(entry, 'Brief set', `set by ${by} · ${facts.prompt === null || facts.prompt === undefined ? 'private prompt' : `“${oneLine(facts.prompt, 90)}”`}`, NODE_STYLES.intent.stroke);
    } else if (role === 'review') add(entry, 'Reviewed', `by ${by}`, NODE_STYLES.verdict.stroke);
  }
  for (const { entry, result, on } of data.checks) add(entry, `Check “${result.name}” ${result.pass ? 'passed' : 'failed'}: ${result.score}`, `on ${stepTitle(on, data)}`, result.pass ? NODE_STYLES.pass.stroke : NODE_STYLES.fail.stroke);
  for (const d of data.decisions) add(d, d.record.kind === 'approve' ? 'Approved' : 'Rejected', `by ${who(d.record.by, data.names)}`, d.record.kind === 'approve' ? '#15803d' : '#b91c1c');
  for (const g of data.gates) add(g.entry, `Gates ${g.payload.pass ? 'passed' : 'blocked'}`, `${g.payload.gates.filter((x) => x.pass).length} of ${g.payload.gates.length} pass · contract ${g.contract ?? shortCid(g.payload.contract)}`, g.payload.pass ? '#15803d' : '#b91c1c');
  for (const s of data.settlements) add(s.entry, s.duplicate ? 'Duplicate settlement (never paid)' : 'Settled', `${formatAmount(s.payload.budget, s.payload.currency)} among ${s.payload.lines.length} payee(s)`, '#0f172a');
  moments.sort((a, b) => a.entry.record.at - b.entry.record.at || a.position - b.position);
  const items = moments
    .map((m) => `<li id="t-${esc(m.entry.cid.toString())}" style="--c:${m.colour}"><div class="when">${esc(formatTime(m.entry.record.at))} · <span class="cid">${esc(shortCid(m.entry.cid))}</span></div><div class="what">${esc(m.what)}</div><div class="detail">${esc(m.detail)}</div></li>`)
    .join('');
  return `<section id="timeline"><h2>Timeline</h2><p class="intro">Every contribution in the order it happened (times are as each signer stated them).</p><ol class="timeline">${items}</ol></section>`;
}

export interface PageOptions {
  /** The lineage drawing (Graphviz SVG of lineageDot); left out when the host cannot lay it out. */
  svg?: string;
  /** How many of the oldest lineage records the drawing leaves out. */
  notDrawn?: number;
}

/** The page's content (inside <main>), for hosts that bring their own document and policy (a webview). */
export function reportBody(data: ReportData, options: PageOptions = {}): string {
  const target = data.graph.target;
  const facts = nodeFacts(target, data.names);
  return `<header class="top"><div><div class="eyebrow">Colophon report · project ${esc(data.project.name)}</div>
<h1>${esc(displayName(data.asset))}</h1>
<div class="sub">Version <span class="mono">${esc(shortCid(target.cid))}</span> · ${esc(facts.title)} by ${esc(facts.by)} · ${esc(formatTime(target.record.at))}</div></div></header>
${cardsHtml(data)}
${workHtml(data)}
${sharesHtml(data)}
${contributionsHtml(data)}
${lineageHtml(data, options.svg, options.notDrawn ?? 0)}
${checksHtml(data)}
${governanceHtml(data)}
${credentialsHtml(data)}
${verificationHtml(data)}
${timelineHtml(data)}
<footer>Made by Colophon on ${esc(formatTime(data.generatedAt))} from the ledger of project “${esc(data.project.name)}” (<span class="cid">${esc(data.project.genesis.toString())}</span>). This page is self-contained: it loads nothing from the network. Version record <span class="cid">${esc(target.cid.toString())}</span>.</footer>`;
}

/** The whole page: one self-contained HTML file. */
export function reportPage(data: ReportData, options: PageOptions = {}): string {
  const title = `${displayName(data.asset)} — Colophon report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="generator" content="Colophon">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${reportBody(data, options)}
</main>
</body>
</html>
`;
}
