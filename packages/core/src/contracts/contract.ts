// A contract record, read and compiled; and which contract governs an asset.
import type { LedgerEntry } from '../attribution/classes.js';
import type { RecordStore } from '../ledger/record-store.js';
import { compileGate, type CompiledGate } from './cel-compile.js';
import { ContractError } from './errors.js';
import { CONTRACT_EXT, parseContractPayload, type ContractPayload } from './payload.js';
import { VIEW_VARIABLES } from './view.js';

export interface CompiledContract {
  entry: LedgerEntry;
  payload: ContractPayload;
  gates: CompiledGate[];
}

/** Compiles every gate of a payload; the first bad one throws with its path and position. */
export function compileGates(payload: ContractPayload, path = 'gates'): CompiledGate[] {
  return payload.gates.map((gate, i) => compileGate(gate.name, gate.expr, VIEW_VARIABLES, `${path}[${i}] (${gate.name})`));
}

const compiled = new Map<string, CompiledContract>();

/** Reads a contract record's payload and compiles its gates (cached per CID: records never change). */
export function readContract(entry: LedgerEntry): CompiledContract {
  const key = entry.cid.toString();
  let contract = compiled.get(key);
  if (!contract) {
    if (entry.record.kind !== 'contract') throw new ContractError(`record ${entry.cid} is a ${entry.record.kind} record, not a contract`);
    let payload: ContractPayload;
    try {
      payload = parseContractPayload(entry.record.ext?.[CONTRACT_EXT]);
      contract = { entry, payload, gates: compileGates(payload, `ext.${CONTRACT_EXT}.gates`) };
    } catch (error) {
      if (error instanceof ContractError) throw new ContractError(`contract record ${entry.cid}: ${error.message}`, error.path, error.line, error.column);
      throw error;
    }
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, contract);
  }
  return contract;
}

export type ContractStore = Pick<RecordStore, 'get' | 'query'>;

/**
 * The contract that governs `asset`: the latest contract record naming the asset, else the latest
 * one naming no asset (a project-wide contract). Only the owner's contracts count, so "latest" is
 * the owner's feed order (seq), never claimed time; `ownerSeq` asks which was in force for a record
 * that saw the owner's feed up to that seq (an approval). Contract records by anyone else are
 * ignored (`colophon verify` reports them), and so are contract records without a
 * `colophon.contract` payload. A payload that does not compile is not skipped: readContract then
 * fails loudly, rather than an older contract quietly governing.
 */
export async function contractFor(store: ContractStore, asset: string, owner: string, ownerSeq: number = Number.MAX_SAFE_INTEGER): Promise<LedgerEntry | undefined> {
  let specific: LedgerEntry | undefined;
  let general: LedgerEntry | undefined;
  const later = (a: LedgerEntry, b: LedgerEntry | undefined) => !b || a.record.seq > b.record.seq;
  for (const cid of await store.query({ kind: 'contract', signer: owner })) {
    const found = await store.get(cid);
    // A contract record without a Colophon payload belongs to some other extension: not ours to apply.
    if (!found || found.record.by !== owner || found.record.ext?.[CONTRACT_EXT] === undefined || found.record.seq > ownerSeq) continue;
    const entry = { cid: found.cid, record: found.record };
    if (found.record.asset === asset) {
      if (later(entry, specific)) specific = entry;
    } else if (found.record.asset === undefined && later(entry, general)) general = entry;
  }
  return specific ?? general;
}
