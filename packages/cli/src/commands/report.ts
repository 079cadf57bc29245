// colophon report --asset A --out report.html: one self-contained HTML page about an asset version
// (lineage drawn, timeline, shares, checks, gates and payout, Content Credentials, verification).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LineageError, parseCid, type CID } from '@colophon/core';
import { checkOutputPath, writeFileAtomic } from '@colophon/core/node';
import { translateErrors, UsageError } from '../errors.js';
import { forceOption, jsonOption } from '../options.js';
import { printJson, type Io } from '../output.js';
import { drawnPart, lineageDot, reportPage } from '@colophon/core/report';
import { gatherReport } from '../report/data.js';
import { renderSvg } from '../report/graph.js';
import { openWorkspace } from '../workspace.js';

export interface ReportOptions {
  asset: string;
  out?: string;
  force?: boolean;
  record?: string;
  file?: string;
  json?: boolean;
}

export async function report(cwd: string, options: ReportOptions, io: Io): Promise<string> {
  let record: CID | undefined;
  if (options.record !== undefined) {
    try {
      record = parseCid(options.record, '--record');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const path = await checkOutputPath(resolve(cwd, options.out ?? 'report.html'), { force: options.force === true });
  const ws = await openWorkspace(cwd);
  const data = await translateErrors(() => gatherReport(cwd, ws, { asset: options.asset, ...(record ? { record } : {}), ...(options.file !== undefined ? { file: options.file } : {}) }), { usage: [LineageError] });
  const drawn = drawnPart(data.graph);
  const svg = await renderSvg(lineageDot(drawn.graph, data.names, data.side));
  const html = reportPage(data, { svg, notDrawn: drawn.left });
  await writeFileAtomic(path, html);
  if (options.json) printJson(io, { file: path, asset: data.asset, version: data.graph.target.cid, records: data.graph.nodes.length, verified: data.verification?.ok, bytes: Buffer.byteLength(html) });
  else io.out(`Wrote the report on ${data.asset} (${data.graph.nodes.length} records, ledger ${data.verification?.ok ? 'verified' : 'NOT verified'}) to ${path}. Open it in any browser; it needs no network.`);
  return path;
}

export function registerReportCommand(program: Command, cwd: string, io: Io): void {
  program
    .command('report')
    .description('one self-contained HTML page about an asset: its lineage drawn, timeline, human/AI shares, checks, gates, payout, Content Credentials and verification')
    .requiredOption('--asset <asset>', 'the asset, e.g. file:post.md')
    .option('--out <file>', 'where to write', 'report.html')
    .addOption(forceOption())
    .option('--record <cid>', 'report on this version instead of the current one')
    .option('--file <file>', 'the exported file to read Content Credentials from (default: the asset file itself)')
    .addOption(jsonOption())
    .action(async (o: ReportOptions) => {
      await report(cwd, o, io);
    });
}
