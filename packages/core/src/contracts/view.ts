// The read-only view of an asset that gates are written against. Documented in README.md
// ("The view"); every name and field below is part of the contract language, so changes are
// format changes (bump VIEW_VERSION).
import type { LedgerEntry } from '../attribution/classes.js';
import { modelLabel, toolLabel } from '../attribution/classes.js';
import type { AgentRef } from '../record/types.js';
import { licenseAllowsCommercialUse } from './licenses.js';
import type { LedgerSlice } from './slice.js';

export const VIEW_VERSION = 2;

/** The top-level names a gate may use. */
export const VIEW_VARIABLES: ReadonlySet<string> = new Set([
  'asset',
  'project',
  'contract',
  'final',
  'records',
  'approvals',
  'rejections',
  'reviews',
  'checks',
  'check',
  'flags',
  'ingredients',
  'attribution',
  'roles',
]);

// CEL types: integers are passed as bigint (CEL int), fractions as number (CEL double), maps as
// plain objects, lists as arrays. Absent strings are '' so every map of a kind has the same keys.
type Value = string | bigint | number | boolean | Value[] | { [key: string]: Value };

function agentLabel(agent: AgentRef | undefined): { agent: string; model: string } {
  if (!agent) return { agent: '', model: '' };
  if (agent.type === 'ai') return { agent: 'ai', model: modelLabel(agent) };
  return { agent: 'tool', model: toolLabel(agent) };
}

function cidList(list: readonly { toString(): string }[] | undefined): string[] {
  return (list ?? []).map(String);
}

function recordValue(slice: LedgerSlice, e: LedgerEntry): { [key: string]: Value } {
  const r = e.record;
  return {
    cid: e.cid.toString(),
    kind: r.kind,
    by: r.by,
    seq: BigInt(r.seq),
    at: BigInt(r.at),
    roles: slice.rolesOf(e),
    ...agentLabel(r.agent),
    out: r.out?.toString() ?? '',
    links: cidList(r.links),
    in: cidList(r.in),
    license: r.rights?.license ?? '',
  };
}

function verdictValue(slice: LedgerSlice, e: LedgerEntry, finalCid: string): { [key: string]: Value } {
  const r = e.record;
  const links = cidList(r.links);
  const reason = r.ext?.['colophon.reason'];
  return {
    cid: e.cid.toString(),
    by: r.by,
    at: BigInt(r.at),
    roles: slice.rolesOf(e),
    links,
    final: finalCid !== '' && links.includes(finalCid),
    reason: typeof reason === 'string' ? reason : '',
  };
}

/** The CEL bindings for `asset` over the records of `slice`, under `contract`. */
export function viewBindings(slice: LedgerSlice, asset: string, contract: LedgerEntry): Record<string, Value> {
  const facts = slice.factsOf(asset);
  const finalCid = facts.final?.cid.toString() ?? '';
  const final: { [key: string]: Value } = facts.final
    ? { cid: finalCid, kind: facts.final.record.kind, by: facts.final.record.by, at: BigInt(facts.final.record.at), out: facts.final.record.out!.toString() }
    : {};

  const checks = facts.checks.map(({ entry, result }) => {
    const value: { [key: string]: Value } = {
      cid: entry.cid.toString(),
      name: result.name,
      score: result.score,
      pass: result.pass,
      flags: result.flags ?? [],
      by: entry.record.by,
      at: BigInt(entry.record.at),
      final: finalCid !== '' && cidList(entry.record.links).includes(finalCid),
      tool: entry.record.agent?.type === 'tool' ? toolLabel(entry.record.agent) : '',
    };
    if (result.threshold !== undefined) value.threshold = result.threshold;
    return value;
  });
  // The latest result per check name (checks are in causal order); flags come from those only, so
  // a later clean check clears an earlier finding. Only members' checks count there: an outsider's
  // check is listed in `checks` but can neither pass nor block a gate.
  const latest: { [name: string]: { [key: string]: Value } } = {};
  for (const c of checks) if (slice.isMember(c.by as string)) latest[c.name as string] = c;
  const flags = [...new Set(Object.values(latest).flatMap((c) => c.flags as string[]))].sort();

  const ingredients = facts.ingredients.map((i) => ({
    asset: i.asset,
    record: i.producer.cid.toString(),
    kind: i.producer.record.kind,
    license: i.license ?? '',
    // Content made in this project (not ingested) with no licence stated is the project's own work.
    commercialUse: i.license === undefined && i.producer.record.kind !== 'ingest' ? true : licenseAllowsCommercialUse(i.license),
    credentials: i.credentials,
    codes: i.codes,
    digitalSourceType: i.digitalSourceType ?? '',
  }));

  let attribution: { [key: string]: Value };
  if (facts.attribution) {
    const a = facts.attribution;
    attribution = {
      kind: a.kind,
      unit: a.unit,
      total: BigInt(a.total),
      units: Object.fromEntries(Object.entries(a.shares.unitsByClass).map(([k, v]) => [k, BigInt(v)])),
      shares: { ...a.shares.byClass },
      humanShare: a.humanShare,
      digitalSourceType: a.digitalSourceType ?? '',
      contributors: a.shares.byContributor.map((c) => ({ id: c.contributor, class: c.class, who: c.who, units: BigInt(c.units), share: c.share })),
    };
  } else attribution = { error: facts.attributionError ?? 'no attribution' };

  const roles: { [did: string]: Value } = {};
  for (const [did, held] of [...slice.roles.current()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) roles[did] = [...held].sort();

  const payload = contract.record.ext?.['colophon.contract'] as { name?: string } | undefined;
  return {
    asset,
    project: { cid: slice.genesis?.cid.toString() ?? '', owner: slice.genesis?.record.by ?? '' },
    contract: { cid: contract.cid.toString(), name: payload?.name ?? '', by: contract.record.by },
    final,
    records: facts.own.map((e) => recordValue(slice, e)),
    approvals: facts.approvals.map((e) => verdictValue(slice, e, finalCid)),
    rejections: facts.rejections.map((e) => verdictValue(slice, e, finalCid)),
    reviews: facts.reviews.map((e) => verdictValue(slice, e, finalCid)),
    checks,
    check: latest,
    flags,
    ingredients,
    attribution,
    roles,
  };
}
