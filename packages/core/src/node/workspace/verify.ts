import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecodedRecord } from '../../record/encoding.js';
import { auditGovernance } from '../../contracts/audit.js';
import { MemoryRecordStore } from '../../ledger/record-store.js';
import { verifyBlocks, verifyDecodedSignature, type Finding, type RawBlock, type VerifyReport } from '../../ledger/verify.js';
import type { MerkleTree } from '../../transparency/merkle.js';
import { collectCheckpointedFeeds, verifyCheckpointFiles } from '../checkpoint-files.js';
import { feedBlocks } from '../feed-blocks.js';
import { parallelSignatureVerifier } from '../parallel-verify.js';
import { unsafeReason } from '../safe-files.js';
import { locateProject } from './project-files.js';
import type { LedgerEntry } from '../../attribution/classes.js';
import { unattributableRecords } from '../../attribution/write-check.js';
import type { VerifyWorkspaceOptions } from './interface.js';

/** Below this many records, checking signatures one by one beats setting up parallel checks. */
const PARALLEL_FROM_RECORDS = 1000;

/** Checks a batch of signatures, in worker threads when the batch is large enough to pay for them. */
export function signatureChecker(): (records: DecodedRecord[]) => Promise<boolean[]> {
  const parallel = parallelSignatureVerifier();
  return async (records) => (records.length >= PARALLEL_FROM_RECORDS ? parallel(records) : records.map(verifyDecodedSignature));
}

/** The entries of `.colophon/` Colophon reads: a link or a wrong type in their place is a finding. */
const WATCHED: [string, 'file' | 'directory'][] = [
  ['project.json', 'file'],
  ['local.json', 'file'],
  ['feeds', 'directory'],
  ['checkpoints', 'directory'],
  ['blobs', 'directory'],
  ['ca', 'directory'],
];

/**
 * Verifies the project at or above `from` from the raw feed files, trusting nothing on disk:
 * signatures, chains, forks, links, checkpoints, no links planted in `.colophon/`, and governance
 * (contracts/audit.ts: roles by causality, settlements that stand, concurrent versions).
 */
export async function verifyWorkspace(from: string, options: VerifyWorkspaceOptions = {}): Promise<VerifyReport> {
  const { dir, genesis } = await locateProject(from);
  const readProblems: Finding[] = [];
  for (const [name, expect] of WATCHED) {
    const path = join(dir, name);
    // feeds/ is checked (and its files) as it is read.
    if (name === 'feeds') continue;
    const problem = await unsafeReason(path, expect);
    if (problem) readProblems.push({ code: 'unsafe-path', source: path, message: `${path} ${problem}; Colophon never follows links inside .colophon/` });
  }
  const progress = options.progress;
  let bytesRead = 0;
  progress?.start(await feedBytes(dir));
  const feedTrees = new Map<string, MerkleTree>();
  async function* counted(): AsyncGenerator<RawBlock> {
    for await (const block of collectCheckpointedFeeds(dir, feedBlocks(dir, (finding) => readProblems.push(finding), { project: genesis }), feedTrees)) {
      bytesRead += block.bytes.length + block.cid.bytes.length + 2;
      yield block;
    }
  }
  const verified: DecodedRecord[] = [];
  const report = await verifyBlocks(counted(), { genesis, onProgress: () => progress?.update(bytesRead), verifySignatures: signatureChecker(), onRecord: (record) => verified.push(record) });
  progress?.stop();
  report.findings.unshift(...readProblems);
  report.findings.push(...(await verifyCheckpointFiles(dir, feedTrees, { genesis })));
  // Governance and attribution are judged on a ledger whose records check out: who signed what
  // they were entitled to, which settlements stand, and which records attribution must skip. They
  // read the records the pass above decoded and verified, from memory: the feeds are not read or
  // decoded again. A claimed time in the future is no structural damage, so it does not hold these
  // audits back.
  if (report.findings.every((f) => f.code === 'future-time')) {
    const feeds = new MemoryRecordStore();
    // In feed order, as read: a ledger without structural findings extends every feed in turn.
    for (const record of verified) await feeds.append(record);
    report.findings.push(...unattributableFindings(verified));
    report.findings.push(...(await auditGovernance(feeds, genesis)));
  }
  report.ok = report.findings.length === 0;
  return report;
}

function unattributableFindings(entries: readonly LedgerEntry[]): Finding[] {
  return unattributableRecords(entries).map(({ record, asset, reason }) => ({
    code: 'unattributable' as const,
    message: `${asset}: ${reason}; attribution skips it`,
    cid: record.toString(),
  }));
}

async function feedBytes(dir: string): Promise<number> {
  const feeds = join(dir, 'feeds');
  let total = 0;
  for (const name of await readdir(feeds).catch(() => [])) total += await stat(join(feeds, name)).then((s) => s.size, () => 0);
  return total;
}
