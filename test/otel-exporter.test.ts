// OpenTelemetry GenAI spans become agent.step records: the real OpenTelemetry SDK produces the
// spans (as an instrumented agent framework would) and exports them through ColophonSpanExporter.
import { context, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  ColophonSpanExporter,
  LedgerView,
  MemoryBlobStore,
  MemoryRecordStore,
  PipelineRecorder,
  Project,
  diverge,
  identityFromSeed,
  openCommitment,
  stepPayloadOf,
  verifyBlocks,
  type CID,
  type DecodedRecord,
} from '../packages/core/src/index.js';
import { useNodeCrypto } from '../packages/core/src/node/index.js';

useNodeCrypto();

const owner = identityFromSeed(new Uint8Array(32).fill(21));

async function ledger() {
  const store = new MemoryRecordStore();
  const project = await Project.create('otel', owner, store);
  const blobs = new MemoryBlobStore();
  const recorder = new PipelineRecorder({ project, signer: owner, blobs, schedule: () => () => {} });
  return { store, project, blobs, recorder };
}

async function steps(store: MemoryRecordStore): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  for await (const r of store.records()) if (r.record.kind === 'agent.step') out.push(r);
  return out;
}

function child(tracer: Tracer, parent: Span, name: string, attributes: Record<string, string | number | string[]>): Span {
  return tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));
}

/** What an instrumented agent framework emits for one agent run: an agent span around model and tool calls. */
function agentRun(tracer: Tracer, version: string): string {
  const agent = tracer.startSpan('invoke_agent Writer', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Writer', 'gen_ai.agent.id': 'asst_42', 'gen_ai.provider.name': 'openai' } });
  const chat = (parent: Span, prompt: string, output: string) => {
    const span = child(tracer, parent, 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': version,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 400,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 48,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prompt }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]),
    });
    span.end();
  };
  chat(agent, 'Outline a launch post', 'Outline: 1. shoes 2. spring');
  const tool = child(tracer, agent, 'execute_tool search', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 'call_1' });
  tool.end();
  // A span of another kind (an HTTP client span) between the agent and a model call.
  const http = child(tracer, agent, 'POST', { 'http.request.method': 'POST' });
  chat(http, 'Write the post', 'Spring shoes are here.');
  http.end();
  const failed = child(tracer, agent, 'chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai', 'error.type': 'rate_limit' });
  failed.setStatus({ code: SpanStatusCode.ERROR, message: '429 Too Many Requests' });
  failed.end();
  agent.end();
  return agent.spanContext().traceId;
}

describe('OpenTelemetry GenAI spans as agent.step records', () => {
  it('records each GenAI span with its model, parameters, tokens and place in the trace', async () => {
    const { store, project, blobs, recorder } = await ledger();
    const intent = recorder.intent({ text: 'Launch post for spring', disclose: true });
    await recorder.flush();
    const exporter = new ColophonSpanExporter(recorder, { intent: await intent.cid() });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const traceId = agentRun(provider.getTracer('agent-framework', '1.0'), 'gpt-4o-2024-08-06');
    await provider.forceFlush();
    await provider.shutdown();

    const records = await steps(store);
    const byName = (name: string) => records.filter((r) => stepPayloadOf(r)!.name === name);
    expect(records.map((r) => stepPayloadOf(r)!.name).sort()).toEqual(['Writer', 'chat', 'chat', 'chat', 'tool:search']);
    const [outline] = byName('chat');
    expect(outline!.record.agent).toEqual({
      type: 'ai',
      model: { provider: 'openai', name: 'gpt-4o', version: 'gpt-4o-2024-08-06' },
      params: { temperature: 0.3, max_tokens: 400, stop_sequences: ['END'] },
    });
    const payload = stepPayloadOf(outline!)!;
    expect(payload).toMatchObject({ run: `otel-${traceId}`, op: 'chat', tokens: { in: 120, out: 48 }, committed: true });
    expect(payload.intent!.equals(await intent.cid())).toBe(true);
    // Message content, when the framework records it, is kept private by commitment.
    const promptCommit = (outline!.record.intent as { commit: CID }).commit;
    expect(openCommitment(promptCommit, (await blobs.get(promptCommit))!)).toContain('Outline a launch post');
    expect(openCommitment(outline!.record.out!, (await blobs.get(outline!.record.out!))!)).toContain('Outline: 1. shoes');

    const tool = byName('tool:search')[0]!;
    expect(tool.record.agent).toEqual({ type: 'tool', name: 'search', version: 'unspecified' });
    const failed = records.find((r) => stepPayloadOf(r)!.error !== undefined)!;
    expect(stepPayloadOf(failed)!.error).toBe('429 Too Many Requests');
    expect(failed.record.out).toBeUndefined();

    // The agent span ends last: its record links the records of every GenAI span under it,
    // including the model call below the HTTP span.
    const writer = byName('Writer')[0]!;
    expect(writer.record.agent).toEqual({ type: 'tool', name: 'Writer', version: 'unspecified' });
    expect(stepPayloadOf(writer)).toMatchObject({ agentName: 'Writer', agentId: 'asst_42', op: 'invoke_agent' });
    const childCids = records.filter((r) => r !== writer).map((r) => r.cid.toString()).sort();
    expect(writer.record.links!.map(String).filter((l) => l !== (intent.recordedCid!).toString()).sort()).toEqual(childCids);
    for (const r of records.filter((x) => x !== writer)) expect(stepPayloadOf(r)!.span!.parent).toBeDefined();
    expect(stepPayloadOf(writer)!.span!.parent).toBeUndefined();

    const blocks = [];
    for await (const r of store.records()) blocks.push({ source: 'memory', position: blocks.length, cid: r.cid, bytes: r.bytes });
    expect((await verifyBlocks(blocks, { genesis: project.id })).ok).toBe(true);
  });

  it('works with the batch processor too, and two traces are two runs that diverge compares', async () => {
    const { store, blobs, recorder } = await ledger();
    const exporter = new ColophonSpanExporter(recorder);
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })] });
    const tracer = provider.getTracer('agent-framework');
    const first = agentRun(tracer, 'gpt-4o-2024-08-06');
    const second = agentRun(tracer, 'gpt-4o-2024-11-20');
    await provider.shutdown();
    expect(await steps(store)).toHaveLength(10);
    const view = await LedgerView.load(store);
    const result = await diverge(view, `otel-${first}`, `otel-${second}`, { blobs });
    expect(result.first!.key).toBe('chat');
    expect(result.first!.differences).toEqual([{ field: 'model.version', a: 'gpt-4o-2024-08-06', b: 'gpt-4o-2024-11-20' }]);
  });
});
