// An OpenTelemetry SpanExporter that turns GenAI spans into agent.step records, so agent frameworks
// already instrumented with OpenTelemetry feed Colophon with no code change. It is written against
// the shape of the SDK's ReadableSpan rather than importing the SDK: core stays free of
// dependencies and runs anywhere, and any SDK version with that shape works (1.x and 2.x).
import type { AgentRef } from '../record/types.js';
import { LineageError } from './errors.js';
import type { RecordHandle, RecordRef } from './handle.js';
import type { CompletedStep, PipelineRecorder } from './recorder.js';
import { RUN_ID, STEP_NAME } from './step-payload.js';

export type HrTime = [number, number];

/** What the exporter reads of a span (a subset of the SDK's ReadableSpan). */
export interface OtelSpan {
  readonly name: string;
  spanContext(): { traceId: string; spanId: string };
  /** SDK 2.x. */
  readonly parentSpanContext?: { spanId: string } | undefined;
  /** SDK 1.x. */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly duration: HrTime;
  readonly attributes: { readonly [key: string]: unknown };
  readonly status: { code: number; message?: string | undefined };
}

/** ExportResultCode of @opentelemetry/core: SUCCESS 0, FAILED 1. */
export interface OtelExportResult {
  code: 0 | 1;
  error?: Error;
}

export interface SpanExporterOptions {
  /** The human intent the traced pipeline serves (linked from every step). */
  intent?: RecordRef;
  /** Prompts and outputs found on spans (gen_ai.input.messages, ...) go in the clear instead of by commitment. */
  disclose?: { prompt?: boolean; output?: boolean };
  /** The run a span belongs to; default: its trace, `otel-<trace id>`. */
  runOf?: (span: OtelSpan) => string;
  /** Spans that could not become records (reported, skipped; the rest of the batch is still recorded). */
  onError?: (error: Error) => void;
}

const OP = 'gen_ai.operation.name';
const REQUEST = 'gen_ai.request.';
/** Status code ERROR of the OpenTelemetry API. */
const STATUS_ERROR = 2;
/** Spans whose parent was never seen (dropped, or still open) are forgotten beyond this many. */
const MAX_TRACKED_PARENTS = 10_000;

function text(attributes: OtelSpan['attributes'], key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(attributes: OtelSpan['attributes'], key: string): number | undefined {
  const value = attributes[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

/** A step name from span facts: letters, digits and " ._:/@#-", at most 128. */
function stepName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9 ._:/@#-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return STEP_NAME.test(cleaned) ? cleaned : 'span';
}

/** gen_ai.request.* other than the model: the parameters the model was called with. */
function requestParams(attributes: OtelSpan['attributes']): { [key: string]: number | string | boolean | string[] } | undefined {
  const params: { [key: string]: number | string | boolean | string[] } = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(REQUEST) || key === `${REQUEST}model`) continue;
    const name = key.slice(REQUEST.length);
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' || typeof value === 'boolean') params[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) params[name] = [...(value as string[])];
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

/** Who acted, from GenAI attributes: the model when one is named, else the tool or agent. */
export function spanAgent(attributes: OtelSpan['attributes']): AgentRef {
  const op = text(attributes, OP) ?? 'unknown';
  const requested = text(attributes, `${REQUEST}model`);
  const answered = text(attributes, 'gen_ai.response.model');
  if (requested ?? answered) {
    const agent: AgentRef = {
      type: 'ai',
      model: { provider: text(attributes, 'gen_ai.provider.name') ?? text(attributes, 'gen_ai.system') ?? 'unknown', name: (requested ?? answered)!, version: answered ?? 'unspecified' },
    };
    const params = requestParams(attributes);
    if (params) agent.params = params;
    return agent;
  }
  const tool = text(attributes, 'gen_ai.tool.name');
  if (op === 'execute_tool' && tool) return { type: 'tool', name: tool, version: 'unspecified' };
  const agentName = text(attributes, 'gen_ai.agent.name') ?? text(attributes, 'gen_ai.agent.id');
  return { type: 'tool', name: agentName ?? op, version: text(attributes, 'gen_ai.agent.version') ?? 'unspecified' };
}

/** The step a GenAI span describes; undefined for spans without gen_ai.operation.name. */
export function spanToStep(span: OtelSpan, options: SpanExporterOptions = {}): CompletedStep | undefined {
  const a = span.attributes;
  const op = text(a, OP);
  if (!op) return undefined;
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const tool = text(a, 'gen_ai.tool.name');
  const agentName = text(a, 'gen_ai.agent.name');
  const step: CompletedStep = {
    name: stepName(agentName ?? (op === 'execute_tool' && tool ? `tool:${tool}` : op)),
    agent: spanAgent(a),
    startedAt: hrTimeToMs(span.startTime),
    durationMs: hrTimeToMs(span.duration),
    op,
    span: parent ? { trace: context.traceId, id: context.spanId, parent } : { trace: context.traceId, id: context.spanId },
    run: options.runOf?.(span) ?? `otel-${context.traceId}`,
  };
  if (!RUN_ID.test(step.run!)) throw new LineageError(`span ${context.spanId}: run id ${JSON.stringify(step.run)} is not a valid run id`, 'run');
  if (options.intent !== undefined) step.intent = options.intent;
  if (options.disclose) step.disclose = options.disclose;
  const agentId = text(a, 'gen_ai.agent.id');
  if (agentId) step.agentId = agentId;
  if (agentName) step.agentName = agentName;
  const tokensIn = count(a, 'gen_ai.usage.input_tokens');
  const tokensOut = count(a, 'gen_ai.usage.output_tokens');
  if (tokensIn !== undefined || tokensOut !== undefined) {
    step.tokens = {};
    if (tokensIn !== undefined) step.tokens.in = tokensIn;
    if (tokensOut !== undefined) step.tokens.out = tokensOut;
  }
  // Message content is opt-in in the GenAI conventions; when a framework records it, it is the prompt and output.
  const prompt = text(a, 'gen_ai.input.messages') ?? text(a, 'gen_ai.prompt') ?? text(a, 'gen_ai.tool.call.arguments');
  if (prompt !== undefined) step.prompt = prompt;
  if (span.status.code === STATUS_ERROR) step.error = span.status.message || text(a, 'error.type') || 'error';
  else {
    const output = text(a, 'gen_ai.output.messages') ?? text(a, 'gen_ai.completion') ?? text(a, 'gen_ai.tool.call.result');
    if (output !== undefined) step.output = output;
  }
  return step;
}

/**
 * An OpenTelemetry SpanExporter (use it with the SDK's SimpleSpanProcessor or BatchSpanProcessor).
 * Each GenAI span becomes an agent.step; a span's children end (and are exported) before it, so a
 * parent's record links the records of its children (an agent invocation depends on the model
 * calls it made), and each record keeps its span and parent span ids. Spans of other kinds are
 * not recorded, but the GenAI spans under them are linked to the nearest GenAI span above.
 */
export class ColophonSpanExporter {
  /** Records of exported spans whose parent has not been exported yet, by parent span id. */
  private readonly waiting = new Map<string, RecordHandle[]>();
  private stopped = false;

  constructor(
    private readonly recorder: PipelineRecorder,
    private readonly options: SpanExporterOptions = {},
  ) {}

  export(spans: readonly OtelSpan[], resultCallback: (result: OtelExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: 1, error: new LineageError('the Colophon span exporter is shut down') });
      return;
    }
    for (const span of spans) {
      try {
        this.take(span);
      } catch (error) {
        const problem = new LineageError(`span "${span.name}" (${span.spanContext().spanId}) was not recorded: ${(error as Error).message}`);
        if (this.options.onError) this.options.onError(problem);
        else {
          resultCallback({ code: 1, error: problem });
          return;
        }
      }
    }
    // Success means durably in the ledger: the SDK calls export off the application's path already.
    this.recorder.flush().then(
      () => resultCallback({ code: 0 }),
      (error: Error) => resultCallback({ code: 1, error }),
    );
  }

  async forceFlush(): Promise<void> {
    await this.recorder.flush();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.recorder.flush();
  }

  private take(span: OtelSpan): void {
    const { spanId } = span.spanContext();
    const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
    const children = this.waiting.get(spanId) ?? [];
    this.waiting.delete(spanId);
    const step = spanToStep(span, this.options);
    let handles = children;
    if (step) {
      if (children.length > 0) step.parents = [...(step.parents ?? []), ...children];
      handles = [this.recorder.completedStep(step)];
    }
    if (parent && handles.length > 0) {
      const list = this.waiting.get(parent);
      if (list) list.push(...handles);
      else this.waiting.set(parent, handles);
      if (this.waiting.size > MAX_TRACKED_PARENTS) this.waiting.delete(this.waiting.keys().next().value!);
    }
  }
}
