// What a payout target receives about one settlement: a self-contained statement.
import { settlePayloadOf, type PayoutLine } from '../../contracts/index.js';
import type { LedgerEntry } from '../../attribution/classes.js';

export interface SettlementDocument {
  type: 'colophon.settlement';
  version: 1;
  /** The settle record's CID: also the idempotency key. */
  settlement: string;
  project: string;
  asset: string;
  contract: string;
  gate: string;
  approval: string;
  /** The did that signed the settle record (and signs webhook bodies). */
  settledBy: string;
  settledAt: string;
  currency: string;
  /** Integer minor units; the lines sum to it. */
  budget: number;
  lines: (PayoutLine & { name?: string })[];
  rounding: string;
}

/**
 * The document for a settle record; fields in a fixed order, so the JSON is the same every time.
 * `nameOf` gives a payee's name (this machine's name for a did) to show beside it.
 */
export function settlementDocument(settle: LedgerEntry, nameOf: (did: string) => string | undefined = () => undefined): SettlementDocument {
  const p = settlePayloadOf(settle);
  return {
    type: 'colophon.settlement',
    version: 1,
    settlement: settle.cid.toString(),
    project: settle.record.proj?.toString() ?? '',
    asset: settle.record.asset!,
    contract: p.contract.toString(),
    gate: p.gate.toString(),
    approval: p.approval.toString(),
    settledBy: settle.record.by,
    settledAt: new Date(settle.record.at).toISOString(),
    currency: p.currency,
    budget: p.budget,
    lines: p.lines.map((l) => {
      const name = nameOf(l.payee);
      return { payee: l.payee, ...(name === undefined ? {} : { name }), amount: l.amount, via: [...l.via] };
    }),
    rounding: p.rounding,
  };
}

export function documentJson(doc: SettlementDocument): string {
  return JSON.stringify(doc);
}
