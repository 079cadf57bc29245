// Who gets what share of a budget, from the facts of an asset and its ingredients.
import { ContractError } from './errors.js';
import { MAX_UPSTREAM_DEPTH } from './limits.js';
import type { PayoutClass, PayoutRule } from './payload.js';
import { PAYOUT_CLASSES } from './payload.js';
import type { AssetFacts, LedgerSlice } from './slice.js';
import { add, fraction, largestRemainder, mul, ONE, sub, ZERO, type Fraction } from './split.js';

/** Payee of AI content: the model's provider. */
export function aiPayee(modelLabel: string): string {
  const slash = modelLabel.indexOf('/');
  return `ai:${slash > 0 ? modelLabel.slice(0, slash) : modelLabel}`;
}

/**
 * Units per payee in each class, for one asset (integers, exactly as counted). Only members earn:
 * people who are not members (isMember false) are shown by gates and reports, never paid. AI
 * content counts only in members' records (outsiders' content is no version: see slice.ts).
 */
export function classUnits(facts: AssetFacts, isMember: (did: string) => boolean): Record<PayoutClass, Map<string, bigint>> {
  const units = Object.fromEntries(PAYOUT_CLASSES.map((c) => [c, new Map<string, bigint>()])) as Record<PayoutClass, Map<string, bigint>>;
  const bump = (cls: PayoutClass, payee: string, n: bigint) => units[cls].set(payee, (units[cls].get(payee) ?? 0n) + n);
  if (!facts.attribution) throw new ContractError(`cannot split a budget for asset "${facts.asset}": ${facts.attributionError ?? 'no attribution'}`);
  for (const c of facts.attribution.shares.byContributor) {
    if (c.class === 'human') {
      if (isMember(c.who)) bump('humanText', c.who, BigInt(c.units));
    } else if (c.class === 'ai') bump('ai', aiPayee(c.who), BigInt(c.units));
  }
  for (const p of facts.prompts) if (isMember(p.record.by)) bump('prompts', p.record.by, 1n);
  for (const r of facts.reviews) if (isMember(r.record.by)) bump('reviews', r.record.by, 1n);
  return units;
}

export interface ShareTree {
  shares: Map<string, Fraction>;
  /** Classes (or "upstream") each payee earned in, for statements. */
  via: Map<string, Set<string>>;
}

/**
 * The asset's own contributors' shares (summing to 1), or undefined when nobody is payable:
 * each class with a weight above 0 and at least one unit takes weight / (sum of such weights) of
 * the whole, split within the class by units. Classes with no units drop out, so their weight
 * goes to the others rather than to nobody.
 */
export function ownShares(facts: AssetFacts, rule: PayoutRule, isMember: (did: string) => boolean): ShareTree | undefined {
  const units = classUnits(facts, isMember);
  const present = PAYOUT_CLASSES.filter((c) => (rule.weights[c] ?? 0) > 0 && units[c].size > 0);
  if (present.length === 0) return undefined;
  const totalWeight = present.reduce((s, c) => s + BigInt(rule.weights[c]!), 0n);
  const tree: ShareTree = { shares: new Map(), via: new Map() };
  for (const cls of present) {
    let classTotal = 0n;
    for (const n of units[cls].values()) classTotal += n;
    for (const [payee, n] of units[cls]) {
      const part = fraction(BigInt(rule.weights[cls]!) * n, totalWeight * classTotal);
      tree.shares.set(payee, add(tree.shares.get(payee) ?? ZERO, part));
      tree.via.set(payee, (tree.via.get(payee) ?? new Set()).add(cls));
    }
  }
  return tree;
}

/**
 * Shares of the asset including its ingredients: when the rule passes a part upstream and some
 * ingredient has payable contributors, that part is split equally among those ingredients, each
 * dividing its portion the same way (its own contributors, and its own ingredients in turn), up to
 * MAX_UPSTREAM_DEPTH generations; an asset already on the path is not visited again. With no
 * payable ingredient the whole stays with the asset's own contributors, and with no payable own
 * contributor the whole goes upstream.
 */
export function assetShares(slice: LedgerSlice, asset: string, rule: PayoutRule, path: ReadonlySet<string> = new Set(), depth = 0): ShareTree | undefined {
  const facts = slice.factsOf(asset);
  const own = ownShares(facts, rule, (did) => slice.isMember(did));
  const onPath = new Set(path).add(asset);
  const parents: ShareTree[] = [];
  if ((rule.upstreamBasisPoints ?? 0) > 0 && depth < MAX_UPSTREAM_DEPTH) {
    for (const ingredient of facts.ingredients) {
      if (onPath.has(ingredient.asset) || slice.factsOf(ingredient.asset).own.length === 0) continue;
      const tree = assetShares(slice, ingredient.asset, rule, onPath, depth + 1);
      if (tree) parents.push(tree);
    }
  }
  if (parents.length === 0) return own;
  const upstream = own ? fraction(BigInt(rule.upstreamBasisPoints!), 10_000n) : ONE;
  const result: ShareTree = { shares: new Map(), via: new Map() };
  const merge = (tree: ShareTree, factor: Fraction, label?: string) => {
    for (const [payee, share] of tree.shares) {
      result.shares.set(payee, add(result.shares.get(payee) ?? ZERO, mul(share, factor)));
      const via = result.via.get(payee) ?? new Set<string>();
      if (label) via.add(label);
      else for (const v of tree.via.get(payee) ?? []) via.add(v);
      result.via.set(payee, via);
    }
  };
  if (own) merge(own, sub(ONE, upstream));
  const each = mul(upstream, fraction(1n, BigInt(parents.length)));
  for (const parent of parents) merge(parent, each, 'upstream');
  return result;
}

export interface PayoutLine {
  /** A did (a person) or `ai:<provider>`. */
  payee: string;
  /** Integer minor units. */
  amount: number;
  /** What the payee was paid for: humanText, prompts, reviews, ai, upstream. */
  via: string[];
}

/**
 * The rule's fixed shares on top of the class split: each named payee who is a member takes its
 * basis points of the whole, and the class split (with upstream) shares the rest. Named payees
 * who are not members take nothing (their part stays with the rest). With nobody in a weighted
 * class, the fixed payees share the whole in proportion.
 */
function withFixedShares(slice: LedgerSlice, rule: PayoutRule, tree: ShareTree | undefined): ShareTree | undefined {
  const fixed = new Map<string, bigint>();
  for (const [payee, points] of Object.entries(rule.fixed ?? {})) if (points > 0 && slice.isMember(payee)) fixed.set(payee, BigInt(points));
  if (fixed.size === 0) return tree;
  let total = 0n;
  for (const points of fixed.values()) total += points;
  const result: ShareTree = { shares: new Map(), via: new Map() };
  const rest = tree ? fraction(10_000n - total, 10_000n) : ZERO;
  const scale = tree ? 10_000n : total;
  for (const [payee, points] of fixed) {
    result.shares.set(payee, fraction(points, scale));
    result.via.set(payee, new Set(['fixed']));
  }
  for (const [payee, share] of tree?.shares ?? []) {
    result.shares.set(payee, add(result.shares.get(payee) ?? ZERO, mul(share, rest)));
    const via = result.via.get(payee) ?? new Set<string>();
    for (const v of tree!.via.get(payee) ?? []) via.add(v);
    result.via.set(payee, via);
  }
  return result;
}

/** The budget split for an asset: lines sorted by payee, amounts summing to the budget (payees rounded to 0 left out). */
export function payoutLines(slice: LedgerSlice, asset: string, rule: PayoutRule): PayoutLine[] {
  const tree = withFixedShares(slice, rule, assetShares(slice, asset, rule));
  if (!tree || tree.shares.size === 0) {
    const weighted = Object.entries(rule.weights).filter(([, w]) => (w ?? 0) > 0).map(([c]) => c);
    throw new ContractError(`nobody to pay for asset "${asset}": no member contributed in a weighted class (${weighted.join(', ')})${rule.fixed ? ' and no fixed payee is a member' : ''}`);
  }
  const amounts = largestRemainder(BigInt(rule.budget), tree.shares);
  return [...amounts].filter(([, amount]) => amount > 0n).map(([payee, amount]) => ({ payee, amount: Number(amount), via: [...(tree.via.get(payee) ?? [])].sort() }));
}
