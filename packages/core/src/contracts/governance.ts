// The governance actions as the CLI and plugins perform them: approve, reject, record a check.
import type { LedgerEntry } from '../attribution/classes.js';
import { causalOrder } from '../attribution/order.js';
import { isContentStep } from '../attribution/steps.js';
import type { DagValue } from '../cbor/codec.js';
import type { SigningIdentity } from '../identity/identity.js';
import type { Contribution, Project } from '../ledger/project.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { DecodedRecord } from '../record/encoding.js';
import type { AgentRef } from '../record/types.js';
import { checkExt, checkResult, type CheckResult } from './check-result.js';
import { compileGates, contractFor, readContract, rolesFromStore } from './contract.js';
import { ContractError } from './errors.js';
import { recordGate, type RecordedGate } from './gate.js';
import { contractExt, parseContractPayload, type ContractFile } from './payload.js';
import { settleAsset, type SettleResult } from './settle.js';
import { NOT_ASSET_FACTS } from './slice.js';

/** The signer lacks the role an action needs. */
export class RoleRequiredError extends ContractError {}

export const REASON_EXT = 'colophon.reason';

/**
 * The asset's latest content record (its final version, as gates see it): the asset's own records
 * and the records they link, in causal order.
 */
export async function finalVersion(store: Pick<RecordStore, 'get' | 'query'>, asset: string): Promise<LedgerEntry | undefined> {
  const entries = new Map<string, LedgerEntry>();
  for (const cid of await store.query({ asset })) {
    const found = await store.get(cid);
    if (!found || NOT_ASSET_FACTS.has(found.record.kind)) continue;
    entries.set(found.cid.toString(), { cid: found.cid, record: found.record });
    for (const link of found.record.links ?? []) {
      const linked = await store.get(link);
      if (linked && !NOT_ASSET_FACTS.has(linked.record.kind)) entries.set(linked.cid.toString(), { cid: linked.cid, record: linked.record });
    }
  }
  const content = causalOrder([...entries.values()]).filter((e) => e.record.asset === asset && isContentStep(e));
  return content[content.length - 1];
}

async function requireRole(project: Project, signer: SigningIdentity, role: string, action: string): Promise<void> {
  const roles = await rolesFromStore(project.store, project.owner);
  if (!roles.holds(signer.did, role)) {
    const held = roles.current().get(signer.did) ?? [];
    throw new RoleRequiredError(`only ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} may ${action}; ${signer.did} holds ${held.length > 0 ? held.join(', ') : 'no role'} (the owner grants it: colophon member add NAME --role ${role})`);
  }
}

async function requireFinal(project: Project, asset: string, action: string): Promise<LedgerEntry> {
  const final = await finalVersion(project.store, asset);
  if (!final) throw new ContractError(`cannot ${action} asset "${asset}": it has no content records (create, edit, generate or ingest)`);
  return final;
}

export interface ApproveResult {
  approval: DecodedRecord;
  /** The gate record evaluated with the approval, when a contract governs the asset. */
  gate?: RecordedGate;
  settlement?: SettleResult;
  /** Why the gates passed but no settlement could be made (e.g. nobody to pay); the approval stands. */
  settleError?: string;
}

/**
 * A director approves the asset's final version. When a contract governs the asset, its gates are
 * evaluated with the approval (a gate record is recorded); when they all pass and the contract
 * has a payout rule, the asset is settled (once: see settleAsset).
 */
export async function approveAsset(project: Project, signer: SigningIdentity, input: { asset: string; at?: number }): Promise<ApproveResult> {
  await requireRole(project, signer, 'director', 'approve');
  const final = await requireFinal(project, input.asset, 'approve');
  const contribution: Contribution = { kind: 'approve', asset: input.asset, links: [final.cid] };
  if (input.at !== undefined) contribution.at = input.at;
  const approval = await project.record(signer, contribution);
  const result: ApproveResult = { approval };
  const contract = await contractFor(project.store, input.asset, project.owner);
  if (!contract) return result;
  result.gate = await recordGate(project, signer, { asset: input.asset, contract });
  if (result.gate.evaluation.pass && readContract(contract).payload.payout) {
    try {
      result.settlement = await settleAsset(project, signer, { asset: input.asset, gate: result.gate });
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      result.settleError = error.message;
    }
  }
  return result;
}

/** A director rejects the asset's final version, optionally saying why. */
export async function rejectAsset(project: Project, signer: SigningIdentity, input: { asset: string; reason?: string }): Promise<DecodedRecord> {
  await requireRole(project, signer, 'director', 'reject');
  const final = await requireFinal(project, input.asset, 'reject');
  const contribution: Contribution = { kind: 'reject', asset: input.asset, links: [final.cid] };
  if (input.reason !== undefined && input.reason !== '') contribution.ext = { [REASON_EXT]: input.reason };
  return project.record(signer, contribution);
}

/** Records an automated check's result about the asset's final version (e.g. a brand score). */
export async function recordCheck(
  project: Project,
  signer: SigningIdentity,
  input: { asset: string; name: string; score: number; threshold?: number; flags?: string[]; tool?: { name: string; version: string } },
): Promise<{ record: DecodedRecord; result: CheckResult }> {
  const result = checkResult(input);
  const final = await finalVersion(project.store, input.asset);
  const contribution: Contribution = { kind: 'check', asset: input.asset, ext: checkExt(result) as { [key: string]: DagValue } };
  if (final) contribution.links = [final.cid];
  if (input.tool) contribution.agent = { type: 'tool', name: input.tool.name, version: input.tool.version } satisfies AgentRef;
  return { record: await project.record(signer, contribution), result };
}

/**
 * The owner records a contract: the payload is checked and every gate compiled first, so bad CEL
 * never reaches the ledger (the error names the gate, line and column).
 */
export async function recordContract(project: Project, signer: SigningIdentity, file: ContractFile): Promise<DecodedRecord> {
  const payload = parseContractPayload(file.payload, 'contract');
  compileGates(payload, 'contract.gates');
  await requireRole(project, signer, 'owner', 'record a contract');
  const contribution: Contribution = { kind: 'contract', ext: contractExt(payload) };
  if (file.asset !== undefined) contribution.asset = file.asset;
  return project.record(signer, contribution);
}
