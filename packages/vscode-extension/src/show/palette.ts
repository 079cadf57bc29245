// Colours of the authorship view: one tint per AI model (stable: hashed from its label), one per
// other class. Human text is left as it is: it is the default, and most of a writer's page.
import type { Author } from '@colophon/core';

const MODEL_HUES = [265, 200, 320, 170, 290, 230];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface Tint {
  /** Identifies the decoration type (one per tint). */
  key: string;
  background: string;
  ruler: string;
  label: string;
}

export function tintOf(author: Author): Tint | undefined {
  switch (author.class) {
    case 'human':
      return undefined;
    case 'ai': {
      const hue = MODEL_HUES[hash(author.who) % MODEL_HUES.length]!;
      return { key: `ai:${author.who}`, background: `hsla(${hue}, 80%, 60%, 0.22)`, ruler: `hsla(${hue}, 80%, 60%, 0.9)`, label: `AI · ${author.who}` };
    }
    case 'pasted':
      return { key: 'pasted', background: 'hsla(45, 90%, 55%, 0.20)', ruler: 'hsla(45, 90%, 55%, 0.9)', label: 'pasted' };
    case 'tool':
      return { key: `tool:${author.who}`, background: 'hsla(210, 15%, 60%, 0.20)', ruler: 'hsla(210, 15%, 60%, 0.9)', label: `tool · ${author.who}` };
    case 'unknown':
      return { key: 'unknown', background: 'hsla(15, 85%, 55%, 0.20)', ruler: 'hsla(15, 85%, 55%, 0.9)', label: 'unknown' };
  }
}
