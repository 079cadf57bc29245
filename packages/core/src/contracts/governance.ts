// The governance actions as the CLI and plugins perform them: approve, reject, record a check.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import type { DagValue } from '../cbor/codec.js';
import type { SigningIdentity } from '../identity/identity.js';
import type { Contribution, Project } from '../ledger/project.js';
import { latestGrant, roleBookOf } from '../ledger/versions.js';
import type { DecodedRecord } from '../record/encoding.js';
import type { AgentRef } from '../record/types.js';
import { checkExt, checkResult, type CheckResult } from './check-result.js';
import { compileGates, contractFor, readContract } from './contract.js';
import { collectGateInputs, type InputStore } from './inputs.js';
import { ContractError, RoleRequiredError } from './errors.js';
import { recordGate, type RecordedGate } from './gate.js';
import { contractExt, parseContractPayload, type ContractFile } from './payload.js';
import { settleAsset, type SettleResult } from './settle.js';
import { LedgerSlice } from './slice.js';

export const REASON_EXT = 'colophon.reason';

/** What the ledger says the asset's versions are: the final one, or concurrent heads, and outsiders' content. */
export interface AssetVersions {
  final?: LedgerEntry;
  concurrent: LedgerEntry[];
  outsiders: LedgerEntry[];
}

/**
 * The asset's final version, as gates see it (contracts/slice.ts): the member content record every
 * other one is in the causal past of. Claimed time plays no part.
 */
export async function assetVersions(store: InputStore, asset: string, genesis: CID): Promise<AssetVersions> {
  const facts = new LedgerSlice(await collectGateInputs(store, { asset, genesis })).factsOf(asset);
  const versions: AssetVersions = { concurrent: facts.concurrent, outsiders: facts.outsiders };
  if (facts.final) versions.final = facts.final;
  return versions;
}

/** The final version's record, if the asset has exactly one (see assetVersions). */
export async function finalVersion(store: InputStore, asset: string, genesis: CID): Promise<LedgerEntry | undefined> {
  return (await assetVersions(store, asset, genesis)).final;
}

/** Checks that the signer holds `role` now; returns the role change that granted it (its latest grant), for linking. */
async function requireRole(project: Project, signer: SigningIdentity, role: string, action: string): Promise<CID | undefined> {
  const roles = await roleBookOf(project.store, project.owner);
  if (!roles.holds(signer.did, role)) {
    const held = roles.rolesOf(signer.did);
    throw new RoleRequiredError(`only ${role === 'owner' ? 'the owner' : `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`} may ${action}; ${signer.did} holds ${held.length > 0 ? held.join(', ') : 'no role'}${role === 'owner' ? '' : ` (the owner grants it: colophon member add NAME --role ${role})`}`);
  }
  return latestGrant(project.store, roles, signer.did, role);
}

async function requireFinal(project: Project, asset: string, action: string): Promise<LedgerEntry> {
  const versions = await assetVersions(project.store, asset, project.id);
  if (versions.concurrent.length > 1) {
    throw new ContractError(
      `cannot ${action} asset "${asset}": it has ${versions.concurrent.length} concurrent versions (${versions.concurrent.map((v) => v.cid.toString()).join(', ')}), made without seeing each other; record an edit that links them all to merge them`,
    );
  }
  if (!versions.final) throw new ContractError(`cannot ${action} asset "${asset}": it has no content records by a project member (create, edit, generate or ingest)`);
  return versions.final;
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
  const grant = await requireRole(project, signer, 'director', 'approve');
  const final = await requireFinal(project, input.asset, 'approve');
  const contract = await contractFor(project.store, input.asset, project.owner);
  // The approval links what it relies on: the version, the contract in force and the director's
  // grant. Causality then says which contract governed it and whether the role was held.
  const links = [final.cid, ...(contract ? [contract.cid] : []), ...(grant ? [grant] : [])];
  const contribution: Contribution = { kind: 'approve', asset: input.asset, links };
  if (input.at !== undefined) contribution.at = input.at;
  const approval = await project.record(signer, contribution, { linkSeen: true });
  const result: ApproveResult = { approval };
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
  const grant = await requireRole(project, signer, 'director', 'reject');
  const final = await requireFinal(project, input.asset, 'reject');
  const contribution: Contribution = { kind: 'reject', asset: input.asset, links: [final.cid, ...(grant ? [grant] : [])] };
  if (input.reason !== undefined && input.reason !== '') contribution.ext = { [REASON_EXT]: input.reason };
  return project.record(signer, contribution, { linkSeen: true });
}

/** Records an automated check's result about the asset's final version (e.g. a brand score). */
export async function recordCheck(
  project: Project,
  signer: SigningIdentity,
  input: { asset: string; name: string; score: number; threshold?: number; flags?: string[]; tool?: { name: string; version: string } },
): Promise<{ record: DecodedRecord; result: CheckResult }> {
  const result = checkResult(input);
  const final = await finalVersion(project.store, input.asset, project.id);
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
  if (signer.did !== project.owner) throw new RoleRequiredError(`only the owner may record a contract; ${signer.did} is not the owner (${project.owner})`);
  const contribution: Contribution = { kind: 'contract', ext: contractExt(payload) };
  if (file.asset !== undefined) contribution.asset = file.asset;
  return project.record(signer, contribution);
}
