// The panel (UI iframe): shows what the main thread sends (status, the selection's authorship per
// layer and property, the timeline) and sends commands back (generate, mark as AI, save now). It
// also supplies the entropy the main thread lacks, from crypto.getRandomValues.
import type { AuthorView, LayerAuthorship, MainToUi, TimelineEntry, UiToMain } from '../protocol.js';

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

function badge(author: AuthorView): HTMLElement {
  const label = author.class === 'ai' ? `AI · ${author.model ?? author.who}` : author.class === 'unknown' ? 'unknown' : `${author.class} · ${short(author.who)}`;
  const title = [author.evidence && `evidence: ${author.evidence}`, author.at && new Date(author.at).toISOString(), author.record].filter(Boolean).join('\n');
  return el('span', { class: `badge ${author.class}`, title }, label);
}

function renderSelection(layers: LayerAuthorship[]): void {
  const box = $('selection');
  box.replaceChildren();
  if (layers.length === 0) {
    box.append(el('p', { class: 'muted' }, 'Select layers to see who made them.'));
    return;
  }
  for (const layer of layers) {
    // One row per author: the properties they last set (a layer has dozens; who matters more than each name).
    const groups = new Map<string, { author: AuthorView; names: string[] }>();
    for (const p of layer.properties) {
      const key = `${p.author.class}\u0000${p.author.who}\u0000${p.author.model ?? ''}`;
      const group = groups.get(key) ?? { author: p.author, names: [] };
      group.names.push(p.name);
      groups.set(key, group);
    }
    const rows = [...groups.values()].map((g) => el('tr', {}, el('td', {}, badge(g.author)), el('td', {}, g.names.join(', '))));
    const head = el('div', { class: 'layer-head' }, el('strong', {}, layer.name), el('span', { class: 'muted' }, ` ${layer.asset}`));
    if (layer.createdBy) head.append(el('span', { class: 'muted' }, ' · created by '), badge(layer.createdBy));
    box.append(el('div', { class: 'layer' }, head, rows.length > 0 ? el('table', {}, ...rows) : el('p', { class: 'muted' }, 'No recorded properties yet.')));
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

function show(message: MainToUi): void {
  switch (message.type) {
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
      renderSelection(message.layers);
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
