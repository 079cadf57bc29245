// The payload of an agent.step record (and of the check records a pipeline makes):
// ext["colophon.step"]. It says which step of which run a record is; the rest of the step (agent,
// prompt, inputs, output) lives in the record's standard fields.
import { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import type { DagValue } from '../cbor/codec.js';
import { LineageError } from './errors.js';

export const STEP_EXT = 'colophon.step';
export const STEP_PAYLOAD_VERSION = 1;

/** Step names and run ids: short, printable, no spaces (they appear on command lines). */
export const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._:/@#-]{0,127}$/;
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const MAX_STEP_ERROR_CHARS = 512;

export interface StepPayload {
  v: typeof STEP_PAYLOAD_VERSION;
  /** The step's name in its pipeline, e.g. "draft" or "brand-check"; runs are compared by it. */
  name: string;
  /** The run the step belongs to: one execution of a pipeline. */
  run: string;
  /** How long the call took, in whole milliseconds (agent.step only). */
  ms?: number;
  /** The intent record the step serves (also among the record's links). */
  intent?: CID;
  /** Check records: the step that computed the score (an agent asked to rate), linked too but not evaluated. */
  via?: CID;
  /** True when `out` is a salted commitment whose opening is in the blob store (private output). */
  committed?: boolean;
  /** The call failed: its error message (then the record has no `out`). */
  error?: string;
  /** Token usage reported by the model. */
  tokens?: { in?: number; out?: number };
  /** OpenTelemetry: gen_ai.operation.name, the GenAI agent, and the span's place in its trace. */
  op?: string;
  agentId?: string;
  agentName?: string;
  span?: { trace: string; id: string; parent?: string };
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !CID.asCID(value);
}

/** The payload as a DAG-CBOR ext entry: optional fields left out, never undefined. */
export function stepExt(payload: StepPayload): { [key: string]: DagValue } {
  const clean: Obj = {};
  for (const [key, value] of Object.entries(payload)) if (value !== undefined) clean[key] = value;
  return { [STEP_EXT]: clean as DagValue };
}

/**
 * Reads ext["colophon.step"] of a record: undefined when the record carries none; throws a
 * LineageError naming the record and field when it is malformed.
 */
export function stepPayloadOf(entry: LedgerEntry): StepPayload | undefined {
  const value = entry.record.ext?.[STEP_EXT] as unknown;
  if (value === undefined) return undefined;
  const where = `record ${entry.cid}`;
  const field = (name: string) => `ext.${STEP_EXT}.${name}`;
  const fail = (name: string, what: string): never => {
    throw new LineageError(`${where}: ${field(name)} ${what}`, field(name));
  };
  if (!isObject(value)) throw new LineageError(`${where}: ext.${STEP_EXT} must be a map {v, name, run, ...}`, `ext.${STEP_EXT}`);
  if (value.v !== STEP_PAYLOAD_VERSION) fail('v', `must be ${STEP_PAYLOAD_VERSION}, got ${JSON.stringify(value.v)}`);
  if (typeof value.name !== 'string' || !STEP_NAME.test(value.name)) fail('name', `must be a step name (letters, digits, " ._:/@#-", at most 128), got ${JSON.stringify(value.name)}`);
  if (typeof value.run !== 'string' || !RUN_ID.test(value.run)) fail('run', `must be a run id (letters, digits, "._:-", at most 128), got ${JSON.stringify(value.run)}`);
  const payload: StepPayload = { v: STEP_PAYLOAD_VERSION, name: value.name as string, run: value.run as string };
  if (value.ms !== undefined) {
    if (typeof value.ms !== 'number' || !Number.isSafeInteger(value.ms) || value.ms < 0) fail('ms', 'must be a non-negative integer (milliseconds)');
    payload.ms = value.ms as number;
  }
  for (const key of ['intent', 'via'] as const) {
    if (value[key] === undefined) continue;
    const cid = CID.asCID(value[key]);
    if (!cid) fail(key, key === 'intent' ? 'must be the CID of an intent record' : 'must be the CID of the step that computed the score');
    payload[key] = cid!;
  }
  if (value.committed !== undefined) {
    if (typeof value.committed !== 'boolean') fail('committed', 'must be true or false');
    payload.committed = value.committed as boolean;
  }
  if (value.error !== undefined) {
    if (typeof value.error !== 'string') fail('error', 'must be a string');
    payload.error = value.error as string;
  }
  if (value.tokens !== undefined) {
    const tokens = value.tokens;
    if (!isObject(tokens) || Object.values(tokens).some((n) => typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)) fail('tokens', 'must be {in?, out?} with non-negative integers');
    payload.tokens = tokens as { in?: number; out?: number };
  }
  for (const key of ['op', 'agentId', 'agentName'] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== 'string') fail(key, 'must be a string');
    payload[key] = value[key] as string;
  }
  if (value.span !== undefined) {
    const span = value.span;
    if (!isObject(span) || typeof span.trace !== 'string' || typeof span.id !== 'string' || (span.parent !== undefined && typeof span.parent !== 'string')) {
      fail('span', 'must be {trace, id, parent?} (hex ids)');
    }
    payload.span = span as StepPayload['span'];
  }
  return payload;
}

/** Like stepPayloadOf, but never throws: lineage questions skip a malformed payload rather than stop. */
export function stepPayloadOrUndefined(entry: LedgerEntry): StepPayload | undefined {
  try {
    return stepPayloadOf(entry);
  } catch {
    return undefined;
  }
}
