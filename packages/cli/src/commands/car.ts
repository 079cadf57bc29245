import { mkdir, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { verifyBlocks, type DecodedRecord, type Finding, type RawBlock, decodeRecord, Project } from '@colophon/core';
import { CarFeedStore, carBlock, carHeader, feedBlocks, parseCarHeader, readSections, splitBlock, writeFileAtomic } from '@colophon/core/node';
import { CheckFailedError, UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { COLOPHON_DIR, findRoot, locateProject, openWorkspace, writeProjectFiles } from '../workspace.js';

/** Bounds what an import will read: a CAR is untrusted input. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024;

export async function exportCar(cwd: string, options: { out?: string; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const records: DecodedRecord[] = [];
  for await (const record of ws.feeds.records()) records.push(record);
  const heads = [];
  for (const signer of await ws.feeds.signers()) heads.push((await ws.feeds.head(signer))!.cid);
  const parts = [carHeader(heads), ...records.map((r) => carBlock(r.cid, r.bytes))];
  const out = resolve(cwd, options.out ?? `${ws.project.name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.car`);
  const bytes = Buffer.concat(parts);
  await writeFileAtomic(out, bytes);
  if (options.json) return printJson(io, { file: out, records: records.length, feeds: heads.length, roots: heads, bytes: bytes.length });
  io.out(`Wrote ${records.length} records from ${heads.length} feeds to ${out} (${bytes.length} bytes).`);
  io.out('Any IPFS node imports it as is (e.g. "ipfs dag import"); roots are the feed heads.');
}

/** Reads a CAR's blocks, strictly; damage is an error naming the file and byte. */
async function readCar(file: string): Promise<RawBlock[]> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  if (size > MAX_IMPORT_BYTES) throw new UsageError(`${file} is ${size} bytes, above the ${MAX_IMPORT_BYTES}-byte import limit`);
  const handle = await open(file, 'r');
  const blocks: RawBlock[] = [];
  try {
    const sections = readSections(handle, file, 0, size);
    let step = await sections.next();
    if (step.done) throw new CheckFailedError(`${file} is not a CAR file (no header)`);
    try {
      parseCarHeader(step.value.body);
    } catch (error) {
      throw new CheckFailedError(`${file}: not a CARv1 file: ${(error as Error).message}`);
    }
    for (step = await sections.next(); !step.done; step = await sections.next()) {
      const { cid, data } = splitBlock(step.value.body);
      blocks.push({ source: file, position: step.value.offset, cid, bytes: data });
    }
    if (step.value.torn) throw new CheckFailedError(`${file}: incomplete block at byte ${step.value.end}`);
  } catch (error) {
    if (error instanceof CheckFailedError) throw error;
    throw new CheckFailedError(`${file}: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
  return blocks;
}

export async function importCar(cwd: string, file: string, options: { json?: boolean }, io: Io): Promise<void> {
  const imported = await readCar(resolve(cwd, file));
  const root = await findRoot(cwd);
  const local: RawBlock[] = [];
  const readProblems: Finding[] = [];
  let genesis;
  if (root) {
    const location = await locateProject(cwd);
    genesis = location.genesis;
    for await (const block of feedBlocks(location.dir, (f) => readProblems.push(f), { project: genesis })) local.push(block);
  } else {
    const geneses = imported.filter((b) => decodeKind(b) === 'project.genesis');
    if (geneses.length !== 1) throw new CheckFailedError(`${file} holds ${geneses.length} project genesis records; expected exactly one to start a project from`);
    genesis = geneses[0]!.cid;
  }
  // Everything is verified together before anything is stored: a CAR that forks a feed, breaks a
  // chain or belongs to another project leaves the ledger untouched.
  const report = await verifyBlocks([...local, ...imported], { genesis });
  report.findings.unshift(...readProblems);
  // A claimed time is evidence, not structure: a record dated in the future is stored (verify keeps
  // flagging it, and nothing orders by it); everything else refuses the whole file.
  const warnings = report.findings.filter((f) => f.code === 'future-time');
  report.findings = report.findings.filter((f) => f.code !== 'future-time');
  if (report.findings.length > 0) {
    if (options.json) printJson(io, { imported: 0, findings: report.findings });
    else {
      io.out(`Refused to import ${file}: ${report.findings.length} problem(s); nothing was stored.`);
      for (const finding of report.findings) io.out(`  [${finding.code}] ${finding.message}`);
    }
    throw new CheckFailedError('');
  }
  const dir = join(root ?? resolve(cwd), COLOPHON_DIR);
  await mkdir(dir, { recursive: true });
  const feeds = await CarFeedStore.open(dir);
  const fresh: DecodedRecord[] = [];
  for (const block of imported) {
    if (!(await feeds.get(block.cid)) && !fresh.some((r) => r.cid.equals(block.cid))) fresh.push(decodeRecord(block.bytes, `${file} @${block.position}`));
  }
  fresh.sort((a, b) => (a.record.by < b.record.by ? -1 : a.record.by > b.record.by ? 1 : a.record.seq - b.record.seq));
  await feeds.appendMany(fresh);
  if (!root) {
    const project = Project.open((await feeds.get(genesis))!, feeds);
    await writeProjectFiles(dir, project.id.toString(), undefined);
  }
  if (options.json) return printJson(io, { imported: fresh.length, alreadyPresent: imported.length - fresh.length, warnings });
  io.out(`Imported ${fresh.length} new records (${imported.length - fresh.length} already present); the ledger verifies${warnings.length > 0 ? ', but:' : '.'}`);
  for (const warning of warnings) io.out(`  [${warning.code}] ${warning.message}`);
}

function decodeKind(block: RawBlock): string | undefined {
  try {
    return decodeRecord(block.bytes).record.kind;
  } catch {
    return undefined;
  }
}
