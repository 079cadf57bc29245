// Settlement: once an approval of the final version passes every gate of a contract with a payout
// rule, one `settle` record states who is paid what. Replayable from the gate record it cites.
import { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import type { LedgerEntry } from '../attribution/classes.js';
import type { SigningIdentity } from '../identity/identity.js';
import type { Project } from '../ledger/project.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { DecodedRecord } from '../record/encoding.js';
import { contractFor, readContract } from './contract.js';
import { ContractError, requireSigner } from './errors.js';
import { evaluateSlice, gatePayloadOf, recordGate, replayGate, type GateEvaluation, type RecordedGate } from './gate.js';
import type { PayoutRule } from './payload.js';
import { payoutLines, type PayoutLine } from './payout.js';
import { causalOrder } from '../attribution/order.js';
import { StoreClocks, sawRecord } from '../ledger/causality.js';
import { SIGNER_ROLES } from '../ledger/roles.js';
import { latestGrant, roleBookOf } from '../ledger/versions.js';
import { compare, LedgerSlice, NOT_ASSET_FACTS } from './slice.js';

export const SETTLE_EXT = 'colophon.settle';
export const SETTLE_PAYLOAD_VERSION = 1;
/** Stated in every settle record, so a reader knows how the cents were rounded. */
export const ROUNDING_RULE = 'largest-remainder; equal remainders go to the payee id that sorts first (UTF-16 code units)';

/** ext["colophon.settle"] of a settle record. */
export interface SettlePayload {
  v: typeof SETTLE_PAYLOAD_VERSION;
  contract: CID;
  /** The passing gate record; the settlement is computed from the records it lists. */
  gate: CID;
  /** The director's approval of the final version that the gate evaluation included. */
  approval: CID;
  currency: string;
  budget: number;
  lines: PayoutLine[];
  rounding: string;
}

/** The approval a settlement rests on: the latest approval of the final version by someone who held director then. */
export function qualifyingApproval(evaluation: GateEvaluation): LedgerEntry | undefined {
  const { slice, asset, final } = evaluation;
  if (!final) return undefined;
  const finalCid = final.cid.toString();
  const approvals = slice
    .factsOf(asset)
    .approvals.filter((a) => (a.record.links ?? []).some((l) => l.toString() === finalCid) && slice.rolesOf(a).includes('director'));
  return approvals[approvals.length - 1];
}

function settlePayload(evaluation: GateEvaluation, gate: CID, rule: PayoutRule): SettlePayload {
  const approval = qualifyingApproval(evaluation);
  if (!approval) throw new ContractError(`cannot settle asset "${evaluation.asset}": no director has approved its final version${evaluation.final ? ` (${evaluation.final.cid})` : ''}`);
  return {
    v: SETTLE_PAYLOAD_VERSION,
    contract: evaluation.contract.entry.cid,
    gate,
    approval: approval.cid,
    currency: rule.currency,
    budget: rule.budget,
    lines: payoutLines(evaluation.slice, evaluation.asset, rule),
    rounding: ROUNDING_RULE,
  };
}

/** Reads ext["colophon.settle"]; errors name the record and field. */
export function settlePayloadOf(entry: LedgerEntry): SettlePayload {
  const where = `settle record ${entry.cid}`;
  if (entry.record.kind !== 'settle') throw new ContractError(`record ${entry.cid} is a ${entry.record.kind} record, not a settle record`);
  const p = entry.record.ext?.[SETTLE_EXT] as Partial<SettlePayload> | undefined;
  const field = (name: string) => `ext.${SETTLE_EXT}.${name}`;
  if (!p || typeof p !== 'object') throw new ContractError(`${where} has no ext.${SETTLE_EXT}`, `ext.${SETTLE_EXT}`);
  if (p.v !== SETTLE_PAYLOAD_VERSION) throw new ContractError(`${where}: ${field('v')} must be ${SETTLE_PAYLOAD_VERSION}`, field('v'));
  for (const name of ['contract', 'gate', 'approval'] as const) if (!CID.asCID(p[name])) throw new ContractError(`${where}: ${field(name)} must be a CID`, field(name));
  if (typeof p.currency !== 'string') throw new ContractError(`${where}: ${field('currency')} must be a string`, field('currency'));
  if (typeof p.budget !== 'number' || !Number.isSafeInteger(p.budget)) throw new ContractError(`${where}: ${field('budget')} must be an integer`, field('budget'));
  if (!Array.isArray(p.lines) || p.lines.some((l) => typeof l?.payee !== 'string' || typeof l.amount !== 'number' || !Number.isSafeInteger(l.amount) || l.amount < 0)) {
    throw new ContractError(`${where}: ${field('lines')} must be a list of {payee, amount (integer), via}`, field('lines'));
  }
  const sum = p.lines.reduce((s, l) => s + BigInt(l.amount), 0n);
  if (sum !== BigInt(p.budget)) throw new ContractError(`${where}: the lines sum to ${sum}, not the budget ${p.budget}`, field('lines'));
  if (!entry.record.asset) throw new ContractError(`${where} names no asset`, 'asset');
  return p as SettlePayload;
}

type SettleStore = Pick<RecordStore, 'get' | 'query' | 'children' | 'records'>;

/** Whether a stored settle record is one that payouts may pay, and if not, why. */
export interface SettlementStanding {
  ok: boolean;
  reasons: string[];
}

/**
 * A stored settle record stands when anyone can recompute it from the ledger:
 * - its payload is well formed, and its signer is the owner or held director when signing;
 * - the gate record it cites replays to a pass, and the amounts recompute (replaySettlement);
 * - the approval it cites is a director's, by the role changes the approval causally saw, and
 *   the contract it names was the one in force for that approval (the owner's latest contract the
 *   approval saw);
 * - the gate record read everything the approval had seen: every record of the asset in the
 *   approval's causal past, and every role change of the owner that the approval saw about a
 *   signer of those records. A gate record that leaves out a revocation or a later version to
 *   make an approval look good does not stand.
 * Claimed times play no part. Anything else is reported (verify) and never paid.
 */
export async function settlementStanding(store: SettleStore, settle: LedgerEntry, genesis: LedgerEntry, clocks: StoreClocks = new StoreClocks(store)): Promise<SettlementStanding> {
  const reasons: string[] = [];
  const fail = (reason: string): SettlementStanding => ({ ok: false, reasons: [...reasons, reason] });
  let payload: SettlePayload;
  try {
    payload = settlePayloadOf(settle);
  } catch (error) {
    return fail((error as Error).message);
  }
  const owner = genesis.record.by;
  const roles = await roleBookOf(store, owner);
  const ownerSeqOf = async (cid: CID) => (await clocks.clock(cid)).get(owner) ?? -1;
  if (!roles.holdsOneOf(settle.record.by, SIGNER_ROLES.settle!, await ownerSeqOf(settle.cid))) reasons.push(`its signer ${settle.record.by} is not the owner and did not hold director when signing`);
  let replay: SettlementReplay;
  try {
    replay = await replaySettlement(settle, store);
  } catch (error) {
    return fail(`it does not replay: ${(error as Error).message}`);
  }
  reasons.push(...replay.differences);
  const approval = await store.get(payload.approval);
  const gate = await store.get(payload.gate);
  if (!approval || approval.record.kind !== 'approve' || approval.record.asset !== settle.record.asset) return fail(`the approval ${payload.approval} it cites is not an approve record of asset "${settle.record.asset}" in the ledger`);
  if (!gate) return fail(`the gate record ${payload.gate} is not in the ledger`);
  const seen = await clocks.clock(approval.cid);
  const ownerSeq = seen.get(owner) ?? -1;
  if (!roles.holds(approval.record.by, 'director', ownerSeq)) reasons.push(`the approval ${approval.cid} was made by ${approval.record.by}, who did not hold director as of the role changes it had seen`);
  const inForce = await contractFor(store, settle.record.asset!, owner, ownerSeq);
  if (!inForce?.cid.equals(payload.contract)) reasons.push(`the contract in force for the approval was ${inForce?.cid ?? '(none)'}, the settlement names ${payload.contract}`);
  const read = new Set((gate.record.links ?? []).map(String));
  const signers = new Set<string>();
  for (const cid of await store.query({ asset: settle.record.asset! })) {
    const found = await store.get(cid);
    if (!found || NOT_ASSET_FACTS.has(found.record.kind) || !sawRecord(seen, found)) continue;
    signers.add(found.record.by);
    if (!read.has(found.cid.toString())) {
      reasons.push(`the gate record ${gate.cid} left out ${found.record.kind} record ${found.cid}, which the approval had seen`);
      break;
    }
  }
  for (const cid of await store.query({ kind: 'member', signer: owner })) {
    const found = await store.get(cid);
    const subject = (found?.record.delta as { subject?: unknown } | undefined)?.subject;
    if (!found || found.record.seq > ownerSeq || !roles.effective(found.record) || typeof subject !== 'string' || !signers.has(subject)) continue;
    if (!read.has(found.cid.toString())) {
      reasons.push(`the gate record ${gate.cid} left out role change ${found.cid}, which the approval had seen`);
      break;
    }
  }
  return { ok: reasons.length === 0, reasons };
}

export interface SettlementList {
  /** One standing settle record per (asset, contract): what payouts pay. */
  settlements: DecodedRecord[];
  /** Further standing settle records for an (asset, contract) already settled: never paid. */
  duplicates: DecodedRecord[];
  /** Settle records that do not stand (see settlementStanding), with why: never paid. */
  invalid: { record: DecodedRecord; reasons: string[] }[];
}

async function projectGenesis(store: Pick<RecordStore, 'get' | 'query'>, genesis?: CID): Promise<LedgerEntry | undefined> {
  const cid = genesis ?? (await store.query({ kind: 'project.genesis' }))[0];
  return cid && (await store.get(cid));
}

/**
 * Every settle record, sorted out: per (asset, contract) the standing one that came first (one
 * that another standing one had seen comes before it; concurrent ones by smallest CID, never by
 * claimed time), the other standing ones as duplicates, and those that do not stand.
 */
export async function listSettlements(store: SettleStore, genesisCid?: CID): Promise<SettlementList> {
  const list: SettlementList = { settlements: [], duplicates: [], invalid: [] };
  const genesis = await projectGenesis(store, genesisCid);
  const clocks = new StoreClocks(store);
  const groups = new Map<string, DecodedRecord[]>();
  for (const cid of await store.query({ kind: 'settle' })) {
    const record = await store.get(cid);
    if (!record) continue;
    const standing = genesis ? await settlementStanding(store, record, genesis, clocks) : { ok: false, reasons: ['the ledger has no project genesis'] };
    if (!standing.ok) {
      list.invalid.push({ record, reasons: standing.reasons });
      continue;
    }
    const payload = settlePayloadOf(record);
    const key = `${record.record.asset}\u0000${payload.contract}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  for (const group of groups.values()) {
    const sorted = group.sort((a, b) => compare(a.cid.toString(), b.cid.toString()));
    const clocksOf = await Promise.all(sorted.map((r) => clocks.clock(r.cid)));
    // The first is one no other standing settlement of the group came before.
    const first = sorted.findIndex((r, i) => !sorted.some((other, j) => j !== i && sawRecord(clocksOf[i]!, other)));
    const chosen = sorted[first < 0 ? 0 : first]!;
    list.settlements.push(chosen);
    list.duplicates.push(...sorted.filter((r) => r !== chosen));
  }
  // Listed (and paid) in the order they were made as far as the ledger shows: causal order, with
  // claimed time only between records that did not see each other. Presentation, not a decision.
  list.settlements = causalOrder(list.settlements);
  return list;
}

/** The standing settlement of `asset` under `contract`, if one was recorded (see listSettlements). */
export async function findSettlement(store: SettleStore, asset: string, contract: CID, genesis?: CID): Promise<DecodedRecord | undefined> {
  const { settlements } = await listSettlements(store, genesis);
  return settlements.find((s) => s.record.asset === asset && settlePayloadOf(s).contract.equals(contract));
}

export interface SettleResult {
  record: DecodedRecord;
  payload: SettlePayload;
  /** True when the settlement already existed and nothing was recorded. */
  existing: boolean;
  /** The gate record recorded on the way, when settle evaluated the gates itself. */
  gate?: RecordedGate;
}

export interface SettleInput {
  asset: string;
  /** A passing gate evaluation just recorded (as approve does); default: evaluate and record one now. */
  gate?: RecordedGate;
}

/**
 * Settles an asset: idempotent (an existing settlement is returned, nothing new is recorded).
 * Otherwise the gates must pass with a director's approval of the final version among the records
 * read, and the contract must have a payout rule; the amounts come from the same records.
 */
export async function settleAsset(project: Project, signer: SigningIdentity, input: SettleInput): Promise<SettleResult> {
  const { asset } = input;
  await requireSigner(project.store, project.owner, signer.did, 'settle', 'settle an asset');
  const contractEntry = input.gate?.evaluation.contract.entry ?? (await contractFor(project.store, asset, project.owner));
  if (!contractEntry) throw new ContractError(`no contract governs asset "${asset}"; add one with "colophon contract add FILE"`);
  const rule = readContract(contractEntry).payload.payout;
  if (!rule) throw new ContractError(`contract ${contractEntry.cid} has no payout rule: there is nothing to settle`);
  const existing = await findSettlement(project.store, asset, contractEntry.cid, project.id);
  if (existing) return { record: existing, payload: settlePayloadOf(existing), existing: true };

  const gate = input.gate ?? (await recordGate(project, signer, { asset, contract: contractEntry }));
  if (!gate.evaluation.pass) {
    const failed = gate.evaluation.verdicts.filter((v) => !v.pass).map((v) => v.name);
    throw new ContractError(`cannot settle asset "${asset}": gate record ${gate.record.cid} failed ${failed.join(', ')}`);
  }
  const payload = settlePayload(gate.evaluation, gate.record.cid, rule);
  // A director's settlement links the grant it relies on, so its role is judged by causality.
  const grant = signer.did === project.owner ? undefined : await latestGrant(project.store, await roleBookOf(project.store, project.owner), signer.did, 'director');
  const record = await project.record(signer, {
    kind: 'settle',
    asset,
    links: [contractEntry.cid, gate.record.cid, payload.approval, ...(grant ? [grant] : [])],
    ext: { [SETTLE_EXT]: payload as unknown as DagValue },
  });
  const result: SettleResult = { record, payload, existing: false };
  if (!input.gate) result.gate = gate;
  return result;
}

export interface SettlementReplay {
  ok: boolean;
  settle: CID;
  recomputed?: PayoutLine[];
  differences: string[];
}

/**
 * Checks a settle record from the gate record it cites: the gate replays to a pass, the approval
 * is a director's approval of the final version among the records read, and the amounts
 * recomputed from those records are the amounts stated.
 */
export async function replaySettlement(settle: LedgerEntry, store: Pick<RecordStore, 'get'>): Promise<SettlementReplay> {
  const payload = settlePayloadOf(settle);
  const report: SettlementReplay = { ok: false, settle: settle.cid, differences: [] };
  const gate = await store.get(payload.gate);
  if (!gate) {
    report.differences.push(`the gate record ${payload.gate} is not in the store`);
    return report;
  }
  const gatePayload = gatePayloadOf(gate);
  if (!gatePayload.contract.equals(payload.contract)) report.differences.push(`the gate record evaluated contract ${gatePayload.contract}, the settlement names ${payload.contract}`);
  const replay = await replayGate(gate, store);
  report.differences.push(...replay.differences.map((d) => `gate: ${d}`));
  if (!gatePayload.pass) report.differences.push('the gate record it cites did not pass');
  if (replay.missing.length > 0) return report;

  const entries: LedgerEntry[] = [];
  for (const cid of gate.record.links ?? []) {
    const found = await store.get(cid);
    if (found) entries.push({ cid: found.cid, record: found.record });
  }
  const slice = new LedgerSlice(entries);
  const contractEntry = slice.get(payload.contract);
  if (!contractEntry) {
    report.differences.push(`the contract ${payload.contract} is not among the records the gate read`);
    return report;
  }
  if (contractEntry.record.by !== slice.roles.owner) report.differences.push(`contract ${payload.contract} was not signed by the owner`);
  const contract = readContract(contractEntry);
  const rule = contract.payload.payout;
  if (!rule) {
    report.differences.push(`contract ${payload.contract} has no payout rule`);
    return report;
  }
  if (rule.budget !== payload.budget || rule.currency !== payload.currency) report.differences.push(`budget: contract says ${rule.budget} ${rule.currency}, settlement ${payload.budget} ${payload.currency}`);
  const evaluation = evaluateSlice(contract, slice, settle.record.asset!);
  const approval = qualifyingApproval(evaluation);
  if (!approval?.cid.equals(payload.approval)) report.differences.push(`approval: recorded ${payload.approval}, the records read give ${approval?.cid ?? '(none by a director of the final version)'}`);
  try {
    report.recomputed = payoutLines(slice, settle.record.asset!, rule);
  } catch (error) {
    report.differences.push(`amounts cannot be recomputed: ${(error as Error).message}`);
    return report;
  }
  const stated = JSON.stringify(payload.lines.map((l) => [l.payee, l.amount]));
  const again = JSON.stringify(report.recomputed.map((l) => [l.payee, l.amount]));
  if (stated !== again) report.differences.push(`amounts: recorded ${stated}, recomputed ${again}`);
  report.ok = report.differences.length === 0;
  return report;
}
