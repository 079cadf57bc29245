// Where Colophon's AI commands get a model: an OpenAI-compatible endpoint from the settings (its
// key in SecretStorage), else the first chat model a `vscode.lm` provider offers. Both are
// TextGenerators (core's one interface for "messages in, text out, this model did it").
import { OpenAICompatibleGenerator } from '@colophon/core/node';
import type { AiAgent, GenerateRequest, Generation, TextGenerator } from '@colophon/core';
import * as vscode from 'vscode';

export const ENDPOINT_KEY_SECRET = 'colophon.endpoint.apiKey';

/** Said when no model can be reached, so the user knows both ways to get one. */
export const NO_MODEL =
  'Colophon: no AI model is available. Set "colophon.endpoint.url" and "colophon.endpoint.model" to an OpenAI-compatible endpoint ' +
  '(Ollama: http://127.0.0.1:11434/v1), or install an extension that provides a language model.';

/** A `vscode.lm` chat model as a TextGenerator. */
export class LanguageModelGenerator implements TextGenerator {
  readonly agent: AiAgent;

  constructor(private readonly model: vscode.LanguageModelChat) {
    this.agent = { type: 'ai', model: { provider: `vscode.lm:${model.vendor}`, name: model.id, version: model.version || 'unspecified' } };
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const messages = request.messages.map((message) =>
      message.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(message.content) : vscode.LanguageModelChatMessage.User(message.content),
    );
    const response = await this.model.sendRequest(messages, { justification: 'Colophon writes the text you asked for and records that this model wrote it.' });
    let text = '';
    for await (const part of response.text) text += part;
    return { text };
  }
}

/** The generator the settings and installed providers give, or undefined when there is none. */
export async function pickGenerator(secrets: vscode.SecretStorage): Promise<TextGenerator | undefined> {
  const settings = vscode.workspace.getConfiguration('colophon.endpoint');
  const baseUrl = settings.get<string>('url', '').trim();
  const model = settings.get<string>('model', '').trim();
  if (baseUrl && model) {
    const apiKey = await secrets.get(ENDPOINT_KEY_SECRET);
    return new OpenAICompatibleGenerator({ baseUrl, model, ...(apiKey ? { apiKey } : {}) });
  }
  const [chat] = await vscode.lm.selectChatModels(model ? { id: model } : {});
  return chat ? new LanguageModelGenerator(chat) : undefined;
}
