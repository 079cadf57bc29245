// Evaluating a contract's gates for an asset, the `gate` record that states the verdict, and
// replaying that record.
import { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import type { LedgerEntry } from '../attribution/classes.js';
import type { SigningIdentity } from '../identity/identity.js';
import type { Contribution, Project } from '../ledger/project.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { DecodedRecord } from '../record/encoding.js';
import type { RunOptions } from './cel-compile.js';
import { contractFor, readContract, type CompiledContract } from './contract.js';
import { ContractError, requireSigner } from './errors.js';
import { collectGateInputs, type InputStore } from './inputs.js';
import { LedgerSlice } from './slice.js';
import { VIEW_VERSION, viewBindings } from './view.js';

export const GATE_EXT = 'colophon.gate';
export const GATE_PAYLOAD_VERSION = 1;
/** The evaluator a verdict was reached with; a replay with another one says so. */
export const CEL_ENGINE = '@bufbuild/cel@0.6';
const MAX_ERROR_CHARS = 400;

export interface GateVerdict {
  name: string;
  pass: boolean;
  /** Cost units the evaluation counted (limits.ts); the same on every machine. */
  cost: number;
  error?: string;
}

/** ext["colophon.gate"] of a gate record. The records read are the record's `links`. */
export interface GatePayload {
  v: typeof GATE_PAYLOAD_VERSION;
  view: number;
  engine: string;
  contract: CID;
  /** The asset version evaluated (its latest content record), when it has one. */
  final?: CID;
  /** True when every gate passed. */
  pass: boolean;
  gates: GateVerdict[];
}

export interface GateEvaluation {
  asset: string;
  contract: CompiledContract;
  slice: LedgerSlice;
  verdicts: GateVerdict[];
  pass: boolean;
  final?: LedgerEntry;
}

/** Runs every gate of `contract` over the view of `asset` in `slice`. Pure: same records, same verdicts. */
export function evaluateSlice(contract: CompiledContract, slice: LedgerSlice, asset: string, options: RunOptions = {}): GateEvaluation {
  const bindings = viewBindings(slice, asset, contract.entry);
  const verdicts = contract.gates.map((gate): GateVerdict => {
    const outcome = gate.run(bindings, options);
    const verdict: GateVerdict = { name: gate.name, pass: outcome.pass, cost: outcome.cost };
    if (outcome.error !== undefined) verdict.error = outcome.error.length > MAX_ERROR_CHARS ? `${outcome.error.slice(0, MAX_ERROR_CHARS)}…` : outcome.error;
    return verdict;
  });
  const evaluation: GateEvaluation = { asset, contract, slice, verdicts, pass: verdicts.every((v) => v.pass) };
  const final = slice.factsOf(asset).final;
  if (final) evaluation.final = final;
  return evaluation;
}

export interface EvaluateInput {
  asset: string;
  /** The project's genesis record CID. */
  genesis: CID;
  /** The project owner (genesis signer), for finding the contract in force. */
  owner: string;
  /** A specific contract; default: the one governing the asset (contractFor). */
  contract?: LedgerEntry;
  run?: RunOptions;
}

/** Chooses the contract and the read set from the store, then evaluates. */
export async function evaluateGates(store: InputStore, input: EvaluateInput): Promise<GateEvaluation> {
  const contractEntry = input.contract ?? (await contractFor(store, input.asset, input.owner));
  if (!contractEntry) throw new ContractError(`no contract governs asset "${input.asset}"; add one with "colophon contract add FILE"`);
  const contract = readContract(contractEntry);
  const entries = await collectGateInputs(store, { asset: input.asset, contract: contractEntry.cid, genesis: input.genesis });
  return evaluateSlice(contract, new LedgerSlice(entries), input.asset, input.run);
}

export function gatePayload(evaluation: GateEvaluation): GatePayload {
  const payload: GatePayload = {
    v: GATE_PAYLOAD_VERSION,
    view: VIEW_VERSION,
    engine: CEL_ENGINE,
    contract: evaluation.contract.entry.cid,
    pass: evaluation.pass,
    gates: evaluation.verdicts,
  };
  if (evaluation.final) payload.final = evaluation.final.cid;
  return payload;
}

/** The gate record for an evaluation: links every record read (sorted by CID), verdicts in ext. */
export function gateContribution(evaluation: GateEvaluation): Contribution {
  return {
    kind: 'gate',
    asset: evaluation.asset,
    links: evaluation.slice.cids(),
    ext: { [GATE_EXT]: gatePayload(evaluation) as unknown as DagValue },
  };
}

export interface RecordedGate {
  record: DecodedRecord;
  evaluation: GateEvaluation;
}

/** Evaluates and records a signed gate record. */
export async function recordGate(project: Project, signer: SigningIdentity, input: Omit<EvaluateInput, 'genesis' | 'owner'>): Promise<RecordedGate> {
  await requireSigner(project.store, project.owner, signer.did, 'gate', 'record a gate verdict');
  const evaluation = await evaluateGates(project.store, { ...input, genesis: project.id, owner: project.owner });
  const record = await project.record(signer, gateContribution(evaluation));
  return { record, evaluation };
}

/** Reads ext["colophon.gate"] of a gate record; errors name the record and field. */
export function gatePayloadOf(entry: LedgerEntry): GatePayload {
  const where = `gate record ${entry.cid}`;
  if (entry.record.kind !== 'gate') throw new ContractError(`record ${entry.cid} is a ${entry.record.kind} record, not a gate record`);
  const p = entry.record.ext?.[GATE_EXT] as Partial<GatePayload> | undefined;
  if (!p || typeof p !== 'object') throw new ContractError(`${where} has no ext.${GATE_EXT}`, `ext.${GATE_EXT}`);
  if (p.v !== GATE_PAYLOAD_VERSION) throw new ContractError(`${where}: ext.${GATE_EXT}.v must be ${GATE_PAYLOAD_VERSION}`, `ext.${GATE_EXT}.v`);
  if (!CID.asCID(p.contract)) throw new ContractError(`${where}: ext.${GATE_EXT}.contract must be a CID`, `ext.${GATE_EXT}.contract`);
  if (typeof p.pass !== 'boolean') throw new ContractError(`${where}: ext.${GATE_EXT}.pass must be a bool`, `ext.${GATE_EXT}.pass`);
  if (!Array.isArray(p.gates) || p.gates.some((g) => typeof g?.name !== 'string' || typeof g.pass !== 'boolean' || typeof g.cost !== 'number')) {
    throw new ContractError(`${where}: ext.${GATE_EXT}.gates must be a list of {name, pass, cost, error?}`, `ext.${GATE_EXT}.gates`);
  }
  if (!entry.record.asset) throw new ContractError(`${where} names no asset`, 'asset');
  return p as GatePayload;
}

export interface GateReplay {
  /** True when re-running gave the recorded verdicts (pass, cost and error of every gate). */
  ok: boolean;
  gate: CID;
  recorded: GateVerdict[];
  replayed?: GateVerdict[];
  /** Recorded records that the store does not have: nothing can be replayed without them. */
  missing: CID[];
  differences: string[];
}

/**
 * Re-runs a gate record from the records it lists, and only those: anyone holding them gets the
 * same verdict, or a list of what differs.
 */
export async function replayGate(gate: LedgerEntry, store: Pick<RecordStore, 'get'>, options: RunOptions = {}): Promise<GateReplay> {
  const payload = gatePayloadOf(gate);
  const report: GateReplay = { ok: false, gate: gate.cid, recorded: payload.gates, missing: [], differences: [] };
  const entries: LedgerEntry[] = [];
  for (const cid of gate.record.links ?? []) {
    const found = await store.get(cid);
    if (found) entries.push({ cid: found.cid, record: found.record });
    else report.missing.push(cid);
  }
  if (report.missing.length > 0) {
    report.differences.push(`${report.missing.length} record(s) the gate read are not in the store (first: ${report.missing[0]})`);
    return report;
  }
  if (payload.engine !== CEL_ENGINE) report.differences.push(`recorded with ${payload.engine}, replayed with ${CEL_ENGINE}`);
  const slice = new LedgerSlice(entries);
  const contractEntry = slice.get(payload.contract);
  if (!contractEntry) {
    report.differences.push(`the contract ${payload.contract} is not among the records the gate lists`);
    return report;
  }
  let evaluation: GateEvaluation;
  try {
    evaluation = evaluateSlice(readContract(contractEntry), slice, gate.record.asset!, options);
  } catch (error) {
    report.differences.push(`replay failed: ${(error as Error).message}`);
    return report;
  }
  report.replayed = evaluation.verdicts;
  if (String(evaluation.final?.cid ?? '') !== String(payload.final ?? '')) report.differences.push(`final version: recorded ${payload.final ?? '(none)'}, replayed ${evaluation.final?.cid ?? '(none)'}`);
  if (evaluation.pass !== payload.pass) report.differences.push(`overall: recorded ${payload.pass ? 'pass' : 'fail'}, replayed ${evaluation.pass ? 'pass' : 'fail'}`);
  const replayed = new Map(evaluation.verdicts.map((v) => [v.name, v]));
  for (const recorded of payload.gates) {
    const again = replayed.get(recorded.name);
    if (!again) {
      report.differences.push(`gate ${recorded.name} is not in the contract`);
      continue;
    }
    if (again.pass !== recorded.pass) report.differences.push(`gate ${recorded.name}: recorded ${recorded.pass ? 'pass' : 'fail'}, replayed ${again.pass ? 'pass' : 'fail'}`);
    if (again.cost !== recorded.cost) report.differences.push(`gate ${recorded.name}: recorded cost ${recorded.cost}, replayed ${again.cost}`);
    if ((again.error ?? '') !== (recorded.error ?? '')) report.differences.push(`gate ${recorded.name}: recorded error ${JSON.stringify(recorded.error ?? '')}, replayed ${JSON.stringify(again.error ?? '')}`);
  }
  if (evaluation.verdicts.length !== payload.gates.length) report.differences.push(`the contract has ${evaluation.verdicts.length} gates, the record states ${payload.gates.length}`);
  report.ok = report.differences.length === 0;
  return report;
}
