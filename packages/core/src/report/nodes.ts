// How lineage records read to people: one set of words shared by `colophon trace`, `blame`, and
// the HTML report, so a step is called the same thing everywhere.
import { hasTextDelta, isContentStep, isOpClass, stepClass, type LedgerEntry } from '../attribution/index.js';
import { type CheckResult } from '../contracts/index.js';
import { checkOf, stepPayloadOrUndefined } from '../lineage/index.js';
import type { AgentRef } from '../record/types.js';
import { who } from './words.js';

export interface NodeFacts {
  cid: string;
  kind: string;
  /** Short title: `step "draft"`, `intent`, `edit`. */
  title: string;
  /** The signer, by local name when known. */
  by: string;
  /** The model or tool that acted, when one did. */
  agent?: string;
  params?: string;
  run?: string;
  ms?: number;
  tokens?: { in?: number; out?: number };
  /** The prompt or brief in the clear; null when only its commitment is on the ledger. */
  prompt?: string | null;
  error?: string;
  asset?: string;
  at: number;
  /** Who made it, in one word: human, ai, tool. */
  actor: 'human' | 'ai' | 'tool';
  /**
   * How its content arrived, as the record states it (the classes of its text ops, else its step
   * class; see stepClass): `human`, `ai`, `tool`, `paste`, `unknown`. Empty for records that add
   * no content.
   */
  classes: string[];
  check?: CheckResult;
}

const TITLES: Record<string, string> = {
  intent: 'intent',
  'asset.create': 'created',
  'asset.edit': 'edited',
  'ai.generate': 'generated',
  ingest: 'ingested',
  review: 'review',
  approve: 'approved',
  reject: 'rejected',
  check: 'check',
};

export function agentLabel(agent: AgentRef): string {
  return agent.type === 'ai' ? `${agent.model.provider}/${agent.model.name}@${agent.model.version}` : `${agent.name}@${agent.version}`;
}

export function paramsLabel(params: { [key: string]: unknown } | undefined): string | undefined {
  if (!params) return undefined;
  const parts = Object.entries(params).map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function tokensLabel(tokens: { in?: number; out?: number } | undefined): string | undefined {
  if (!tokens || (tokens.in === undefined && tokens.out === undefined)) return undefined;
  return `${tokens.in ?? '?'} → ${tokens.out ?? '?'} tokens`;
}

export function nodeFacts(entry: LedgerEntry, names: ReadonlyMap<string, string>): NodeFacts {
  const { record } = entry;
  const step = stepPayloadOrUndefined(entry);
  const facts: NodeFacts = {
    cid: entry.cid.toString(),
    kind: record.kind,
    title: record.kind === 'agent.step' ? `step "${step?.name ?? '?'}"` : record.kind === 'check' ? `check "${checkOf(entry)?.name ?? '?'}"` : (TITLES[record.kind] ?? record.kind),
    by: who(record.by, names),
    at: record.at,
    actor: record.agent?.type ?? 'human',
    classes: statedClasses(entry),
  };
  if (record.agent) facts.agent = agentLabel(record.agent);
  const params = record.agent?.type === 'ai' ? paramsLabel(record.agent.params) : undefined;
  if (params) facts.params = params;
  if (step) {
    facts.run = step.run;
    if (step.ms !== undefined) facts.ms = step.ms;
    if (step.tokens) facts.tokens = step.tokens;
    if (step.error !== undefined) facts.error = step.error;
  }
  if (record.intent) facts.prompt = 'text' in record.intent ? record.intent.text : null;
  if (record.asset) facts.asset = record.asset;
  const check = checkOf(entry);
  if (check) facts.check = check;
  return facts;
}

function statedClasses(entry: LedgerEntry): string[] {
  const ops: unknown = hasTextDelta(entry) ? entry.record.delta!.text : undefined;
  if (Array.isArray(ops)) return [...new Set(ops.map((op: unknown) => (Array.isArray(op) ? op[3] : undefined)).filter(isOpClass))];
  if (!isContentStep(entry)) return [];
  const cls = stepClass(entry.record);
  return isOpClass(cls) ? [cls] : [];
}

const CLASS_WORDS: Record<string, string> = { human: 'by hand', ai: 'AI output', tool: 'by a tool', paste: 'pasted', unknown: 'changed unobserved' };

/** How a record's content arrived, in words: `by hand, pasted`. */
export function classWords(facts: NodeFacts): string {
  return facts.classes.map((c) => CLASS_WORDS[c] ?? c).join(', ');
}

export function checkLabel(result: CheckResult): string {
  const mark = result.pass ? '✓' : '✗';
  const threshold = result.threshold === undefined ? '' : ` (${result.pass ? '≥' : '<'} ${result.threshold})`;
  return `${mark} ${result.name} ${result.score}${threshold}`;
}

/** A text cut to `max` characters on one line, for tables and labels. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
