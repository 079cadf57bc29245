// What an imported Agent Trace claims about a text, per character, and how those claims meet what
// Colophon already holds. Platform-neutral (ES2020).
//
// Rules (DESIGN.md, "Agent Trace"): a claim is evidence `reported`, never more. It only fills text
// Colophon holds as `unknown`; text with a known author keeps it, and a claim that says otherwise
// is reported as a disagreement. The trace's `human` is the person whose tool wrote the trace: the
// signer who imports it. `mixed` and `unknown` lines claim nothing (whose characters are whose
// cannot be told from a line).
import { modelLabel, toolLabel, type Author, type OpClass } from '../attribution/classes.js';
import type { Evidence } from '../attribution/evidence.js';
import type { TextAuthorshipMap } from '../attribution/text-map.js';
import type { AgentRef, ModelRef, TextOp } from '../record/types.js';
import {
  lineContributors,
  rangeContentHash,
  textLines,
  traceContributor,
  traceConversations,
  type DevColophon,
  type DevColophonFile,
  type TextLine,
  type TraceContributor,
  type TraceFile,
} from './agent-trace.js';

/** What a trace says made some text: a class and, for ai and tool, the agent. */
export interface Claim {
  class: OpClass;
  agent?: AgentRef;
}

/** A claim over [start, end) of the text, UTF-16 code units. */
export interface ClaimSpan {
  start: number;
  end: number;
  claim: Claim;
}

export interface FileClaims {
  spans: ClaimSpan[];
  /** 'runs': dev.colophon's characters (a Colophon export of this very text); 'lines': the standard ranges. */
  source: 'runs' | 'lines';
  /** Lines the trace calls mixed (they claim nothing). */
  mixedLines: number;
  notes: string[];
}

const UNSPECIFIED = 'unspecified';

export function claimLabel(claim: Claim): string {
  if (claim.agent?.type === 'ai') return modelLabel(claim.agent);
  if (claim.agent?.type === 'tool') return toolLabel(claim.agent);
  return claim.class === 'paste' ? 'pasted' : claim.class;
}

function claimKey(claim: Claim): string {
  return `${claim.class}\u0000${claimLabel(claim)}`;
}

/** A model from a models.dev id (`provider/model`); the version from dev.colophon when it names exactly one, else unspecified. */
export function modelFromId(id: string | undefined, versions?: DevColophon['models']): ModelRef {
  if (id === undefined || id === '') return { provider: UNSPECIFIED, name: UNSPECIFIED, version: UNSPECIFIED };
  const slash = id.indexOf('/');
  const known = versions?.[id];
  const version = known && known.length === 1 ? known[0]! : UNSPECIFIED;
  return slash > 0 ? { provider: id.slice(0, slash), name: id.slice(slash + 1), version } : { provider: UNSPECIFIED, name: id, version };
}

/** `provider/name@version` (Author.who of an ai author) as a model. */
function modelFromLabel(label: string | undefined): ModelRef {
  if (!label) return modelFromId(undefined);
  const at = label.lastIndexOf('@');
  const model = modelFromId(at > 0 ? label.slice(0, at) : label);
  return at > 0 ? { ...model, version: label.slice(at + 1) } : model;
}

/** `name@version` (Author.who of a tool author) as a tool. */
function toolFromLabel(label: string | undefined): Extract<AgentRef, { type: 'tool' }> {
  const at = label ? label.lastIndexOf('@') : -1;
  return { type: 'tool', name: at > 0 ? label!.slice(0, at) : label || UNSPECIFIED, version: at > 0 ? label!.slice(at + 1) : UNSPECIFIED };
}

function claimOfContributor(contributor: TraceContributor, models: DevColophon['models'] | undefined): Claim | undefined {
  if (contributor.type === 'human') return { class: 'human' };
  if (contributor.type === 'ai') return { class: 'ai', agent: { type: 'ai', model: modelFromId(contributor.model_id, models) } };
  return undefined;
}

/** Sorted-key JSON, to compare two values whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function pushSpan(spans: ClaimSpan[], start: number, end: number, claim: Claim): void {
  const last = spans[spans.length - 1];
  if (last && last.end === start && claimKey(last.claim) === claimKey(claim)) last.end = end;
  else spans.push({ start, end, claim });
}

export interface FileClaimOptions {
  /** The did of the signer importing the trace. */
  signer: string;
  /** Content id (string) of `text`: dev.colophon's runs are used only for the very text they describe. */
  contentId: string;
  dev?: DevColophon;
}

/** What one file of a trace claims about `text` (the file as it is now). */
export function fileClaims(file: TraceFile, text: string, options: FileClaimOptions): FileClaims {
  const notes: string[] = [];
  const devFile = options.dev?.files.find((f) => f.path === file.path);
  if (devFile) {
    const fromRuns = runClaims(file, devFile, text, options, notes);
    if (fromRuns) return fromRuns;
  }
  return lineClaims(file, text, options.dev?.models, notes);
}

/**
 * dev.colophon's runs, when they describe this text (same content id, covering it) and agree
 * with the standard ranges of the same trace (re-deriving the ranges from them gives the same
 * conversations): then the claims are per character, with tool and paste classes.
 */
function runClaims(file: TraceFile, dev: DevColophonFile, text: string, options: FileClaimOptions, notes: string[]): FileClaims | undefined {
  if (dev.out !== options.contentId) {
    notes.push(`${file.path}: dev.colophon describes another version of the file (${dev.out ?? 'no content id'}); reading the line ranges only`);
    return undefined;
  }
  let at = 0;
  for (const run of dev.runs) {
    if (run.start !== at) break;
    at += run.length;
  }
  if (at !== text.length) {
    notes.push(`${file.path}: dev.colophon's runs do not cover the text; reading the line ranges only`);
    return undefined;
  }
  const contributors = dev.runs.map((run) => ({
    start: run.start,
    length: run.length,
    contributor: traceContributor({ class: run.class }, run.class === 'ai' ? modelFromLabel(run.who) : undefined),
  }));
  if (canonical(traceConversations(text, lineContributors(textLines(text), contributors))) !== canonical(file.conversations)) {
    notes.push(`${file.path}: dev.colophon's runs do not give the trace's own ranges; reading the line ranges only`);
    return undefined;
  }
  const spans: ClaimSpan[] = [];
  let foreign = 0;
  for (const run of dev.runs) {
    let claim: Claim | undefined;
    if (run.class === 'human') {
      // Colophon's human text is its signer's: someone else's typing comes in as pasted by the importer.
      claim = { class: run.who === options.signer ? 'human' : 'paste' };
      if (run.who !== options.signer) foreign += run.length;
    } else if (run.class === 'pasted') claim = { class: 'paste' };
    else if (run.class === 'ai') claim = { class: 'ai', agent: { type: 'ai', model: modelFromLabel(run.who) } };
    else if (run.class === 'tool') claim = { class: 'tool', agent: toolFromLabel(run.who) };
    if (claim && run.length > 0) pushSpan(spans, run.start, run.start + run.length, claim);
  }
  if (foreign > 0) notes.push(`${file.path}: ${foreign} characters typed by another person are recorded as pasted by you (Colophon's human text is always its signer's)`);
  return { spans, source: 'runs', mixedLines: mixedLines(file, textLines(text).length).size, notes };
}

function mixedLines(file: TraceFile, lineCount: number): Set<number> {
  const mixed = new Set<number>();
  for (const conversation of file.conversations) {
    for (const range of conversation.ranges) {
      if ((range.contributor ?? conversation.contributor)?.type !== 'mixed') continue;
      for (let l = range.start_line; l <= Math.min(range.end_line, lineCount); l++) mixed.add(l);
    }
  }
  return mixed;
}

/** The standard ranges: each line claimed by one contributor (with its terminator); lines claimed twice over, or mixed, claim nothing. */
function lineClaims(file: TraceFile, text: string, models: DevColophon['models'] | undefined, notes: string[]): FileClaims {
  const lines = textLines(text);
  const perLine: (Claim | null | undefined)[] = new Array<Claim | null | undefined>(lines.length).fill(undefined); // null: the trace contradicts itself
  let outside = 0;
  let moved = 0;
  let conflicts = 0;
  for (const conversation of file.conversations) {
    for (const range of conversation.ranges) {
      if (range.start_line > range.end_line || range.end_line > lines.length) {
        outside++;
        continue;
      }
      if (range.content_hash?.startsWith('sha256:') && range.content_hash !== rangeContentHash(text, lines, range.start_line, range.end_line)) {
        moved++;
        continue;
      }
      const contributor = range.contributor ?? conversation.contributor;
      const claim = contributor && claimOfContributor(contributor, models);
      if (!claim) continue;
      for (let l = range.start_line; l <= range.end_line; l++) {
        const held = perLine[l - 1];
        if (held === undefined) perLine[l - 1] = claim;
        else if (held !== null && claimKey(held) !== claimKey(claim)) {
          perLine[l - 1] = null;
          conflicts++;
        }
      }
    }
  }
  const mixed = mixedLines(file, lines.length);
  for (const l of mixed) {
    if (perLine[l - 1]) {
      perLine[l - 1] = null;
      conflicts++;
    }
  }
  if (outside > 0) notes.push(`${file.path}: ${outside} range(s) lie outside the file (${lines.length} lines) and were skipped`);
  if (moved > 0) notes.push(`${file.path}: ${moved} range(s) no longer hold the text their content_hash names and were skipped`);
  if (conflicts > 0) notes.push(`${file.path}: ${conflicts} line(s) are claimed for different contributors by the trace itself; they claim nothing`);
  const spans: ClaimSpan[] = [];
  perLine.forEach((claim, i) => {
    if (claim) pushSpan(spans, lines[i]!.start, lines[i]!.end, claim);
  });
  return { spans, source: 'lines', mixedLines: mixed.size, notes };
}

/** A claim and what Colophon holds, for some lines, when they differ. */
export interface Disagreement {
  /** 1-indexed, inclusive. */
  startLine: number;
  endLine: number;
  trace: string;
  colophon: string;
  /** How Colophon came to know its author, when its record says. */
  evidence?: Evidence;
}

export interface ClaimPlan {
  /** Unknown text the claims give an author: one group per claim, its spans in order. */
  groups: { claim: Claim; spans: [start: number, end: number][] }[];
  /** Code units filled; already as claimed; held otherwise by Colophon (and left so). */
  filled: number;
  agreed: number;
  disputed: number;
  disagreements: Disagreement[];
}

function authorLabel(author: Author): string {
  return author.class === 'ai' || author.class === 'tool' ? author.who : author.class;
}

/** Same author as far as a claim can say: the class, and the model (provider/name) or tool name. */
function sameAuthor(author: Author, claim: Claim): boolean {
  if (author.class !== (claim.class === 'paste' ? 'pasted' : claim.class)) return false;
  if (claim.agent?.type === 'ai') {
    const stated = claim.agent.model;
    const held = modelFromLabel(author.who);
    return stated.name === UNSPECIFIED || (stated.name === held.name && (stated.provider === UNSPECIFIED || stated.provider === held.provider));
  }
  if (claim.agent?.type === 'tool') return toolFromLabel(author.who).name === claim.agent.name;
  return true;
}

function lineOf(lines: readonly TextLine[], pos: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * How the claims meet `map` (who Colophon says wrote each character of `text` now): `unknown`
 * text is filled, text with a known author is left alone, and where the claim differs that is a
 * disagreement (grouped by lines).
 */
export function planClaims(map: TextAuthorshipMap, text: string, claims: readonly ClaimSpan[]): ClaimPlan {
  if (map.length !== text.length) throw new RangeError(`the authorship map has ${map.length} code units, the text ${text.length}`);
  const lines = textLines(text);
  const groups = new Map<string, { claim: Claim; spans: [number, number][] }>();
  const plan: ClaimPlan = { groups: [], filled: 0, agreed: 0, disputed: 0, disagreements: [] };
  for (const span of claims) {
    map.forEachRun((start, length, author) => {
      const end = start + length;
      if (author.class === 'unknown') {
        const key = claimKey(span.claim);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { claim: span.claim, spans: [] }));
        const last = group.spans[group.spans.length - 1];
        if (last && last[1] === start) last[1] = end;
        else group.spans.push([start, end]);
        plan.filled += length;
        return;
      }
      if (sameAuthor(author, span.claim)) {
        plan.agreed += length;
        return;
      }
      plan.disputed += length;
      const startLine = lineOf(lines, start);
      const endLine = lineOf(lines, end - 1);
      const trace = claimLabel(span.claim);
      const colophon = authorLabel(author);
      const last = plan.disagreements[plan.disagreements.length - 1];
      if (last && last.trace === trace && last.colophon === colophon && last.evidence === author.evidence && last.endLine >= startLine - 1) last.endLine = Math.max(last.endLine, endLine);
      else plan.disagreements.push({ startLine, endLine, trace, colophon, ...(author.evidence && { evidence: author.evidence }) });
    }, span.start, span.end);
  }
  plan.groups = [...groups.values()];
  return plan;
}

/** The delta.text ops that give the spans their claimed author: each replaces the text by itself (the content does not change). */
export function claimOps(spans: readonly [number, number][], cls: OpClass): TextOp[] {
  return spans.map(([start, end]): TextOp => [start, end - start, end - start, cls]);
}
