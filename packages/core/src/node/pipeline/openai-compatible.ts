// A text generator for OpenAI-compatible chat endpoints (POST {baseUrl}/chat/completions): hosted
// APIs, and local servers such as llama.cpp's llama-server, Ollama, vLLM or LM Studio. The API key,
// when there is one, goes only in the Authorization header: never in a record, an error or a log.
import { ColophonError } from '../../errors.js';
import type { AiAgent, GenerateRequest, Generation, GenerationParams, TextGenerator } from '../../lineage/generator.js';
import { mergedAgent } from '../../lineage/generator.js';

export interface OpenAICompatibleOptions {
  /** Base URL including the version path, e.g. http://127.0.0.1:8080/v1 or http://localhost:11434/v1. */
  baseUrl: string;
  /** The model to ask for, e.g. "llama3.1:8b". */
  model: string;
  /** Who serves it, as recorded (default: "openai-compatible"). */
  provider?: string;
  /** The model version, when known; otherwise the model the server says answered is recorded. */
  version?: string;
  apiKey?: string;
  /** Default sampling parameters (temperature, top_p, max_tokens, seed, ...), sent and recorded. */
  params?: GenerationParams;
  /** Per-request time limit (default 120 s). */
  timeoutMs?: number;
  /** Largest response body read (default 8 MiB). */
  maxResponseBytes?: number;
}

/** The endpoint failed: unreachable, an HTTP error, or an answer that is not a chat completion. */
export class GeneratorError extends ColophonError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const MAX_ERROR_CHARS = 300;

interface ChatCompletion {
  model?: unknown;
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  error?: { message?: unknown } | unknown;
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) throw new GeneratorError(`the response is ${declared} bytes, above the ${limit}-byte limit`, response.status);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new GeneratorError(`the response is larger than the ${limit}-byte limit`, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class OpenAICompatibleGenerator implements TextGenerator {
  readonly agent: AiAgent;
  private readonly endpoint: string;

  constructor(private readonly options: OpenAICompatibleOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new GeneratorError(`baseUrl "${options.baseUrl}" is not a URL (e.g. http://127.0.0.1:8080/v1)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GeneratorError(`baseUrl must be http or https, got ${url.protocol}`);
    if (url.username || url.password) throw new GeneratorError('put credentials in apiKey, not in baseUrl (a URL ends up in messages)');
    if (!options.model) throw new GeneratorError('model is required (the model name the server knows)');
    this.endpoint = `${url.toString().replace(/\/+$/, '')}/chat/completions`;
    this.agent = { type: 'ai', model: { provider: options.provider ?? 'openai-compatible', name: options.model, version: options.version ?? 'unspecified' } };
    if (options.params && Object.keys(options.params).length > 0) this.agent.params = { ...options.params };
  }

  agentFor(request: GenerateRequest, generation: Generation): AiAgent {
    const asked = mergedAgent(this.agent, request.params);
    if (this.options.version !== undefined || !generation.model) return asked;
    return { ...asked, model: { ...asked.model, version: generation.model } };
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const body = { ...(this.options.params ?? {}), ...(request.params ?? {}), model: this.options.model, messages: request.messages, stream: false };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : cause ?? (error as Error).message;
      throw new GeneratorError(`cannot reach ${this.endpoint}: ${reason}`);
    }
    const text = await readLimited(response, this.options.maxResponseBytes ?? DEFAULT_MAX_BYTES);
    let parsed: ChatCompletion | undefined;
    try {
      parsed = JSON.parse(text) as ChatCompletion;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const detail = (parsed?.error as { message?: unknown } | undefined)?.message ?? (typeof parsed?.error === 'string' ? parsed.error : text);
      throw new GeneratorError(`${this.endpoint} answered HTTP ${response.status}: ${String(detail).slice(0, MAX_ERROR_CHARS)}`, response.status);
    }
    if (!parsed) throw new GeneratorError(`${this.endpoint} answered with something that is not JSON: ${text.slice(0, MAX_ERROR_CHARS)}`, response.status);
    const content = parsed.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new GeneratorError(`${this.endpoint} answered without choices[0].message.content`, response.status);
    const generation: Generation = { text: content };
    if (typeof parsed.model === 'string' && parsed.model) generation.model = parsed.model;
    const tokensIn = tokenCount(parsed.usage?.prompt_tokens);
    const tokensOut = tokenCount(parsed.usage?.completion_tokens);
    if (tokensIn !== undefined || tokensOut !== undefined) {
      generation.tokens = {};
      if (tokensIn !== undefined) generation.tokens.in = tokensIn;
      if (tokensOut !== undefined) generation.tokens.out = tokensOut;
    }
    return generation;
  }
}
