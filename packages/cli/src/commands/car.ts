import { resolve } from 'node:path';
import { exportCar as exportLedger, importCar as importLedger, WorkspaceError } from '@colophon/core/node';
import { CheckFailedError } from '../errors.js';
import { counted, printJson, type Io } from '../output.js';
import { openWorkspace } from '../workspace.js';

export async function exportCar(cwd: string, options: { out?: string; force?: boolean; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const out = resolve(cwd, options.out ?? `${ws.project.name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.car`);
  const result = await exportLedger(ws, out, { force: options.force === true });
  if (options.json) return printJson(io, result);
  io.out(`Wrote ${counted(result.records, 'record')} from ${counted(result.feeds, 'feed')} to ${result.file} (${result.bytes} bytes).`);
  io.out('Any IPFS node imports it as is (e.g. "ipfs dag import"); roots are the feed heads.');
}

export async function importCar(cwd: string, file: string, options: { json?: boolean }, io: Io): Promise<void> {
  let result;
  try {
    result = await importLedger(cwd, file);
  } catch (error) {
    if (!(error instanceof WorkspaceError) || error.kind !== 'refused') throw error;
    if (options.json) printJson(io, { imported: 0, findings: error.findings });
    else {
      io.out(`Refused to import ${file}: ${error.findings.length} problem(s); nothing was stored.`);
      for (const finding of error.findings) io.out(`  [${finding.code}] ${finding.message}`);
    }
    throw new CheckFailedError(options.json ? '' : `refused to import ${file}`);
  }
  if (options.json) return printJson(io, { imported: result.imported, alreadyPresent: result.alreadyPresent, ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}) });
  io.out(`Imported ${counted(result.imported, 'new record')} (${result.alreadyPresent} already present); the ledger verifies${result.warnings.length > 0 ? ', but:' : '.'}`);
  for (const warning of result.warnings) io.out(`  [${warning.code}] ${warning.message}`);
}
