// The history webview: an asset's records in causal order (who, when, what kind, how it was
// observed, which model or tool, how much text), as static HTML with no scripts.
import { causalOrder, evidenceOf, loadAssetHistory, modelLabel, toolLabel, type RecordStore } from '@colophon/core';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shortDid(did: string, me: string): string {
  return did === me ? 'you' : `${did.slice(0, 16)}…${did.slice(-6)}`;
}

export async function historyHtml(store: Pick<RecordStore, 'query' | 'get'>, asset: string, me: string): Promise<string> {
  const entries = causalOrder(await loadAssetHistory(store, asset));
  const rows = entries.map(({ cid, record }) => {
    const ops = Array.isArray(record.delta?.text) ? (record.delta!.text as unknown[]) : [];
    const classes = new Set<string>();
    let inserted = 0;
    let deleted = 0;
    for (const op of ops) {
      if (!Array.isArray(op)) continue;
      deleted += Number(op[1]) || 0;
      inserted += Number(op[2]) || 0;
      if (typeof op[3] === 'string') classes.add(op[3]);
    }
    const agent = record.agent ? (record.agent.type === 'ai' ? modelLabel(record.agent) : toolLabel(record.agent)) : '';
    const evidence = evidenceOf(record);
    const intent = record.intent ? ('text' in record.intent ? `“${record.intent.text}”` : 'private prompt (commitment)') : '';
    return `<tr><td>${escape(new Date(record.at).toISOString().replace('T', ' ').slice(0, 19))}</td><td>${escape(record.kind)}</td><td>${escape(shortDid(record.by, me))}</td><td>${escape([...classes].join(', '))}</td><td>${escape(evidence ?? '')}</td><td>${escape(agent || intent)}</td><td class="n">+${inserted} −${deleted}</td><td><code>${escape(cid.toString().slice(0, 14))}…</code></td></tr>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 1em}table{border-collapse:collapse;width:100%}td,th{padding:.3em .6em;border-bottom:1px solid var(--vscode-panel-border);text-align:left;font-size:12px}.n{text-align:right;white-space:nowrap}</style>
</head><body><h2>${escape(asset)}</h2><p>${entries.length} records, oldest first.</p>
<table><thead><tr><th>when (UTC)</th><th>kind</th><th>by</th><th>classes</th><th>evidence</th><th>model / tool / prompt</th><th>text</th><th>record</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}
