// Where a record says how its classes were observed: one evidence value per record (a change of
// evidence closes a burst, so a burst never mixes them), in ext["colophon.evidence"].
import type { ContributionRecord } from '../record/types.js';

export const EVIDENCE_EXT = 'colophon.evidence';

export const EVIDENCE = ['typed', 'command', 'reported', 'diff', 'reconciled'] as const;
export type Evidence = (typeof EVIDENCE)[number];

export function isEvidence(value: unknown): value is Evidence {
  return typeof value === 'string' && (EVIDENCE as readonly string[]).includes(value);
}

/** The evidence a record states, or undefined (records made before capture, or by other tools). */
export function evidenceOf(record: Pick<ContributionRecord, 'ext'>): Evidence | undefined {
  const value = record.ext?.[EVIDENCE_EXT];
  return isEvidence(value) ? value : undefined;
}
