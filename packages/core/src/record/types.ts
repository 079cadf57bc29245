import type { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import type { RecordKind } from './kinds.js';

export const CONTRIBUTION_RECORD_VERSION = 1;

export interface ModelRef {
  provider: string;
  name: string;
  version: string;
}

/** Who actually acted when it was not the signer. */
export type AgentRef =
  | { type: 'ai'; model: ModelRef; params?: { [key: string]: DagValue } }
  | { type: 'tool'; name: string; version: string };

/** A prompt or brief: in the clear, or as a commitment whose opening lives off-ledger. */
export type Intent = { text: string } | { commit: CID };

export type TrainingMiningUse = 'allowed' | 'notAllowed' | 'constrained';

export interface Rights {
  /** SPDX license id or URL. */
  license?: string;
  /** C2PA training-mining entries, e.g. {"c2pa.ai_training": "notAllowed"}. */
  tdm?: { [entry: string]: TrainingMiningUse };
}

/** Change of membership, carried in `delta` of a `member` record. */
export interface MemberDelta {
  op: 'grant' | 'revoke';
  role: string;
  subject: string;
}

/** A text edit op: at `pos` delete `del` characters, then insert `ins` characters of author `class`. */
export type TextOp = [pos: number, del: number, ins: number, cls: string];

export interface RecordFields {
  kind: RecordKind;
  proj?: CID;
  by: string;
  seq: number;
  prev?: CID;
  links?: CID[];
  asset?: string;
  agent?: AgentRef;
  in?: CID[];
  out?: CID;
  delta?: { [key: string]: DagValue };
  intent?: Intent;
  rights?: Rights;
  at: number;
  ext?: { [key: string]: DagValue };
}

/** A contribution record before signing. */
export interface UnsignedRecord extends RecordFields {
  v: typeof CONTRIBUTION_RECORD_VERSION;
}

/** A signed contribution record (format v1). */
export interface ContributionRecord extends UnsignedRecord {
  sig: Uint8Array;
}
