// `diverge`: two runs of the same pipeline, step by step (steps are matched by name and by their
// order among steps of that name), and the first step where they differ: the model or its
// version, a parameter, the prompt, an input, or — all of those equal — the output itself.
import type { LedgerEntry } from '../attribution/classes.js';
import type { BlobStore } from '../store/blob-store.js';
import type { AgentRef } from '../record/types.js';
import { CID } from 'multiformats/cid';
import { openContent } from './content.js';
import type { LedgerView } from './ledger-view.js';
import { findRun, type Run, type RunStep } from './runs.js';
import { stepPayloadOrUndefined } from './step-payload.js';

/** Texts shown in a difference are cut to this many characters around where they first differ. */
export const DIFF_CONTEXT_CHARS = 160;

export interface Difference {
  /** What differs: step, agent.type, model.version, params.temperature, prompt, inputs[0], output, status. */
  field: string;
  a?: string;
  b?: string;
  /** For texts: the first character at which they differ. */
  at?: number;
  note?: string;
}

export interface StepPair {
  /** The step's name, with #k for its k-th occurrence when a run repeats it. */
  key: string;
  a?: LedgerEntry;
  b?: LedgerEntry;
  differences: Difference[];
  /** What could not be compared (private text whose opening is not in this blob store). */
  uncertain: Difference[];
}

export interface DivergeResult {
  runA: string;
  runB: string;
  stepsA: number;
  stepsB: number;
  /** Pairs compared, in pipeline order, up to and including the first that differs. */
  pairs: StepPair[];
  /** The first step that differs; undefined when the runs match step for step. */
  first?: StepPair;
}

interface Keyed {
  key: string;
  step: RunStep;
  index: number;
}

function keyed(run: Run): Keyed[] {
  const seen = new Map<string, number>();
  return run.steps.map((step, index) => {
    const n = (seen.get(step.payload.name) ?? 0) + 1;
    seen.set(step.payload.name, n);
    return { key: n === 1 ? step.payload.name : `${step.payload.name}#${n}`, step, index };
  });
}

/** JSON with sorted keys: the same value always prints the same. */
function canonical(value: unknown): string {
  const cid = CID.asCID(value);
  if (cid) return JSON.stringify(cid.toString());
  if (value instanceof Uint8Array) return JSON.stringify(Array.from(value));
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function agentFields(agent: AgentRef | undefined): Map<string, string> {
  const fields = new Map<string, string>();
  if (!agent) return fields;
  fields.set('agent.type', agent.type);
  if (agent.type === 'ai') {
    fields.set('model.provider', agent.model.provider);
    fields.set('model.name', agent.model.name);
    fields.set('model.version', agent.model.version);
    for (const [key, value] of Object.entries(agent.params ?? {})) fields.set(`params.${key}`, canonical(value));
  } else {
    fields.set('tool.name', agent.name);
    fields.set('tool.version', agent.version);
  }
  return fields;
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i;
  return n;
}

function around(text: string, at: number): string {
  const start = Math.max(0, at - DIFF_CONTEXT_CHARS / 4);
  const slice = text.slice(start, start + DIFF_CONTEXT_CHARS);
  return `${start > 0 ? '…' : ''}${slice}${start + DIFF_CONTEXT_CHARS < text.length ? '…' : ''}`;
}

type Side = { cid?: CID; text?: string; committed?: boolean } | undefined;

class Comparer {
  constructor(
    private readonly blobs: Pick<BlobStore, 'get'> | undefined,
    private readonly pair: StepPair,
  ) {}

  /** Compares two pieces of content by id, or by text where ids differ but both can be opened. */
  async content(field: string, a: Side, b: Side): Promise<void> {
    if (!a && !b) return;
    if (!a || !b) {
      this.pair.differences.push({ field, a: a ? 'present' : 'none', b: b ? 'present' : 'none' });
      return;
    }
    if (a.cid && b.cid && a.cid.equals(b.cid)) return;
    const textA = a.text ?? (await this.open(a));
    const textB = b.text ?? (await this.open(b));
    if (textA !== undefined && textB !== undefined) {
      if (textA === textB) return;
      const at = firstDifference(textA, textB);
      this.pair.differences.push({ field, a: around(textA, at), b: around(textB, at), at });
      return;
    }
    // Salted commitments of the same text differ; without the openings nothing can be said.
    if (a.committed || b.committed) {
      this.pair.uncertain.push({ field, note: 'private (by commitment) and not openable from this blob store, so the texts cannot be compared' });
      return;
    }
    this.pair.differences.push({ field, a: a.cid?.toString() ?? 'text', b: b.cid?.toString() ?? 'text' });
  }

  private async open(side: NonNullable<Side>): Promise<string | undefined> {
    if (!side.cid || !this.blobs) return undefined;
    const opened = await openContent(this.blobs, side.cid, side.committed).catch(() => undefined);
    return opened?.text;
  }
}

function promptSide(entry: LedgerEntry): Side {
  const intent = entry.record.intent;
  if (!intent) return undefined;
  return 'text' in intent ? { text: intent.text } : { cid: intent.commit, committed: true };
}

function outputSide(entry: LedgerEntry): Side {
  if (!entry.record.out) return undefined;
  return { cid: entry.record.out, committed: stepPayloadOrUndefined(entry)?.committed === true };
}

/** An input as the pipeline sees it: the output of a named step of the same run, or outside content. */
function inputsOf(view: LedgerView, step: RunStep, keyOf: Map<string, string>): { step?: string; side: Side }[] {
  return (step.entry.record.in ?? []).map((cid) => {
    const producer = view.producerBefore(cid, step.entry);
    const key = producer ? keyOf.get(producer.cid.toString()) : undefined;
    const committed = producer ? stepPayloadOrUndefined(producer)?.committed === true : false;
    return key ? { step: key, side: { cid, committed } } : { side: { cid, committed } };
  });
}

async function comparePair(view: LedgerView, pair: StepPair, a: RunStep, b: RunStep, keys: { a: Map<string, string>; b: Map<string, string> }, blobs: Pick<BlobStore, 'get'> | undefined): Promise<void> {
  const compare = new Comparer(blobs, pair);
  const fa = agentFields(a.entry.record.agent);
  const fb = agentFields(b.entry.record.agent);
  for (const field of new Set([...fa.keys(), ...fb.keys()])) {
    if (fa.get(field) !== fb.get(field)) pair.differences.push({ field, a: fa.get(field) ?? '(none)', b: fb.get(field) ?? '(none)' });
  }
  await compare.content('prompt', promptSide(a.entry), promptSide(b.entry));
  const ia = inputsOf(view, a, keys.a);
  const ib = inputsOf(view, b, keys.b);
  if (ia.length !== ib.length) pair.differences.push({ field: 'inputs', a: `${ia.length} input(s)`, b: `${ib.length} input(s)` });
  else {
    for (let i = 0; i < ia.length; i++) {
      const x = ia[i]!;
      const y = ib[i]!;
      if (x.step !== undefined || y.step !== undefined) {
        // The output of the same earlier step: that step was compared already.
        if (x.step !== y.step) pair.differences.push({ field: `inputs[${i}]`, a: x.step ? `output of ${x.step}` : String(x.side?.cid), b: y.step ? `output of ${y.step}` : String(y.side?.cid) });
        continue;
      }
      await compare.content(`inputs[${i}]`, x.side, y.side);
    }
  }
  const errorA = a.payload.error;
  const errorB = b.payload.error;
  if ((errorA === undefined) !== (errorB === undefined)) pair.differences.push({ field: 'status', a: errorA === undefined ? 'ok' : `failed: ${errorA}`, b: errorB === undefined ? 'ok' : `failed: ${errorB}` });
  const before = pair.differences.length;
  await compare.content('output', outputSide(a.entry), outputSide(b.entry));
  if (pair.differences.length > before && before === 0) {
    pair.differences[before]!.note = 'same agent, parameters, prompt and inputs, different output: the model is not deterministic at these settings';
  }
}

export async function diverge(view: LedgerView, refA: string, refB: string, options: { blobs?: Pick<BlobStore, 'get'> } = {}): Promise<DivergeResult> {
  const runA = findRun(view, refA);
  const runB = findRun(view, refB);
  const ka = keyed(runA);
  const kb = keyed(runB);
  const keys = { a: new Map(ka.map((k) => [k.step.entry.cid.toString(), k.key])), b: new Map(kb.map((k) => [k.step.entry.cid.toString(), k.key])) };
  const inB = new Map(kb.map((k) => [k.key, k]));
  const inA = new Map(ka.map((k) => [k.key, k]));
  // Pipeline order: A's steps, with B's extra steps placed by their own position.
  const order = [...ka.map((k) => ({ key: k.key, index: k.index, side: 0 })), ...kb.filter((k) => !inA.has(k.key)).map((k) => ({ key: k.key, index: k.index, side: 1 }))].sort(
    (x, y) => x.index - y.index || x.side - y.side,
  );
  const result: DivergeResult = { runA: runA.id, runB: runB.id, stepsA: ka.length, stepsB: kb.length, pairs: [] };
  for (const { key } of order) {
    const a = inA.get(key);
    const b = inB.get(key);
    const pair: StepPair = { key, differences: [], uncertain: [] };
    if (a) pair.a = a.step.entry;
    if (b) pair.b = b.step.entry;
    if (!a || !b) pair.differences.push({ field: 'step', a: a ? 'present' : 'missing', b: b ? 'present' : 'missing' });
    else await comparePair(view, pair, a.step, b.step, keys, options.blobs);
    result.pairs.push(pair);
    if (pair.differences.length > 0) {
      result.first = pair;
      break;
    }
  }
  return result;
}
