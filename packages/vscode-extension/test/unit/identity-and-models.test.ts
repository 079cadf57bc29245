import { expect, test } from 'vitest';
import { modelAgent } from '../../src/ai/model-ref.js';
import { continueMessages, CONTEXT_CHARS, generateMessages, rewriteMessages } from '../../src/ai/prompts.js';
import { SecretKeyStore } from '../../src/ledger/secret-key-store.js';

test('models named by label or object become the record agent; bad names are refused', () => {
  expect(modelAgent('ollama/llama3.1@8b')).toEqual({ type: 'ai', model: { provider: 'ollama', name: 'llama3.1', version: '8b' } });
  expect(modelAgent({ provider: 'acme', name: 'writer' })).toEqual({ type: 'ai', model: { provider: 'acme', name: 'writer', version: 'unspecified' } });
  expect(() => modelAgent('just-a-name')).toThrow(/provider\/name@version/);
  expect(() => modelAgent({ provider: '', name: 'x' })).toThrow(/provider and a name/);
});

test('prompts carry the instruction and at most CONTEXT_CHARS of the text before the cursor', () => {
  const before = 'x'.repeat(CONTEXT_CHARS + 100) + 'END';
  const continued = continueMessages(before).at(-1)!.content;
  expect(continued).toContain('END');
  expect(continued).not.toContain('x'.repeat(CONTEXT_CHARS + 1));
  expect(generateMessages('a sentence about ships', '').at(-1)!.content).toBe('Write: a sentence about ships');
  expect(rewriteMessages('shorter', 'Long text.').at(-1)!.content).toContain('Long text.');
});

test('identities in secret storage: created once, read back with the same did, listed, never duplicated', async () => {
  const secrets = new Map<string, string>();
  const store = new SecretKeyStore({ get: async (k) => secrets.get(k), store: async (k, v) => void secrets.set(k, v) });
  const created = await store.create('writer');
  expect((await store.get('writer'))!.did).toBe(created.did);
  expect(await store.list()).toEqual([{ name: 'writer', did: created.did }]);
  await expect(store.create('writer')).rejects.toThrow(/already exists/);
  expect(await store.get('nobody')).toBeUndefined();
  await expect(store.get('../escape')).rejects.toThrow(/identity name/);
  secrets.set('colophon.identity.broken', Buffer.from('short').toString('base64'));
  await expect(store.get('broken')).rejects.toThrow(/damaged/);
});
