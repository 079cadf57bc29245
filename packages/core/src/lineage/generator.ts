// A text generator: anything that turns chat messages into text (a hosted model behind an
// OpenAI-compatible endpoint, a local llama.cpp or Ollama server, a built-in stand-in). The
// recorder records each call as an agent.step naming the generator's model and parameters.
import type { AgentRef } from '../record/types.js';
import type { PipelineRecorder, StepResult, StepSpec } from './recorder.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Sampling parameters passed to the model (and recorded): numbers, strings, booleans, string lists. */
export type GenerationParams = { [key: string]: number | string | boolean | string[] };

export interface GenerateRequest {
  messages: ChatMessage[];
  /** Per-call parameters, over the generator's defaults. */
  params?: GenerationParams;
}

export interface Generation {
  text: string;
  tokens?: { in?: number; out?: number };
  /** The model that answered, as the server names it (often more exact than the one asked for). */
  model?: string;
}

export type AiAgent = Extract<AgentRef, { type: 'ai' }>;

export interface TextGenerator {
  /** The model and default parameters, as recorded in each step. */
  readonly agent: AiAgent;
  generate(request: GenerateRequest): Promise<Generation>;
  /** The agent as recorded for one call: the defaults with the call's parameters, and the model that answered. */
  agentFor?(request: GenerateRequest, generation: Generation): AiAgent;
}

/** The prompt as recorded: the one user message alone, else each message under its role. */
export function promptText(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return messages[0]!.content;
  return messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
}

/** Defaults overlaid with per-call parameters (what the model was actually asked with). */
export function mergedAgent(agent: AiAgent, params: GenerationParams | undefined): AiAgent {
  if (!params || Object.keys(params).length === 0) return agent;
  return { ...agent, params: { ...(agent.params ?? {}), ...params } };
}

export type GenerateStepSpec = Omit<StepSpec, 'agent' | 'prompt'> & GenerateRequest;

/** One generator call as a recorded step: prompt, parameters, the answering model, output and token usage. */
export async function generateStep(recorder: PipelineRecorder, generator: TextGenerator, spec: GenerateStepSpec): Promise<StepResult<Generation>> {
  const { messages, params, ...step } = spec;
  const request: GenerateRequest = { messages };
  if (params) request.params = params;
  const asked = mergedAgent(generator.agent, params);
  return recorder.step({ ...step, agent: asked, prompt: promptText(messages) }, () => generator.generate(request), {
    output: (g) => g.text,
    tokens: (g) => g.tokens,
    agent: (g) => (generator.agentFor ? generator.agentFor(request, g) : asked),
  });
}
