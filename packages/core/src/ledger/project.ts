import type { CID } from 'multiformats/cid';
import type { SigningIdentity } from '../identity/identity.js';
import { PROJECT_EXT } from '../record/validate.js';
import { signRecord } from '../record/sign.js';
import type { RecordFields } from '../record/types.js';
import type { DecodedRecord } from '../record/encoding.js';
import type { RecordStore } from './record-store.js';
import { RecordError } from '../errors.js';
import { unattributableIssue } from '../attribution/write-check.js';

/** What a caller states about a contribution; the project fills in proj, by, seq, prev and at. */
export type Contribution = Omit<RecordFields, 'proj' | 'by' | 'seq' | 'prev' | 'at'> & { at?: number };

/**
 * A project: its genesis record plus a record store. Appending assigns the signer's next seq and
 * prev, signs, and stores; the store enforces feed order, so concurrent misuse cannot fork a feed.
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
   */
  async record(signer: SigningIdentity, contribution: Contribution): Promise<DecodedRecord> {
    const head = await this.store.head(signer.did);
    const fields: RecordFields = {
      ...contribution,
      proj: this.id,
      by: signer.did,
      seq: head ? head.seq + 1 : 0,
      at: contribution.at ?? this.clock(),
    };
    if (head) fields.prev = head.cid;
    const issue = await unattributableIssue(this.store, fields);
    if (issue) throw new RecordError(`${contribution.kind} record: ${issue.path}: ${issue.reason}`, issue.path);
    const signed = signRecord(fields, signer);
    await this.store.append(signed);
    return signed;
  }
}
