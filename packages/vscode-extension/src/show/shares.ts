// What the status bar says about a document: the human / AI / other shares of its current text
// (from the in-memory map's per-class totals: O(authors), never O(text)) and the ledger's state.
import type { AuthorClass } from '@colophon/core';

export type LedgerState =
  | { state: 'ok'; pending: number }
  | { state: 'verified'; records: number }
  | { state: 'problem'; message: string }
  | { state: 'none'; why: string };

export interface StatusView {
  text: string;
  /** Read by screen readers; starts with "Colophon" (the e2e tests find the item by it). */
  label: string;
  tooltip: string;
}

function percent(part: number, total: number): number {
  return total === 0 ? 0 : Math.round((part / total) * 100);
}

export function statusView(units: Record<AuthorClass, number> | undefined, ledger: LedgerState, paused?: string): StatusView {
  const parts: string[] = [];
  const words: string[] = [];
  if (units) {
    const total = units.human + units.ai + units.tool + units.pasted + units.unknown;
    const human = percent(units.human, total);
    const ai = percent(units.ai, total);
    const other = total === 0 ? 0 : 100 - human - ai;
    parts.push(`$(person) ${human}%`, `$(sparkle) ${ai}%`, `$(question) ${other}%`);
    words.push(`${human}% human, ${ai}% AI, ${other}% other (${units.pasted} pasted, ${units.tool} tool, ${units.unknown} unknown code units)`);
  }
  let tooltip = 'Colophon records who wrote what in this workspace.';
  switch (ledger.state) {
    case 'ok':
      parts.push(ledger.pending > 0 ? `$(sync~spin) ${ledger.pending}` : '$(database)');
      words.push(ledger.pending > 0 ? `${ledger.pending} bursts being written` : 'ledger up to date');
      break;
    case 'verified':
      parts.push('$(verified)');
      words.push(`ledger verified (${ledger.records} records)`);
      break;
    case 'problem':
      parts.push('$(warning)');
      words.push(`ledger problem: ${ledger.message}`);
      tooltip = ledger.message;
      break;
    case 'none':
      words.push(ledger.why);
      tooltip = ledger.why;
      break;
  }
  if (paused) {
    parts.push('$(debug-pause)');
    words.push(`authorship view paused: ${paused}`);
  }
  return { text: `Colophon ${parts.join(' ')}`.trim(), label: `Colophon: ${words.join('; ')}`, tooltip: paused ? `${tooltip}\nAuthorship view paused: ${paused}` : tooltip };
}
