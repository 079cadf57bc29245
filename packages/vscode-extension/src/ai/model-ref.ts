// A model as other extensions and the writer name it: {provider, name, version} or
// "provider/name@version", checked and turned into the record's agent.
import type { AiAgent } from '@colophon/core';

export interface ModelInfo {
  /** Who serves the model, e.g. "openai", "anthropic", "ollama". */
  provider: string;
  /** The model's name, e.g. "gpt-4o-mini". */
  name: string;
  /** Its version, when known. */
  version?: string;
}

const MODEL_LABEL = /^([^/@\s]+)\/([^@\s]+)(?:@(\S+))?$/;

export function modelAgent(model: ModelInfo | string): AiAgent {
  if (typeof model === 'string') {
    const match = MODEL_LABEL.exec(model.trim());
    if (!match) throw new TypeError(`model "${model}" is not "provider/name@version" (e.g. "ollama/llama3.1@8b")`);
    return { type: 'ai', model: { provider: match[1]!, name: match[2]!, version: match[3] ?? 'unspecified' } };
  }
  if (!model || typeof model.provider !== 'string' || !model.provider || typeof model.name !== 'string' || !model.name) {
    throw new TypeError('model needs a provider and a name');
  }
  return { type: 'ai', model: { provider: model.provider, name: model.name, version: typeof model.version === 'string' && model.version ? model.version : 'unspecified' } };
}
