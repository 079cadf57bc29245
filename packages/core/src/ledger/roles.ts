import type { ContributionRecord, MemberDelta } from '../record/types.js';
import type { RecordKind } from '../record/kinds.js';

/** Stands for "any role": the signer must be a member of the project (hold some role, or own it). */
export const ANY_ROLE = '*';

/**
 * Who may sign each governance kind: the signer must hold one of the roles listed, as of what the
 * record causally saw (see RoleBook.holds). Everyone may sign the other kinds; what they sign is
 * evidence, and payouts count only members (see contracts/payout.ts).
 * - member:   the owner (the genesis signer) alone changes roles;
 * - contract: the owner;
 * - approve, reject: a director;
 * - settle:   the owner or a director (a settlement is only paid when it replays as well);
 * - gate:     any member (a gate record is a replayable evaluation, it decides nothing alone).
 */
export const SIGNER_ROLES: Partial<Record<RecordKind, readonly string[]>> = {
  member: ['owner'],
  contract: ['owner'],
  approve: ['director'],
  reject: ['director'],
  settle: ['owner', 'director'],
  gate: [ANY_ROLE],
};

/** "the owner", "a director", "the owner or a director", "a member". */
export function signerRule(kind: RecordKind): string | undefined {
  const roles = SIGNER_ROLES[kind];
  if (!roles) return undefined;
  const named = roles.map((r) => (r === ANY_ROLE ? 'a member' : r === 'owner' ? 'the owner' : `${/^[aeiou]/.test(r) ? 'an' : 'a'} ${r}`));
  return named.join(' or ');
}

interface Change {
  /** The owner's seq of the member record: the owner's feed orders every role change. */
  seq: number;
  grant: boolean;
}

/**
 * Who holds which role, from the project owner's `member` records. One owner: the genesis signer,
 * who alone grants and revokes (grants of "owner" have no effect; the CLI refuses to make them).
 * Role changes are ordered by the owner's feed (seq), never by claimed time: "held when record R
 * was made" means held after the owner's member records R causally saw (R's `ownerSeq`, the
 * highest owner seq among R's ancestors; see ledger/causality.ts).
 */
export class RoleBook {
  private readonly changes = new Map<string, Change[]>();

  constructor(readonly owner: string) {}

  /** True when the record changes a role (a member record by the owner, not about "owner"). */
  effective(record: ContributionRecord): boolean {
    if (record.kind !== 'member' || record.by !== this.owner) return false;
    const delta = record.delta as unknown as MemberDelta | undefined;
    return typeof delta?.subject === 'string' && typeof delta.role === 'string' && delta.role !== 'owner' && (delta.op === 'grant' || delta.op === 'revoke');
  }

  apply(record: ContributionRecord): void {
    if (!this.effective(record)) return;
    const delta = record.delta as unknown as MemberDelta;
    const key = `${delta.subject} ${delta.role}`;
    const list = this.changes.get(key) ?? [];
    if (list.some((c) => c.seq === record.seq)) return;
    list.push({ seq: record.seq, grant: delta.op === 'grant' });
    list.sort((a, b) => a.seq - b.seq);
    this.changes.set(key, list);
  }

  /**
   * Whether `did` holds `role` after the owner's member records up to `ownerSeq` (default: all).
   * `role` may be ANY_ROLE: any role at all.
   */
  holds(did: string, role: string, ownerSeq: number = Number.MAX_SAFE_INTEGER): boolean {
    if (did === this.owner) return role === 'owner' || role === ANY_ROLE || this.held(did, role, ownerSeq);
    if (role === ANY_ROLE) return this.rolesOf(did, ownerSeq).length > 0;
    return this.held(did, role, ownerSeq);
  }

  /** Whether `did` holds one of `roles` (see holds). */
  holdsOneOf(did: string, roles: readonly string[], ownerSeq?: number): boolean {
    return roles.some((role) => this.holds(did, role, ownerSeq));
  }

  /** A project member: the owner, or someone holding any role (after `ownerSeq`). */
  isMember(did: string, ownerSeq?: number): boolean {
    return this.holds(did, ANY_ROLE, ownerSeq);
  }

  /** The roles `did` holds after `ownerSeq`, sorted (the owner's include "owner"). */
  rolesOf(did: string, ownerSeq: number = Number.MAX_SAFE_INTEGER): string[] {
    const roles = did === this.owner ? ['owner'] : [];
    for (const key of this.changes.keys()) {
      const space = key.indexOf(' ');
      if (key.slice(0, space) === did && this.held(did, key.slice(space + 1), ownerSeq)) roles.push(key.slice(space + 1));
    }
    return [...new Set(roles)].sort();
  }

  private held(did: string, role: string, ownerSeq: number): boolean {
    let held = false;
    for (const change of this.changes.get(`${did} ${role}`) ?? []) {
      if (change.seq > ownerSeq) break;
      held = change.grant;
    }
    return held;
  }

  /** Roles currently held, per did. */
  current(): Map<string, string[]> {
    const roles = new Map<string, string[]>([[this.owner, this.rolesOf(this.owner)]]);
    for (const key of this.changes.keys()) {
      const did = key.slice(0, key.indexOf(' '));
      if (roles.has(did)) continue;
      const held = this.rolesOf(did);
      if (held.length > 0) roles.set(did, held);
    }
    return roles;
  }
}
