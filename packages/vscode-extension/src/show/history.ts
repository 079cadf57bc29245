// The history webview: the asset's report, rendered by @colophon/core/report (the same facts and
// sections as `colophon report`), from the ledger the extension writes to. What needs the CLI's
// tools is left to "Colophon: Open report": the lineage drawing (Graphviz) and the file's Content
// Credentials (the C2PA SDK); the page says so.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerView, contentCid, utf8Decode, type CID } from '@colophon/core';
import { verifyWorkspace } from '@colophon/core/node';
import { collectReport, reportPage, type WorkContent } from '@colophon/core/report';
import type { WorkspaceLedger } from '../ledger/ledgers.js';

/** Texts larger than this are not shown in the page (the shares still are). */
const MAX_SHOWN_TEXT_BYTES = 4 * 1024 * 1024;

/** The saved file's text when it is the version the map describes (else the colours would sit on the wrong characters). */
async function workOf(path: string, version: CID | undefined): Promise<WorkContent> {
  const bytes = await readFile(path).then((b) => new Uint8Array(b), () => undefined);
  if (!bytes) return { note: 'the file is not on disk' };
  if (bytes.length > MAX_SHOWN_TEXT_BYTES) return { note: `the file is larger than ${MAX_SHOWN_TEXT_BYTES / 1024 / 1024} MB` };
  if (!version || !contentCid(bytes).equals(version)) return { note: 'the file on disk is not the version the records describe (save it, or wait for the burst to be written)' };
  try {
    return { text: utf8Decode(bytes) };
  } catch {
    return { note: 'the file is not UTF-8 text' };
  }
}

export async function historyHtml(ledger: WorkspaceLedger, asset: string): Promise<string> {
  const ws = ledger.workspace;
  const view = await LedgerView.load(ws.feeds);
  const names = new Map((await ws.keys.list()).map(({ name, did }) => [did, name] as const));
  const data = collectReport(view, { asset, names, project: { name: ws.project.name, genesis: ws.project.id }, now: Date.now() });
  if (data.attribution?.textMap && asset.startsWith('file:')) data.work = await workOf(join(ws.root, asset.slice('file:'.length)), data.attribution.out);
  data.credentialNote = 'Content Credentials are read with the C2PA SDK by "Colophon: Open report" (the colophon CLI), not in this view.';
  const report = await verifyWorkspace(ws.root);
  data.verification = { ok: report.ok, records: report.records, feeds: report.feeds, findings: report.findings.map((f) => ({ code: f.code, message: f.message })) };
  return reportPage(data);
}
