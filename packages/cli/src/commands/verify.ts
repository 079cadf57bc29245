import cliProgress from 'cli-progress';
import { verifyBlocks, verifyDecodedSignature, type Finding, type VerifyOptions, type VerifyReport } from '@colophon/core';
import { feedBlocks, parallelSignatureVerifier } from '@colophon/core/node';
import { CheckFailedError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { locateProject } from '../workspace.js';

/** Below this many records, checking signatures one by one beats setting up parallel checks. */
const PARALLEL_FROM_RECORDS = 1000;

export async function verifyWorkspace(cwd: string, onProgress?: VerifyOptions['onProgress']): Promise<VerifyReport> {
  // Verification trusts nothing on disk, so it reads the raw feed files rather than opening the store.
  const { dir, genesis } = await locateProject(cwd);
  const readProblems: Finding[] = [];
  const parallel = parallelSignatureVerifier();
  const report = await verifyBlocks(feedBlocks(dir, (finding) => readProblems.push(finding)), {
    genesis,
    onProgress,
    verifySignatures: async (records) => (records.length >= PARALLEL_FROM_RECORDS ? parallel(records) : records.map(verifyDecodedSignature)),
  });
  report.findings.unshift(...readProblems);
  report.ok = report.findings.length === 0;
  return report;
}


function progressBar(io: Io): VerifyOptions['onProgress'] {
  if (!io.isTty) return undefined;
  const bar = new cliProgress.SingleBar({ format: 'verifying {phase} [{bar}] {value}/{total}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return (phase, done, total) => {
    if (phase === 'reading') return;
    if (!started) {
      bar.start(total ?? done, 0, { phase: 'signatures' });
      started = true;
    }
    bar.update(done);
    if (total !== undefined && done >= total) bar.stop();
  };
}

export async function verify(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const report = await verifyWorkspace(cwd, progressBar(io));
  if (options.json) printJson(io, report);
  else if (report.ok) io.out(`Verified ${report.records} records in ${report.feeds} feeds: every signature, chain, link and role checks out.`);
  else {
    io.out(`Verification FAILED: ${report.findings.length} problem(s) in ${report.records} records:`);
    for (const finding of report.findings) io.out(`  [${finding.code}] ${finding.message}`);
  }
  if (!report.ok) throw new CheckFailedError(options.json ? '' : 'the ledger did not verify');
}
