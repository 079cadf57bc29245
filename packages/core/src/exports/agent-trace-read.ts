// Reading Agent Trace records written by other tools: untrusted input, so every field is checked
// against the spec's schema (the same rules as test/fixtures/agent-trace/trace-record.schema.json,
// which the tests hold this reader to with Ajv) and every size is bounded, before anything is
// recorded. Platform-neutral (ES2020).
import { AUTHOR_CLASSES, type AuthorClass } from '../attribution/classes.js';
import { isEvidence } from '../attribution/evidence.js';
import { ColophonError, joinPath } from '../errors.js';
import {
  CONTRIBUTOR_TYPES,
  DEV_COLOPHON,
  MAX_MODEL_ID,
  VCS_TYPES,
  type AgentTraceRecord,
  type DevColophon,
  type DevColophonFile,
  type DevColophonRun,
  type TraceContributor,
  type TraceConversation,
  type TraceFile,
  type TraceRange,
} from './agent-trace.js';

/** A trace that breaks the format or the bounds; `path` names the field (`files[0].conversations[1].ranges[2].end_line`). */
export class AgentTraceError extends ColophonError {}

/** What one import reads at most. */
export const AGENT_TRACE_LIMITS = {
  /** Bytes of a trace file (JSON, or JSON Lines as the reference hook appends them). */
  bytes: 16 * 1024 * 1024,
  /** Trace records in one file. */
  records: 10_000,
  /** Files, conversations and ranges in one file, all records together. */
  files: 10_000,
  conversations: 100_000,
  ranges: 1_000_000,
  /** dev.colophon runs, all files together. */
  runs: 1_000_000,
  /** A line number. */
  line: 10_000_000,
  /** Any string but metadata's. */
  string: 8192,
} as const;

// The formats the schema names, as Ajv's ajv-formats checks them ("full" mode).
const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[t\s](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-](\d\d)(?::?(\d\d))?)$/i;
const URI = /^[a-z][a-z0-9+.-]*:[^\s]*$/i;
/**
 * X.Y.Z, as the spec's examples and its schema since cursor/agent-trace#12 say; X.Y is read too,
 * because the first published schema asked for it and the reference hook still writes "1.0".
 */
const VERSION = /^[0-9]+\.[0-9]+(?:\.[0-9]+)?$/;

interface Counts {
  files: number;
  conversations: number;
  ranges: number;
}

function fail(path: string, message: string): never {
  throw new AgentTraceError(`${path || 'trace'}: ${message}`, path);
}

function object(value: unknown, path: string, allowed: readonly string[], required: readonly string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(path, 'must be an object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!allowed.includes(key)) fail(joinPath(path, key), `is not a field of Agent Trace (fields: ${allowed.join(', ')})`);
  for (const key of required) if (record[key] === undefined) fail(joinPath(path, key), 'is required');
  return record;
}

function string(value: unknown, path: string, max: number = AGENT_TRACE_LIMITS.string): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length > max) fail(path, `is longer than ${max} characters`);
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value;
}

function count(counts: Counts, key: keyof Counts, n: number, path: string): void {
  counts[key] += n;
  if (counts[key] > AGENT_TRACE_LIMITS[key]) fail(path, `more than ${AGENT_TRACE_LIMITS[key]} ${key} in one import`);
}

function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  const offsetHour = m[7] === undefined ? 0 : Number(m[7]);
  const offsetMinute = m[8] === undefined ? 0 : Number(m[8]);
  // A leap second (:60) is allowed, as RFC 3339 and ajv-formats allow it.
  return hour <= 23 && minute <= 59 && second <= 60 && offsetHour <= 23 && offsetMinute <= 59;
}

function contributor(value: unknown, path: string): TraceContributor {
  const c = object(value, path, ['type', 'model_id'], ['type']);
  if (!(CONTRIBUTOR_TYPES as readonly unknown[]).includes(c.type)) fail(joinPath(path, 'type'), `must be one of ${CONTRIBUTOR_TYPES.join(', ')}`);
  const out: TraceContributor = { type: c.type as TraceContributor['type'] };
  if (c.model_id !== undefined) out.model_id = string(c.model_id, joinPath(path, 'model_id'), MAX_MODEL_ID);
  return out;
}

function line(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(path, 'must be an integer of at least 1');
  if (value > AGENT_TRACE_LIMITS.line) fail(path, `is past line ${AGENT_TRACE_LIMITS.line}`);
  return value;
}

function range(value: unknown, path: string): TraceRange {
  const r = object(value, path, ['start_line', 'end_line', 'content_hash', 'contributor'], ['start_line', 'end_line']);
  const out: TraceRange = { start_line: line(r.start_line, joinPath(path, 'start_line')), end_line: line(r.end_line, joinPath(path, 'end_line')) };
  if (r.content_hash !== undefined) out.content_hash = string(r.content_hash, joinPath(path, 'content_hash'));
  if (r.contributor !== undefined) out.contributor = contributor(r.contributor, joinPath(path, 'contributor'));
  return out;
}

function uri(value: unknown, path: string): string {
  const text = string(value, path);
  if (!URI.test(text)) fail(path, 'must be a URI');
  return text;
}

function conversation(value: unknown, path: string, counts: Counts): TraceConversation {
  const c = object(value, path, ['url', 'contributor', 'ranges', 'related'], ['ranges']);
  const ranges = array(c.ranges, joinPath(path, 'ranges'));
  count(counts, 'ranges', ranges.length, joinPath(path, 'ranges'));
  const out: TraceConversation = { ranges: ranges.map((r, i) => range(r, joinPath(joinPath(path, 'ranges'), i))) };
  if (c.url !== undefined) out.url = uri(c.url, joinPath(path, 'url'));
  if (c.contributor !== undefined) out.contributor = contributor(c.contributor, joinPath(path, 'contributor'));
  if (c.related !== undefined) {
    const related = array(c.related, joinPath(path, 'related'));
    count(counts, 'ranges', related.length, joinPath(path, 'related'));
    out.related = related.map((item, i) => {
      const at = joinPath(joinPath(path, 'related'), i);
      const r = object(item, at, ['type', 'url'], ['type', 'url']);
      return { type: string(r.type, joinPath(at, 'type')), url: uri(r.url, joinPath(at, 'url')) };
    });
  }
  return out;
}

function file(value: unknown, path: string, counts: Counts): TraceFile {
  const f = object(value, path, ['path', 'conversations'], ['path', 'conversations']);
  const conversations = array(f.conversations, joinPath(path, 'conversations'));
  count(counts, 'conversations', conversations.length, joinPath(path, 'conversations'));
  return { path: string(f.path, joinPath(path, 'path')), conversations: conversations.map((c, i) => conversation(c, joinPath(joinPath(path, 'conversations'), i), counts)) };
}

/** One trace record, checked field by field; throws AgentTraceError naming the first bad field. */
export function readAgentTrace(value: unknown, path = '', counts: Counts = { files: 0, conversations: 0, ranges: 0 }): AgentTraceRecord {
  const t = object(value, path, ['version', 'id', 'timestamp', 'vcs', 'tool', 'files', 'metadata'], ['version', 'id', 'timestamp', 'files']);
  const version = string(t.version, joinPath(path, 'version'));
  if (!VERSION.test(version)) fail(joinPath(path, 'version'), 'must be a spec version such as "0.1.0"');
  const id = string(t.id, joinPath(path, 'id'));
  if (!UUID.test(id)) fail(joinPath(path, 'id'), 'must be a UUID');
  const timestamp = string(t.timestamp, joinPath(path, 'timestamp'));
  if (!isDateTime(timestamp)) fail(joinPath(path, 'timestamp'), 'must be an RFC 3339 date-time');
  const files = array(t.files, joinPath(path, 'files'));
  count(counts, 'files', files.length, joinPath(path, 'files'));
  const out: AgentTraceRecord = { version, id, timestamp, files: files.map((f, i) => file(f, joinPath(joinPath(path, 'files'), i), counts)) };
  if (t.vcs !== undefined) {
    const vcs = object(t.vcs, joinPath(path, 'vcs'), ['type', 'revision'], ['type', 'revision']);
    if (!(VCS_TYPES as readonly unknown[]).includes(vcs.type)) fail(joinPath(path, 'vcs.type'), `must be one of ${VCS_TYPES.join(', ')}`);
    out.vcs = { type: vcs.type as (typeof VCS_TYPES)[number], revision: string(vcs.revision, joinPath(path, 'vcs.revision')) };
  }
  if (t.tool !== undefined) {
    const tool = object(t.tool, joinPath(path, 'tool'), ['name', 'version'], ['name', 'version']);
    out.tool = { name: string(tool.name, joinPath(path, 'tool.name')), version: string(tool.version, joinPath(path, 'tool.version')) };
  }
  if (t.metadata !== undefined) {
    if (!t.metadata || typeof t.metadata !== 'object' || Array.isArray(t.metadata)) fail(joinPath(path, 'metadata'), 'must be an object');
    out.metadata = t.metadata as Record<string, unknown>;
  }
  return out;
}

/**
 * The trace records of a file's text: one JSON record, a JSON array of them, or JSON Lines (one
 * record per line, as the reference hook appends them to .agent-trace/traces.jsonl).
 */
export function parseAgentTraces(text: string): AgentTraceRecord[] {
  if (text.length > AGENT_TRACE_LIMITS.bytes) throw new AgentTraceError(`the trace is larger than ${AGENT_TRACE_LIMITS.bytes} bytes`);
  const counts: Counts = { files: 0, conversations: 0, ranges: 0 };
  let whole: unknown;
  let parsed = true;
  try {
    whole = JSON.parse(text);
  } catch {
    parsed = false;
  }
  if (parsed) {
    if (!Array.isArray(whole)) return [readAgentTrace(whole, '', counts)];
    if (whole.length > AGENT_TRACE_LIMITS.records) throw new AgentTraceError(`more than ${AGENT_TRACE_LIMITS.records} trace records in one file`);
    return whole.map((item, i) => readAgentTrace(item, `[${i}]`, counts));
  }
  const records: AgentTraceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (source === '') continue;
    if (records.length === AGENT_TRACE_LIMITS.records) throw new AgentTraceError(`more than ${AGENT_TRACE_LIMITS.records} trace records in one file`);
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      throw new AgentTraceError(`line ${i + 1}: not JSON (a trace file holds one JSON record, an array of them, or one record per line)`, `line ${i + 1}`);
    }
    records.push(readAgentTrace(value, `line ${i + 1}`, counts));
  }
  if (records.length === 0) throw new AgentTraceError('the file holds no trace record');
  return records;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= AGENT_TRACE_LIMITS.string);
}

function devRun(value: unknown): DevColophonRun | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  if (!isCount(r.start) || !isCount(r.length) || !(AUTHOR_CLASSES as readonly unknown[]).includes(r.class)) return undefined;
  if (!optionalString(r.who) || !optionalString(r.record) || (r.evidence !== undefined && !isEvidence(r.evidence))) return undefined;
  const run: DevColophonRun = { start: r.start, length: r.length, class: r.class as AuthorClass };
  if (r.who !== undefined) run.who = r.who;
  if (r.evidence !== undefined) run.evidence = r.evidence as DevColophonRun['evidence'];
  if (r.record !== undefined) run.record = r.record;
  return run;
}

function devFile(value: unknown, budget: { runs: number }): DevColophonFile | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const f = value as Record<string, unknown>;
  if (typeof f.path !== 'string' || typeof f.asset !== 'string' || !optionalString(f.out) || !Array.isArray(f.runs) || !Array.isArray(f.records)) return undefined;
  budget.runs -= f.runs.length;
  if (budget.runs < 0 || !f.records.every((r) => typeof r === 'string')) return undefined;
  const runs: DevColophonRun[] = [];
  for (const item of f.runs) {
    const run = devRun(item);
    if (!run) return undefined;
    runs.push(run);
  }
  return { path: f.path, asset: f.asset, ...(f.out !== undefined && { out: f.out }), records: f.records as string[], runs };
}

/**
 * metadata["dev.colophon"] of a trace, when it is well-formed (a Colophon export's). Anything
 * else is not ours to interpret: undefined, and the trace's standard fields are read alone.
 */
export function readDevColophon(trace: AgentTraceRecord): DevColophon | undefined {
  const value = trace.metadata?.[DEV_COLOPHON];
  if (!value || typeof value !== 'object') return undefined;
  const d = value as Record<string, unknown>;
  if (typeof d.note !== 'string' || !Array.isArray(d.files) || !d.models || typeof d.models !== 'object') return undefined;
  const models: DevColophon['models'] = {};
  for (const [id, versions] of Object.entries(d.models as Record<string, unknown>)) {
    if (!Array.isArray(versions) || !versions.every((v) => typeof v === 'string')) return undefined;
    models[id] = versions as string[];
  }
  const budget = { runs: AGENT_TRACE_LIMITS.runs };
  const files: DevColophonFile[] = [];
  for (const item of d.files) {
    const f = devFile(item, budget);
    if (!f) return undefined;
    files.push(f);
  }
  return { note: d.note, ...(typeof d.project === 'string' && { project: d.project }), models, files };
}
