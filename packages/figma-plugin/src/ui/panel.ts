// The panel (UI iframe): shows what the main thread sends (status, the selection's authorship per
// layer and property, the timeline) and sends commands back (generate, mark as AI, save now). It
// also supplies the entropy the main thread lacks, from crypto.getRandomValues, and runs the C2PA
// SDK for exports and checks (see credentials.ts).
import type { CredentialReport } from '@colophon/c2pa-bridge/browser';
import { REPORT_CSS } from '@colophon/core/report';
import type { ExportFormat, MainToUi, TimelineEntry, UiToMain } from '../protocol.js';
import { C2PA_WASM, MainThreadKey, checkFile, ensureSdk, gateStatus, signExport, verifyEntries } from './credentials.js';
import { readPlacedImage } from './image-reading.js';

function send(message: UiToMain): void {
  parent.postMessage({ pluginMessage: message }, '*');
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function short(who: string): string {
  return who.startsWith('did:key:') ? `${who.slice(8, 14)}…${who.slice(-4)}` : who || 'someone (not named)';
}

const reportRoot = $('selection').attachShadow({ mode: 'open' });
/** The report's sections sized for a 380 px panel: in the layer table each property shows its author's chip (the legend above names them). */
const SELECTION_CSS = ':host { display: block; font: 12px/1.45 system-ui, sans-serif; color: var(--ink); } section { padding: 10px 10px; margin: 0 0 10px; border-radius: 8px; } h2 { font-size: 13px; } .intro { font-size: 12px; margin-bottom: 8px; } tr.selected td { background: #eef6ff; } table.layers td:first-child { width: 34%; } table.layers .prop { display: inline-flex; align-items: center; gap: 3px; margin: 0 8px 2px 0; } table.layers .prop .by { font-size: 0; } table.layers .prop code { font-size: 11px; }';

/**
 * The selection's asset in the report's own sections (core's workHtml and sharesHtml, rendered and
 * escaped on the main thread by @colophon/core/report), with layer names put beside the ids the
 * ledger holds and the selected layers marked.
 */
function renderSelection(message: Extract<MainToUi, { type: 'selection' }>): void {
  const report = message.report;
  if (!report) {
    reportRoot.replaceChildren(el('p', { class: 'muted' }, message.note ?? ''));
    return;
  }
  // The report's own stylesheet, kept to this box by a shadow root (its :root becomes the box).
  reportRoot.innerHTML = `<style>${REPORT_CSS.replace(/:root\b/g, ':host')}${SELECTION_CSS}</style>${report.html}`;
  const box = reportRoot;
  for (const row of Array.from(box.querySelectorAll<HTMLElement>('tr[data-node]'))) {
    const id = row.dataset.node!;
    const name = report.names[id];
    if (name) row.querySelector('td b')?.replaceChildren(name, el('span', { class: 'muted' }, ` ${id}`));
    if (report.selected.includes(id)) row.classList.add('selected');
  }
}

function renderTimeline(entries: TimelineEntry[]): void {
  const list = $('timeline');
  list.replaceChildren(
    ...entries.slice(0, 30).map((e) => {
      const who = e.model ? `AI · ${e.model}` : e.class === 'unknown' ? 'unknown' : short(e.by);
      return el(
        'li',
        { title: e.cid },
        el('span', { class: `dot ${e.model ? 'ai' : e.class ?? 'human'}` }),
        el('span', {}, `${new Date(e.at).toISOString().slice(11, 19)} ${e.kind}`),
        el('span', { class: 'muted' }, ` ${e.asset ?? ''} · ${who}${e.evidence ? ` · ${e.evidence}` : ''}${e.nodes ? ` · ${e.nodes} layers` : ''}`),
      );
    }),
  );
}

/** Signature requests waiting for the main thread, by id. */
const signatures = new Map<number, { resolve: (signature: Uint8Array) => void; reject: (error: Error) => void }>();
let nextSignature = 1;

function askMainToSign(bytes: Uint8Array): Promise<Uint8Array> {
  const id = nextSignature++;
  return new Promise((resolve, reject) => {
    signatures.set(id, { resolve, reject });
    send({ type: 'sign', id, bytes });
  });
}

const wasmUrl = (): string => ($('sdk-url') as HTMLInputElement).value.trim() || C2PA_WASM.url;

function percent(share: number | undefined): string {
  return `${Math.round((share ?? 0) * 100)}%`;
}

/** The reader's verdict in a line or two: state, signer, actions, digital source type, Colophon's share. */
function renderReport(box: HTMLElement, report: CredentialReport): void {
  const state = report.state === 'none' ? 'no Content Credentials' : `Content Credentials ${report.state}${report.untrusted ? ' (signer not on a trust list: self-signed)' : ''}`;
  const lines: (Node | string)[] = [el('strong', { class: `verdict ${report.state}` }, state)];
  if (report.signer?.commonName) lines.push(el('div', { class: 'muted' }, `signed by ${report.signer.commonName}${report.claimGenerator ? ` · ${report.claimGenerator}` : ''}`));
  if (report.actions.length > 0) lines.push(el('div', { class: 'muted' }, `${report.actions.length} actions: ${[...new Set(report.actions.map((a) => a.action.replace(/^c2pa\./, '')))].join(', ')}`));
  if (report.digitalSourceType) lines.push(el('div', { class: 'muted' }, `source type: ${report.digitalSourceType.split('/').pop()}`));
  const share = report.ledger?.share;
  if (share) lines.push(el('div', {}, `human ${percent(share.human)} · AI ${percent(share.ai)} · unknown ${percent(share.unknown)} (of ${share.total} ${share.unit})`));
  for (const failure of report.failures.filter((f) => !/\.untrusted$/.test(f.code))) lines.push(el('div', { class: 'problem' }, failure.code));
  box.replaceChildren(...lines);
}

async function runExport(job: Extract<MainToUi, { type: 'export-job' }>): Promise<void> {
  const box = $('export-result');
  box.textContent = `Signing ${job.fileName}…`;
  try {
    const signed = await signExport(job, new MainThreadKey(job.did, job.publicKey, askMainToSign), wasmUrl());
    if (signed.newChain) send({ type: 'certificate', chain: signed.newChain });
    const mime = signed.result.format.mime;
    const link = el('a', { id: 'download', href: URL.createObjectURL(new Blob([signed.file as Uint8Array<ArrayBuffer>], { type: mime })), download: signed.fileName }, `Download ${signed.fileName}`);
    const verdict = el('div');
    renderReport(verdict, signed.report);
    box.replaceChildren(link, el('span', { class: 'muted' }, ` ${(signed.file.length / 1024).toFixed(1)} kB`), verdict);
  } catch (error) {
    box.replaceChildren(el('span', { class: 'problem' }, (error as Error).message));
  }
}

async function runVerify(entries: Record<string, string>, did: string): Promise<void> {
  const box = $('verify-result');
  try {
    const check = await verifyEntries(entries, did);
    const line = check.problems.length === 0 ? `All ${check.records} records in ${check.feeds} feed(s) verify: hashes, signatures, chains, project.` : `${check.records} records verify; left out:`;
    box.replaceChildren(el('strong', { class: check.problems.length === 0 ? 'verdict Valid' : 'verdict Invalid' }, line), ...check.problems.map((p) => el('div', { class: 'problem' }, `${p.signer ?? p.key ?? ''} ${p.message}`)));
  } catch (error) {
    box.replaceChildren(el('span', { class: 'problem' }, (error as Error).message));
  }
}

function renderGates(asset: string, gates: readonly { name: string; pass: boolean; error?: string }[], pass: boolean, heading: string): void {
  $('gates-result').replaceChildren(
    el('strong', { class: pass ? 'verdict Valid' : 'verdict Invalid' }, `${heading} ${asset}: ${pass ? 'every gate passes' : 'not every gate passes'}`),
    ...gates.map((g) => el('div', { class: g.pass ? '' : 'problem' }, `${g.pass ? '✓' : '✗'} ${g.name}${g.error ? ` (${g.error})` : ''}`)),
  );
}

async function runGates(message: Extract<MainToUi, { type: 'gates-job' }>): Promise<void> {
  try {
    const evaluation = await gateStatus(message.entries, message.did, message.asset);
    if (!evaluation) {
      $('gates-result').replaceChildren(el('span', { class: 'muted' }, `No contract governs ${message.asset}: there are no gates to pass.`));
      return;
    }
    renderGates(message.asset, evaluation.verdicts, evaluation.pass, `${evaluation.contract.payload.name} for`);
    if (evaluation.final) $('gates-result').append(el('div', { class: 'muted' }, `final version ${evaluation.final.cid.toString().slice(-10)} by ${short(evaluation.final.record.by)}`));
  } catch (error) {
    $('gates-result').replaceChildren(el('span', { class: 'problem' }, (error as Error).message));
  }
}

function show(message: MainToUi): void {
  switch (message.type) {
    case 'gates-job':
      void runGates(message);
      break;
    case 'approved':
      if (message.gates) renderGates(message.asset, message.gates, message.pass ?? false, 'Approved');
      else $('gates-result').replaceChildren(el('strong', { class: 'verdict Valid' }, `Approved ${message.asset} (no contract governs it)`));
      send({ type: 'refresh' });
      break;
    case 'granted':
      $('note').textContent = `Granted ${message.role} to ${short(message.subject)}.`;
      break;
    case 'contract-recorded':
      $('note').textContent = 'Contract recorded; its gates now govern.';
      break;
    case 'export-job':
      void runExport(message);
      break;
    case 'read-image': {
      const { id, bytes } = message;
      void ensureSdk(wasmUrl()).then(
        () => readPlacedImage(bytes),
        (error: Error) => ({ error: `the C2PA SDK is not available: ${error.message}` }),
      ).then((reading) => send({ type: 'image-read', id, ...reading }));
      break;
    }
    case 'verify-job':
      void runVerify(message.entries, message.did);
      break;
    case 'signature': {
      const waiting = signatures.get(message.id);
      signatures.delete(message.id);
      if (message.signature) waiting?.resolve(message.signature);
      else waiting?.reject(new Error(message.error ?? 'the main thread did not sign'));
      break;
    }
    case 'certificate-stored':
      $('note').textContent = 'Your self-signed certificate is kept on this machine for the next exports.';
      break;
    case 'entropy-request':
      send({ type: 'entropy', bytes: crypto.getRandomValues(new Uint8Array(message.length)) });
      break;
    case 'status':
      $('status').textContent = `${message.project} · ${message.records} records in ${message.feeds} feed(s) · your feed ${(message.ownFeedBytes / 1024).toFixed(1)} kB`;
      $('identity').textContent = `${message.user} signs as ${short(message.did)}`;
      $('identity').title = message.did;
      $('problems').replaceChildren(...message.problems.map((p) => el('li', {}, p)));
      break;
    case 'selection':
      renderSelection(message);
      break;
    case 'timeline':
      renderTimeline(message.entries);
      break;
    case 'generated':
      $('note').textContent = `Generated ${message.layers} layers; recorded as the model's.`;
      send({ type: 'refresh' });
      break;
    case 'marked':
      $('note').textContent = `Marked ${message.layers} layers as AI-generated.`;
      break;
    case 'flushed':
      $('note').textContent = `Saved ${message.records} record(s) into the file.`;
      send({ type: 'refresh' });
      break;
    case 'error':
      $('note').textContent = message.message;
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<{ pluginMessage?: MainToUi }>) => {
  const message = event.data?.pluginMessage;
  if (message) show(message);
});

$('generate').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const apiKey = String(form.get('apiKey') ?? '');
  send({
    type: 'generate',
    prompt: String(form.get('prompt') ?? ''),
    settings: { endpoint: String(form.get('endpoint') ?? ''), model: String(form.get('model') ?? ''), ...(apiKey && { apiKey }), publicPrompt: form.get('public') === 'on' },
    salt: crypto.getRandomValues(new Uint8Array(32)),
  });
  $('note').textContent = 'Generating…';
});

$('mark').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  send({ type: 'mark-ai', model: { provider: String(form.get('provider')), name: String(form.get('name')), version: String(form.get('version')) } });
});

$('save').addEventListener('click', () => send({ type: 'flush' }));

$('export').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  $('export-result').textContent = 'Rendering…';
  send({ type: 'export', format: String(form.get('format')) as ExportFormat });
});

$('gates').addEventListener('click', () => {
  $('gates-result').textContent = 'Evaluating…';
  send({ type: 'gates' });
});

$('approve').addEventListener('click', () => {
  $('gates-result').textContent = 'Approving…';
  send({ type: 'approve' });
});

$('contract').addEventListener('submit', (event) => {
  event.preventDefault();
  send({ type: 'contract', text: String(new FormData(event.target as HTMLFormElement).get('contract') ?? '') });
});

$('grant').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  send({ type: 'grant', subject: String(form.get('subject') ?? '').trim(), role: String(form.get('role')) });
});

$('verify').addEventListener('click', () => {
  $('verify-result').textContent = 'Verifying…';
  send({ type: 'verify' });
});

$('check-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const box = $('verify-result');
  box.textContent = `Reading ${file.name}…`;
  void (async () => {
    try {
      renderReport(box, await checkFile(file.name, new Uint8Array(await file.arrayBuffer()), wasmUrl()));
    } catch (error) {
      box.replaceChildren(el('span', { class: 'problem' }, (error as Error).message));
    }
  })();
});

($('sdk-url') as HTMLInputElement).placeholder = C2PA_WASM.url;
