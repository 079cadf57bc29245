import type { ContributionRecord, MemberDelta } from '../record/types.js';
import type { RecordKind } from '../record/kinds.js';

/** Kinds whose signer must hold a role at the time of signing. */
export const ROLE_REQUIRED: Partial<Record<RecordKind, string>> = {
  member: 'owner',
  contract: 'owner',
  approve: 'director',
  reject: 'director',
};

interface Change {
  at: number;
  seq: number;
  grant: boolean;
}

/**
 * Who holds which role, from the project owner's `member` records. "At that point" means by
 * claimed time (`at`, which the signer signed): a role counts from its grant until its revoke.
 * The owner named in genesis always holds "owner".
 */
export class RoleBook {
  private readonly changes = new Map<string, Change[]>();

  constructor(readonly owner: string) {}

  apply(record: ContributionRecord): void {
    if (record.kind !== 'member' || record.by !== this.owner) return;
    const delta = record.delta as unknown as MemberDelta;
    const key = `${delta.subject} ${delta.role}`;
    const list = this.changes.get(key) ?? [];
    list.push({ at: record.at, seq: record.seq, grant: delta.op === 'grant' });
    list.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.changes.set(key, list);
  }

  holds(did: string, role: string, at: number = Number.MAX_SAFE_INTEGER): boolean {
    if (role === 'owner' && did === this.owner) return true;
    let held = false;
    for (const change of this.changes.get(`${did} ${role}`) ?? []) {
      if (change.at > at) break;
      held = change.grant;
    }
    return held;
  }

  /** Roles currently held, per did. */
  current(): Map<string, string[]> {
    const roles = new Map<string, string[]>([[this.owner, ['owner']]]);
    for (const key of this.changes.keys()) {
      const [did, role] = key.split(' ') as [string, string];
      if (role === 'owner' && did === this.owner) continue;
      if (this.holds(did, role)) roles.set(did, [...(roles.get(did) ?? []), role]);
    }
    return roles;
  }
}
