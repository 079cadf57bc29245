// The Generate panel's model call and what becomes of its answer. Figma's main thread has its own
// fetch (no streams, no AbortSignal, no URL class), so this is core's TextGenerator over that
// fetch rather than core's Node generator. The API key goes only into the Authorization header.
import type { AiAgent, GenerateRequest, Generation, TextGenerator } from '@colophon/core/lineage';
import type { PluginHost } from './plugin.js';
import type { OwnClaims } from './own-claims.js';
import type { GenerateSettings } from './protocol.js';

/** Figma's fetch, as far as this uses it. */
export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

const MAX_RESPONSE_CHARS = 4 * 1024 * 1024;
const MAX_LAYERS = 200;

export class FigmaFetchGenerator implements TextGenerator {
  readonly agent: AiAgent;
  private readonly endpoint: string;

  constructor(
    private readonly fetch: Fetch,
    private readonly settings: GenerateSettings,
  ) {
    const base = settings.endpoint.trim().replace(/\/+$/, '');
    const match = /^(https?):\/\/([^/@\s]+)(\/[^\s]*)?$/.exec(base);
    if (!match) throw new Error(`the endpoint "${settings.endpoint}" is not an http(s) URL without credentials (e.g. http://127.0.0.1:8080/v1)`);
    if (!settings.model) throw new Error('a model name is required (the name the server knows)');
    this.endpoint = `${base}/chat/completions`;
    this.agent = { type: 'ai', model: { provider: match[2]!, name: settings.model, version: 'unspecified' } };
  }

  /** The agent as recorded: the model the server says answered, when it says. */
  agentFor(_request: GenerateRequest, generation: Generation): AiAgent {
    return generation.model ? { ...this.agent, model: { ...this.agent.model, version: generation.model } } : this.agent;
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    let response;
    try {
      response = await this.fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ model: this.settings.model, messages: request.messages, stream: false }) });
    } catch (error) {
      throw new Error(`cannot reach ${this.endpoint}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (text.length > MAX_RESPONSE_CHARS) throw new Error(`${this.endpoint} answered with more than ${MAX_RESPONSE_CHARS} characters`);
    if (!response.ok) throw new Error(`${this.endpoint} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    let parsed: { model?: unknown; choices?: { message?: { content?: unknown } }[] };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${this.endpoint} answered with something that is not JSON`);
    }
    const content = parsed.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error(`${this.endpoint} answered without choices[0].message.content`);
    return typeof parsed.model === 'string' && parsed.model ? { text: content, model: parsed.model } : { text: content };
  }
}

/** One layer the model asks for. */
interface LayerSpec {
  type: 'RECTANGLE' | 'TEXT';
  name?: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  color?: string;
  text?: string;
}

const INSTRUCTIONS =
  'You design Figma layers. Answer with JSON only: {"name": string, "width": number, "height": number, "layers": [{"type": "RECTANGLE" | "TEXT", "name": string, "x": number, "y": number, "width": number, "height": number, "color": "#rrggbb", "text": string}]}. Coordinates are relative to the frame.';

/** The font generated text is set in; loaded before any layer exists (see generateLayers). */
const TEXT_FONT: FontName = { family: 'Inter', style: 'Regular' };

/**
 * Asks the model for a frame of layers and creates it on the current page. Everything that waits
 * (the model, the font) happens before the first layer exists; the layers are then created and
 * set in one synchronous run that ends by claiming them (own-claims.ts), so no edit of the user's
 * can fall between the plugin's writes and the claim. The caller records them as the model's.
 */
export async function generateLayers(host: PluginHost, fetch: Fetch, prompt: string, settings: GenerateSettings, claims: OwnClaims): Promise<{ frame: FrameNode; created: SceneNode[]; agent: AiAgent }> {
  const generator = new FigmaFetchGenerator(fetch, settings);
  const request: GenerateRequest = {
    messages: [
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: prompt },
    ],
  };
  const generation = await generator.generate(request);
  const design = parseDesign(generation.text);
  if (design.layers.some((spec) => spec.type === 'TEXT')) await host.loadFontAsync(TEXT_FONT);
  // From here on nothing awaits until the claim. The layers are claimed even if a write fails
  // half-way: they are the plugin's, never the user's (no record names them then; the next
  // launch reconciles them as unknown).
  const frame = host.createFrame();
  const created: SceneNode[] = [frame];
  try {
    frame.name = design.name;
    frame.resize(design.width, design.height);
    for (const spec of design.layers) {
      const layer = spec.type === 'TEXT' ? host.createText() : host.createRectangle();
      created.push(layer);
      frame.appendChild(layer);
      if (spec.name) layer.name = spec.name;
      layer.x = spec.x ?? 0;
      layer.y = spec.y ?? 0;
      if (spec.color) layer.fills = [{ type: 'SOLID', color: hexColor(spec.color) }];
      if (layer.type === 'TEXT') {
        layer.fontName = TEXT_FONT;
        layer.characters = spec.text ?? '';
      } else layer.resize(Math.max(1, spec.width ?? 100), Math.max(1, spec.height ?? 100));
    }
  } finally {
    claims.claim(created);
  }
  return { frame, created, agent: generator.agentFor(request, generation) };
}

function parseDesign(text: string): { name: string; width: number; height: number; layers: LayerSpec[] } {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  let parsed: { name?: unknown; width?: unknown; height?: unknown; layers?: unknown };
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new Error('the model did not answer with the JSON design asked for');
  }
  if (!Array.isArray(parsed.layers)) throw new Error('the model\'s design has no "layers" list');
  const size = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 10_000 ? v : fallback);
  const layers = parsed.layers.slice(0, MAX_LAYERS).flatMap((raw): LayerSpec[] => {
    const l = raw as Partial<LayerSpec>;
    if (l.type !== 'RECTANGLE' && l.type !== 'TEXT') return [];
    const spec: LayerSpec = { type: l.type, x: typeof l.x === 'number' ? l.x : 0, y: typeof l.y === 'number' ? l.y : 0, width: size(l.width, 100), height: size(l.height, 40) };
    if (typeof l.name === 'string') spec.name = l.name.slice(0, 200);
    if (typeof l.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(l.color)) spec.color = l.color;
    if (typeof l.text === 'string') spec.text = l.text.slice(0, 5000);
    return [spec];
  });
  return { name: typeof parsed.name === 'string' ? parsed.name.slice(0, 200) : 'Generated', width: size(parsed.width, 400), height: size(parsed.height, 300), layers };
}

function hexColor(hex: string): RGB {
  const n = parseInt(hex.slice(1), 16);
  return { r: ((n >> 16) & 255) / 255, g: ((n >> 8) & 255) / 255, b: (n & 255) / 255 };
}
