// The governance half of `colophon verify`: who signed what they were entitled to, which
// settlements stand, and which assets have no single final version. Decided by authority (the
// owner's role changes) and causality (prev, links), never by claimed time.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import { StoreClocks } from '../ledger/causality.js';
import type { RecordStore } from '../ledger/record-store.js';
import { SIGNER_ROLES, signerRule } from '../ledger/roles.js';
import type { Finding } from '../ledger/verify.js';
import { roleBookOf } from '../ledger/versions.js';
import type { RecordKind } from '../record/kinds.js';
import type { MemberDelta } from '../record/types.js';
import { assetVersions } from './governance.js';
import { listSettlements } from './settle.js';

type AuditStore = Pick<RecordStore, 'get' | 'query' | 'children' | 'records'>;

/** Kinds whose signer's role is judged as of the role changes the record causally saw. */
const CAUSAL_ROLE_KINDS: readonly RecordKind[] = ['approve', 'reject'];

function about(entry: LedgerEntry): Pick<Finding, 'signer' | 'seq' | 'cid'> {
  return { signer: entry.record.by, seq: entry.record.seq, cid: entry.cid.toString() };
}

/**
 * Governance findings for a ledger whose records already verified (signatures, chains, links):
 * - role-not-held: a member record not by the owner (it changes nothing), a contract not by the
 *   owner, an approve or reject by someone who did not hold director as of the role changes it
 *   had seen, a gate by a non-member;
 * - no-effect: the owner granting or revoking "owner" (one owner: the genesis signer);
 * - invalid-settlement: a settle record that does not stand (settlementStanding), with why;
 * - concurrent-versions: an asset under governance (approved, rejected, gated, settled or named by
 *   a contract) whose member content records have several concurrent heads.
 */
export async function auditGovernance(store: AuditStore, genesisCid: CID): Promise<Finding[]> {
  const findings: Finding[] = [];
  const genesis = await store.get(genesisCid);
  if (!genesis) return findings;
  const owner = genesis.record.by;
  const roles = await roleBookOf(store, owner);
  const clocks = new StoreClocks(store);
  const governed = new Set<string>();

  for (const cid of await store.query({ kind: 'member' })) {
    const found = await store.get(cid);
    if (!found) continue;
    const delta = found.record.delta as unknown as MemberDelta | undefined;
    if (found.record.by !== owner) {
      findings.push({ code: 'role-not-held', message: `member record ${found.cid} is signed by ${found.record.by}, not the owner: only the owner changes roles, so it has no effect`, ...about(found) });
    } else if (delta?.role === 'owner') {
      findings.push({ code: 'no-effect', message: `member record ${found.cid} ${delta.op}s "owner": a project has one owner, its genesis signer, so it has no effect`, ...about(found) });
    }
  }
  for (const kind of ['contract', 'gate', ...CAUSAL_ROLE_KINDS] as const) {
    for (const cid of await store.query({ kind })) {
      const found = await store.get(cid);
      if (!found) continue;
      if (found.record.asset !== undefined) governed.add(found.record.asset);
      const allowed = SIGNER_ROLES[kind]!;
      // Approvals and rejections count as of what they saw; a gate only needs a member now.
      const ownerSeq = CAUSAL_ROLE_KINDS.includes(kind) ? ((await clocks.clock(found.cid)).get(owner) ?? -1) : undefined;
      if (roles.holdsOneOf(found.record.by, allowed, ownerSeq)) continue;
      const when = ownerSeq === undefined ? '' : ' as of the role changes the record had seen';
      findings.push({ code: 'role-not-held', message: `${kind} record ${found.cid} needs ${signerRule(kind)}, which ${found.record.by} was not${when}`, ...about(found) });
    }
  }
  const settlements = await listSettlements(store, genesisCid);
  for (const { record, reasons } of settlements.invalid) {
    if (record.record.asset !== undefined) governed.add(record.record.asset);
    findings.push({ code: 'invalid-settlement', message: `settle record ${record.cid} does not stand and is never paid: ${reasons.join('; ')}`, ...about(record) });
  }
  for (const record of [...settlements.settlements, ...settlements.duplicates]) governed.add(record.record.asset!);
  for (const asset of [...governed].sort()) {
    let versions;
    try {
      versions = await assetVersions(store, asset, genesisCid);
    } catch {
      continue; // Too large a view to judge here; gates say so when evaluated.
    }
    if (versions.concurrent.length > 1) {
      findings.push({ code: 'concurrent-versions', message: `asset "${asset}" has ${versions.concurrent.length} concurrent versions (${versions.concurrent.map((v) => `${v.cid} by ${v.record.by}`).join(', ')}): none is final until an edit links them all` });
    }
  }
  return findings;
}
