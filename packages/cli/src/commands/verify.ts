import cliProgress from 'cli-progress';
import { verifyWorkspace as verifyProject, type VerifyProgress, type VerifyReport } from '@colophon/core/node';
import { CheckFailedError } from '../errors.js';
import { counted, printJson, type Io } from '../output.js';

/** The project at or above `cwd`, verified from its raw feed files (see @colophon/core/node). */
export function verifyWorkspace(cwd: string, progress?: VerifyProgress): Promise<VerifyReport> {
  return verifyProject(cwd, progress ? { progress } : {});
}

/** A bar on stderr, only when a person is watching a terminal. */
function progressBar(io: Io): VerifyProgress | undefined {
  if (!io.isTty) return undefined;
  const bar = new cliProgress.SingleBar({ format: 'verifying [{bar}] {percentage}% | {duration}s', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  return { start: (total) => bar.start(total, 0), update: (bytes) => bar.update(bytes), stop: () => bar.stop() };
}

export async function verify(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const report = await verifyWorkspace(cwd, progressBar(io));
  if (options.json) printJson(io, report);
  else if (report.ok) io.out(`Verified ${counted(report.records, 'record')} in ${counted(report.feeds, 'feed')}: every signature, chain, link and role checks out, and every settlement stands.`);
  else {
    io.out(`Verification FAILED: ${report.findings.length} problem(s) in ${report.records} records:`);
    for (const finding of report.findings) io.out(`  [${finding.code}] ${finding.message}`);
  }
  if (!report.ok) throw new CheckFailedError(options.json ? '' : 'the ledger did not verify');
}
