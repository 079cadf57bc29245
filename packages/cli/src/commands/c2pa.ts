/**
 * Content Credentials (C2PA) commands: a project CA, export of an asset's credentials from the
 * ledger, verification, ingest of outside files' credentials, and a readable inspection. The work
 * is done by @colophon/c2pa-bridge; this file only parses options, reads and writes files and
 * words the results for people.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { contentCid, isDidKey, openFeedCheckpoint, sourceTypeWords, type CID, type DecodedRecord } from '@colophon/core';
import { checkOutputPath, listCheckpointFiles, writeFileAtomic } from '@colophon/core/node';
import type * as BridgeModule from '@colophon/c2pa-bridge';
import type { CredentialReport, FeedCheckpointRef, IngredientFact, LedgerAssertion } from '@colophon/c2pa-bridge';
import { cannotRead, CheckFailedError, translateErrors, UsageError } from '../errors.js';
import { asOption, forceOption, jsonOption } from '../options.js';
import { describeRecord } from '../describe.js';
import { formatTime, printJson, shortCid, type Io } from '../output.js';
import { COLOPHON_DIR, findRoot, identityNames, openWorkspace, signingIdentity, type Workspace } from '../workspace.js';

/**
 * The bridge (C2PA SDK bindings, X.509) is loaded on first use: every other colophon command
 * starts without paying for it.
 */
let bridge: typeof BridgeModule | undefined;
async function loadBridge(): Promise<typeof BridgeModule> {
  bridge ??= await import('@colophon/c2pa-bridge');
  return bridge;
}
function lib(): typeof BridgeModule {
  if (!bridge) throw new Error('c2pa-bridge used before loadBridge()');
  return bridge;
}


/** Reads a file the user named, with an error that names it and the option it came from. */
async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw cannotRead(path, what, error);
  }
}

/** Checks that a file the user named opens for reading, without reading it (it may be large). */
async function readableFile(path: string, what: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    await (await open(path, 'r')).close();
  } catch (error) {
    throw cannotRead(path, what, error);
  }
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}

/** Errors from the bridge, as the CLI's exit codes: bad input is usage (2), failed checks are 1. */
function guarded<T>(work: () => Promise<T>): Promise<T> {
  const { FormatError, HistoryError, CaError, SdkError } = lib();
  return translateErrors(work, { usage: [FormatError, HistoryError, CaError], check: [SdkError] });
}

// ---------------------------------------------------------------------------------------------
// colophon ca init / ca issue

function defaultCaKeyName(ws: Workspace): string {
  return `colophon-ca-${ws.project.id.toString().slice(-8)}`;
}

export async function caInit(cwd: string, options: { name?: string; key?: string; json?: boolean }, io: Io): Promise<void> {
  const { ProjectCa } = await loadBridge();
  const ws = await openWorkspace(cwd);
  const ca = new ProjectCa(ws.dir);
  const keyName = options.key ?? defaultCaKeyName(ws);
  const { description, createdKey } = await guarded(() => ca.init(ws.keys, { keyName, commonName: options.name ?? `${ws.project.name} CA`, organization: ws.project.name }));
  const path = relative(ws.root, ca.certificatePath);
  if (options.json) return printJson(io, { ...description, certificate: ca.certificatePath, createdKey });
  io.out(`Created the project CA "${description.subject}"`);
  io.out(`  certificate: ${path} (public; give it to anyone who should trust this project's credentials)`);
  io.out(`  CA key:      identity "${keyName}" (${description.did})${createdKey ? ', new,' : ''} kept in ${ws.keys.location}, never in the project`);
  io.out(`  valid until: ${description.notAfter}`);
  io.out('Next: issue signing certificates with "colophon ca issue NAME".');
}

export async function caIssue(cwd: string, id: string, options: { name?: string; json?: boolean }, io: Io): Promise<void> {
  const { ProjectCa } = await loadBridge();
  const ws = await openWorkspace(cwd);
  let did: string;
  let commonName = options.name;
  if (isDidKey(id)) did = id;
  else {
    const identity = await ws.keys.get(id);
    if (!identity) throw new UsageError(`"${id}" is neither a did:key nor an identity on this machine (see "colophon id list")`);
    did = identity.did;
    commonName ??= id;
  }
  commonName ??= `${did.slice(0, 16)}…${did.slice(-4)}`;
  const issued = await guarded(() => new ProjectCa(ws.dir).issue(ws.keys, did, commonName!, ws.project.name));
  if (options.json) return printJson(io, { did, subject: issued.leaf.subject, issuer: issued.leaf.issuer, notAfter: issued.leaf.notAfter.toISOString(), chain: issued.path });
  io.out(`Issued a signing certificate for ${commonName} (${did})`);
  io.out(`  subject: ${issued.leaf.subject}, issued by ${issued.leaf.issuer}, valid until ${issued.leaf.notAfter.toISOString()}`);
  io.out(`  chain:   ${relative(ws.root, issued.path)} (public)`);
}

// ---------------------------------------------------------------------------------------------
// colophon export c2pa (mounted as `export-c2pa` until program.ts wires `export c2pa`)

export interface ExportC2paOptions {
  asset: string;
  in: string;
  out: string;
  force?: boolean;
  sidecar?: string;
  disclosePrompts?: boolean;
  as?: string;
  json?: boolean;
}

/**
 * The newest stored checkpoint of each feed whose signature verifies; a note that does not open is
 * left out (and said so), since the credentials must only claim what can be checked.
 */
async function feedCheckpoints(ws: Workspace, io: Io): Promise<FeedCheckpointRef[]> {
  const out: FeedCheckpointRef[] = [];
  for (const did of await ws.feeds.signers()) {
    const newest = (await listCheckpointFiles(ws.dir, did)).pop();
    if (!newest) continue;
    try {
      const checkpoint = openFeedCheckpoint(await readFile(newest.path, 'utf8'), { did, genesis: ws.project.id });
      out.push({ signer: did, size: checkpoint.size, rootHash: checkpoint.rootHash });
    } catch (error) {
      io.err(`warning: checkpoint ${relative(ws.root, newest.path)} does not verify (${(error as Error).message}); it is left out of the credentials`);
    }
  }
  return out;
}

export async function exportC2paCommand(cwd: string, options: ExportC2paOptions, io: Io): Promise<void> {
  const { ProjectCa, exportC2paFile, sidecarPathFor } = await loadBridge();
  const input = resolve(cwd, options.in);
  const output = await checkOutputPath(resolve(cwd, options.out), { force: options.force === true });
  await readableFile(input, '--in');
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const ca = new ProjectCa(ws.dir);
  const signer = await guarded(() => ca.signerChain(identity, name));
  const checkpoints = await feedCheckpoints(ws, io);
  // The output's name decides the format and the input must be that format (a .png stays a PNG).
  // A PNG or JPEG is hashed and copied in pieces, never read whole; size limits are checked first.
  const result = await guarded(() =>
    exportC2paFile({
      store: ws.feeds,
      blobs: ws.blobs,
      project: ws.project.id,
      asset: options.asset,
      fileName: output,
      path: input,
      identity,
      chain: signer.chain,
      disclosePrompts: options.disclosePrompts ?? false,
      checkpoints,
    }),
  );
  const { format } = result;
  if (options.sidecar && format.carriage !== 'sidecar') throw new UsageError(`--sidecar is only for text files; a ${format.label} carries its credentials inside`);
  const sidecarPath = result.sidecar ? await checkOutputPath(resolve(cwd, options.sidecar ?? sidecarPathFor(options.out)), { force: options.force === true, what: '--sidecar' }) : undefined;
  await result.writeTo(output);
  if (sidecarPath && result.sidecar) await writeFileAtomic(sidecarPath, result.sidecar);

  const { ledger } = result.plan;
  const summary = {
    asset: options.asset,
    out: output,
    ...(sidecarPath ? { sidecar: sidecarPath } : {}),
    format: format.mime,
    carriage: format.carriage,
    signer: { name, did: identity.did, certificate: signer.issuedBy, subject: signer.leaf.subject },
    steps: ledger.steps.length,
    prompts: ledger.prompts.map((p) => ({ ingredient: p.ingredient, disclosed: p.disclosed })),
    sources: result.history.sources.map((s) => ({ title: s.title, relationship: s.relationship, credentials: Boolean(s.facts?.manifest) })),
    share: ledger.share,
    undisclosable: result.undisclosable,
  };
  if (options.json) return printJson(io, summary);
  io.out(`Exported ${relative(cwd, output) || output} with Content Credentials from the ledger (${format.label}, ${format.carriage === 'embedded' ? 'embedded' : `sidecar ${relative(cwd, sidecarPath!)}`}).`);
  io.out(`  ${ledger.steps.length} recorded step(s); ${ledger.prompts.length} prompt(s) ${options.disclosePrompts ? 'disclosed' : 'as commitments only'}; ${result.history.sources.length} source(s).`);
  if (ledger.share) io.out(`  ${shareWords(ledger.share)} (the same as colophon attribute).`);
  if (result.undisclosable.length) io.out(`  not disclosed (their text was erased from the blob store): ${result.undisclosable.join(', ')}`);
  if (signer.issuedBy === 'project-ca') io.out(`  signed by ${name} with a certificate from the project CA: verifiers who trust ${join(COLOPHON_DIR, 'ca', 'ca.pem')} see "Trusted".`);
  else io.out(`  signed by ${name} with a self-signed certificate: verifiers will see "Valid, signer untrusted". For trusted credentials, the project owner can run "colophon ca issue ${name}".`);
}

/** Adds the export command under `parent` as `name` (e.g. `export-c2pa` on the program, or `c2pa` under `export`). */
export function addExportC2paCommand(parent: Command, name: string, cwd: string, io: Io): Command {
  return parent
    .command(name)
    .description("sign an asset's final file with Content Credentials built from the ledger (embedded; a .c2pa sidecar for text)")
    .requiredOption('--asset <asset>', 'the asset, e.g. file:poster.png')
    .requiredOption('--in <file>', "the asset's final file (must be a recorded state of the asset)")
    .requiredOption('--out <file>', 'where to write the signed file')
    .option('--sidecar <file>', 'where to write the sidecar for text files (default: OUT.c2pa)')
    .addOption(forceOption())
    .option('--disclose-prompts', "put the prompts' text in the credentials (default: only their commitments)")
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => exportC2paCommand(cwd, o, io));
}

// ---------------------------------------------------------------------------------------------
// Reading: verify-asset, inspect

interface Anchors {
  pem?: string;
  from: string;
}

async function anchorsFor(cwd: string, anchorsPath: string | undefined): Promise<Anchors> {
  if (anchorsPath) {
    const path = resolve(cwd, anchorsPath);
    const text = new TextDecoder().decode(await readInput(path, '--anchors'));
    let certificates: Uint8Array[];
    try {
      certificates = lib().certificatesFromPem(text, path);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    return { pem: certificates.map(lib().toPem).join(''), from: anchorsPath };
  }
  const root = await findRoot(cwd);
  if (root) {
    const pem = await new (lib().ProjectCa)(join(root, COLOPHON_DIR)).anchorPem().catch(() => undefined);
    if (pem) return { pem, from: "this project's CA" };
  }
  return { from: 'none' };
}

async function readFileCredentials(cwd: string, file: string, sidecarOption: string | undefined, anchors: Anchors): Promise<{ path: string; bytes: Uint8Array; report: CredentialReport; sidecarPath?: string }> {
  const { assetFormat, readCredentials, sidecarPathFor } = lib();
  const path = resolve(cwd, file);
  const bytes = await readInput(path, 'file');
  const format = await guarded(async () => assetFormat(path, bytes));
  let sidecar: Uint8Array | undefined;
  let sidecarPath: string | undefined;
  if (sidecarOption) {
    if (format.carriage !== 'sidecar') throw new UsageError(`--sidecar is only for text files; ${file} is a ${format.label}, which carries its credentials inside`);
    sidecarPath = resolve(cwd, sidecarOption);
    sidecar = await readInput(sidecarPath, '--sidecar');
  } else if (format.carriage === 'sidecar') {
    sidecarPath = sidecarPathFor(path);
    sidecar = await readOptional(sidecarPath);
    if (!sidecar) sidecarPath = undefined;
  }
  const report = await guarded(() => readCredentials({ fileName: path, bytes, ...(sidecar ? { sidecar } : {}), ...(anchors.pem ? { anchors: anchors.pem } : {}) }));
  return { path, bytes, report, ...(sidecarPath ? { sidecarPath } : {}) };
}

/** `human share 79%, AI 21% of 75 characters`; a version-1 assertion has no unit. */
function shareWords(share: Partial<NonNullable<LedgerAssertion['share']>>): string {
  const others = (['ai', 'tool', 'pasted', 'unknown'] as const).filter((c) => (share[c] ?? 0) > 0).map((c) => `${c === 'ai' ? 'AI' : c} ${Math.round(share[c]! * 100)}%`);
  const of = share.unit && share.total !== undefined ? ` of ${share.total} ${share.unit}` : '';
  return `human share ${Math.round((share.human ?? 0) * 100)}%${others.length ? `, ${others.join(', ')}` : ''}${of}`;
}

function reportJson(report: CredentialReport, anchors: Anchors, sidecarPath?: string): Record<string, unknown> {
  const { store: _store, validationResults: _validation, format, ...rest } = report;
  return { ...rest, format: format.mime, explanation: lib().explainState(report), anchors: anchors.from, ...(sidecarPath ? { sidecarPath } : {}) };
}

function stateHeadline(report: CredentialReport): string {
  switch (report.state) {
    case 'Trusted':
      return 'Trusted';
    case 'Valid':
      return report.untrusted ? 'Valid, signer untrusted' : 'Valid';
    case 'Invalid':
      return 'INVALID';
    case 'none':
      return 'no Content Credentials';
  }
}

function printIngredients(io: Io, ingredients: IngredientFact[], indent: string): void {
  for (const i of ingredients) {
    const problems = i.codes?.filter((c) => !c.endsWith('.untrusted')) ?? [];
    const state = i.manifest ? (problems.length ? ` — credentials INVALID (${problems.join(', ')})` : ` — has credentials${i.claimGenerator ? ` from ${i.claimGenerator}` : ''}`) : i.relationship === 'inputTo' ? '' : ' — no credentials of its own';
    io.out(`${indent}- ${i.title ?? '(untitled)'} [${i.relationship ?? 'ingredient'}]${i.format ? ` ${i.format}` : ''}${state}`);
    if (i.ingredients) printIngredients(io, i.ingredients, `${indent}  `);
  }
}

function printReport(io: Io, file: string, report: CredentialReport, anchors: Anchors, sidecarPath?: string): void {
  io.out(`${file}: ${stateHeadline(report)}`);
  io.out(`  ${lib().explainState(report)}`);
  if (report.state === 'none') {
    if (report.format.carriage === 'sidecar') io.out(`  (text files carry credentials in a sidecar; none was found at ${basename(lib().sidecarPathFor(file))})`);
    return;
  }
  if (sidecarPath) io.out(`  sidecar: ${sidecarPath} — the text ${report.sidecar?.dataHash === 'match' ? 'matches' : 'does NOT match'} the hash signed in it`);
  if (report.signer) io.out(`  signed by: ${report.signer.commonName ?? '?'}${report.signer.issuer ? ` (${report.signer.issuer})` : ''}${report.signer.alg ? `, ${report.signer.alg}` : ''}${report.signer.time ? `, at ${report.signer.time}` : ''}`);
  io.out(`  trust anchors: ${anchors.from}`);
  if (report.claimGenerator) io.out(`  made with: ${report.claimGenerator}`);
  const overall = report.digitalSourceType && sourceTypeWords(report.digitalSourceType);
  if (overall) io.out(`  origin: ${overall}`);
  if (report.actions.length) {
    io.out('  history:');
    for (const a of report.actions) {
      const how = [a.digitalSourceType && sourceTypeWords(a.digitalSourceType), a.softwareAgent && `with ${a.softwareAgent}`].filter(Boolean).join(', ');
      io.out(`    - ${a.action.replace(/^c2pa\./, '')}${how ? ` (${how})` : ''}${a.when ? ` at ${a.when}` : ''}`);
    }
  }
  if (report.ingredients.length) {
    io.out('  ingredients:');
    printIngredients(io, report.ingredients, '    ');
  }
  if (report.trainingMining) io.out(`  AI training and data mining: ${Object.entries(report.trainingMining).map(([k, v]) => `${k.replace(/^(c2pa|cawg)\./, '')} ${v}`).join(', ')}`);
  if (report.ledger) {
    const share = report.ledger.share ? `, ${shareWords(report.ledger.share)}` : '';
    io.out(`  Colophon ledger: project ${shortCid(report.ledger.project)}, asset ${report.ledger.asset}, ${report.ledger.steps.length} step(s)${share}`);
  }
  const problems = report.failures.filter((f) => !(report.state !== 'Invalid' && f.code.endsWith('.untrusted')));
  if (problems.length) {
    io.out('  problems:');
    for (const f of problems) io.out(`    - ${f.code}${f.explanation ? `: ${f.explanation}` : ''}`);
  }
}

export async function verifyAsset(cwd: string, file: string, options: { sidecar?: string; anchors?: string; json?: boolean }, io: Io): Promise<void> {
  await loadBridge();
  const anchors = await anchorsFor(cwd, options.anchors);
  const { report, sidecarPath } = await readFileCredentials(cwd, file, options.sidecar, anchors);
  if (options.json) printJson(io, reportJson(report, anchors, sidecarPath));
  else printReport(io, file, report, anchors, sidecarPath);
  if (report.state === 'none') throw new CheckFailedError(options.json ? '' : `${file} carries no Content Credentials`);
  if (report.state === 'Invalid') throw new CheckFailedError(options.json ? '' : `the Content Credentials of ${file} are invalid`);
}

/** Records of this project whose output is exactly this content. */
async function ledgerKnowledge(ws: Workspace, content: CID): Promise<DecodedRecord[]> {
  const found: DecodedRecord[] = [];
  for await (const record of ws.feeds.records()) if (record.record.out?.equals(content)) found.push(record);
  return found.sort((a, b) => a.record.at - b.record.at);
}

export async function inspect(cwd: string, file: string, options: { sidecar?: string; json?: boolean }, io: Io): Promise<void> {
  const { ingestFactsOf } = await loadBridge();
  const anchors = await anchorsFor(cwd, undefined);
  const { bytes, report, sidecarPath } = await readFileCredentials(cwd, file, options.sidecar, anchors);
  const content = contentCid(bytes);
  const root = await findRoot(cwd);
  const ws = root ? await openWorkspace(cwd) : undefined;
  const known = ws ? await ledgerKnowledge(ws, content) : [];
  if (options.json) {
    return printJson(io, {
      ...reportJson(report, anchors, sidecarPath),
      content,
      ledger: ws ? known.map((r) => ({ cid: r.cid, kind: r.record.kind, asset: r.record.asset, by: r.record.by, at: r.record.at, ...(ingestFactsOf(r.record.ext) ? { ingested: ingestFactsOf(r.record.ext) } : {}) })) : null,
    });
  }
  printReport(io, file, report, anchors, sidecarPath);
  io.out(`  content id: ${content}`);
  if (!ws) return io.out('  ledger: not inside a Colophon project, so nothing more is known about this file.');
  if (known.length === 0) return io.out('  ledger: this exact content is not in the project (it was never recorded or ingested).');
  const names = await identityNames(ws.keys);
  io.out('  ledger: this exact content is');
  for (const r of known) io.out(`    - ${formatTime(r.record.at)} ${describeRecord(r.record, names)} (${shortCid(r.cid)})`);
}

// ---------------------------------------------------------------------------------------------
// colophon ingest FILE

export async function ingest(cwd: string, file: string, options: { asset?: string; sidecar?: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  const { assetFormat, sidecarPathFor, ingestFile } = await loadBridge();
  const path = resolve(cwd, file);
  const bytes = await readInput(path, 'file');
  const format = await guarded(async () => assetFormat(path, bytes));
  const ws = await openWorkspace(cwd);
  const { identity } = await signingIdentity(ws, options.as);
  const anchors = await anchorsFor(cwd, undefined);
  let sidecar: Uint8Array | undefined;
  if (options.sidecar) sidecar = await readInput(resolve(cwd, options.sidecar), '--sidecar');
  else if (format.carriage === 'sidecar') sidecar = await readOptional(sidecarPathFor(path));
  const inside = relative(ws.root, path);
  const asset = options.asset ?? `file:${inside.startsWith('..') ? basename(path) : inside.split('\\').join('/')}`;
  const result = await guarded(() =>
    ingestFile({ project: ws.project, identity, blobs: ws.blobs, fileName: path, bytes, asset, ...(sidecar ? { sidecar } : {}), ...(anchors.pem ? { anchors: anchors.pem } : {}) }),
  );
  const { facts, record } = result;
  if (options.json) return printJson(io, { cid: record.cid, existing: result.existing, asset, content: record.record.out, facts });
  const state = facts.state === 'none' ? 'no credentials' : stateHeadline(result.report);
  if (result.existing) return io.out(`Already ingested as ${asset}: record ${record.cid} (${state}).`);
  io.out(`Ingested ${file} as ${asset}: record ${record.cid}`);
  io.out(`  credentials: ${state}${facts.codes?.length ? ` [${facts.codes.join(', ')}]` : ''}`);
  if (facts.claimGenerator) io.out(`  made with: ${facts.claimGenerator}`);
  if (facts.actions?.length) io.out(`  actions: ${facts.actions.map((a) => a.action.replace(/^c2pa\./, '')).join(', ')}`);
  if (facts.ingredients?.length) io.out(`  ingredients: ${facts.ingredients.length}`);
  if (facts.manifest) io.out(`  manifest store kept in the blob store as ${facts.manifest}`);
  if (facts.state === 'Invalid') io.out('  Warning: these credentials are INVALID (the file or its credentials were altered); they are recorded as such, not trusted.');
  if (facts.state === 'Valid' && result.report.untrusted) io.out('  Note: the signer is not trusted by this project (no trust anchor for it); the credentials are intact.');
}

// ---------------------------------------------------------------------------------------------

export interface RegisterC2paOptions {
  /** Also add the top-level `export-c2pa` (default true); pass false once `export c2pa` is mounted with addExportC2paCommand. */
  topLevelExport?: boolean;
}

/**
 * Adds `ca init`, `ca issue`, `export-c2pa`, `verify-asset`, `ingest` and `inspect` to `program`.
 * The export command can also be mounted elsewhere with addExportC2paCommand.
 */
export function registerC2paCommands(program: Command, cwd: string, io: Io, options: RegisterC2paOptions = {}): void {
  const ca = program.command('ca').description("the project's certificate authority, for trusted Content Credentials");
  ca.command('init')
    .description('create the project CA (its key stays in your key store; only its certificate goes in .colophon/ca/)')
    .option('--name <name>', 'the CA\'s name (default: "<project> CA")')
    .option('--key <identity>', 'key-store identity to use as the CA key (default: a new one)')
    .addOption(jsonOption())
    .action((o) => caInit(cwd, o, io));
  ca.command('issue <id>')
    .description('issue a signing certificate for an identity (a name on this machine, or a did:key)')
    .option('--name <name>', 'the name in the certificate (default: the identity name)')
    .addOption(jsonOption())
    .action((id, o) => caIssue(cwd, id, o, io));
  if (options.topLevelExport ?? true) addExportC2paCommand(program, 'export-c2pa', cwd, io);
  program
    .command('verify-asset <file>')
    .description("check a file's Content Credentials (exit 1 when invalid or absent)")
    .option('--sidecar <file>', 'the sidecar manifest of a text file (default: FILE.c2pa)')
    .option('--anchors <pem>', "trust anchors (CA certificates, PEM); default: this project's CA")
    .addOption(jsonOption())
    .action((file, o) => verifyAsset(cwd, file, o, io));
  program
    .command('ingest <file>')
    .description("record an outside file and its Content Credentials (checked, never taken on faith) in the ledger")
    .option('--asset <asset>', 'asset id (default: file:<path in the project>)')
    .option('--sidecar <file>', 'the sidecar manifest of a text file (default: FILE.c2pa)')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((file, o) => ingest(cwd, file, o, io));
  program
    .command('inspect <file>')
    .description("a readable summary of any file's Content Credentials and what the ledger knows about it")
    .option('--sidecar <file>', 'the sidecar manifest of a text file (default: FILE.c2pa)')
    .addOption(jsonOption())
    .action((file, o) => inspect(cwd, file, o, io));
}
