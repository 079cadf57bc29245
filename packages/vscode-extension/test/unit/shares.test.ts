import { expect, test } from 'vitest';
import { statusView } from '../../src/show/shares.js';

test('the status bar gives human / AI / other shares that add up, and the ledger state in words', () => {
  const view = statusView({ human: 60, ai: 30, tool: 5, pasted: 3, unknown: 2 }, { state: 'ok', pending: 2 });
  expect(view.text).toBe('Colophon $(person) 60% $(sparkle) 30% $(question) 10% $(sync~spin) 2');
  expect(view.label).toBe('Colophon: 60% human, 30% AI, 10% other (3 pasted, 5 tool, 2 unknown code units); 2 bursts being written');
  const problem = statusView({ human: 1, ai: 2, tool: 0, pasted: 0, unknown: 0 }, { state: 'problem', message: 'feed torn' }, 'larger than 2000000 characters');
  expect(problem.text).toBe('Colophon $(person) 33% $(sparkle) 67% $(question) 0% $(warning) $(debug-pause)');
  expect(problem.tooltip).toContain('feed torn');
  expect(statusView(undefined, { state: 'none', why: 'no Colophon project in this workspace (run colophon init)' }).label).toBe(
    'Colophon: no Colophon project in this workspace (run colophon init)',
  );
});
