import { AUTHOR_CLASSES, contributorId, type AuthorClass } from './classes.js';
import type { AuthorUnits } from './text-map.js';

/** One contributor's part: units (characters, properties or steps) and the fraction of the total. */
export interface ContributorShare {
  /** `<class>:<who>` or `unknown` (see contributorId). */
  contributor: string;
  class: AuthorClass;
  /** did (human, pasted), provider/name@version (ai), name@version (tool), '' (unknown). */
  who: string;
  units: number;
  share: number;
}

export interface AttributionShares {
  /** Fraction per class; every class is present, and for a non-empty asset they sum to 1. */
  byClass: Record<AuthorClass, number>;
  /** Units per class (exact integers, for anyone who needs to split without rounding drift). */
  unitsByClass: Record<AuthorClass, number>;
  /** Largest first; ties by contributor id. */
  byContributor: ContributorShare[];
}

export function emptyClassRecord(): Record<AuthorClass, number> {
  return Object.fromEntries(AUTHOR_CLASSES.map((c) => [c, 0])) as Record<AuthorClass, number>;
}

/**
 * Shares from units per author. Authors that differ only in the record through which they
 * contributed count as one contributor. An empty asset has all shares 0.
 */
export function sharesFrom(units: readonly AuthorUnits[]): AttributionShares {
  const unitsByClass = emptyClassRecord();
  const byId = new Map<string, ContributorShare>();
  let total = 0;
  for (const { author, units: n } of units) {
    if (n <= 0) continue;
    total += n;
    unitsByClass[author.class] += n;
    const id = contributorId(author);
    const entry = byId.get(id);
    if (entry) entry.units += n;
    else byId.set(id, { contributor: id, class: author.class, who: author.who, units: n, share: 0 });
  }
  const byClass = emptyClassRecord();
  if (total > 0) for (const c of AUTHOR_CLASSES) byClass[c] = unitsByClass[c] / total;
  const byContributor = [...byId.values()];
  for (const entry of byContributor) entry.share = total > 0 ? entry.units / total : 0;
  byContributor.sort((a, b) => b.units - a.units || (a.contributor < b.contributor ? -1 : a.contributor > b.contributor ? 1 : 0));
  return { byClass, unitsByClass, byContributor };
}
