// What the report shows beyond the ledger's facts (core's collectReport): the work itself from the
// asset's file (its text, or the image), the file's Content Credentials read with the C2PA SDK,
// whether the file is the version recorded, and whether the whole ledger verifies.
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { LedgerView, contentCid, utf8Decode, type CID } from '@colophon/core';
import { collectReport, type CredentialFact, type ReportData, type WorkContent } from '@colophon/core/report';
import { verifyWorkspace } from '../commands/verify.js';
import { identityNames, type Workspace } from '../workspace.js';

/** Images larger than this are not embedded (the page would grow past what a browser opens quickly). */
export const MAX_EMBEDDED_IMAGE_BYTES = 8 * 1024 * 1024;
/** Texts larger than this are not read (the map still gives the shares). */
export const MAX_SHOWN_TEXT_BYTES = 4 * 1024 * 1024;

/** A path as people know it: relative to the project folder when inside it. */
function shown(ws: Workspace, path: string): string {
  const inside = relative(ws.root, path);
  return inside.startsWith('..') ? path : inside;
}

/** The bridge (C2PA SDK) loads only when there is a file to read. */
async function readFileCredentials(ws: Workspace, path: string, bytes: Uint8Array): Promise<CredentialFact | { note: string }> {
  const bridge = await import('@colophon/c2pa-bridge');
  let format;
  try {
    format = bridge.assetFormat(path, bytes);
  } catch (error) {
    return { note: (error as Error).message };
  }
  const sidecar = format.carriage === 'sidecar' ? await readFile(bridge.sidecarPathFor(path)).then((b) => new Uint8Array(b)).catch(() => undefined) : undefined;
  const anchors = await new bridge.ProjectCa(ws.dir).anchorPem().catch(() => undefined);
  const report = await bridge.readCredentials({ fileName: path, bytes, ...(sidecar ? { sidecar } : {}), ...(anchors ? { anchors } : {}) });
  const fact: CredentialFact = {
    source: format.carriage === 'sidecar' ? `${shown(ws, path)} (sidecar ${sidecar ? 'found' : 'not found'})` : shown(ws, path),
    state: report.state === 'Valid' && report.untrusted ? 'Valid, signer untrusted' : report.state,
    explanation: bridge.explainState(report),
    codes: report.failures.map((f) => f.code),
  };
  if (report.claimGenerator) fact.claimGenerator = report.claimGenerator;
  const signer = report.signer?.commonName ?? report.signer?.issuer;
  if (signer) fact.signer = signer;
  return fact;
}

/** PNG and JPEG by their first bytes (a name can lie). */
function imageMime(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/**
 * The work as the report shows it: the text when the file is the version the map describes (else
 * the colours would sit on the wrong characters), or the image.
 */
function workOf(data: ReportData, path: string, bytes: Uint8Array, version: CID | undefined): WorkContent {
  const mime = imageMime(bytes);
  if (mime) {
    if (bytes.length > MAX_EMBEDDED_IMAGE_BYTES) return { note: `${basename(path)} is larger than ${MAX_EMBEDDED_IMAGE_BYTES / 1024 / 1024} MB and is not embedded` };
    const work: WorkContent = { image: { mime, base64: Buffer.from(bytes).toString('base64') } };
    if (version && !contentCid(bytes).equals(version)) work.note = 'The file on disk has changed since this version was recorded; the image shows the file as it is now.';
    return work;
  }
  if (!data.attribution?.textMap) return {};
  if (bytes.length > MAX_SHOWN_TEXT_BYTES) return { note: `the file is larger than ${MAX_SHOWN_TEXT_BYTES / 1024 / 1024} MB` };
  if (!data.attribution.out || !contentCid(bytes).equals(data.attribution.out)) return { note: 'the file on disk is not the version the records describe' };
  try {
    return { text: utf8Decode(bytes) };
  } catch {
    return { note: 'the file is not UTF-8 text' };
  }
}

export interface GatherOptions {
  asset: string;
  /** A record to report on instead of the asset's current version. */
  record?: CID;
  /** The exported file to read Content Credentials from (default: the asset's own file). */
  file?: string;
  now?: number;
}

export async function gatherReport(cwd: string, ws: Workspace, options: GatherOptions): Promise<ReportData> {
  const view = await LedgerView.load(ws.feeds);
  const data = collectReport(view, {
    asset: options.asset,
    ...(options.record ? { record: options.record } : {}),
    names: await identityNames(ws.keys),
    project: { name: ws.project.name, genesis: ws.project.id },
    now: options.now ?? Date.now(),
  });
  const { asset, graph } = data;
  const own = asset.startsWith('file:') ? join(ws.root, asset.slice('file:'.length)) : undefined;
  const ownBytes = own && (await stat(own).then((s) => s.isFile(), () => false)) ? new Uint8Array(await readFile(own)) : undefined;
  if (own && ownBytes) {
    data.work = workOf(data, own, ownBytes, graph.target.record.out);
    if (graph.target.record.out) data.file = { path: own, matches: contentCid(ownBytes).equals(graph.target.record.out) };
  } else if (own) data.work = { note: `${shown(ws, own)} is not in the project folder` };

  const credentialsFrom = options.file ? resolve(cwd, options.file) : own;
  const credentialBytes = options.file ? await readFile(credentialsFrom!).then((b) => new Uint8Array(b), () => undefined) : ownBytes;
  if (credentialsFrom && credentialBytes) {
    try {
      const read = await readFileCredentials(ws, credentialsFrom, credentialBytes);
      if ('note' in read) data.credentialNote = read.note;
      else data.credentials.unshift(read);
    } catch (error) {
      data.credentialNote = `could not read Content Credentials from ${credentialsFrom}: ${(error as Error).message}`;
    }
  } else if (options.file) data.credentialNote = `${credentialsFrom} does not exist`;

  const report = await verifyWorkspace(cwd);
  data.verification = { ok: report.ok, records: report.records, feeds: report.feeds, findings: report.findings.map((f) => ({ code: f.code, message: f.message })) };
  return data;
}
