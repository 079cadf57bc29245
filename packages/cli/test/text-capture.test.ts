// Per-character attribution from plain files, through the real `colophon` binary and real files:
// `record --file` versions (human, AI, tool, pasted; unknown when the kept text is gone),
// `watch` (a real process, saves, reconcile on start, Ctrl-C), `agent-hook` (a Claude Code
// PostToolUse event on stdin). Each result is checked character by character against what was done.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Project, contentCid, identityFromSeed, signRecord, utf8Encode } from '@colophon/core';
import { CarFeedStore } from '@colophon/core/node';
import { BIN, colophon, sandbox } from './helpers.js';

let dir: string;
let keys: string;
const run = (...args: string[]) => colophon(dir, keys, ...args);
const env = () => ({ ...process.env, COLOPHON_KEYS_DIR: keys, COLOPHON_IDENTITY: 'tester', COLOPHON_DEBUG: '' });

interface Run {
  start: number;
  length: number;
  class: string;
  who: string;
  evidence: string | null;
}

const MARK: Record<string, string> = { human: 'h', ai: 'a', tool: 't', pasted: 'p', unknown: '?' };

/** The classes `attribute --json` gives, one letter per UTF-16 code unit, after checking the file matches. */
function classes(asset: string, file: string): { marks: string; runs: Run[] } {
  const result = run('attribute', '--asset', asset, '--file', file, '--json');
  expect(result.code, result.stderr).toBe(0);
  const view = JSON.parse(result.stdout) as { kind: string; runs: Run[]; file: { ok: boolean } };
  expect(view.kind).toBe('text');
  expect(view.file.ok).toBe(true);
  let marks = '';
  for (const r of view.runs) {
    expect(r.start).toBe(marks.length);
    marks += MARK[r.class]!.repeat(r.length);
  }
  return { marks, runs: view.runs };
}

/** Saves a file as an editor would (the whole file). */
async function save(file: string, text: string | Uint8Array): Promise<void> {
  await writeFile(join(dir, file), text);
}

// Each test runs the real binary several times (a process each): on a loaded machine that takes a while.
vi.setConfig({ testTimeout: 240_000 });

beforeEach(async () => {
  ({ dir, keys } = await sandbox());
  await mkdir(dir, { recursive: true });
  expect(run('init', '--name', 'Writers').code).toBe(0);
});

describe('record --file: per-character versions of a text file', () => {
  it('a Markdown chapter written by a person, an AI, a formatter and a paste', async () => {
    let text = '# Chapter 1\n\nThe night was dark.\n';
    let truth = 'h'.repeat(text.length);
    await save('ch1.md', text);
    expect(run('record', 'asset.create', '--file', 'ch1.md').code).toBe(0);

    const generated = 'The harbour kept its counsel, and the lamps burned low.\n';
    text += generated;
    truth += 'a'.repeat(generated.length);
    await save('ch1.md', text);
    const gen = run('record', 'ai.generate', '--file', 'ch1.md', '--model', 'acme/writer@2', '--prompt-private-file', '-');
    expect(gen.code, gen.stderr).toBe(0);

    // The writer replaces one word of the AI text.
    const at = text.indexOf('counsel');
    text = text.slice(0, at) + 'secrets' + text.slice(at + 'counsel'.length);
    truth = truth.slice(0, at) + 'hhhhhhh' + truth.slice(at + 7);
    await save('ch1.md', text);
    expect(run('record', 'asset.edit', '--file', 'ch1.md').code).toBe(0);

    // A formatter turns "# Chapter 1" into "# CHAPTER 1".
    text = text.replace('Chapter', 'CHAPTER');
    truth = truth.slice(0, 2) + 'ttttttt' + truth.slice(9);
    await save('ch1.md', text);
    expect(run('record', 'asset.edit', '--file', 'ch1.md', '--tool', 'prettier@3.3.3').code).toBe(0);

    // A pasted quote with non-ASCII and an emoji (a surrogate pair: 2 code units).
    const quote = '\n> «Mar y cielo» — 海と空 🌊\n';
    text += quote;
    truth += 'p'.repeat(quote.length);
    await save('ch1.md', text);
    expect(run('record', 'asset.edit', '--file', 'ch1.md', '--pasted').code).toBe(0);

    const { marks, runs } = classes('file:ch1.md', 'ch1.md');
    expect(marks).toBe(truth);
    expect(new Set(runs.map((r) => r.evidence))).toEqual(new Set(['diff']));
    expect(runs.find((r) => r.class === 'ai')!.who).toBe('acme/writer@2');
    expect(runs.find((r) => r.class === 'tool')!.who).toBe('prettier@3.3.3');
  });

  it('a Fountain screenplay: scene heading, dialogue, and an AI-written action line', async () => {
    let text = 'INT. LIGHTHOUSE - NIGHT\n\nMARA\nWho keeps the lamp?\n';
    await save('pilot.fountain', text);
    expect(run('record', 'asset.create', '--file', 'pilot.fountain').code).toBe(0);
    const action = '\nWind rattles the glass. A gull screams somewhere below.\n';
    const at = text.indexOf('\nMARA');
    text = text.slice(0, at) + action + text.slice(at);
    await save('pilot.fountain', text);
    expect(run('record', 'ai.generate', '--file', 'pilot.fountain', '--model', 'acme/writer@2').code).toBe(0);
    const { marks } = classes('file:pilot.fountain', 'pilot.fountain');
    // The action paragraph is the AI's, however the diff places its blank line; the rest the writer's.
    const aiText = [...marks].map((m, i) => (m === 'a' ? text[i] : '')).join('');
    expect(aiText.trim()).toBe(action.trim());
    expect(marks.replaceAll('a', '').length).toBe(text.length - action.length);
    expect(marks.split('').filter((m) => m !== 'a' && m !== 'h')).toEqual([]);
  });

  it('a 200 KB chapter: a 1 KB rewrite in the middle is the only AI text', async () => {
    const paragraph = (i: number) => `Paragraph ${i}. The tide came in over the stones, and nobody on the quay said a word about it.\n\n`;
    const before = Array.from({ length: 2200 }, (_, i) => paragraph(i)).join('');
    expect(before.length).toBeGreaterThan(200 * 1024);
    await save('long.md', before);
    expect(run('record', 'asset.create', '--file', 'long.md').code).toBe(0);
    const target = paragraph(1000);
    const rewrite = 'Paragraph 1000. '.concat('The sea answered in a voice older than the harbour. '.repeat(20), '\n\n');
    const after = before.replace(target, rewrite);
    await save('long.md', after);
    expect(run('record', 'ai.generate', '--file', 'long.md', '--model', 'acme/writer@2').code).toBe(0);
    const { marks } = classes('file:long.md', 'long.md');
    const aiUnits = [...marks].filter((m) => m === 'a').length;
    // Word-level: what the rewrite shares with the old paragraph ("Paragraph 1000. The") stays the writer's.
    expect(aiUnits).toBeGreaterThan(900);
    expect(aiUnits).toBeLessThanOrEqual(rewrite.length);
    const first = marks.indexOf('a');
    expect(first).toBeGreaterThanOrEqual(before.indexOf(target));
    expect(marks.lastIndexOf('a')).toBeLessThan(before.indexOf(target) + rewrite.length);
  });

  it('says so, and records unknown, when the previous text is not kept', async () => {
    await save('notes.md', 'First thoughts.\n');
    expect(run('record', 'asset.create', '--file', 'notes.md').code).toBe(0);
    await rm(join(dir, '.colophon', 'blobs'), { recursive: true, force: true });
    await save('notes.md', 'First thoughts, revised.\n');
    const result = run('record', 'asset.edit', '--file', 'notes.md');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/previous text of file:notes\.md .* is not in the blob store.*recorded as unknown/);
    const { marks, runs } = classes('file:notes.md', 'notes.md');
    expect(marks).toBe('?'.repeat('First thoughts, revised.\n'.length));
    expect(runs[0]!.evidence).toBe('reconciled');
  });

  it('reads a private prompt from a file, never from the command line', async () => {
    await writeFile(join(dir, 'prompt.txt'), 'a secret brief\n');
    await save('p.md', 'x\n');
    const result = run('record', 'ai.generate', '--file', 'p.md', '--model', 'acme/writer@2', '--prompt-private-file', 'prompt.txt', '--json');
    expect(result.code, result.stderr).toBe(0);
    const shown = run('show', JSON.parse(result.stdout).cid['/'], '--json');
    expect(shown.stdout).not.toContain('a secret brief');
    expect(shown.stdout).toContain('commit');
  });
});

describe('records that break attribution', () => {
  it('are refused when written; an imported one is reported by verify and skipped by attribute', async () => {
    await save('a.md', 'ab');
    expect(run('record', 'asset.create', '--file', 'a.md').code).toBe(0);
    // 99 characters claimed inserted at 50 of a 2-character file: refused.
    const feeds = await CarFeedStore.open(join(dir, '.colophon'));
    const genesis = (await feeds.query({ kind: 'project.genesis' }))[0]!;
    const mallory = identityFromSeed(new Uint8Array(32).fill(9));
    const project = Project.open((await feeds.get(genesis))!, feeds);
    const bad = { kind: 'asset.edit' as const, asset: 'file:a.md', out: contentCid(utf8Encode('x'.repeat(101))), delta: { text: [[50, 0, 99, 'human']] } };
    await expect(project.record(mallory, bad)).rejects.toThrow(/delta\.text\[0\]: edit at 50 is past the end of the text \(length 2\)/);
    // The same record signed by its author's own key and appended as an import would.
    const forged = signRecord({ ...bad, proj: genesis, by: mallory.did, seq: 0, at: Date.now() }, mallory);
    await feeds.append(forged);
    const verified = run('verify');
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(new RegExp(`\\[unattributable\\] file:a\\.md: record ${forged.cid} delta\\.text\\[0\\]: edit at 50 is past the end`));
    const attributed = run('attribute', '--asset', 'file:a.md', '--json');
    expect(attributed.code, attributed.stderr).toBe(0);
    const view = JSON.parse(attributed.stdout) as { total: number; notes: string[] };
    expect(view.total).toBe(2);
    expect(view.notes).toEqual([expect.stringMatching(/^skipped a record that cannot be attributed \(record .* edit at 50 is past the end/)]);
  });
});

describe('watch', () => {
  it('records saves by the signer, reconciles unwatched changes as unknown, and stops cleanly on Ctrl-C', async () => {
    await save('draft.md', 'Opening line.\n');
    expect(run('record', 'asset.create', '--file', 'draft.md').code).toBe(0);
    // Changed while nothing watched.
    await save('draft.md', 'Opening line.\nWritten elsewhere.\n');
    await save('image.bin', Buffer.from([0, 1, 2, 3]));
    const child = spawn(process.execPath, [BIN, 'watch'], { cwd: dir, env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 300 && !pattern.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout, stderr).toMatch(pattern);
    };
    await waitFor(/watching \. as tester/);
    expect(stdout).toMatch(/file:draft\.md: \+\d+ -0 changed while nothing watched \(unknown\)/);
    // A save in "another editor" (write the whole file, as vim and Obsidian do).
    await save('draft.md', 'Opening line, sharper.\nWritten elsewhere.\n');
    await waitFor(/file:draft\.md: \+\d+ -\d+ saved by tester/);
    await save('scene.fountain', 'EXT. QUAY - DAWN\n\nNobody speaks.\n');
    await waitFor(/file:scene\.fountain: \+\d+ -0 saved by tester/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/stopped watching/);

    // The first line is the signer's (recorded, then sharpened in a watched save); the second unknown.
    const { marks, runs } = classes('file:draft.md', 'draft.md');
    expect(marks).toBe('h'.repeat('Opening line, sharper.\n'.length) + '?'.repeat('Written elsewhere.\n'.length));
    expect(new Set(runs.map((r) => r.evidence))).toEqual(new Set(['diff', 'reconciled']));
    expect(classes('file:scene.fountain', 'scene.fountain').marks).toBe('h'.repeat('EXT. QUAY - DAWN\n\nNobody speaks.\n'.length));
    // The binary file was left alone.
    expect(run('log', '--asset', 'file:image.bin').stdout).not.toMatch(/bafy/);
    // Nothing left holding the ledger.
    expect(await readdir(join(dir, '.colophon', 'ledger.lock'))).not.toContain('held');
  });
});

describe('agent-hook', () => {
  it('records a Claude Code Edit as AI (reported) and a human edit it did not make as unknown', async () => {
    await save('story.md', 'The keeper climbed the stairs.\n');
    expect(run('record', 'asset.create', '--file', 'story.md').code).toBe(0);
    // The writer adds a word without recording it; then the agent edits the file.
    const agentText = 'At the top, the lamp was already lit.\n';
    await save('story.md', `The old keeper climbed the stairs.\n${agentText}`);
    const event = {
      hook_event_name: 'PostToolUse',
      session_id: 'abc123',
      transcript_path: '/tmp/transcript.jsonl',
      cwd: dir,
      tool_name: 'Edit',
      tool_input: { file_path: join(dir, 'story.md'), old_string: 'stairs.\n', new_string: `stairs.\n${agentText}` },
      tool_response: { success: true },
    };
    const result = spawnSync(process.execPath, [BIN, 'agent-hook', '--model', 'anthropic/claude-sonnet@4.5'], { cwd: dir, env: env(), input: JSON.stringify(event), encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ continue: true });
    expect(result.stderr).toMatch(/file:story\.md: \+\d+ -0 by anthropic\/claude-sonnet@4\.5 \(reported\)/);
    const { marks, runs } = classes('file:story.md', 'story.md');
    const text = `The old keeper climbed the stairs.\n${agentText}`;
    const truth = 'hhhh' + '????' + 'h'.repeat('keeper climbed the stairs.\n'.length) + 'a'.repeat(agentText.length);
    expect(marks).toBe(truth);
    expect(marks.length).toBe(text.length);
    expect(runs.filter((r) => r.class === 'ai').every((r) => r.evidence === 'reported' && r.who === 'anthropic/claude-sonnet@4.5')).toBe(true);
  });

  it('ignores events that edit nothing, and records an edit whose model nobody names as an unspecified model without holding the agent up', async () => {
    const read = spawnSync(process.execPath, [BIN, 'agent-hook'], { cwd: dir, env: env(), input: JSON.stringify({ tool_name: 'Read', tool_input: { path: 'x' } }), encoding: 'utf8' });
    expect(read.status).toBe(0);
    await save('x.md', 'x');
    const unnamed = spawnSync(process.execPath, [BIN, 'agent-hook'], {
      cwd: dir,
      env: { ...env(), COLOPHON_AGENT_MODEL: '' },
      input: JSON.stringify({ tool_name: 'Write', tool_input: { file_path: 'x.md', content: 'x' } }),
      encoding: 'utf8',
    });
    expect(unnamed.status, unnamed.stderr).toBe(0);
    expect(JSON.parse(unnamed.stdout)).toEqual({ continue: true });
    expect(unnamed.stderr).toMatch(/names no model: recorded as an unspecified model/);
    const { runs } = classes('file:x.md', 'x.md');
    expect(runs).toEqual([expect.objectContaining({ class: 'ai', who: 'unspecified/unspecified@unspecified', evidence: 'reported' })]);
    const garbage = spawnSync(process.execPath, [BIN, 'agent-hook'], { cwd: dir, env: env(), input: 'not json', encoding: 'utf8' });
    expect(garbage.status).toBe(2);
    expect(garbage.stderr).toMatch(/not a JSON hook event/);
  });
});
