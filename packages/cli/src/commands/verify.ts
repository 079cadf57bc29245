import { verifyBlocks, type Finding, type VerifyReport } from '@colophon/core';
import { feedBlocks } from '@colophon/core/node';
import { printJson, type Io } from '../output.js';
import { locateProject } from '../workspace.js';
import { CheckFailedError } from '../errors.js';

export async function verifyWorkspace(cwd: string): Promise<VerifyReport> {
  // Verification trusts nothing on disk, so it reads the raw feed files rather than opening the store.
  const { dir, genesis } = await locateProject(cwd);
  const readProblems: Finding[] = [];
  const report = await verifyBlocks(feedBlocks(dir, (finding) => readProblems.push(finding)), { genesis });
  report.findings.unshift(...readProblems);
  report.ok = report.findings.length === 0;
  return report;
}

export async function verify(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const report = await verifyWorkspace(cwd);
  if (options.json) printJson(io, report);
  else if (report.ok) io.out(`Verified ${report.records} records in ${report.feeds} feeds: every signature, chain, link and role checks out.`);
  else {
    io.out(`Verification FAILED: ${report.findings.length} problem(s) in ${report.records} records:`);
    for (const finding of report.findings) io.out(`  [${finding.code}] ${finding.message}`);
  }
  if (!report.ok) throw new CheckFailedError(options.json ? '' : 'the ledger did not verify');
}
