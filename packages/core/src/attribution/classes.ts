import type { CID } from 'multiformats/cid';
import type { AgentRef, ContributionRecord } from '../record/types.js';
import { AttributionError } from './errors.js';
import { evidenceOf, type Evidence } from './evidence.js';

/**
 * Class strings carried by records (the 4th element of a `delta.text` op, or `delta.class` of a
 * step or node delta). They say how the content arrived:
 * - `human`   typed or drawn by the signer;
 * - `ai`      produced by the AI model named in the record's `agent` (or in a linked record's);
 * - `tool`    produced by the tool named in `agent` (a formatter, a script);
 * - `paste`   pasted or imported by the signer from a source Colophon did not observe;
 * - `unknown` changed while nobody observed it (edits reconciled after the plugin was off).
 */
export const OP_CLASSES = ['human', 'ai', 'tool', 'paste', 'unknown'] as const;
export type OpClass = (typeof OP_CLASSES)[number];

/** What content is, as shares report it. Same as OpClass, except that pasted text is `pasted`. */
export const AUTHOR_CLASSES = ['human', 'ai', 'tool', 'pasted', 'unknown'] as const;
export type AuthorClass = (typeof AUTHOR_CLASSES)[number];

const AUTHOR_CLASS_OF: Record<OpClass, AuthorClass> = { human: 'human', ai: 'ai', tool: 'tool', paste: 'pasted', unknown: 'unknown' };

export function isOpClass(value: unknown): value is OpClass {
  return typeof value === 'string' && (OP_CLASSES as readonly string[]).includes(value);
}

/**
 * Who made a piece of content.
 * - `who`: the signer's did (human, pasted), `provider/name@version` (ai), `name@version` (tool),
 *   or '' (unknown: nobody can be named).
 * - `record`: the record through which the content arrived (for ai, the record naming the model).
 */
export interface Author {
  class: AuthorClass;
  who: string;
  record?: CID;
  /** How the record that wrote this content says its class was observed (see evidence.ts), when it says. */
  evidence?: Evidence;
}

/** The contributor an author counts for in shares: `<class>:<who>`, or `unknown`. */
export function contributorId(author: Pick<Author, 'class' | 'who'>): string {
  return author.class === 'unknown' ? 'unknown' : `${author.class}:${author.who}`;
}

export function modelLabel(agent: Extract<AgentRef, { type: 'ai' }>): string {
  return `${agent.model.provider}/${agent.model.name}@${agent.model.version}`;
}

export function toolLabel(agent: Extract<AgentRef, { type: 'tool' }>): string {
  return `${agent.name}@${agent.version}`;
}

/** The minimum of a stored record attribution needs: its id and its fields. */
export interface LedgerEntry {
  cid: CID;
  record: ContributionRecord;
}

/** Looks a record up by CID string; replay passes the records it was given. */
export type EntryLookup = (cid: string) => LedgerEntry | undefined;

/**
 * Resolves a class string in a record to the author it names. `human` and `paste` are the
 * signer's; `ai` and `tool` need the agent that acted: the record's own `agent`, else the one
 * agent of that type among the records it links (e.g. an edit accepting the output of a linked
 * ai.generate record). Nothing is guessed: a class that cannot be resolved is an error.
 */
export function resolveAuthor(entry: LedgerEntry, cls: unknown, path: string, lookup: EntryLookup): Author {
  if (!isOpClass(cls)) {
    throw new AttributionError(`unknown class ${JSON.stringify(cls)}; classes are ${OP_CLASSES.map((c) => `"${c}"`).join(', ')}`, entry.cid, path);
  }
  const author = resolveClass(entry, cls, path, lookup);
  const evidence = evidenceOf(entry.record);
  if (evidence) author.evidence = evidence;
  return author;
}

function resolveClass(entry: LedgerEntry, cls: OpClass, path: string, lookup: EntryLookup): Author {
  const { record } = entry;
  switch (cls) {
    case 'human':
    case 'paste':
      return { class: AUTHOR_CLASS_OF[cls], who: record.by, record: entry.cid };
    case 'unknown':
      return { class: 'unknown', who: '', record: entry.cid };
    case 'ai':
    case 'tool': {
      const found = agentOf(entry, cls, lookup);
      if (!found) {
        throw new AttributionError(
          `class "${cls}" needs the ${cls === 'ai' ? 'AI model' : 'tool'} that acted: give the record an agent of type "${cls}", or link the record that names it`,
          entry.cid,
          path,
        );
      }
      const who = found.agent.type === 'ai' ? modelLabel(found.agent) : toolLabel(found.agent as Extract<AgentRef, { type: 'tool' }>);
      return { class: cls, who, record: found.cid };
    }
  }
}

function agentOf(entry: LedgerEntry, type: 'ai' | 'tool', lookup: EntryLookup): { agent: AgentRef; cid: CID } | undefined {
  if (entry.record.agent?.type === type) return { agent: entry.record.agent, cid: entry.cid };
  const candidates: { agent: AgentRef; cid: CID }[] = [];
  for (const link of entry.record.links ?? []) {
    const linked = lookup(link.toString());
    if (linked?.record.agent?.type === type) candidates.push({ agent: linked.record.agent, cid: linked.cid });
  }
  const labels = new Set(candidates.map((c) => (c.agent.type === 'ai' ? modelLabel(c.agent) : toolLabel(c.agent))));
  if (labels.size > 1) {
    throw new AttributionError(`class "${type}" is ambiguous: the record links ${[...labels].join(', ')}; give the record its own agent`, entry.cid, 'links');
  }
  return candidates[0];
}

/**
 * The class of a whole step (a record without text ops): `delta.class` when the record states
 * one, else from its agent (ai, tool), else `paste` for an `ingest` (outside material), else human.
 */
export function stepClass(record: ContributionRecord): unknown {
  const stated = record.delta?.class;
  if (stated !== undefined) return stated;
  if (record.agent) return record.agent.type;
  return record.kind === 'ingest' ? 'paste' : 'human';
}
