import type { CID } from 'multiformats/cid';
import type { SigningIdentity } from '../identity/identity.js';
import { PROJECT_EXT } from '../record/validate.js';
import { signRecord } from '../record/sign.js';
import type { RecordFields } from '../record/types.js';
import type { DecodedRecord } from '../record/encoding.js';
import { appendOnHead, type RecordStore } from './record-store.js';
import { RecordError } from '../errors.js';
import { unattributableIssue } from '../attribution/write-check.js';
import { seenLinks } from './versions.js';

/** What a caller states about a contribution; the project fills in proj, by, seq, prev and at. */
export type Contribution = Omit<RecordFields, 'proj' | 'by' | 'seq' | 'prev' | 'at'> & { at?: number };

/**
 * A project: its genesis record plus a record store. Appending reads the signer's head, assigns the
 * next seq and prev, signs and stores as one step (RecordStore.appendOnHead), so concurrent
 * writers each get the next place in the feed; the store enforces feed order in any case.
 */
export class Project {
  private constructor(
    readonly genesis: DecodedRecord,
    readonly store: RecordStore,
    private readonly clock: () => number,
  ) {}

  get id(): CID {
    return this.genesis.cid;
  }

  get name(): string {
    const ext = this.genesis.record.ext?.[PROJECT_EXT] as { name: string };
    return ext.name;
  }

  get owner(): string {
    return this.genesis.record.by;
  }

  static async create(name: string, owner: SigningIdentity, store: RecordStore, clock: () => number = Date.now): Promise<Project> {
    const genesis = signRecord({ kind: 'project.genesis', by: owner.did, seq: 0, at: clock(), ext: { [PROJECT_EXT]: { name } } }, owner);
    await store.append(genesis);
    return new Project(genesis, store, clock);
  }

  static open(genesis: DecodedRecord, store: RecordStore, clock: () => number = Date.now): Project {
    if (genesis.record.kind !== 'project.genesis') throw new Error(`record ${genesis.cid} is a ${genesis.record.kind}, not a project genesis`);
    return new Project(genesis, store, clock);
  }

  /**
   * Signs and appends a contribution. Besides the record rules, it must be attributable (see
   * unattributableIssue): a known class, an agent for `ai` and `tool`, text ops that fit the asset.
   * With `linkSeen`, the record also links what its writer has seen
   * (ledger/versions.ts): a content record the asset's current versions, a record about an asset
   * the latest role change. Colophon's own writers (the CLI, approvals, the demo) always ask for
   * it, so causality, not claimed time, orders versions and role changes.
   */
  async record(signer: SigningIdentity, contribution: Contribution, options: { linkSeen?: boolean } = {}): Promise<DecodedRecord> {
    // Checked before the lock: the check reads the asset's history, which signing under the lock must not wait for.
    const issue = await unattributableIssue(this.store, { ...contribution, by: signer.did, seq: 0, at: 0 });
    if (issue) throw new RecordError(`${contribution.kind} record: ${issue.path}: ${issue.reason}`, issue.path);
    // What the writer has seen is read before the append: the store's own reads must not run
    // inside its append step (it may hold the feed for the duration).
    let stated = contribution;
    if (options.linkSeen) {
      const head = await this.store.head(signer.did);
      const more = await seenLinks(this.store, { kind: contribution.kind, by: signer.did, owner: this.owner, ...(contribution.asset === undefined ? {} : { asset: contribution.asset }), ...(contribution.links ? { links: contribution.links } : {}), ...(head ? { prev: head.cid } : {}) });
      if (more.length > 0) stated = { ...contribution, links: [...(contribution.links ?? []), ...more] };
    }
    const [signed] = await appendOnHead(this.store, signer.did, (head) => {
      const fields: RecordFields = {
        ...stated,
        proj: this.id,
        by: signer.did,
        seq: head ? head.seq + 1 : 0,
        at: stated.at ?? this.clock(),
      };
      if (head) fields.prev = head.cid;
      return [signRecord(fields, signer)];
    });
    return signed!;
  }
}
