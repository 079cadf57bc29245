// Agent Trace (spec 0.1, https://agent-trace.dev): the line-level attribution format AI coding
// tools write. Here: its types, the lines of a text, and the export of Colophon's per-character
// attribution as one trace record. Platform-neutral (ES2020).
//
// The format is coarser than Colophon: lines, not characters; four contributor types (no tool or
// paste); no signatures. What it cannot carry goes into metadata["dev.colophon"] (see DevColophon),
// which also says that the export is lossy.
import type { CID } from 'multiformats/cid';
import type { Author, AuthorClass, EntryLookup } from '../attribution/classes.js';
import type { Evidence } from '../attribution/evidence.js';
import type { AuthorRun } from '../attribution/text-map.js';
import { contentCid } from '../cid.js';
import type { ModelRef } from '../record/types.js';
import { utf8Encode } from '../text/utf8.js';
import { sha256Hex } from './intoto.js';

/** The spec version Colophon writes. */
export const AGENT_TRACE_VERSION = '0.1.0';
/** Our key in a trace's `metadata` (reverse-domain, as the spec asks). */
export const DEV_COLOPHON = 'dev.colophon';
/** models.dev ids are at most this long (the schema's maxLength). */
export const MAX_MODEL_ID = 250;
export const LOSSY_NOTE =
  'Lossy export from Colophon: Agent Trace attributes whole lines to four contributor types and carries no signatures, while Colophon attributes each character to a signer, model or tool in signed records. "runs" gives the characters (UTF-16 offsets into the text whose content id is "out"), with the tool and paste classes, the evidence and the record that wrote each run; verify them against the ledger, not against this file.';

export type ContributorType = 'human' | 'ai' | 'mixed' | 'unknown';
export const CONTRIBUTOR_TYPES: readonly ContributorType[] = ['human', 'ai', 'mixed', 'unknown'];
export const VCS_TYPES = ['git', 'jj', 'hg', 'svn'] as const;
export type VcsType = (typeof VCS_TYPES)[number];

export interface TraceContributor {
  type: ContributorType;
  /** models.dev convention: `provider/model`. */
  model_id?: string;
}

export interface TraceRange {
  /** 1-indexed, inclusive. */
  start_line: number;
  end_line: number;
  content_hash?: string;
  /** Overrides the conversation's contributor for this range. */
  contributor?: TraceContributor;
}

export interface TraceConversation {
  url?: string;
  contributor?: TraceContributor;
  ranges: TraceRange[];
  related?: { type: string; url: string }[];
}

export interface TraceFile {
  /** Relative to the repository root. */
  path: string;
  conversations: TraceConversation[];
}

export interface AgentTraceRecord {
  version: string;
  id: string;
  timestamp: string;
  vcs?: { type: VcsType; revision: string };
  tool?: { name: string; version: string };
  files: TraceFile[];
  metadata?: { [key: string]: unknown };
}

/** One run of `DevColophonFile.runs`: [start, start + length) in UTF-16 code units. */
export interface DevColophonRun {
  start: number;
  length: number;
  /** Colophon's class: human, ai, tool, pasted or unknown. */
  class: AuthorClass;
  /** The signer's did (human, pasted), `provider/name@version` (ai), `name@version` (tool); absent for unknown. */
  who?: string;
  evidence?: Evidence;
  /** The record through which the run arrived. */
  record?: string;
}

export interface DevColophonFile {
  path: string;
  asset: string;
  /** Content id of the text the line numbers and runs refer to. */
  out?: string;
  /** The records the attribution was derived from, in replay order. */
  records: string[];
  runs: DevColophonRun[];
}

/** metadata["dev.colophon"] of an export. */
export interface DevColophon {
  note: string;
  /** The project's genesis record. */
  project?: string;
  /** model_id -> the versions Colophon's records name (the format has no place for versions). */
  models: { [modelId: string]: string[] };
  files: DevColophonFile[];
}

/** One line of a text: [start, contentEnd) is its content, [contentEnd, end) its terminator (\n or \r\n). */
export interface TextLine {
  start: number;
  contentEnd: number;
  end: number;
}

/** The lines of a text, 1-indexed by position + 1. A final terminator ends the last line; it starts none. */
export function textLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) {
      lines.push({ start, contentEnd: text.length, end: text.length });
      break;
    }
    const contentEnd = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
    lines.push({ start, contentEnd, end: newline + 1 });
    start = newline + 1;
  }
  return lines;
}

/** `sha256:<hex>` of the UTF-8 of the text from the start of line `first` to the end of line `last` (terminators included). */
export function rangeContentHash(text: string, lines: readonly TextLine[], first: number, last: number): string {
  return `sha256:${sha256Hex(contentCid(utf8Encode(text.slice(lines[first - 1]!.start, lines[last - 1]!.end))), 'range')}`;
}

/** models.dev-style id of a model: `provider/name`, just `name` when the provider is not known. */
export function modelId(model: Pick<ModelRef, 'provider' | 'name'>): string | undefined {
  if (model.name === 'unspecified' || model.name === '') return undefined;
  const id = model.provider === 'unspecified' || model.provider === '' ? model.name : `${model.provider}/${model.name}`;
  return id.length <= MAX_MODEL_ID ? id : undefined;
}

/** How an author appears in Agent Trace: tool output and pasted text are of unknown origin there. */
export function traceContributor(author: Pick<Author, 'class'>, model: ModelRef | undefined): TraceContributor {
  if (author.class === 'human') return { type: 'human' };
  if (author.class === 'ai') {
    const id = model && modelId(model);
    return id ? { type: 'ai', model_id: id } : { type: 'ai' };
  }
  return { type: 'unknown' };
}

export function contributorKey(c: TraceContributor): string {
  return c.model_id === undefined ? c.type : `${c.type}\u0000${c.model_id}`;
}

/** The contributors of each line (distinct, in order of first appearance), from runs covering the text. */
export function lineContributors(lines: readonly TextLine[], runs: readonly { start: number; length: number; contributor: TraceContributor }[]): TraceContributor[][] {
  const out: TraceContributor[][] = lines.map(() => []);
  let r = 0;
  lines.forEach((line, i) => {
    // A line's content decides; an empty line is its terminator's.
    const from = line.start;
    const to = line.contentEnd > line.start ? line.contentEnd : line.end;
    while (r < runs.length && runs[r]!.start + runs[r]!.length <= from) r++;
    const seen = new Set<string>();
    for (let k = r; k < runs.length && runs[k]!.start < to; k++) {
      const key = contributorKey(runs[k]!.contributor);
      if (!seen.has(key)) {
        seen.add(key);
        out[i]!.push(runs[k]!.contributor);
      }
    }
  });
  return out;
}

/** A line held by several contributors: `mixed`, with the model when exactly one model took part. */
function mixedOf(contributors: readonly TraceContributor[]): TraceContributor {
  const models = new Set(contributors.filter((c) => c.model_id !== undefined).map((c) => c.model_id!));
  return models.size === 1 ? { type: 'mixed', model_id: [...models][0]! } : { type: 'mixed' };
}

/**
 * The conversations of one file: one per contributor (human, each model, unknown), holding the
 * lines it wrote in. Each range names its contributor: the conversation's where it holds every
 * line of the range alone, `mixed` where others wrote in those lines too (so a mixed line appears
 * in the conversation of each of its contributors, always as `mixed`).
 */
export function traceConversations(text: string, perLine: readonly TraceContributor[][]): TraceConversation[] {
  const lines = textLines(text);
  const conversations = new Map<string, TraceConversation>();
  perLine.forEach((contributors, i) => {
    const lineContributor = contributors.length === 1 ? contributors[0]! : mixedOf(contributors);
    for (const contributor of contributors) {
      const key = contributorKey(contributor);
      let conversation = conversations.get(key);
      if (!conversation) conversations.set(key, (conversation = { contributor, ranges: [] }));
      const last = conversation.ranges[conversation.ranges.length - 1];
      if (last && last.end_line === i && contributorKey(last.contributor!) === contributorKey(lineContributor)) last.end_line = i + 1;
      else conversation.ranges.push({ start_line: i + 1, end_line: i + 1, contributor: lineContributor });
    }
  });
  return [...conversations.values()].map((conversation) => ({
    contributor: conversation.contributor!,
    ranges: conversation.ranges.map((range) => ({
      start_line: range.start_line,
      end_line: range.end_line,
      content_hash: rangeContentHash(text, lines, range.start_line, range.end_line),
      contributor: range.contributor!,
    })),
  }));
}

/** One text asset to export. */
export interface AgentTraceFileInput {
  /** Relative to the repository root, forward slashes. */
  path: string;
  asset: string;
  /** The text the runs describe (the asset's last recorded version). */
  text: string;
  /** Who wrote each character: runs covering the text, in order (TextAuthorshipMap.runs()). */
  runs: readonly AuthorRun[];
  out?: CID;
  records: readonly CID[];
}

export interface AgentTraceOptions {
  /** A UUID (the caller draws it: core takes no entropy of its own). */
  id: string;
  /** RFC 3339. */
  timestamp: string;
  tool: { name: string; version: string };
  vcs?: { type: VcsType; revision: string };
  /** The project's genesis record. */
  project?: CID;
  /** Finds the record an ai author's model is named in (Author.record). */
  lookup: EntryLookup;
}

/** The model an author's record names (ai authors only). */
function modelOf(author: Author, lookup: EntryLookup): ModelRef | undefined {
  if (author.class !== 'ai' || !author.record) return undefined;
  const agent = lookup(author.record.toString())?.record.agent;
  return agent?.type === 'ai' ? agent.model : undefined;
}

/** One Agent Trace record for the files given, with metadata["dev.colophon"] (see DevColophon). */
export function agentTraceRecord(files: readonly AgentTraceFileInput[], options: AgentTraceOptions): AgentTraceRecord {
  const models = new Map<string, Set<string>>();
  const devFiles: DevColophonFile[] = [];
  const traceFiles: TraceFile[] = files.map((file) => {
    const covered = file.runs.reduce((n, run) => n + run.length, 0);
    if (covered !== file.text.length) throw new RangeError(`${file.asset}: the runs cover ${covered} code units, the text has ${file.text.length}`);
    const runs = file.runs.map((run) => {
      const model = modelOf(run.author, options.lookup);
      const contributor = traceContributor(run.author, model);
      if (model && contributor.model_id) {
        const versions = models.get(contributor.model_id) ?? new Set<string>();
        versions.add(model.version);
        models.set(contributor.model_id, versions);
      }
      return { start: run.start, length: run.length, contributor };
    });
    devFiles.push({
      path: file.path,
      asset: file.asset,
      ...(file.out && { out: file.out.toString() }),
      records: file.records.map(String),
      runs: file.runs.map((run) => devRun(run)),
    });
    return { path: file.path, conversations: traceConversations(file.text, lineContributors(textLines(file.text), runs)) };
  });
  const colophon: DevColophon = {
    note: LOSSY_NOTE,
    ...(options.project && { project: options.project.toString() }),
    models: Object.fromEntries([...models].map(([id, versions]) => [id, [...versions].sort()])),
    files: devFiles,
  };
  return {
    version: AGENT_TRACE_VERSION,
    id: options.id,
    timestamp: options.timestamp,
    ...(options.vcs && { vcs: options.vcs }),
    tool: options.tool,
    files: traceFiles,
    metadata: { [DEV_COLOPHON]: colophon },
  };
}

function devRun(run: AuthorRun): DevColophonRun {
  const out: DevColophonRun = { start: run.start, length: run.length, class: run.author.class };
  if (run.author.who) out.who = run.author.who;
  if (run.author.evidence) out.evidence = run.author.evidence;
  if (run.author.record) out.record = run.author.record.toString();
  return out;
}
