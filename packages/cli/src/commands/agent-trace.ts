// `colophon export agent-trace` and `colophon import agent-trace FILE`: Colophon's attribution in
// the format AI coding tools write (Agent Trace, https://agent-trace.dev), and their traces taken in
// as evidence `reported`. The format rules are core's (@colophon/core exports/agent-trace*); this
// module only finds the files, git and the ledger.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import {
  AGENT_TRACE_LIMITS,
  AgentTraceError,
  EVIDENCE_EXT,
  MAX_TEXT_OPS,
  agentTraceRecord,
  assetAttribution,
  claimOps,
  contentCid,
  fileClaims,
  loadAssetHistory,
  parseAgentTraces,
  planClaims,
  readDevColophon,
  textBaseline,
  versionDelta,
  utf8Decode,
  type AgentTraceFileInput,
  type AgentTraceRecord,
  type CID,
  type Contribution,
  type Disagreement,
  type LedgerEntry,
  type SigningIdentity,
  type TraceFile,
} from '@colophon/core';
import { COLOPHON_DIR } from '@colophon/core/node';
import { cannotRead, UsageError } from '../errors.js';
import { gitRepository } from '../git.js';
import { asOption, forceOption, jsonOption } from '../options.js';
import { writeOrPrint } from '../output-file.js';
import { printJson, shortCid, type Io } from '../output.js';
import { cliVersion } from '../version.js';
import { MAX_TEXT_BYTES, textOf } from '../text-version.js';
import { openWorkspace, signingIdentity, type Workspace } from '../workspace.js';

const FILE_SCHEME = 'file:';
/** The extension an import's records carry: which trace said so, written by which tool. */
export const AGENT_TRACE_EXT = 'colophon.agent-trace';

// ---------------------------------------------------------------------------------------------
// files named by the ledger or by a trace

/** `rel` (forward slashes, relative to `base`) as a path inside the project, or why not. */
async function projectFile(ws: Pick<Workspace, 'root'>, base: string, rel: string): Promise<{ path: string; rel: string } | { refused: string }> {
  if (rel === '' || rel.includes('\0') || isAbsolute(rel) || /^[a-z]:/i.test(rel)) return { refused: 'is not a relative path' };
  const path = resolve(base, rel);
  const inProject = relative(ws.root, path);
  if (inProject === '' || inProject.startsWith('..') || isAbsolute(inProject)) return { refused: `is outside the project (${ws.root})` };
  if (inProject.split(sep)[0] === COLOPHON_DIR) return { refused: `is inside ${COLOPHON_DIR}/` };
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return { refused: 'does not exist' };
  }
  // No symbolic link anywhere on the way: a path from a trace or a record never leads elsewhere.
  if (real !== resolve(await realpath(ws.root), inProject)) return { refused: 'goes through a symbolic link' };
  return { path, rel: inProject.split(sep).join('/') };
}

/** A file's bytes, without following a link and at most `max` bytes; undefined when larger. */
async function readBounded(path: string, max: number): Promise<Uint8Array | undefined> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const { size } = await handle.stat();
    if (size > max) return undefined;
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// colophon export agent-trace

export interface ExportAgentTraceOptions {
  asset?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
}

/** Every `file:` asset of the ledger, sorted. */
async function fileAssets(ws: Workspace): Promise<string[]> {
  const assets = new Set<string>();
  for await (const { record } of ws.feeds.records()) if (record.asset?.startsWith(FILE_SCHEME)) assets.add(record.asset);
  return [...assets].sort();
}

/** The text an attribution describes: the kept version (blob store), else the file when it is that version. */
async function versionText(ws: Workspace, asset: string, out: CID | undefined, length: number): Promise<string | undefined> {
  if (!out) return undefined;
  const kept = await ws.blobs.get(out);
  if (kept) {
    const text = textOf(kept);
    if (text !== undefined && text.length === length) return text;
  }
  const file = await projectFile(ws, ws.root, asset.slice(FILE_SCHEME.length));
  if ('refused' in file) return undefined;
  const bytes = await readBounded(file.path, MAX_TEXT_BYTES);
  if (!bytes || !contentCid(bytes).equals(out)) return undefined;
  const text = textOf(bytes);
  return text !== undefined && text.length === length ? text : undefined;
}

/** `colophon export agent-trace [--asset A] [--out FILE]`: one Agent Trace record for the text assets. */
export async function exportAgentTrace(cwd: string, options: ExportAgentTraceOptions, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  if (options.asset !== undefined && !options.asset.startsWith(FILE_SCHEME)) throw new UsageError(`--asset ${options.asset}: Agent Trace describes files; give a file: asset, e.g. file:src/app.ts`);
  const assets = options.asset !== undefined ? [options.asset] : await fileAssets(ws);
  const git = await gitRepository(ws.root);
  const prefix = git ? relative(git.top, ws.root).split(sep).join('/') : '';
  const notes: string[] = [];
  const files: AgentTraceFileInput[] = [];
  const entries = new Map<string, LedgerEntry>();
  for (const asset of assets) {
    const history = await loadAssetHistory(ws.feeds, asset);
    if (!history.some((e) => e.record.asset === asset)) throw new UsageError(`no records for asset "${asset}"`);
    const attribution = assetAttribution(history, { asset });
    if (attribution.kind !== 'text' || !attribution.textMap) {
      const why = `${asset} has no per-character text history (its records carry no text delta)`;
      if (options.asset !== undefined) throw new UsageError(why);
      notes.push(`skipped: ${why}`);
      continue;
    }
    const text = await versionText(ws, asset, attribution.out, attribution.textMap.length);
    if (text === undefined) {
      const why = `the text of ${asset}'s last recorded version (${attribution.out ?? 'no content id'}) is neither kept nor on disk, so its lines cannot be numbered`;
      if (options.asset !== undefined) throw new UsageError(why);
      notes.push(`skipped: ${why}`);
      continue;
    }
    for (const entry of history) entries.set(entry.cid.toString(), entry);
    const path = asset.slice(FILE_SCHEME.length);
    files.push({ path: prefix ? `${prefix}/${path}` : path, asset, text, runs: attribution.textMap.runs(), records: attribution.records, ...(attribution.out && { out: attribution.out }) });
  }
  const trace = agentTraceRecord(files, {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    tool: { name: 'colophon', version: cliVersion() },
    ...(git?.revision && { vcs: { type: 'git' as const, revision: git.revision } }),
    project: ws.project.id,
    lookup: (cid) => entries.get(cid),
  });
  const path = await writeOrPrint(cwd, options.out, JSON.stringify(trace, null, 2), io, options.force);
  const lines = lineCounts(trace);
  if (options.json && path !== undefined) return printJson(io, { file: path, id: trace.id, files: trace.files.length, lines, notes });
  for (const note of notes) io.err(`colophon: ${note}`);
  if (path === undefined) return;
  const counts = Object.entries(lines)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  io.out(`Wrote an Agent Trace of ${trace.files.length} file${trace.files.length === 1 ? '' : 's'} to ${path}${counts ? `: lines ${counts}` : ''}${trace.vcs ? ` (git ${trace.vcs.revision.slice(0, 12)})` : ''}.`);
  io.out('Lossy by nature: lines instead of characters, no tool or paste class, no signatures. metadata["dev.colophon"] keeps the rest.');
}

/** Lines per contributor type (a mixed line counts once, as mixed). */
function lineCounts(trace: AgentTraceRecord): Record<'human' | 'ai' | 'mixed' | 'unknown', number> {
  const counts = { human: 0, ai: 0, mixed: 0, unknown: 0 };
  for (const file of trace.files) {
    const seen = new Map<number, keyof typeof counts>();
    for (const conversation of file.conversations) {
      for (const range of conversation.ranges) {
        const type = (range.contributor ?? conversation.contributor)?.type ?? 'unknown';
        for (let l = range.start_line; l <= range.end_line; l++) seen.set(l, type);
      }
    }
    for (const type of seen.values()) counts[type]++;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// colophon import agent-trace FILE

export interface ImportAgentTraceOptions {
  as?: string;
  json?: boolean;
}

/** What the import did with one file of one trace. */
interface FileOutcome {
  path: string;
  asset?: string;
  /** Where the claims came from: the standard line ranges, or dev.colophon's runs (a Colophon export of this text). */
  source?: 'lines' | 'runs';
  records: CID[];
  filled: number;
  agreed: number;
  disputed: number;
  mixedLines: number;
  disagreements: Disagreement[];
  notes: string[];
  skipped?: string;
}

async function readTraceFile(cwd: string, file: string): Promise<AgentTraceRecord[]> {
  const path = resolve(cwd, file);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw cannotRead(file, '', error);
  }
  if (size > AGENT_TRACE_LIMITS.bytes) throw new UsageError(`${file} is larger than ${AGENT_TRACE_LIMITS.bytes} bytes; split the trace`);
  let text: string;
  try {
    text = utf8Decode(new Uint8Array(await readFile(path)));
  } catch {
    throw new UsageError(`${file} is not UTF-8 text`);
  }
  try {
    return parseAgentTraces(text);
  } catch (error) {
    if (error instanceof AgentTraceError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

/** `colophon import agent-trace FILE`: the trace's claims, recorded as evidence `reported` where Colophon knows no author. */
export async function importAgentTrace(cwd: string, file: string, options: ImportAgentTraceOptions, io: Io): Promise<void> {
  const traces = await readTraceFile(cwd, file);
  const ws = await openWorkspace(cwd);
  const { identity } = await signingIdentity(ws, options.as);
  const git = await gitRepository(ws.root);
  const base = git?.top ?? ws.root;
  const outcomes: FileOutcome[] = [];
  const notes: string[] = [];
  for (const trace of traces) {
    if (trace.vcs?.type === 'git' && git?.revision && trace.vcs.revision !== git.revision) {
      notes.push(`trace ${trace.id} was written at git ${trace.vcs.revision.slice(0, 12)}, the repository is at ${git.revision.slice(0, 12)}: its line numbers may have moved (ranges with a content_hash are checked)`);
    }
    const dev = readDevColophon(trace);
    for (const traceFile of trace.files) outcomes.push(await importFile(ws, identity, trace, traceFile, base, dev));
  }
  if (options.json) return printJson(io, { traces: traces.length, files: outcomes, notes });
  for (const note of notes) io.err(`colophon: ${note}`);
  for (const outcome of outcomes) report(io, outcome);
}

async function importFile(ws: Workspace, identity: SigningIdentity, trace: AgentTraceRecord, traceFile: TraceFile, base: string, dev: ReturnType<typeof readDevColophon>): Promise<FileOutcome> {
  const outcome: FileOutcome = { path: traceFile.path, records: [], filled: 0, agreed: 0, disputed: 0, mixedLines: 0, disagreements: [], notes: [] };
  const found = await projectFile(ws, base, traceFile.path);
  if ('refused' in found) return { ...outcome, skipped: `the path ${found.refused}` };
  const bytes = await readBounded(found.path, MAX_TEXT_BYTES);
  const text = bytes && textOf(bytes);
  if (!bytes || text === undefined) return { ...outcome, skipped: bytes ? 'it is not UTF-8 text' : `it is larger than ${MAX_TEXT_BYTES} bytes` };
  const asset = `${FILE_SCHEME}${found.rel}`;
  const out = contentCid(bytes);
  const claims = fileClaims(traceFile, text, { signer: identity.did, contentId: out.toString(), ...(dev && { dev }) });
  outcome.asset = asset;
  outcome.source = claims.source;
  outcome.mixedLines = claims.mixedLines;
  outcome.notes.push(...claims.notes);
  if (claims.spans.length === 0) return outcome; // nothing to say about this file: record nothing

  // The ledger's text must be this text before claims can name its characters: what changed while
  // nothing watched is recorded first, as Colophon always records it (unknown, reconciled).
  const { baseline, notes } = await textBaseline(ws.feeds, ws.blobs, asset);
  outcome.notes.push(...notes);
  const headBy = baseline.head ? (await ws.feeds.get(baseline.head))?.record.by : undefined;
  const link = baseline.head && headBy !== identity.did ? [baseline.head] : undefined;
  let recorded = baseline.recorded === true;
  if (baseline.text !== text) {
    await ws.blobs.put(bytes);
    const { ops } = versionDelta(baseline, text, 'unknown');
    for (let i = 0; i < ops.length; i += MAX_TEXT_OPS) {
      const contribution: Contribution = { kind: recorded ? 'asset.edit' : 'asset.create', asset, out, delta: { text: ops.slice(i, i + MAX_TEXT_OPS) }, ext: { [EVIDENCE_EXT]: 'reconciled' } };
      if (link && i === 0) contribution.links = link;
      outcome.records.push((await ws.project.record(identity, contribution)).cid);
      recorded = true;
    }
  }
  const history = await loadAssetHistory(ws.feeds, asset);
  const map = history.length > 0 && recorded ? assetAttribution(history, { asset }).textMap : undefined;
  if (!map) return { ...outcome, skipped: `${asset} has no per-character history to attach the claims to` };
  const plan = planClaims(map, text, claims.spans);
  Object.assign(outcome, { filled: plan.filled, agreed: plan.agreed, disputed: plan.disputed, disagreements: plan.disagreements });
  const ext = { [EVIDENCE_EXT]: 'reported', [AGENT_TRACE_EXT]: traceExt(trace) };
  for (const group of plan.groups) {
    const ops = claimOps(group.spans, group.claim.class);
    for (let i = 0; i < ops.length; i += MAX_TEXT_OPS) {
      const contribution: Contribution = { kind: group.claim.class === 'ai' ? 'ai.generate' : 'asset.edit', asset, out, delta: { text: ops.slice(i, i + MAX_TEXT_OPS) }, ext };
      if (group.claim.agent) contribution.agent = group.claim.agent;
      if (link && outcome.records.length === 0) contribution.links = link;
      outcome.records.push((await ws.project.record(identity, contribution)).cid);
    }
  }
  return outcome;
}

/** ext["colophon.agent-trace"]: the trace's id and the tool that wrote it (the tool the agent worked in). */
function traceExt(trace: AgentTraceRecord): { [key: string]: string } {
  const ext: { [key: string]: string } = { id: trace.id.slice(0, 64) };
  if (trace.tool) ext.tool = `${trace.tool.name}@${trace.tool.version}`.slice(0, 256);
  return ext;
}

function report(io: Io, outcome: FileOutcome): void {
  if (outcome.skipped) {
    io.err(`colophon: ${outcome.path}: skipped, ${outcome.skipped}`);
    return;
  }
  const parts = [`${outcome.filled} characters attributed as the trace says`];
  if (outcome.agreed > 0) parts.push(`${outcome.agreed} already so`);
  if (outcome.disputed > 0) parts.push(`${outcome.disputed} kept as Colophon observed them`);
  if (outcome.mixedLines > 0 && outcome.source === 'lines') parts.push(`${outcome.mixedLines} mixed line${outcome.mixedLines === 1 ? '' : 's'} left unknown`);
  io.out(`${outcome.asset}: ${parts.join(', ')} (${outcome.source === 'runs' ? "per character, from the trace's dev.colophon runs" : 'from line ranges'}; ${outcome.records.length} record${outcome.records.length === 1 ? '' : 's'}${outcome.records.length ? `, last ${shortCid(outcome.records[outcome.records.length - 1]!)}` : ''})`);
  for (const d of outcome.disagreements) {
    io.out(`  disagreement, line${d.startLine === d.endLine ? ` ${d.startLine}` : `s ${d.startLine}-${d.endLine}`}: the trace says ${d.trace}, Colophon holds ${d.colophon}${d.evidence ? ` (${d.evidence})` : ''}; kept`);
  }
  for (const note of outcome.notes) io.err(`colophon: ${note}`);
}

/** Adds `agent-trace` under `export` and `import`. */
export function registerAgentTraceCommands(exportCommand: Command, importCommand: Command, cwd: string, io: Io): void {
  exportCommand
    .command('agent-trace')
    .description('Agent Trace (agent-trace.dev) of the text files: line ranges per human, model and unknown, lossy; metadata["dev.colophon"] keeps the rest')
    .option('--asset <asset>', 'one file asset, e.g. file:src/app.ts (default: every text file)')
    .option('--out <file>', 'where to write (default: standard output)')
    .addOption(forceOption())
    .addOption(jsonOption())
    .action((o: ExportAgentTraceOptions) => exportAgentTrace(cwd, o, io));
  importCommand
    .command('agent-trace <file>')
    .description("record what an Agent Trace (JSON or JSON Lines) says, as evidence \"reported\": it fills only text Colophon did not see written; disagreements are listed")
    .addOption(asOption())
    .addOption(jsonOption())
    .action((file: string, o: ImportAgentTraceOptions) => importAgentTrace(cwd, file, o, io));
}
