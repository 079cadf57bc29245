import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { DAG_CBOR_CODE, SHA2_256_CODE, recordCid } from '../cid.js';
import { verifySignature } from '../identity/identity.js';
import { decodeRecord, type DecodedRecord } from '../record/encoding.js';
import { signedMessageOf } from '../record/signed-message.js';

/** One block as read from storage, before anything about it is trusted. */
export interface RawBlock {
  /** Where it came from, for messages: a feed file, a CAR, a document key. */
  source: string;
  /** Position in the source (byte offset or index), for messages. */
  position: number;
  cid: CID;
  bytes: Uint8Array;
}

export type FindingCode =
  | 'cid-mismatch'
  | 'invalid-record'
  | 'bad-signature'
  | 'equivocation'
  | 'broken-chain'
  | 'missing-link'
  | 'wrong-project'
  | 'role-not-held'
  | 'future-time'
  | 'no-effect'
  | 'invalid-settlement'
  | 'concurrent-versions'
  | 'no-genesis'
  | 'checkpoint-mismatch'
  | 'bad-checkpoint'
  | 'unsafe-path'
  | 'wrong-roots'
  /** A record attribution cannot use (unknown class, `ai`/`tool` without agent, ops that do not fit): it is skipped. */
  | 'unattributable';

export interface Finding {
  code: FindingCode;
  message: string;
  source?: string;
  signer?: string;
  seq?: number;
  cid?: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  feeds: number;
  findings: Finding[];
}

export interface VerifyOptions {
  /** The project's genesis CID; records of other projects are reported. */
  genesis?: CID;
  /** Checks signatures of a batch (e.g. in parallel); default checks them one by one here. */
  verifySignatures?: (records: DecodedRecord[]) => Promise<boolean[]>;
  /** Called after each batch with the number of blocks checked so far. */
  onProgress?: (done: number) => void;
  /** Called for each record whose signature checked out, in the order given (an importer notes what it saw). */
  onRecord?: (record: DecodedRecord, source: string) => void;
  /** The verifier's clock (ms since 1970), for flagging records that claim a time in its future. */
  now?: number;
}

/** How far a claimed time may run ahead (of the verifier's clock, of a record that links it): clocks drift. */
export const FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;

const BATCH = 4096;

/** Checks one decoded record's signature over its own bytes. */
export function verifyDecodedSignature({ record, bytes }: DecodedRecord): boolean {
  return verifySignature(record.by, signedMessageOf(bytes), record.sig);
}

/** A record's identity for bookkeeping: its sha2-256 digest as a compact string, not a CID object. */
function keyOf(cid: CID): string {
  return String.fromCharCode.apply(null, cid.multihash.digest as unknown as number[]);
}

function cidOfKey(key: string): string {
  return CID.createV1(DAG_CBOR_CODE, Digest.create(SHA2_256_CODE, Uint8Array.from(key, (ch) => ch.charCodeAt(0)))).toString();
}

interface Located {
  source: string;
  signer: string;
  seq: number;
  /** The record's key (see keyOf): a string the known-set already holds, so keeping it is free. */
  key: string;
  /** Its claimed time in whole minutes (a small integer, so a million of them cost little). */
  minute: number;
}

/** The fields a finding carries about a record, with the CID as text only now that it is needed. */
function about(at: Located): Pick<Finding, 'source' | 'signer' | 'seq' | 'cid'> {
  return { source: at.source, signer: at.signer, seq: at.seq, cid: cidOfKey(at.key) };
}

/** Per-signer chain state; keeps only compact keys, so a million-record ledger fits in memory. */
interface Chain {
  keys: (string | undefined)[];
  /** Records whose prev could not be checked yet (their predecessor had not arrived). */
  waiting: { seq: number; prev: string | undefined; at: Located }[];
}

/**
 * Checks a whole ledger from raw blocks and reports every problem with its source, signer, seq
 * and CID: bytes vs CID, record rules, signatures, per-signer seq/prev chains, equivocation,
 * links, project membership and roles. Blocks stream through in batches, so memory holds compact
 * keys per record rather than the records themselves.
 */
export async function verifyBlocks(blocks: AsyncIterable<RawBlock> | Iterable<RawBlock>, options: VerifyOptions = {}): Promise<VerifyReport> {
  const state = new LedgerCheck(options.genesis, options.now ?? Date.now());
  const check = options.verifySignatures ?? (async (batch: DecodedRecord[]) => batch.map(verifyDecodedSignature));
  let batch: { record: DecodedRecord; source: string }[] = [];
  let count = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const ok = await check(batch.map((entry) => entry.record));
    batch.forEach((entry, i) => {
      state.accept(entry.record, entry.source, ok[i] === true);
      if (ok[i] === true) options.onRecord?.(entry.record, entry.source);
    });
    batch = [];
    options.onProgress?.(count);
  };
  for await (const block of blocks) {
    count++;
    const decoded = state.decode(block);
    if (decoded) batch.push({ record: decoded, source: block.source });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return state.finish(count);
}

class LedgerCheck {
  readonly findings: Finding[] = [];
  private readonly chains = new Map<string, Chain>();
  /** Every record seen, by key, with its claimed time in minutes (for the future-time check). */
  private readonly known = new Map<string, number>();
  /** Records already reported as claiming a future time (each once). */
  private readonly future = new Set<string>();
  private readonly links: { target: string; from: Located }[] = [];
  private readonly geneses: { key: string; cid: CID; owner: string }[] = [];
  private readonly projects = new Map<string, Located[]>();

  private readonly expectedKey: string | undefined;

  constructor(
    private readonly expectedGenesis: CID | undefined,
    private readonly now: number,
  ) {
    this.expectedKey = expectedGenesis && keyOf(expectedGenesis);
  }

  decode(block: RawBlock): DecodedRecord | undefined {
    const where = `${block.source} @${block.position}`;
    let decoded: DecodedRecord;
    try {
      decoded = decodeRecord(block.bytes, where);
    } catch (error) {
      const claimed = block.cid.toString();
      const actual = recordCid(block.bytes);
      this.findings.push(
        !actual.equals(block.cid)
          ? { code: 'cid-mismatch', message: `${where}: bytes do not match CID ${claimed} (they hash to ${actual})`, source: block.source, cid: claimed }
          : { code: 'invalid-record', message: (error as Error).message, source: block.source, cid: claimed },
      );
      return undefined;
    }
    const matches: boolean = decoded.cid.equals(block.cid);
    if (!matches) {
      // Name the record the bytes hold too: when only the CID in front of them was altered, that is the record itself.
      const claimed = block.cid.toString();
      const { by, seq } = decoded.record;
      this.findings.push({ code: 'cid-mismatch', message: `${where}: bytes do not match CID ${claimed}: they hash to ${decoded.cid}, a record of ${by} at seq ${seq}`, source: block.source, cid: claimed, signer: by, seq });
      return undefined;
    }
    return decoded;
  }

  accept(decoded: DecodedRecord, source: string, signatureOk: boolean): void {
    const { record, cid } = decoded;
    const key = keyOf(cid);
    const at: Located = { source, signer: record.by, seq: record.seq, key, minute: Math.floor(record.at / MINUTE) };
    if (!signatureOk) {
      this.findings.push({ code: 'bad-signature', message: `${source}: record ${cid} (seq ${record.seq}) has an invalid signature`, ...about(at) });
      return;
    }
    let chain = this.chains.get(record.by);
    if (!chain) this.chains.set(record.by, (chain = { keys: [], waiting: [] }));
    const existing = chain.keys[record.seq];
    if (existing !== undefined) {
      if (existing !== key) {
        this.findings.push({ code: 'equivocation', message: `${record.by} signed two different records at seq ${record.seq}: ${cidOfKey(existing)} and ${cid}`, ...about(at) });
      }
      return;
    }
    chain.keys[record.seq] = key;
    this.known.set(key, at.minute);
    if (record.at > this.now + FUTURE_SKEW_MS) this.flagFuture(key, at.minute, `the verifier's clock (${new Date(this.now).toISOString()})`);
    // Whatever can be decided now is, so only the exceptions are kept until the end: a feed read
    // in order, links to earlier records and records of the expected project leave nothing behind.
    if (record.seq > 0) {
      const prev = record.prev && keyOf(record.prev);
      if (prev !== undefined) this.compareTimes(prev, at);
      if (chain.keys[record.seq - 1] === undefined) chain.waiting.push({ seq: record.seq, prev, at });
      else this.checkPrev(record.by, chain, { seq: record.seq, prev, at });
    }
    for (const link of record.links ?? []) {
      const target = keyOf(link);
      if (!this.known.has(target)) this.links.push({ target, from: at });
      else this.compareTimes(target, at);
    }
    if (record.kind === 'project.genesis') this.geneses.push({ key, cid, owner: record.by });
    else {
      const proj = record.proj ? keyOf(record.proj) : '';
      if (proj !== this.expectedKey) {
        const list = this.projects.get(proj);
        if (list) list.push(at);
        else this.projects.set(proj, [at]);
      }
    }
  }

  /** A record claiming a time well after a record that links it (or names it as prev) is flagged. */
  private compareTimes(parent: string, child: Located): void {
    const minute = this.known.get(parent);
    if (minute !== undefined && (minute - child.minute) * MINUTE > FUTURE_SKEW_MS) {
      this.flagFuture(parent, minute, `record ${cidOfKey(child.key)} of ${child.signer} (claimed ${new Date(child.minute * MINUTE).toISOString()}), which links it`);
    }
  }

  private flagFuture(key: string, minute: number, than: string): void {
    if (this.future.has(key)) return;
    this.future.add(key);
    this.findings.push({ code: 'future-time', message: `record ${cidOfKey(key)} claims ${new Date(minute * MINUTE).toISOString()}, more than a day after ${than}: its time is not to be trusted`, cid: cidOfKey(key) });
  }

  finish(count: number): VerifyReport {
    for (const [signer, chain] of this.chains) this.checkChain(signer, chain);
    for (const { target, from } of this.links) {
      if (this.known.has(target)) this.compareTimes(target, from);
      else {
        this.findings.push({ code: 'missing-link', message: `${from.source}: record ${cidOfKey(from.key)} (seq ${from.seq}) links ${cidOfKey(target)}, which is not in the ledger`, ...about(from) });
      }
    }
    this.checkProject();
    return { ok: this.findings.length === 0, records: count, feeds: this.chains.size, findings: this.findings };
  }

  private checkChain(signer: string, chain: Chain): void {
    for (const waiting of chain.waiting) this.checkPrev(signer, chain, waiting);
  }

  private checkPrev(signer: string, chain: Chain, { seq, prev, at }: Chain['waiting'][number]): void {
    const before = chain.keys[seq - 1];
    if (before === undefined) {
      this.findings.push({ code: 'broken-chain', message: `${at.source}: record ${cidOfKey(at.key)} of ${signer} at seq ${seq} follows a missing seq ${seq - 1}`, ...about(at) });
    } else if (prev !== before) {
      this.findings.push({ code: 'broken-chain', message: `${at.source}: record ${cidOfKey(at.key)} of ${signer} at seq ${seq} has prev ${prev === undefined ? '(none)' : cidOfKey(prev)} but seq ${seq - 1} is ${cidOfKey(before)}`, ...about(at) });
    }
  }

  private checkProject(): { owner: string } | undefined {
    const expected = this.expectedGenesis;
    const genesis = expected ? this.geneses.find((g) => g.cid.equals(expected)) : this.geneses[0];
    if (!genesis) {
      this.findings.push({ code: 'no-genesis', message: expected ? `the project's genesis record ${expected} is not in the ledger` : 'the ledger holds no project genesis record' });
      return undefined;
    }
    for (const other of this.geneses) {
      if (other !== genesis) this.findings.push({ code: 'wrong-project', message: `another project's genesis record ${other.cid} is in the ledger`, cid: other.cid.toString(), signer: other.owner, seq: 0 });
    }
    for (const [proj, list] of this.projects) {
      if (proj === genesis.key) continue;
      for (const at of list) this.findings.push({ code: 'wrong-project', message: `${at.source}: record ${cidOfKey(at.key)} belongs to another project, not ${genesis.cid}`, ...about(at) });
    }
    return genesis;
  }

}
