// A fixed set of records (what one gate evaluation reads), indexed, and the facts about an asset
// that gates and payouts use. Everything here is a pure function of the set: the order the
// records come in does not matter (causal order, then `at`, then CID; see attribution/order.ts).
import type { CID } from 'multiformats/cid';
import { assetAttribution, type AssetAttribution } from '../attribution/asset.js';
import type { LedgerEntry } from '../attribution/classes.js';
import { causalOrder } from '../attribution/order.js';
import { isContentStep } from '../attribution/steps.js';
import { CausalClocks } from '../ledger/causality.js';
import { RoleBook } from '../ledger/roles.js';
import { C2PA_INGEST_EXT } from '../record/ext-keys.js';
import type { RecordKind } from '../record/kinds.js';
import { CHECK_EXT, parseCheckResult, type CheckResult } from './check-result.js';
import { MAX_UPSTREAM_DEPTH } from './limits.js';

/** Kinds never part of what a gate reads about an asset: governance output and project plumbing. */
export const NOT_ASSET_FACTS: ReadonlySet<RecordKind> = new Set<RecordKind>(['gate', 'settle', 'contract', 'member', 'project.genesis', 'checkpoint']);
/** Kinds that concern another record (they link it) rather than produce content. */
export const VERDICT_KINDS: ReadonlySet<RecordKind> = new Set<RecordKind>(['approve', 'reject', 'review', 'check']);

export interface Ingredient {
  /** The ingredient asset (another asset whose content this one consumed through `in`). */
  asset: string;
  /** The record that produced the consumed content. */
  producer: LedgerEntry;
  license?: string;
  /** C2PA state of an ingested file (Trusted, Valid, Invalid, none); `ledger` for content made in this project. */
  credentials: string;
  codes: string[];
  digitalSourceType?: string;
}

export interface AssetFacts {
  asset: string;
  /** The asset's own records (asset field), in causal order, governance output left out. */
  own: LedgerEntry[];
  /**
   * The version gates and approvals are about: the one content record by a member that every
   * other member content record of the asset is in the causal past of. Absent when there is
   * none, or when several are concurrent (see `concurrent`).
   */
  final?: LedgerEntry;
  /** Concurrent heads (two or more) of the asset's member content records: no version is final. */
  concurrent: LedgerEntry[];
  /** Content records by non-members: shown, never a version, never paid. */
  outsiders: LedgerEntry[];
  attribution?: AssetAttribution;
  attributionError?: string;
  prompts: LedgerEntry[];
  reviews: LedgerEntry[];
  approvals: LedgerEntry[];
  rejections: LedgerEntry[];
  checks: { entry: LedgerEntry; result: CheckResult }[];
  ingredients: Ingredient[];
}

export class LedgerSlice {
  /** The records, in causal order. */
  readonly ordered: LedgerEntry[];
  genesis?: LedgerEntry;
  private readonly byCid = new Map<string, LedgerEntry>();
  private readonly byOut = new Map<string, LedgerEntry[]>();
  private readonly position = new Map<string, number>();
  private readonly facts = new Map<string, AssetFacts>();
  private roleBook?: RoleBook;
  private clockBook?: CausalClocks;

  constructor(entries: readonly LedgerEntry[]) {
    this.ordered = causalOrder(entries);
    this.ordered.forEach((entry, i) => {
      const key = entry.cid.toString();
      this.byCid.set(key, entry);
      this.position.set(key, i);
      if (entry.record.kind === 'project.genesis') this.genesis = entry;
      if (isContentStep(entry)) {
        const out = entry.record.out!.toString();
        const list = this.byOut.get(out);
        if (list) list.push(entry);
        else this.byOut.set(out, [entry]);
      }
    });
  }

  get(cid: CID | string): LedgerEntry | undefined {
    return this.byCid.get(cid.toString());
  }

  /** CIDs of every record, sorted by CID string: the read set as a gate record lists it. */
  cids(): CID[] {
    return this.ordered.map((e) => e.cid).sort((a, b) => compare(a.toString(), b.toString()));
  }

  get size(): number {
    return this.ordered.length;
  }

  /** Roles from the owner's member records in the set; the genesis signer is the owner. */
  get roles(): RoleBook {
    if (!this.roleBook) {
      this.roleBook = new RoleBook(this.genesis?.record.by ?? '');
      for (const entry of this.ordered) this.roleBook.apply(entry.record);
    }
    return this.roleBook;
  }

  /** Who saw what, among the records of the set. */
  get clocks(): CausalClocks {
    if (!this.clockBook) this.clockBook = new CausalClocks(this.ordered);
    return this.clockBook;
  }

  /** The roles the signer of `entry` held as of the role changes `entry` causally saw, sorted. */
  rolesOf(entry: LedgerEntry): string[] {
    return this.roles.rolesOf(entry.record.by, this.clocks.seqSeen(entry.cid, this.roles.owner));
  }

  /** A project member (owner or holder of any role) as of every role change in the set. */
  isMember(did: string): boolean {
    return this.roles.isMember(did);
  }

  /** Records that produced a content id (content steps naming it as `out`), or the record with that CID. */
  producersOf(cid: CID): LedgerEntry[] {
    const record = this.byCid.get(cid.toString());
    if (record) return [record];
    return this.byOut.get(cid.toString()) ?? [];
  }

  /** Facts about an asset, from the records of the set. */
  factsOf(asset: string): AssetFacts {
    let facts = this.facts.get(asset);
    if (!facts) {
      facts = this.buildFacts(asset);
      this.facts.set(asset, facts);
    }
    return facts;
  }

  private buildFacts(asset: string): AssetFacts {
    const own = this.ordered.filter((e) => e.record.asset === asset && !NOT_ASSET_FACTS.has(e.record.kind));
    const ownCids = new Set(own.map((e) => e.cid.toString()));
    const related = (e: LedgerEntry) => e.record.asset === asset || (e.record.asset === undefined && (e.record.links ?? []).some((l) => ownCids.has(l.toString())));
    const linkedFromOwn = new Set<string>();
    for (const e of own) for (const link of e.record.links ?? []) linkedFromOwn.add(link.toString());

    const facts: AssetFacts = { asset, own, concurrent: [], outsiders: [], prompts: [], reviews: [], approvals: [], rejections: [], checks: [], ingredients: [] };
    const content: LedgerEntry[] = [];
    for (const e of own) if (isContentStep(e)) (this.isMember(e.record.by) ? content : facts.outsiders).push(e);
    const heads = this.clocks.heads(content);
    if (heads.length === 1) facts.final = heads[0]!;
    else if (heads.length > 1) facts.concurrent = heads;
    if (content.length > 0) {
      // Outsiders' content is not part of any version: attribution replays the members' records.
      const outside = new Set(facts.outsiders.map((e) => e.cid.toString()));
      try {
        facts.attribution = assetAttribution(outside.size === 0 ? this.ordered : this.ordered.filter((e) => !outside.has(e.cid.toString())), { asset });
      } catch (error) {
        facts.attributionError = (error as Error).message;
      }
    } else facts.attributionError = `asset "${asset}" has no content records`;

    for (const e of this.ordered) {
      const { kind } = e.record;
      if (NOT_ASSET_FACTS.has(kind)) continue;
      // A pipeline's own prompts (agent.step) are machine-made: the prompts class pays people.
      const isPrompt = kind !== 'agent.step' && (kind === 'intent' || e.record.intent !== undefined);
      if (isPrompt && (e.record.asset === asset || linkedFromOwn.has(e.cid.toString()))) facts.prompts.push(e);
      if (!VERDICT_KINDS.has(kind) || !related(e)) continue;
      if (kind === 'approve') facts.approvals.push(e);
      else if (kind === 'reject') facts.rejections.push(e);
      else if (kind === 'review') {
        if (!e.record.agent) facts.reviews.push(e);
      } else {
        // A check record without a valid result is not a check result; gates never see it.
        try {
          facts.checks.push({ entry: e, result: parseCheckResult(e.record.ext?.[CHECK_EXT]) });
        } catch {
          // ignored on purpose (see above)
        }
      }
    }
    facts.ingredients = this.ingredientsOf(asset, own);
    return facts;
  }

  private ingredientsOf(asset: string, own: readonly LedgerEntry[]): Ingredient[] {
    const found = new Map<string, LedgerEntry>();
    for (const e of own) {
      for (const input of e.record.in ?? []) {
        for (const producer of this.producersOf(input)) {
          const parent = producer.record.asset ?? `record:${producer.cid}`;
          if (parent === asset) continue;
          const known = found.get(parent);
          // Several states of one parent consumed: the latest (in causal order) speaks for it.
          if (!known || this.position.get(producer.cid.toString())! > this.position.get(known.cid.toString())!) found.set(parent, producer);
        }
      }
    }
    return [...found.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([parent, producer]) => {
        const ingredient: Ingredient = { asset: parent, producer, credentials: 'ledger', codes: [] };
        const license = this.licenseOf(parent, producer);
        if (license) ingredient.license = license;
        const c2pa = producer.record.ext?.[C2PA_INGEST_EXT] as { state?: unknown; codes?: unknown; digitalSourceType?: unknown } | undefined;
        if (producer.record.kind === 'ingest') {
          ingredient.credentials = typeof c2pa?.state === 'string' ? c2pa.state : 'none';
          if (Array.isArray(c2pa?.codes)) ingredient.codes = c2pa.codes.filter((c): c is string => typeof c === 'string');
          if (typeof c2pa?.digitalSourceType === 'string') ingredient.digitalSourceType = c2pa.digitalSourceType;
        }
        return ingredient;
      });
  }

  /** The producing record's licence, else the latest licence its asset's records stated before it. */
  private licenseOf(parent: string, producer: LedgerEntry): string | undefined {
    if (producer.record.rights?.license) return producer.record.rights.license;
    const until = this.position.get(producer.cid.toString())!;
    let license: string | undefined;
    for (let i = 0; i <= until; i++) {
      const e = this.ordered[i]!;
      if (e.record.asset === parent && e.record.rights?.license) license = e.record.rights.license;
    }
    return license;
  }

  /**
   * The ingredient assets of `asset`, generation by generation up to MAX_UPSTREAM_DEPTH, each
   * once (cycles between assets are cut).
   */
  upstreamAssets(asset: string): string[] {
    const seen = new Set([asset]);
    let frontier = [asset];
    const out: string[] = [];
    for (let depth = 0; depth < MAX_UPSTREAM_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const a of frontier) {
        for (const ingredient of this.factsOf(a).ingredients) {
          if (seen.has(ingredient.asset)) continue;
          seen.add(ingredient.asset);
          out.push(ingredient.asset);
          next.push(ingredient.asset);
        }
      }
      frontier = next;
    }
    return out;
  }
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
