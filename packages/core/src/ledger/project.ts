import type { CID } from 'multiformats/cid';
import type { SigningIdentity } from '../identity/identity.js';
import { PROJECT_EXT } from '../record/validate.js';
import { signRecord } from '../record/sign.js';
import type { RecordFields } from '../record/types.js';
import type { DecodedRecord } from '../record/encoding.js';
import { appendOnHead, type RecordStore } from './record-store.js';

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

  async record(signer: SigningIdentity, contribution: Contribution): Promise<DecodedRecord> {
    const [signed] = await appendOnHead(this.store, signer.did, (head) => {
      const fields: RecordFields = {
        ...contribution,
        proj: this.id,
        by: signer.did,
        seq: head ? head.seq + 1 : 0,
        at: contribution.at ?? this.clock(),
      };
      if (head) fields.prev = head.cid;
      return [signRecord(fields, signer)];
    });
    return signed!;
  }
}
