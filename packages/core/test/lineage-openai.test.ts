// The OpenAI-compatible generator against a real local HTTP server speaking /v1/chat/completions
// (as llama.cpp's llama-server or Ollama do), recorded as pipeline steps.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlobStore, MemoryRecordStore, PipelineRecorder, Project, generateStep, identityFromSeed, openCommitment, stepPayloadOf, type CID } from '../src/index.js';
import { GeneratorError, OpenAICompatibleGenerator, useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const KEY = 'sk-local-test-key-never-recorded';
const requests: { path: string; auth?: string; body: Record<string, unknown> }[] = [];
let server: Server;
let base: string;

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await body(req);
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    requests.push({ path: req.url ?? '', auth: req.headers.authorization, body: parsed });
    const model = parsed.model as string;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
    } else if (model === 'broken') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'model failed to load', type: 'server_error' } }));
    } else if (model === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: 'x'.repeat(5000) } }] }));
    } else if (model === 'slow') {
      setTimeout(() => res.writeHead(200).end('{}'), 2000).unref();
    } else if (model === 'odd') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
    } else {
      const messages = parsed.messages as { role: string; content: string }[];
      const last = messages[messages.length - 1]!.content;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          model: `${model}-q4_K_M`,
          choices: [{ index: 0, message: { role: 'assistant', content: `Here is a draft about ${last}.` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 },
        }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('OpenAI-compatible generator', () => {
  it('asks the endpoint and records the step with the answering model, parameters and tokens', async () => {
    const owner = identityFromSeed(new Uint8Array(32).fill(4));
    const store = new MemoryRecordStore();
    const project = await Project.create('llm', owner, store);
    const blobs = new MemoryBlobStore();
    const recorder = new PipelineRecorder({ project, signer: owner, blobs, schedule: () => () => {} });
    const generator = new OpenAICompatibleGenerator({ baseUrl: `${base}/`, model: 'llama3.1:8b', provider: 'ollama', apiKey: KEY, params: { temperature: 0.2 } });
    const { value, step } = await generateStep(recorder, generator, {
      name: 'draft',
      messages: [
        { role: 'system', content: 'You write launch posts.' },
        { role: 'user', content: 'spring shoes' },
      ],
      params: { seed: 42 },
    });
    expect(value.text).toBe('Here is a draft about spring shoes.');
    const sent = requests[requests.length - 1]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.auth).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({ model: 'llama3.1:8b', temperature: 0.2, seed: 42, stream: false });
    await recorder.flush();
    const record = (await store.get(await step.cid()))!;
    expect(record.record.agent).toEqual({ type: 'ai', model: { provider: 'ollama', name: 'llama3.1:8b', version: 'llama3.1:8b-q4_K_M' }, params: { temperature: 0.2, seed: 42 } });
    expect(stepPayloadOf(record)!.tokens).toEqual({ in: 21, out: 9 });
    const commit = (record.record.intent as { commit: CID }).commit;
    expect(openCommitment(commit, (await blobs.get(commit))!)).toBe('[system]\nYou write launch posts.\n\n[user]\nspring shoes');
    // The key is in no record and no blob.
    for await (const r of store.records()) expect(Buffer.from(r.bytes).includes(KEY)).toBe(false);
  });

  it('keeps a stated model version', async () => {
    const generator = new OpenAICompatibleGenerator({ baseUrl: base, model: 'llama3.1:8b', version: 'sha256-abc' });
    const generation = await generator.generate({ messages: [{ role: 'user', content: 'x' }] });
    expect(generator.agentFor({ messages: [] }, generation).model.version).toBe('sha256-abc');
  });

  it('reports HTTP errors with the server\'s message and never the key', async () => {
    const generator = new OpenAICompatibleGenerator({ baseUrl: base, model: 'broken', apiKey: KEY });
    const error = await generator.generate({ messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeneratorError);
    expect((error as GeneratorError).status).toBe(500);
    expect((error as Error).message).toMatch(/answered HTTP 500: model failed to load/);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('refuses answers that are too large, late, or not chat completions, and unreachable servers', async () => {
    await expect(new OpenAICompatibleGenerator({ baseUrl: base, model: 'huge', maxResponseBytes: 1000 }).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/larger than the 1000-byte limit|above the 1000-byte limit/);
    await expect(new OpenAICompatibleGenerator({ baseUrl: base, model: 'slow', timeoutMs: 200 }).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/no answer within 200 ms/);
    await expect(new OpenAICompatibleGenerator({ baseUrl: base, model: 'odd' }).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/without choices\[0\]\.message\.content/);
    // A port nothing listens on (the server's own, once closed).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(new OpenAICompatibleGenerator({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' }).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
    expect(() => new OpenAICompatibleGenerator({ baseUrl: 'http://user:pw@127.0.0.1/v1', model: 'm' })).toThrow(/credentials in apiKey/);
  });

  it('records a failed call as a failed step', async () => {
    const owner = identityFromSeed(new Uint8Array(32).fill(5));
    const store = new MemoryRecordStore();
    const project = await Project.create('llm', owner, store);
    const recorder = new PipelineRecorder({ project, signer: owner, blobs: new MemoryBlobStore(), schedule: () => () => {} });
    const generator = new OpenAICompatibleGenerator({ baseUrl: base, model: 'broken' });
    await expect(generateStep(recorder, generator, { name: 'draft', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(GeneratorError);
    await recorder.flush();
    const steps = [];
    for await (const r of store.records()) if (r.record.kind === 'agent.step') steps.push(r);
    expect(stepPayloadOf(steps[0]!)!.error).toMatch(/HTTP 500/);
  });
});
