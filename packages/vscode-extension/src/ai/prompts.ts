// The messages each AI command sends. Plain functions of the editor's text, so they are unit
// tested and recorded exactly as sent.
import type { ChatMessage } from '@colophon/core';

const SYSTEM =
  'You help a writer. Answer with only the text to put into their document: no preamble, no quotes, no explanations, no Markdown fences unless the document needs them.';

/** How much text before the cursor goes along as context. */
export const CONTEXT_CHARS = 4000;

function tail(text: string): string {
  return text.length > CONTEXT_CHARS ? text.slice(text.length - CONTEXT_CHARS) : text;
}

export function generateMessages(request: string, before: string): ChatMessage[] {
  const context = before.trim() ? `The document so far ends with:\n<<<\n${tail(before)}\n>>>\n\n` : '';
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `${context}Write: ${request}` },
  ];
}

export function rewriteMessages(instruction: string, selection: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Rewrite this text (${instruction}):\n<<<\n${selection}\n>>>` },
  ];
}

export function continueMessages(before: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Continue this text where it stops, in the same voice:\n<<<\n${tail(before)}\n>>>` },
  ];
}
