// The pipeline recorder: wraps agent calls as steps and queues their records; a batch writer signs
// and appends them off the caller's path. Platform-neutral (ES2020): the Node variant
// (@colophon/core/node, openNodeRecorder) adds a crash journal and an exit hook.
import { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import { encode } from '../cbor/codec.js';
import { ColophonError } from '../errors.js';
import { cryptoBackend } from '../crypto/backend.js';
import type { Contribution } from '../ledger/project.js';
import type { AgentRef } from '../record/types.js';
import { recordIssues } from '../record/validate.js';
import { checkExt, checkResult, type CheckResult } from '../contracts/check-result.js';
import { MAX_DISCLOSED_PROMPT_CHARS, sealContent, type StepContent } from './content.js';
import { LineageError } from './errors.js';
import { once } from '../once.js';
import { RecordHandle, type RecordRef } from './handle.js';
import type { Prepared } from './batch-writer.js';
import { LedgerWriter, type LedgerWriterOptions } from './ledger-writer.js';
import { MAX_STEP_ERROR_CHARS, RUN_ID, STEP_NAME, STEP_PAYLOAD_VERSION, stepExt, type StepPayload } from './step-payload.js';

export type { Scheduler, StepJournal } from './ledger-writer.js';

export interface RecorderOptions extends LedgerWriterOptions {
  /** The run id stamped on every step (default: a new random one). */
  run?: string;
  /** Monotonic clock for durations (ms); default: the wall clock. */
  now?: () => number;
  /**
   * Share a writer with other producers (capture sessions of the same signer), so that one
   * signer's feed is written from one queue. It must be for the same project and signer; the
   * batching, journal and error options above are then the writer's.
   */
  writer?: LedgerWriter;
  /** Random bytes for the run id; default the crypto backend's, where the platform has a source. */
  entropy?: (length: number) => Uint8Array;
}

export interface StepSpec {
  /** The step's name in the pipeline ("draft", "brand-check"); runs are compared step by step by name. */
  name: string;
  /** The agent that acts: an AI model (with its parameters) or a tool. */
  agent: AgentRef;
  /** The prompt sent; kept private (commitment + blob) unless disclose.prompt. */
  prompt?: string;
  /** Content consumed: earlier steps (their output) or content ids. Steps given here are also linked. */
  inputs?: readonly RecordRef[];
  /** Records this step depends on besides its inputs. */
  parents?: readonly RecordRef[];
  /** The intent served; default the recorder's latest intent(); null for none. */
  intent?: RecordRef | null;
  /** Set only when the step's output IS the asset's new state (attribution then counts it as an AI step). */
  asset?: string;
  disclose?: { prompt?: boolean; output?: boolean };
}

export interface CompletedStep extends StepSpec {
  /** The output (text is private unless disclose.output; bytes are stored as raw content). */
  output?: StepContent;
  /** The call failed with this message (the record then has no output). */
  error?: string;
  /** Wall-clock start, Unix ms. */
  startedAt: number;
  durationMs: number;
  tokens?: { in?: number; out?: number };
  /** OpenTelemetry facts (see StepPayload). */
  op?: string;
  agentId?: string;
  agentName?: string;
  span?: { trace: string; id: string; parent?: string };
  /** The run this step belongs to, when not the recorder's (an OpenTelemetry trace is a run). */
  run?: string;
}

export interface StepCall<T> {
  /** What of the call's result is the step's output; default: the result itself when text or bytes, else its JSON. */
  output?: (result: T) => StepContent | undefined;
  /** Token usage from the result, when the call reports it. */
  tokens?: (result: T) => { in?: number; out?: number } | undefined;
  /** The agent as the result names it (the exact model version that answered), replacing spec.agent. */
  agent?: (result: T) => AgentRef | undefined;
}

export interface StepResult<T> {
  value: T;
  step: RecordHandle;
}

export interface CheckSpec {
  /** The check's name, e.g. "brand" (letters, digits, "_", "-", "."). */
  name: string;
  score: number;
  /** The pass mark: pass is score >= threshold (no threshold: pass). */
  threshold?: number;
  flags?: string[];
  /** The record(s) evaluated: a step, or an asset version. */
  of: RecordRef | readonly RecordRef[];
  asset?: string;
  /** What did the checking (a tool, or a model). */
  agent?: AgentRef;
  /** The step that computed the score (an agent asked to rate the draft), linked too. */
  via?: RecordRef;
}

export interface IntentSpec {
  text: string;
  asset?: string;
  /** Put the text in the record (default: a commitment, text in the blob store). */
  disclose?: boolean;
  links?: readonly RecordRef[];
}

/** A fresh run id: 8 random bytes in hex (or the time and a counter where there is no random source). */
let runCounter = 0;
export function newRunId(entropy: ((length: number) => Uint8Array) | undefined = cryptoBackend().randomBytes): string {
  const bytes = entropy?.(8);
  if (bytes) return `run-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  return `run-${Date.now().toString(36)}-${(runCounter++).toString(36)}`;
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function defaultOutput(value: unknown): StepContent | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

export class PipelineRecorder {
  readonly run: string;
  /** The queue records go through (the recorder's own, or one shared with capture sessions). */
  readonly writer: LedgerWriter;
  private readonly clock: () => number;
  private readonly now: () => number;
  private counter = 0;
  private closed = false;
  private currentIntent: RecordRef | undefined;

  constructor(private readonly options: RecorderOptions) {
    this.run = options.run ?? newRunId(options.entropy);
    if (!RUN_ID.test(this.run)) throw new LineageError(`run id ${JSON.stringify(this.run)} must be letters, digits and "._:-" (at most 128)`, 'run');
    this.writer = options.writer ?? new LedgerWriter(options);
    if (this.writer.signer.did !== options.signer.did || !this.writer.project.id.equals(options.project.id)) {
      throw new LineageError('a shared writer must sign for the same signer and project as the recorder', 'writer');
    }
    this.clock = options.clock ?? this.writer.clock;
    this.now = options.now ?? this.clock;
  }

  /** Records queued and not yet written. */
  get pending(): number {
    return this.writer.pending;
  }

  /** The intent later steps serve by default (set by intent()). */
  get intentServed(): RecordRef | undefined {
    return this.currentIntent;
  }

  set intentServed(ref: RecordRef | undefined) {
    this.currentIntent = ref;
  }

  /** Records a human intent (a brief); later steps serve it unless told otherwise. */
  intent(spec: IntentSpec): RecordHandle {
    if (typeof spec.text !== 'string' || spec.text.trim() === '') throw new LineageError('an intent needs its text (the brief or constraint)', 'intent.text');
    const disclose = spec.disclose === true && spec.text.length <= MAX_DISCLOSED_PROMPT_CHARS;
    const seal = once(() => sealContent(spec.text, false));
    const handle = this.enqueue('intent', undefined, 'intent', spec.links ?? [], (resolve) => {
      const blobs: Uint8Array[] = [];
      const contribution: Contribution = { kind: 'intent' };
      if (disclose) contribution.intent = { text: spec.text };
      else {
        const sealed = seal();
        blobs.push(sealed.blob);
        contribution.intent = { commit: sealed.cid };
      }
      if (spec.asset !== undefined) contribution.asset = spec.asset;
      const links = resolve.records(spec.links ?? [], 'intent.links');
      if (links.length > 0) contribution.links = links;
      contribution.ext = stepExt({ v: STEP_PAYLOAD_VERSION, name: 'intent', run: this.run });
      return { contribution, blobs };
    });
    this.currentIntent = handle;
    return handle;
  }

  /**
   * Runs one agent call as a step: times it, and queues an agent.step record with its agent,
   * prompt, inputs, output and parents. A call that throws is recorded as a failed step and the
   * error is rethrown unchanged.
   */
  async step<T>(spec: StepSpec, call: () => Promise<T>, how: StepCall<T> = {}): Promise<StepResult<T>> {
    this.checkSpec(spec);
    const startedAt = this.clock();
    const started = this.now();
    let value: T;
    try {
      value = await call();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.completedStep({ ...spec, startedAt, durationMs: this.now() - started, error: message || 'failed' });
      throw error;
    }
    const durationMs = this.now() - started;
    const completed: CompletedStep = { ...spec, startedAt, durationMs };
    const output = (how.output ?? defaultOutput)(value);
    if (output !== undefined) completed.output = output;
    const tokens = how.tokens?.(value);
    if (tokens) completed.tokens = tokens;
    const agent = how.agent?.(value);
    if (agent) completed.agent = agent;
    return { value, step: this.completedStep(completed) };
  }

  /** Queues the record of a step that already happened (an OpenTelemetry span, a replayed log). */
  completedStep(step: CompletedStep): RecordHandle {
    this.checkSpec(step);
    if (!Number.isFinite(step.startedAt) || step.startedAt < 0) throw new LineageError(`step "${step.name}": startedAt must be Unix milliseconds`, 'startedAt');
    if (!Number.isFinite(step.durationMs) || step.durationMs < 0) throw new LineageError(`step "${step.name}": durationMs must be a non-negative number`, 'durationMs');
    const tokens = step.tokens && this.checkTokens(step.name, step.tokens);
    const run = step.run ?? this.run;
    if (!RUN_ID.test(run)) throw new LineageError(`step "${step.name}": run id ${JSON.stringify(run)} must be letters, digits and "._:-" (at most 128)`, 'run');
    const intent = step.intent === undefined ? this.currentIntent : step.intent ?? undefined;
    const inputs = [...(step.inputs ?? [])];
    const deps = [...inputs, ...(step.parents ?? []), ...(intent ? [intent] : [])];
    // Sealed once: a batch signed again after a conflict must name the same commitments.
    const promptSeal = once(() => sealContent(step.prompt!, false));
    const outputSeal = once(() => sealContent(step.output!, step.disclose?.output === true));
    return this.enqueue('agent.step', step.name, `agent.step ${step.name}`, deps, (resolve, handle) => {
      const blobs: Uint8Array[] = [];
      const contribution: Contribution = { kind: 'agent.step', agent: step.agent, at: Math.floor(step.startedAt) };
      const payload: StepPayload = { v: STEP_PAYLOAD_VERSION, name: step.name, run, ms: Math.round(step.durationMs) };
      if (step.prompt !== undefined) {
        if (step.disclose?.prompt === true && step.prompt.length <= MAX_DISCLOSED_PROMPT_CHARS) contribution.intent = { text: step.prompt };
        else {
          const sealed = promptSeal();
          blobs.push(sealed.blob);
          contribution.intent = { commit: sealed.cid };
        }
      }
      const consumed = resolve.contents(inputs, `step "${step.name}" inputs`);
      if (consumed.length > 0) contribution.in = consumed;
      if (step.output !== undefined && step.error === undefined) {
        const sealed = outputSeal();
        blobs.push(sealed.blob);
        contribution.out = sealed.cid;
        handle.setOutput(sealed.cid);
        if (sealed.committed) payload.committed = true;
      }
      const intentCid = intent === undefined ? undefined : resolve.record(intent, `step "${step.name}" intent`);
      if (intentCid) payload.intent = intentCid;
      const stepParents = inputs.filter((ref): ref is RecordHandle => ref instanceof RecordHandle);
      const links = resolve.records([...(intentCid ? [intentCid] : []), ...stepParents, ...(step.parents ?? [])], `step "${step.name}" parents`);
      if (links.length > 0) contribution.links = links;
      if (step.asset !== undefined) contribution.asset = step.asset;
      if (step.error !== undefined) payload.error = step.error.length > MAX_STEP_ERROR_CHARS ? `${step.error.slice(0, MAX_STEP_ERROR_CHARS)}…` : step.error;
      if (tokens) payload.tokens = tokens;
      if (step.op !== undefined) payload.op = step.op;
      if (step.agentId !== undefined) payload.agentId = step.agentId;
      if (step.agentName !== undefined) payload.agentName = step.agentName;
      if (step.span !== undefined) payload.span = step.span;
      contribution.ext = stepExt(payload);
      return { contribution, blobs };
    });
  }

  /** Queues a check record (name, score, pass/fail, threshold) about the records it evaluated. */
  check(spec: CheckSpec): { result: CheckResult; check: RecordHandle } {
    const input: { name: string; score: number; threshold?: number; flags?: string[] } = { name: spec.name, score: spec.score };
    if (spec.threshold !== undefined) input.threshold = spec.threshold;
    if (spec.flags !== undefined) input.flags = spec.flags;
    const result = checkResult(input);
    const evaluated = asList(spec.of);
    if (evaluated.length === 0) throw new LineageError(`check "${spec.name}": "of" must name the record(s) it evaluated`, 'of');
    if (spec.agent) this.checkAgent(spec.agent, `check "${spec.name}"`);
    const intent = this.currentIntent;
    const deps = [...evaluated, ...(spec.via ? [spec.via] : []), ...(intent ? [intent] : [])];
    const handle = this.enqueue('check', spec.name, `check ${spec.name}`, deps, (resolve) => {
      const contribution: Contribution = { kind: 'check' };
      const links = resolve.records([...evaluated, ...(spec.via ? [spec.via] : [])], `check "${spec.name}"`);
      contribution.links = links;
      if (spec.asset !== undefined) contribution.asset = spec.asset;
      if (spec.agent) contribution.agent = spec.agent;
      const payload: StepPayload = { v: STEP_PAYLOAD_VERSION, name: spec.name, run: this.run };
      const intentCid = intent === undefined ? undefined : resolve.record(intent, `check "${spec.name}" intent`);
      if (intentCid) payload.intent = intentCid;
      if (spec.via) payload.via = resolve.record(spec.via, `check "${spec.name}" via`);
      contribution.ext = { ...(checkExt(result) as { [key: string]: DagValue }), ...stepExt(payload) };
      return { contribution, blobs: [] };
    });
    return { result, check: handle };
  }

  /**
   * Queues any other record by this signer (links may be queued handles), in order with the
   * pipeline's records, so the signer's feed is never written from two places at once.
   */
  record(contribution: Omit<Contribution, 'links'> & { links?: readonly RecordRef[] }): RecordHandle {
    const probe = recordIssues({ ...contribution, v: 1, by: this.options.signer.did, seq: 0, at: 0, proj: this.options.project.id, links: undefined }, { requireSignature: false }).filter(
      (issue) => issue.path !== 'links',
    );
    if (probe.length > 0) throw new LineageError(`${contribution.kind} record: ${probe[0]!.path} ${probe[0]!.reason}`, probe[0]!.path);
    return this.enqueue(contribution.kind, undefined, contribution.kind, contribution.links ?? [], (resolve) => {
      const { links, ...rest } = contribution;
      const fields: Contribution = { ...rest };
      const resolved = resolve.records(links ?? [], `${contribution.kind} record links`);
      if (resolved.length > 0) fields.links = resolved;
      return { contribution: fields, blobs: [] };
    });
  }

  /** Writes everything queued (by this recorder and whoever shares its writer); resolves once it is durably in the ledger. */
  async flush(): Promise<void> {
    await this.writer.flush();
  }

  /** Flushes and refuses further records. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private enqueue(
    kind: RecordHandle['kind'],
    name: string | undefined,
    label: string,
    deps: readonly RecordRef[],
    prepare: (resolve: Resolver, handle: RecordHandle) => Prepared,
  ): RecordHandle {
    if (this.closed) throw new LineageError(`the recorder of run ${this.run} is closed; no more records can be queued`);
    return this.writer.enqueue({ kind, id: `${this.run}/${this.counter++}`, label, deps, prepare, ...(name !== undefined && { name }) });
  }

  private checkSpec(spec: StepSpec): void {
    if (typeof spec.name !== 'string' || !STEP_NAME.test(spec.name)) {
      throw new LineageError(`step name ${JSON.stringify(spec.name)} must start with a letter or digit and hold letters, digits and " ._:/@#-" (at most 128)`, 'name');
    }
    this.checkAgent(spec.agent, `step "${spec.name}"`);
    if (spec.asset !== undefined && (typeof spec.asset !== 'string' || spec.asset === '' || spec.asset.length > 1024)) {
      throw new LineageError(`step "${spec.name}": asset must be a non-empty asset id of at most 1024 characters`, 'asset');
    }
    for (const ref of [...(spec.inputs ?? []), ...(spec.parents ?? [])]) {
      if (!(ref instanceof RecordHandle) && !CID.asCID(ref)) throw new LineageError(`step "${spec.name}": inputs and parents must be recorder handles or CIDs`, 'inputs');
    }
  }

  /** The agent must make a valid record (checked now, on the caller's path, so the caller hears of it). */
  private checkAgent(agent: AgentRef, where: string): void {
    const issues = recordIssues({ v: 1, kind: 'agent.step', by: this.options.signer.did, seq: 0, at: 0, proj: this.options.project.id, agent }, { requireSignature: false });
    const first = issues.find((issue) => issue.path.startsWith('agent'));
    if (first) throw new LineageError(`${where}: ${first.path} ${first.reason}`, first.path);
    try {
      encode(agent);
    } catch (error) {
      const path = (error as ColophonError).path;
      throw new LineageError(`${where}: agent ${(error as Error).message}`, path ? `agent.${path}` : 'agent');
    }
  }

  private checkTokens(name: string, tokens: { in?: number; out?: number }): { in?: number; out?: number } {
    const clean: { in?: number; out?: number } = {};
    for (const key of ['in', 'out'] as const) {
      const n = tokens[key];
      if (n === undefined) continue;
      if (!Number.isSafeInteger(n) || n < 0) throw new LineageError(`step "${name}": tokens.${key} must be a non-negative integer, got ${n}`, `tokens.${key}`);
      clean[key] = n;
    }
    return clean;
  }
}

/** Turns references into CIDs while a batch is being signed (see BatchWriter). */
export interface Resolver {
  /** CID of a record: a handle signed earlier (this batch or before), or a CID as given. */
  record(ref: RecordRef, where: string): CID;
  records(refs: readonly RecordRef[], where: string): CID[];
  /** Content ids consumed: a handle's output, or a CID as given. */
  contents(refs: readonly RecordRef[], where: string): CID[];
}
