// `colophon agent-hook`: one hook event on stdin from an AI agent that edited files (Claude Code
// PostToolUse, VS Code agent hooks, Cursor afterFileEdit and afterTabFileEdit). Each file it names
// is recorded as a new version whose changed spans are `ai` (evidence `reported`: the agent said
// so) where the event says the agent wrote them, and `unknown` where the file changed otherwise
// since the last record. Stdout carries only the hook's JSON answer; what was recorded goes to stderr.
import { isAbsolute, resolve } from 'node:path';
import { modelLabel, textEdits, type AiAgent, type OpClass, type SpanClassifier } from '@colophon/core';
import { cursorEdit, cursorHookExt } from '../cursor-hook.js';
import { UsageError } from '../errors.js';
import type { Io } from '../output.js';
import { shortCid } from '../output.js';
import { recordSavedText } from '../text-version.js';
import { openWorkspace, signingIdentity } from '../workspace.js';
import { parseModel } from './record.js';

export interface AgentHookOptions {
  /** The model, when the event does not name it (provider/name@version). */
  model?: string;
  as?: string;
}

/** What the hook events carry that matters here (see the README for the tools). */
interface HookEvent {
  hook_event_name?: unknown;
  session_id?: unknown;
  sessionId?: unknown;
  cwd?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
  model?: unknown;
  file_path?: unknown;
  edits?: unknown;
}

const MAX_EVENT_BYTES = 16 * 1024 * 1024;
const MAX_FILES = 256;

/** One string edit an agent reports: the text it replaced (when the event says) and the text it wrote. */
interface StringEdit {
  old?: string;
  new: string;
}

/** One edited file and the edits the agent made in it (undefined: the whole change is the agent's). */
interface EditedFile {
  path: string;
  written?: StringEdit[];
}

function stringEdit(value: unknown): StringEdit[] {
  if (!value || typeof value !== 'object') return [];
  const { old_string: old, new_string: written } = value as { old_string?: unknown; new_string?: unknown };
  if (typeof written !== 'string') return [];
  return [typeof old === 'string' ? { old, new: written } : { new: written }];
}

/** The files an event names, per tool. Unknown tools (Read, Bash) name none. */
export function editedFiles(event: HookEvent): EditedFile[] {
  const input = (event.tool_input && typeof event.tool_input === 'object' ? event.tool_input : {}) as Record<string, unknown>;
  const files: EditedFile[] = [];
  const filePath = typeof input.file_path === 'string' ? input.file_path : typeof event.file_path === 'string' ? event.file_path : undefined;
  if (filePath !== undefined) {
    if (typeof input.content === 'string') files.push({ path: filePath }); // Write: the whole file is the agent's
    else if (typeof input.new_string === 'string') files.push({ path: filePath, written: stringEdit(input) }); // Edit
    else if (Array.isArray(input.edits)) files.push({ path: filePath, written: input.edits.flatMap(stringEdit) }); // MultiEdit
    else files.push({ path: filePath });
  }
  // VS Code agent hooks: tool_input.files, paths or objects naming one.
  if (Array.isArray(input.files)) {
    for (const file of input.files) {
      const path = typeof file === 'string' ? file : file && typeof file === 'object' ? ((file as Record<string, unknown>).filePath ?? (file as Record<string, unknown>).path) : undefined;
      if (typeof path === 'string') files.push({ path });
    }
  }
  return files.slice(0, MAX_FILES);
}

/** A model nobody named: recorded as not known, never guessed (the agent is not held up for it). */
const UNNAMED_MODEL = { provider: 'unspecified', name: 'unspecified', version: 'unspecified' };

/**
 * The model: --model, else the event's, else $COLOPHON_AGENT_MODEL. An event's bare name keeps what
 * it does not say as "unspecified"; with no name at all the model is unspecified, and `note` says so.
 */
function agentOf(event: HookEvent, options: AgentHookOptions): { agent: AiAgent; note?: string } {
  const configured = options.model ?? (typeof event.model !== 'string' ? process.env.COLOPHON_AGENT_MODEL : undefined);
  if (configured) return { agent: { type: 'ai', model: parseModel(configured) } };
  if (typeof event.model === 'string' && event.model.trim() !== '') {
    const named = event.model.trim();
    if (/^[^/\s]+\/[^@\s]+@\S+$/.test(named)) return { agent: { type: 'ai', model: parseModel(named) } };
    const slash = named.indexOf('/');
    const model = slash > 0 ? { provider: named.slice(0, slash), name: named.slice(slash + 1), version: 'unspecified' } : { provider: 'unspecified', name: named, version: 'unspecified' };
    return { agent: { type: 'ai', model } };
  }
  return {
    agent: { type: 'ai', model: UNNAMED_MODEL },
    note: 'the hook event names no model: recorded as an unspecified model (add --model provider/name@version to the hook command, or set COLOPHON_AGENT_MODEL)',
  };
}

const WORD = /[\p{L}\p{N}\p{M}_]/u;

/**
 * Where the agent's text is in the new text: in each place its new string is, the parts it
 * inserted or changed against the string it replaced (what it kept of that, Claude Code's context
 * around an edit, is not its writing), each widened to whole words.
 */
function writtenRegions(text: string, edits: readonly StringEdit[]): [number, number][] {
  const regions: [number, number][] = [];
  for (const edit of edits) {
    if (edit.new === '') continue;
    const parts = edit.old === undefined ? [{ pos: 0, text: edit.new }] : textEdits(edit.old, edit.new).filter((op) => op.text !== '');
    for (let at = text.indexOf(edit.new); at !== -1 && regions.length < 10_000; at = text.indexOf(edit.new, at + edit.new.length)) {
      for (const part of parts) {
        let start = at + part.pos;
        let end = start + part.text.length;
        while (start > 0 && WORD.test(text[start - 1]!)) start--;
        while (end < text.length && WORD.test(text[end]!)) end++;
        regions.push([start, end]);
      }
    }
  }
  return regions;
}

/** `ai` for a span inside what the agent wrote, `unknown` elsewhere. */
function writtenSpans(regions: readonly [number, number][]): SpanClassifier {
  return (start, end): OpClass => (regions.some(([s, e]) => start >= s && end <= e) ? 'ai' : 'unknown');
}

async function readEvent(): Promise<HookEvent> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_EVENT_BYTES) throw new UsageError(`the hook event on stdin is larger than ${MAX_EVENT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let event: unknown;
  try {
    event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new UsageError('stdin is not a JSON hook event');
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw new UsageError('stdin is not a JSON hook event (an object)');
  return event as HookEvent;
}

export async function agentHook(cwd: string, options: AgentHookOptions, io: Io, read: () => Promise<HookEvent> = readEvent): Promise<void> {
  const event = await read();
  const cursor = cursorEdit(event as Record<string, unknown>);
  const files = cursor ? [{ path: cursor.path, written: cursor.written.map((text) => ({ new: text })) }] : editedFiles(event);
  // Hosts parse stdout as the hook's JSON answer (VS Code, Claude Code, Cursor): say "go on", report on stderr.
  io.out('{"continue":true}');
  if (files.length === 0) return; // not an edit (Read, Bash, a session event): nothing to record
  const base = cursor?.root ?? (typeof event.cwd === 'string' && isAbsolute(event.cwd) ? event.cwd : cwd);
  const { agent, note } = agentOf(event, options);
  if (note) io.err(`colophon: ${note}`);
  const ws = await openWorkspace(base);
  const { identity } = await signingIdentity(ws, options.as);
  const session = typeof event.session_id === 'string' ? event.session_id : typeof event.sessionId === 'string' ? event.sessionId : undefined;
  const tool = typeof event.tool_name === 'string' ? event.tool_name : undefined;
  const hook: Record<string, string> = cursor ? cursorHookExt(cursor) : {};
  if (tool) hook.tool = tool.slice(0, 256);
  if (session) hook.session = session.slice(0, 256);
  for (const file of files) {
    const path = resolve(base, file.path);
    let outcome;
    try {
      outcome = await recordSavedText(ws, identity, {
        path,
        kind: 'ai.generate',
        agent,
        evidence: 'reported',
        cls: file.written === undefined ? 'ai' : (text) => writtenSpans(writtenRegions(text, file.written!)),
        // A watcher may have recorded the agent's save first, as the signer's (evidence diff).
        ...(file.written !== undefined && { reclaim: (text: string) => ({ regions: writtenRegions(text, file.written!), class: 'ai' as const }) }),
        ...(Object.keys(hook).length > 0 && { ext: { 'colophon.hook': hook } }),
      });
    } catch (error) {
      if (error instanceof UsageError) {
        io.err(`colophon: ${file.path}: ${error.message}`);
        continue;
      }
      throw error;
    }
    for (const note of outcome.notes) io.err(`colophon: ${note}`);
    if (outcome.status === 'recorded') io.err(`${outcome.asset}: +${outcome.inserted} -${outcome.deleted} by ${modelLabel(agent)} (reported) ${shortCid(outcome.record.cid)}`);
    else if (outcome.status !== 'unchanged') io.err(`colophon: ${file.path} was not recorded (${outcome.status})`);
  }
}
