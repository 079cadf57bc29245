import type { CID } from 'multiformats/cid';
import { recordCid } from '../cid.js';
import { decodeRecord, type DecodedRecord } from '../record/encoding.js';
import { verifySignature } from '../identity/identity.js';
import { signedMessageOf } from '../record/signed-message.js';
import { ROLE_REQUIRED, RoleBook } from './roles.js';

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
  | 'no-genesis';

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
  /** Checks signatures in bulk (e.g. on worker threads); default checks them one by one here. */
  verifySignatures?: (records: DecodedRecord[]) => Promise<boolean[]>;
  /** Reading counts blocks as they arrive (total unknown); checking counts signatures of a known total. */
  onProgress?: (phase: 'reading' | 'checking', done: number, total?: number) => void;
}

const SIGNATURE_CHUNK = 4096;

/** Checks one decoded record's signature over its own bytes. */
export function verifyDecodedSignature({ record, bytes }: DecodedRecord): boolean {
  return verifySignature(record.by, signedMessageOf(bytes), record.sig);
}

/**
 * Checks a whole ledger from raw blocks and reports every problem with its feed, seq and CID:
 * bytes vs CID, record rules, signatures, per-signer seq/prev chains, equivocation, links,
 * project membership and roles.
 */
export async function verifyBlocks(blocks: AsyncIterable<RawBlock> | Iterable<RawBlock>, options: VerifyOptions = {}): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const decoded: { record: DecodedRecord; source: string }[] = [];
  const known = new Set<string>();
  let count = 0;
  for await (const block of blocks) {
    count++;
    const where = `${block.source} @${block.position}`;
    const claimed = block.cid.toString();
    if (recordCid(block.bytes).toString() !== claimed) {
      findings.push({ code: 'cid-mismatch', message: `${where}: bytes do not match CID ${claimed}`, source: block.source, cid: claimed });
      continue;
    }
    try {
      const record = decodeRecord(block.bytes, where);
      const key = record.cid.toString();
      if (known.has(key)) continue;
      known.add(key);
      decoded.push({ record, source: block.source });
    } catch (error) {
      findings.push({ code: 'invalid-record', message: (error as Error).message, source: block.source, cid: claimed });
    }
    if (count % 1000 === 0) options.onProgress?.('reading', count);
  }
  const check = options.verifySignatures ?? (async (batch: DecodedRecord[]) => batch.map(verifyDecodedSignature));
  const signatureOk: boolean[] = [];
  for (let i = 0; i < decoded.length; i += SIGNATURE_CHUNK) {
    signatureOk.push(...(await check(decoded.slice(i, i + SIGNATURE_CHUNK).map((d) => d.record))));
    options.onProgress?.('checking', Math.min(i + SIGNATURE_CHUNK, decoded.length), decoded.length);
  }
  const good: { record: DecodedRecord; source: string }[] = [];
  decoded.forEach((entry, i) => {
    const { record, cid } = entry.record;
    if (signatureOk[i]) good.push(entry);
    else findings.push({ code: 'bad-signature', message: `${entry.source}: record ${cid} (seq ${record.seq}) has an invalid signature`, source: entry.source, signer: record.by, seq: record.seq, cid: cid.toString() });
  });

  const feeds = new Map<string, { record: DecodedRecord; source: string }[]>();
  for (const entry of good) {
    const list = feeds.get(entry.record.record.by) ?? [];
    list.push(entry);
    feeds.set(entry.record.record.by, list);
  }
  for (const [signer, list] of feeds) checkChain(signer, list, findings);

  const genesis = checkProject(good, options.genesis, findings);
  if (genesis) checkRoles(genesis, good, findings);
  for (const { record, source } of good) {
    for (const link of record.record.links ?? []) {
      if (!known.has(link.toString())) {
        findings.push({ code: 'missing-link', message: `${source}: record ${record.cid} (seq ${record.record.seq}) links ${link}, which is not in the ledger`, source, signer: record.record.by, seq: record.record.seq, cid: record.cid.toString() });
      }
    }
  }
  return { ok: findings.length === 0, records: count, feeds: feeds.size, findings };
}

function checkChain(signer: string, list: { record: DecodedRecord; source: string }[], findings: Finding[]): void {
  list.sort((a, b) => a.record.record.seq - b.record.record.seq);
  const bySeq = new Map<number, DecodedRecord>();
  for (const { record, source } of list) {
    const { seq } = record.record;
    const other = bySeq.get(seq);
    if (other) {
      findings.push({ code: 'equivocation', message: `${signer} signed two different records at seq ${seq}: ${other.cid} and ${record.cid}`, source, signer, seq, cid: record.cid.toString() });
      continue;
    }
    bySeq.set(seq, record);
  }
  for (const { record, source } of list) {
    const { seq, prev } = record.record;
    if (seq === 0) continue;
    const before = bySeq.get(seq - 1);
    if (!before) {
      findings.push({ code: 'broken-chain', message: `${source}: record ${record.cid} of ${signer} at seq ${seq} follows a missing seq ${seq - 1}`, source, signer, seq, cid: record.cid.toString() });
    } else if (!prev?.equals(before.cid)) {
      findings.push({ code: 'broken-chain', message: `${source}: record ${record.cid} of ${signer} at seq ${seq} has prev ${prev} but seq ${seq - 1} is ${before.cid}`, source, signer, seq, cid: record.cid.toString() });
    }
  }
}

function checkProject(good: { record: DecodedRecord; source: string }[], expected: CID | undefined, findings: Finding[]): DecodedRecord | undefined {
  const geneses = good.filter((g) => g.record.record.kind === 'project.genesis');
  const genesis = expected ? geneses.find((g) => g.record.cid.equals(expected))?.record : geneses[0]?.record;
  if (!genesis) {
    findings.push({ code: 'no-genesis', message: expected ? `the project's genesis record ${expected} is not in the ledger` : 'the ledger holds no project genesis record' });
    return undefined;
  }
  for (const { record, source } of good) {
    if (record === genesis) continue;
    if (!record.record.proj?.equals(genesis.cid)) {
      findings.push({ code: 'wrong-project', message: `${source}: record ${record.cid} belongs to project ${record.record.proj ?? '(none)'}, not ${genesis.cid}`, source, signer: record.record.by, seq: record.record.seq, cid: record.cid.toString() });
    }
  }
  return genesis;
}

function checkRoles(genesis: DecodedRecord, good: { record: DecodedRecord; source: string }[], findings: Finding[]): void {
  const roles = new RoleBook(genesis.record.by);
  for (const { record } of good) roles.apply(record.record);
  for (const { record, source } of good) {
    const required = ROLE_REQUIRED[record.record.kind];
    if (required && !roles.holds(record.record.by, required, record.record.at)) {
      findings.push({ code: 'role-not-held', message: `${source}: ${record.record.kind} record ${record.cid} needs role "${required}", which ${record.record.by} did not hold at ${new Date(record.record.at).toISOString()}`, source, signer: record.record.by, seq: record.record.seq, cid: record.cid.toString() });
    }
  }
}
