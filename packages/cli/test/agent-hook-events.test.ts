// `colophon agent-hook` fed the hook events of Cursor (afterFileEdit, afterTabFileEdit) and Claude
// Code (PostToolUse), from fixtures written from their documented shapes
// (test/fixtures/agent-trace/hooks, see its README): the agent's text is ai with the right model.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetAttribution, loadAssetHistory, textLines } from '@colophon/core';
import { openWorkspace } from '@colophon/core/node';
import { agentHook } from '../src/commands/agent-hook.js';
import { init } from '../src/commands/init.js';
import { cursorEdit } from '../src/cursor-hook.js';
import { BIN, colophonInProcess, quiet } from './helpers.js';

const ASSET = 'file:src/greet.ts';
const FUNCTION = 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n';
const TAB = "export const greeting = greet('world');";

let base: string;
let dir: string;
let previousKeys: string | undefined;

/** A fixture event with its /WORKSPACE placeholder pointing at the test's project. */
async function fixture(name: string): Promise<Record<string, unknown>> {
  const text = await readFile(new URL(`../../../test/fixtures/agent-trace/hooks/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('/WORKSPACE', dir)) as Record<string, unknown>;
}

/** Per line of the file, who wrote it: the classes (ai with the model) of its content. */
async function lineAuthors(text: string): Promise<string[]> {
  const ws = await openWorkspace(dir);
  const map = assetAttribution(await loadAssetHistory(ws.feeds, ASSET), { asset: ASSET }).textMap!;
  expect(map.length).toBe(text.length);
  return textLines(text).map((line) => {
    const who = new Set<string>();
    map.forEachRun((_, __, author) => who.add(author.class === 'ai' ? author.who : author.class), line.start, line.contentEnd > line.start ? line.contentEnd : line.end);
    return [...who].join('+');
  });
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-hooks-'));
  dir = join(base, 'repo');
  await mkdir(join(dir, 'src'), { recursive: true });
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  await init(dir, { name: 'hooks', as: 'dev' }, quiet);
});

afterAll(() => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
});

describe('Cursor hook events', () => {
  it('reads afterFileEdit and afterTabFileEdit: file, written strings, model, conversation, generation, workspace root', async () => {
    const edit = cursorEdit(await fixture('cursor-after-file-edit.json'))!;
    expect(edit).toMatchObject({ event: 'afterFileEdit', path: join(dir, 'src/greet.ts'), written: [FUNCTION], root: dir, model: 'claude-4.5-sonnet', version: '1.7.2' });
    expect(edit.conversation).toBe('8c0f4b7e-2f1a-4d4e-9a51-3e2c6d9b1a70');
    const tab = cursorEdit(await fixture('cursor-after-tab-file-edit.json'))!;
    expect(tab).toMatchObject({ event: 'afterTabFileEdit', written: [TAB], model: 'cursor-tab' });
    expect(cursorEdit({ hook_event_name: 'afterShellExecution', command: 'ls' })).toBeUndefined();
    expect(cursorEdit({ hook_event_name: 'afterFileEdit' })).toBeUndefined();
  });

  it('an agent edit, then an accepted Tab completion: ai text with the model each event names; the rest unknown', async () => {
    await writeFile(join(dir, 'src/greet.ts'), FUNCTION);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`[err] ${l}`), isTty: false };
    const edit = await fixture('cursor-after-file-edit.json');
    await agentHook(base, {}, io, async () => edit); // the event's workspace root, not the hook's cwd, finds the project
    expect(await lineAuthors(FUNCTION)).toEqual(['unspecified/claude-4.5-sonnet@unspecified', 'unspecified/claude-4.5-sonnet@unspecified', 'unspecified/claude-4.5-sonnet@unspecified']);

    // The Tab completion goes through the real command, its event on stdin as Cursor sends it.
    const withTab = `${FUNCTION}\n${TAB}\n`;
    await writeFile(join(dir, 'src/greet.ts'), withTab);
    const tab = spawnSync(process.execPath, [BIN, 'agent-hook'], { cwd: base, input: JSON.stringify(await fixture('cursor-after-tab-file-edit.json')), encoding: 'utf8', env: { ...process.env, COLOPHON_DEBUG: '' } });
    expect(tab.status, tab.stderr).toBe(0);
    expect(tab.stdout).toBe('{"continue":true}\n'); // Cursor reads stdout as the hook's answer
    expect(tab.stderr).toMatch(/^file:src\/greet\.ts: \+\d+ -0 by unspecified\/cursor-tab@unspecified \(reported\)/);
    expect(await lineAuthors(withTab)).toEqual([
      'unspecified/claude-4.5-sonnet@unspecified',
      'unspecified/claude-4.5-sonnet@unspecified',
      'unspecified/claude-4.5-sonnet@unspecified',
      'unknown', // the blank line nobody reported
      'unspecified/cursor-tab@unspecified',
    ]);
    const ws = await openWorkspace(dir);
    const hooks = (await loadAssetHistory(ws.feeds, ASSET)).map((e) => [e.record.ext?.['colophon.evidence'], e.record.ext?.['colophon.hook']]);
    expect(hooks).toContainEqual(['reported', { tool: 'cursor@1.7.2', event: 'afterTabFileEdit', session: '8c0f4b7e-2f1a-4d4e-9a51-3e2c6d9b1a70', generation: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a' }]);
  });

  it('then Claude Code edits a line: ai with the model the hook command names; Agent Trace names all three models', async () => {
    const before = await readFile(join(dir, 'src/greet.ts'), 'utf8');
    const after = before.replace('${name}!', '${name.trim()}!');
    await writeFile(join(dir, 'src/greet.ts'), after);
    await agentHook(base, { model: 'anthropic/claude-sonnet-4-5@20250929' }, quiet, async () => fixture('claude-code-post-tool-use-edit.json'));
    const lines = await lineAuthors(after);
    expect(lines[1]).toBe('unspecified/claude-4.5-sonnet@unspecified+anthropic/claude-sonnet-4-5@20250929');
    expect(lines[0]).toBe('unspecified/claude-4.5-sonnet@unspecified');
    const trace = await colophonInProcess(dir, 'export', 'agent-trace');
    expect(trace.code, trace.err).toBe(0);
    const conversations = (JSON.parse(trace.out) as { files: { conversations: { contributor: { model_id?: string } }[] }[] }).files[0]!.conversations;
    expect(conversations.map((c) => c.contributor.model_id ?? null)).toEqual(['claude-4.5-sonnet', 'anthropic/claude-sonnet-4-5', null, 'cursor-tab']);
  });
});
