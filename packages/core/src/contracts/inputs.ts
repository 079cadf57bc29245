// Which records one gate evaluation reads: chosen from the store once, then listed in the gate
// record so that a replay reads exactly the same set.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import { isContentStep } from '../attribution/steps.js';
import type { RecordStore } from '../ledger/record-store.js';
import type { MemberDelta } from '../record/types.js';
import { ContractError } from './errors.js';
import { MAX_UPSTREAM_DEPTH, MAX_VIEW_RECORDS } from './limits.js';
import { NOT_ASSET_FACTS, VERDICT_KINDS } from './slice.js';

export type InputStore = Pick<RecordStore, 'get' | 'query' | 'children' | 'records'>;

/**
 * The read set for `asset` under `contract`:
 * - the project genesis (it names the owner) and the contract record (when one is given);
 * - the asset's own records (asset field), governance output (gates, settlements, contracts) left out;
 * - approve/reject/review/check records that link one of them;
 * - the records those link to directly (the AI generation an edit accepted, the brief a prompt
 *   answered, the role change an approval relies on), so attribution can name models, prompts
 *   count and roles are decided by causality;
 * - for every content id the asset consumed (`in`), the records that produced it in other
 *   assets, and those assets' records the same way, up to MAX_UPSTREAM_DEPTH generations;
 * - the owner's member records about anyone who signed one of the above (roles).
 * More than MAX_VIEW_RECORDS records is refused: a gate record could not list them.
 */
export async function collectGateInputs(store: InputStore, input: { asset: string; contract?: CID; genesis: CID }): Promise<LedgerEntry[]> {
  const chosen = new Map<string, LedgerEntry>();
  const add = (e: LedgerEntry) => {
    if (!chosen.has(e.cid.toString())) chosen.set(e.cid.toString(), { cid: e.cid, record: e.record });
  };
  const fetch = async (cid: CID): Promise<LedgerEntry | undefined> => {
    const known = chosen.get(cid.toString());
    if (known) return known;
    const found = await store.get(cid);
    return found && { cid: found.cid, record: found.record };
  };
  const genesis = await fetch(input.genesis);
  if (!genesis) throw new ContractError(`the project genesis ${input.genesis} is not in the store`);
  add(genesis);
  if (input.contract) {
    const contract = await fetch(input.contract);
    if (!contract) throw new ContractError(`contract ${input.contract} is not in the store`);
    add(contract);
  }

  let outIndex: Map<string, LedgerEntry[]> | undefined;
  const producers = async (cid: CID): Promise<LedgerEntry[]> => {
    const record = await fetch(cid);
    if (record) return [record];
    if (!outIndex) {
      // Content ids are not indexed by the store: one pass over the ledger, only when needed.
      outIndex = new Map();
      for await (const e of store.records()) {
        if (!isContentStep(e)) continue;
        const key = e.record.out!.toString();
        outIndex.set(key, [...(outIndex.get(key) ?? []), { cid: e.cid, record: e.record }]);
      }
    }
    return outIndex.get(cid.toString()) ?? [];
  };

  const visited = new Set<string>();
  let frontier = [input.asset];
  for (let depth = 0; depth <= MAX_UPSTREAM_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const asset of frontier) {
      if (visited.has(asset)) continue;
      visited.add(asset);
      const own: LedgerEntry[] = [];
      for (const cid of await store.query({ asset })) {
        const e = await fetch(cid);
        if (e && !NOT_ASSET_FACTS.has(e.record.kind)) own.push(e);
      }
      const verdicts: LedgerEntry[] = [];
      for (const e of own) {
        for (const child of await store.children(e.cid)) {
          const c = await fetch(child);
          if (c && VERDICT_KINDS.has(c.record.kind) && (c.record.asset === undefined || c.record.asset === asset)) verdicts.push(c);
        }
      }
      for (const e of [...own, ...verdicts]) {
        add(e);
        for (const link of e.record.links ?? []) {
          const l = await fetch(link);
          // Linked role changes too: they say which roles the linking record had seen.
          if (l && (!NOT_ASSET_FACTS.has(l.record.kind) || l.record.kind === 'member')) add(l);
        }
      }
      if (depth === MAX_UPSTREAM_DEPTH) continue;
      for (const e of own) {
        for (const consumed of e.record.in ?? []) {
          for (const p of await producers(consumed)) {
            if (p.record.asset === asset || NOT_ASSET_FACTS.has(p.record.kind)) continue;
            add(p);
            if (p.record.asset !== undefined) next.push(p.record.asset);
          }
        }
      }
      checkSize(chosen.size, input.asset);
    }
    frontier = next;
  }

  const signers = new Set([...chosen.values()].map((e) => e.record.by));
  for (const cid of await store.query({ kind: 'member' })) {
    const m = await fetch(cid);
    if (m && m.record.by === genesis.record.by && signers.has((m.record.delta as unknown as MemberDelta).subject)) add(m);
  }
  checkSize(chosen.size, input.asset);
  return [...chosen.values()];
}

function checkSize(size: number, asset: string): void {
  if (size > MAX_VIEW_RECORDS) {
    throw new ContractError(`the view of asset "${asset}" needs more than ${MAX_VIEW_RECORDS} records, the most one gate evaluation reads (a gate record lists every record it read)`);
  }
}
