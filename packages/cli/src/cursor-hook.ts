// Cursor's file-edit hook events, read from the JSON Cursor writes on a hook command's stdin:
// `afterFileEdit` (the agent edited a file) and `afterTabFileEdit` (a Tab completion was
// accepted). Both carry `file_path` and `edits: [{old_string, new_string, range?}]` besides the
// fields of every Cursor hook (`hook_event_name`, `conversation_id`, `generation_id`, `model`,
// `workspace_roots`, `cursor_version`). The file on disk is already changed when the hook runs.
import { isAbsolute } from 'node:path';

export const CURSOR_EDIT_EVENTS = ['afterFileEdit', 'afterTabFileEdit'] as const;
export type CursorEditEvent = (typeof CURSOR_EDIT_EVENTS)[number];

/** At most this many edits of one event are looked at (a Tab completion has one). */
const MAX_EDITS = 1000;

export interface CursorEdit {
  event: CursorEditEvent;
  /** The edited file, as Cursor names it (absolute in practice). */
  path: string;
  /** What the edits wrote (their new_string), to find the model's text in the file. */
  written: string[];
  /** The workspace folder (workspace_roots[0]) when absolute: where the project is. */
  root?: string;
  /** The model as Cursor names it (`claude-4.5-sonnet`, `gpt-5`, …). */
  model?: string;
  conversation?: string;
  generation?: string;
  /** Cursor's version (cursor_version), for the record's hook extension. */
  version?: string;
}

function text(value: unknown, max = 256): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
}

/** The edit a Cursor event reports, or undefined when the event is not one of Cursor's file edits. */
export function cursorEdit(event: Record<string, unknown>): CursorEdit | undefined {
  const name = event.hook_event_name;
  if (!(CURSOR_EDIT_EVENTS as readonly unknown[]).includes(name)) return undefined;
  if (typeof event.file_path !== 'string' || event.file_path === '') return undefined;
  const edits = Array.isArray(event.edits) ? event.edits.slice(0, MAX_EDITS) : [];
  const written = edits.flatMap((edit: unknown) => {
    const added = edit && typeof edit === 'object' ? (edit as { new_string?: unknown }).new_string : undefined;
    return typeof added === 'string' && added !== '' ? [added] : [];
  });
  const out: CursorEdit = { event: name as CursorEditEvent, path: event.file_path, written };
  const roots = Array.isArray(event.workspace_roots) ? event.workspace_roots : [];
  if (typeof roots[0] === 'string' && isAbsolute(roots[0])) out.root = roots[0];
  const model = text(event.model);
  if (model) out.model = model;
  const conversation = text(event.conversation_id);
  if (conversation) out.conversation = conversation;
  const generation = text(event.generation_id);
  if (generation) out.generation = generation;
  const version = text(event.cursor_version, 64);
  if (version) out.version = version;
  return out;
}

/** ext["colophon.hook"] of a record made from a Cursor edit: which event, conversation and generation. */
export function cursorHookExt(edit: CursorEdit): Record<string, string> {
  const ext: Record<string, string> = { tool: edit.version ? `cursor@${edit.version}` : 'cursor', event: edit.event };
  if (edit.conversation) ext.session = edit.conversation;
  if (edit.generation) ext.generation = edit.generation;
  return ext;
}
