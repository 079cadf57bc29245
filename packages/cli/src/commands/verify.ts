import cliProgress from 'cli-progress';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { auditGovernance, verifyBlocks, verifyDecodedSignature, type Finding, type MerkleTree, type RawBlock, type VerifyReport } from '@colophon/core';
import { collectCheckpointedFeeds, feedBlocks, parallelSignatureVerifier, verifyCheckpointFiles } from '@colophon/core/node';
import { CheckFailedError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { locateProject, openWorkspace } from '../workspace.js';

/** Below this many records, checking signatures one by one beats setting up parallel checks. */
const PARALLEL_FROM_RECORDS = 1000;

export async function verifyWorkspace(cwd: string, progress?: Progress): Promise<VerifyReport> {
  // Verification trusts nothing on disk, so it reads the raw feed files rather than opening the store.
  const { dir, genesis } = await locateProject(cwd);
  const readProblems: Finding[] = [];
  const parallel = parallelSignatureVerifier();
  let bytesRead = 0;
  progress?.start(await feedBytes(dir));
  const feedTrees = new Map<string, MerkleTree>();
  async function* counted(): AsyncGenerator<RawBlock> {
    for await (const block of collectCheckpointedFeeds(dir, feedBlocks(dir, (finding) => readProblems.push(finding), { project: genesis }), feedTrees)) {
      bytesRead += block.bytes.length + block.cid.bytes.length + 2;
      yield block;
    }
  }
  const report = await verifyBlocks(counted(), {
    genesis,
    onProgress: () => progress?.update(bytesRead),
    verifySignatures: async (records) => (records.length >= PARALLEL_FROM_RECORDS ? parallel(records) : records.map(verifyDecodedSignature)),
  });
  progress?.stop();
  report.findings.unshift(...readProblems);
  report.findings.push(...(await verifyCheckpointFiles(dir, feedTrees, { genesis })));
  // Governance is judged on a ledger whose records check out (opening the store then changes
  // nothing on disk): who signed what they were entitled to, which settlements stand.
  if (report.findings.every((f) => f.code === 'future-time')) report.findings.push(...(await auditGovernance((await openWorkspace(cwd)).feeds, genesis)));
  report.ok = report.findings.length === 0;
  return report;
}

async function feedBytes(dir: string): Promise<number> {
  const feeds = join(dir, 'feeds');
  let total = 0;
  for (const name of await readdir(feeds).catch(() => [])) total += (await stat(join(feeds, name))).size;
  return total;
}

interface Progress {
  start(totalBytes: number): void;
  update(bytes: number): void;
  stop(): void;
}

/** A bar on stderr, only when a person is watching a terminal. */
function progressBar(io: Io): Progress | undefined {
  if (!io.isTty) return undefined;
  const bar = new cliProgress.SingleBar({ format: 'verifying [{bar}] {percentage}% | {duration}s', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  return { start: (total) => bar.start(total, 0), update: (bytes) => bar.update(bytes), stop: () => bar.stop() };
}

export async function verify(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const report = await verifyWorkspace(cwd, progressBar(io));
  if (options.json) printJson(io, report);
  else if (report.ok) io.out(`Verified ${report.records} records in ${report.feeds} feeds: every signature, chain, link and role checks out, and every settlement stands.`);
  else {
    io.out(`Verification FAILED: ${report.findings.length} problem(s) in ${report.records} records:`);
    for (const finding of report.findings) io.out(`  [${finding.code}] ${finding.message}`);
  }
  if (!report.ok) throw new CheckFailedError(options.json ? '' : 'the ledger did not verify');
}
