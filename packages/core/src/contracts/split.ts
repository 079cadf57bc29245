// Exact shares and the largest-remainder split of an integer budget. BigInt throughout: no
// floating point touches money, so every machine computes the same amounts.

/** A non-negative fraction num/den in lowest terms (den > 0). */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

export function fraction(num: bigint, den: bigint): Fraction {
  if (den <= 0n) throw new RangeError(`a fraction needs a positive denominator, got ${den}`);
  if (num < 0n) throw new RangeError(`shares are never negative, got ${num}/${den}`);
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

export const ZERO: Fraction = { num: 0n, den: 1n };
export const ONE: Fraction = { num: 1n, den: 1n };

export function add(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function mul(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.num, a.den * b.den);
}

export function sub(a: Fraction, b: Fraction): Fraction {
  const num = a.num * b.den - b.num * a.den;
  if (num < 0n) throw new RangeError('a share would become negative');
  return fraction(num, a.den * b.den);
}

/** -1, 0 or 1. */
export function compareFractions(a: Fraction, b: Fraction): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isOne(a: Fraction): boolean {
  return a.num === a.den;
}

/** Code-unit order of ids: the tie-break every machine agrees on. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits `total` minor units by exact shares that sum to 1, largest-remainder (Hamilton) method:
 * each payee first gets the floor of total x share; the units left over (fewer than the number
 * of payees) go one each to the payees with the largest fractional remainders. Ties between equal
 * remainders go to the payee id that sorts first (UTF-16 code-unit order, as JavaScript compares
 * strings). The result sums to `total` exactly and does not depend on the order of `shares`.
 * Payees whose share is 0 are left out.
 */
export function largestRemainder(total: bigint, shares: ReadonlyMap<string, Fraction>): Map<string, bigint> {
  if (total < 0n) throw new RangeError(`cannot split a negative total (${total})`);
  let sum = ZERO;
  for (const share of shares.values()) sum = add(sum, share);
  if (shares.size > 0 && !isOne(sum)) throw new RangeError(`shares must sum to 1, they sum to ${sum.num}/${sum.den}`);
  const rows = [...shares]
    .filter(([, s]) => s.num > 0n)
    .map(([id, s]) => {
      const exact = total * s.num;
      return { id, floor: exact / s.den, remainder: fraction(exact % s.den, s.den) };
    });
  if (rows.length === 0 && total > 0n) throw new RangeError('there is no payee to split the total among');
  let left = total;
  for (const row of rows) left -= row.floor;
  const order = [...rows].sort((a, b) => compareFractions(b.remainder, a.remainder) || compareIds(a.id, b.id));
  const amounts = new Map<string, bigint>();
  for (const row of rows) amounts.set(row.id, row.floor);
  for (let i = 0; left > 0n; i++, left--) {
    const row = order[i]!;
    amounts.set(row.id, amounts.get(row.id)! + 1n);
  }
  return new Map([...amounts].sort(([a], [b]) => compareIds(a, b)));
}

/** Shares proportional to integer weights (weight / sum of weights); empty when all are 0. */
export function sharesFromWeights(weights: ReadonlyMap<string, bigint>): Map<string, Fraction> {
  let total = 0n;
  for (const w of weights.values()) {
    if (w < 0n) throw new RangeError(`weights are never negative, got ${w}`);
    total += w;
  }
  const shares = new Map<string, Fraction>();
  if (total === 0n) return shares;
  for (const [id, w] of weights) if (w > 0n) shares.set(id, fraction(w, total));
  return shares;
}
