import type { CID } from 'multiformats/cid';
import type { RecordKind } from '../record/kinds.js';
import { resolveAuthor, stepClass, type Author, type AuthorClass, type EntryLookup, type LedgerEntry } from './classes.js';
import type { AuthorUnits } from './text-map.js';
import { hasTextDelta } from './text-replay.js';

/** Kinds whose records produce a new state of an asset (when they name an `out`). */
export const CONTENT_KINDS: ReadonlySet<RecordKind> = new Set<RecordKind>(['asset.create', 'asset.edit', 'ai.generate', 'agent.step', 'ingest']);

/** True when the record produced a state of its asset: a content kind with an `out`. */
export function isContentStep(entry: LedgerEntry): boolean {
  return CONTENT_KINDS.has(entry.record.kind) && entry.record.out !== undefined;
}

export interface StepAttribution {
  steps: { record: CID; author: Author }[];
  units: AuthorUnits[];
  actors: Set<AuthorClass>;
  out?: CID;
}

/**
 * The coarse fallback for assets whose records carry no usable delta (an image, a file recorded
 * without ops): each content step counts one unit for its author (see stepClass). It says who
 * did how many steps, not how much of the result each made.
 */
export function attributeSteps(ordered: readonly LedgerEntry[], lookup: EntryLookup): StepAttribution {
  const result: StepAttribution = { steps: [], units: [], actors: new Set() };
  const byKey = new Map<string, AuthorUnits>();
  for (const entry of ordered) {
    if (!isContentStep(entry)) continue;
    const author = resolveAuthor(entry, stepClass(entry.record), 'delta.class', lookup);
    result.steps.push({ record: entry.cid, author });
    result.actors.add(author.class);
    result.out = entry.record.out;
    // Steps count per contributor, not per record: one unit each, grouped by class and who.
    const key = `${author.class}\u0000${author.who}`;
    const units = byKey.get(key);
    if (units) units.units++;
    else {
      const grouped: AuthorUnits = { author: { class: author.class, who: author.who }, units: 1 };
      byKey.set(key, grouped);
      result.units.push(grouped);
    }
  }
  return result;
}

/**
 * Who a record contributed as, by core's rules: one author per distinct class of its text ops,
 * or its step class (see stepClass) for a record without text ops. Credentials, the report and
 * `attribute` name a step's makers with this, never with rules of their own.
 */
export function recordAuthors(entry: LedgerEntry, lookup: EntryLookup): Author[] {
  const ops: unknown = hasTextDelta(entry) ? entry.record.delta!.text : undefined;
  const classes = Array.isArray(ops) ? [...new Set(ops.map((op: unknown) => (Array.isArray(op) ? op[3] : undefined)))] : [stepClass(entry.record)];
  const path = Array.isArray(ops) ? 'delta.text' : 'delta.class';
  return classes.map((cls) => resolveAuthor(entry, cls, path, lookup));
}
