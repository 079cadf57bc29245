import type { AiAgent, GenerateRequest, Generation, TextGenerator } from '@colophon/core';

/**
 * Stands in for a model in the demo, and is named as such in every record: provider "colophon",
 * model "local-generator". Deterministic, so the demo tells the same story every time: hot
 * sampling shouts, cool sampling stays on brand.
 */
export class LocalGenerator implements TextGenerator {
  readonly agent: AiAgent = { type: 'ai', model: { provider: 'colophon', name: 'local-generator', version: '1' }, params: { temperature: 0.7 } };

  async generate(request: GenerateRequest): Promise<Generation> {
    const temperature = Number(request.params?.temperature ?? this.agent.params?.temperature ?? 0.7);
    const text =
      temperature > 1
        ? 'AUTUMN IS HERE!!! Grab the COSIEST knits EVER before they are GONE!!!\n'
        : 'Autumn is here. Our new knitwear is made to keep you warm through the season.\n';
    return { text, tokens: { in: request.messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0), out: text.split(/\s+/).length } };
  }
}

/**
 * The brand-check agent's scorer: the house style is calm (no shouting, no "!!!"). A real
 * deployment would call a classifier; the demo needs a deterministic judge.
 */
export function brandScore(text: string): number {
  const shouting = (text.match(/\b[A-Z]{3,}\b/g) ?? []).length;
  const bangs = (text.match(/!/g) ?? []).length;
  return Math.max(0, Math.round((0.95 - 0.04 * shouting - 0.02 * bangs) * 100) / 100);
}
