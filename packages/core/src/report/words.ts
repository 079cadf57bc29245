// How ids, times, people and money read to people: one wording for the CLI, the report and the
// editor panels, so a record or an amount is written the same everywhere.
import type { CID } from 'multiformats/cid';

/** The first 10 and last 6 characters of a CID: enough to tell records apart at a glance. */
export function shortCid(cid: CID | string): string {
  const text = cid.toString();
  return `${text.slice(0, 10)}…${text.slice(-6)}`;
}

/** A claimed time in UTC, to the second: `2026-03-01 10:00:00Z`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A signer by local name when known, else a shortened did. */
export function who(did: string, names: ReadonlyMap<string, string>): string {
  return names.get(did) ?? `${did.slice(0, 16)}…${did.slice(-4)}`;
}

/** Integer minor units as `EUR 1500.00` (the currency's own number of decimals; 2 when unknown). */
export function formatAmount(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // An unknown code: show two decimals, as most currencies have.
  }
  const value = BigInt(minor);
  if (digits === 0) return `${currency} ${value}`;
  const scale = 10n ** BigInt(digits);
  return `${currency} ${value / scale}.${(value % scale).toString().padStart(digits, '0')}`;
}

/** A fraction as a percentage with one decimal, as `colophon attribute` prints it: `78.7%`; `<0.1%` for a sliver that is there. */
export function percent(share: number): string {
  if (share > 0 && share < 0.0005) return '<0.1%';
  return `${(share * 100).toFixed(1)}%`;
}

/** Text made safe for HTML content and attribute values. */
/** "1 feed", "3 feeds". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
