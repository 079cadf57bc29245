// What a writer has seen of an asset, so that the records Colophon writes link it: the asset's
// current versions (heads) and the latest role change. Causality then orders versions and role
// changes, whatever `at` says.
import type { CID } from 'multiformats/cid';
import { CONTENT_KINDS } from '../attribution/steps.js';
import type { RecordKind } from '../record/kinds.js';
import type { RecordStore } from './record-store.js';
import { RoleBook } from './roles.js';

/** Verdicts whose weight depends on the signer's role when they made them. */
const ROLE_SENSITIVE: ReadonlySet<RecordKind> = new Set<RecordKind>(['approve', 'reject', 'review']);

type VersionStore = Pick<RecordStore, 'get' | 'query' | 'children'>;

/** The owner's role changes in a store, applied. */
export async function roleBookOf(store: Pick<RecordStore, 'get' | 'query'>, owner: string): Promise<RoleBook> {
  const roles = new RoleBook(owner);
  for (const cid of await store.query({ kind: 'member', signer: owner })) {
    const found = await store.get(cid);
    if (found) roles.apply(found.record);
  }
  return roles;
}

/**
 * The asset's current versions as a writer sees them: content records by members that no other
 * member content record of the asset links or follows in its signer's feed. One, normally;
 * several when members edited without seeing each other (a record linking them all merges them).
 * Outsiders' content is never a version. Cheap (direct links only): linking one more head than
 * needed is harmless; gates decide the final version from full causality (contracts/slice.ts).
 */
export async function currentVersions(store: VersionStore, asset: string, roles: RoleBook): Promise<CID[]> {
  const content: { cid: CID; by: string; seq: number }[] = [];
  for (const cid of await store.query({ asset })) {
    const found = await store.get(cid);
    if (found && CONTENT_KINDS.has(found.record.kind) && found.record.out !== undefined && roles.isMember(found.record.by)) {
      content.push({ cid: found.cid, by: found.record.by, seq: found.record.seq });
    }
  }
  const keys = new Set(content.map((c) => c.cid.toString()));
  const heads: CID[] = [];
  for (const c of content) {
    if (content.some((o) => o.by === c.by && o.seq > c.seq)) continue;
    const children = await store.children(c.cid);
    if (children.some((child) => keys.has(child.toString()))) continue;
    heads.push(c.cid);
  }
  return heads;
}

/** The owner's latest member record that changed a role: the role state a writer has seen. */
export async function latestRoleChange(store: Pick<RecordStore, 'get' | 'query'>, roles: RoleBook): Promise<CID | undefined> {
  let latest: { cid: CID; seq: number } | undefined;
  for (const cid of await store.query({ kind: 'member', signer: roles.owner })) {
    const found = await store.get(cid);
    if (found && roles.effective(found.record) && (!latest || found.record.seq > latest.seq)) latest = { cid: found.cid, seq: found.record.seq };
  }
  return latest?.cid;
}

/**
 * The links a record about to be written should carry besides its own: for a content record of an
 * asset, the asset's current versions; for any record by someone other than the owner that is
 * about an asset (content, approve, reject, review), the latest role change. Links already given, and the signer's own feed head
 * (its `prev` covers it), are left out.
 */
export async function seenLinks(store: VersionStore, input: { kind: RecordKind; asset?: string; by: string; owner: string; links?: readonly CID[]; prev?: CID }): Promise<CID[]> {
  if (input.asset === undefined || input.kind === 'member' || input.kind === 'project.genesis') return [];
  const roles = await roleBookOf(store, input.owner);
  const have = new Set((input.links ?? []).map(String));
  if (input.prev) have.add(input.prev.toString());
  const add: CID[] = [];
  const push = (cid: CID | undefined) => {
    if (cid && !have.has(cid.toString())) {
      have.add(cid.toString());
      add.push(cid);
    }
  };
  if (CONTENT_KINDS.has(input.kind)) for (const head of await currentVersions(store, input.asset, roles)) push(head);
  if (input.by !== input.owner && (CONTENT_KINDS.has(input.kind) || ROLE_SENSITIVE.has(input.kind))) push(await latestRoleChange(store, roles));
  return add;
}

/** The owner's latest member record granting `role` to `did` (what a record relying on that role links). */
export async function latestGrant(store: Pick<RecordStore, 'get' | 'query'>, roles: RoleBook, did: string, role: string): Promise<CID | undefined> {
  let grant: { cid: CID; seq: number } | undefined;
  for (const cid of await store.query({ kind: 'member', signer: roles.owner })) {
    const found = await store.get(cid);
    const delta = found?.record.delta as { op?: unknown; subject?: unknown; role?: unknown } | undefined;
    if (found && roles.effective(found.record) && delta?.op === 'grant' && delta.subject === did && delta.role === role && (!grant || found.record.seq > grant.seq)) grant = { cid: found.cid, seq: found.record.seq };
  }
  return grant?.cid;
}
