// `colophon export agent-trace` / `colophon import agent-trace`: a session captured by Colophon's
// capture engine, exported (validated against the spec's JSON Schema, the git revision filled),
// imported into fresh projects (same line-level classes), and traces that say otherwise.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureEngine, LedgerWriter, assetAttribution, loadAssetHistory, textLines, type AgentRef, type AgentTraceRecord } from '@colophon/core';
import { openWorkspace, signingIdentity } from '@colophon/core/node';
import { init } from '../src/commands/init.js';
import { colophonInProcess, quiet } from './helpers.js';

const schema = JSON.parse(await readFile(new URL('../../../test/fixtures/agent-trace/trace-record.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const ASSET = 'file:docs/story.md';
const WRITER: AgentRef = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2025-05-14' } };
const PRETTIER: AgentRef = { type: 'tool', name: 'prettier', version: '3.3.3' };

let base: string;
let previousKeys: string | undefined;
let previousIdentity: string | undefined;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@colophon.invalid', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A fresh project folder with the identity `ada`. */
async function project(name: string, withGit = false): Promise<string> {
  const dir = join(base, name);
  await mkdir(join(dir, 'docs'), { recursive: true });
  if (withGit) git(dir, 'init', '-q');
  await init(dir, { name, as: 'ada' }, quiet);
  return dir;
}

/** Per line, the set of classes of its characters (its content; an empty line its terminator): what an Agent Trace line can be compared on. */
async function lineClasses(dir: string, text: string): Promise<string[]> {
  const ws = await openWorkspace(dir);
  const map = assetAttribution(await loadAssetHistory(ws.feeds, ASSET), { asset: ASSET }).textMap!;
  expect(map.length).toBe(text.length);
  return textLines(text).map((line) => {
    const classes = new Set<string>();
    map.forEachRun((_, __, author) => classes.add(author.class === 'ai' ? `ai:${author.who}` : author.class), line.start, line.contentEnd > line.start ? line.contentEnd : line.end);
    return [...classes].sort().join('+');
  });
}

async function recordCount(dir: string): Promise<number> {
  const ws = await openWorkspace(dir);
  let n = 0;
  for await (const _ of ws.feeds.records()) n++;
  return n;
}

let studio: string;
let text = '';
let exported: AgentTraceRecord;
let head = '';

/** A writing session through the capture engine, as the VS Code extension drives it. */
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-agent-trace-'));
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  previousIdentity = process.env.COLOPHON_IDENTITY;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  process.env.COLOPHON_IDENTITY = 'ada';
  studio = await project('studio', true);
  const ws = await openWorkspace(studio);
  const { identity } = await signingIdentity(ws, 'ada');
  const writer = new LedgerWriter({ project: ws.project, signer: identity, blobs: ws.blobs, schedule: () => () => {} });
  const engine = new CaptureEngine(writer, { clock: Date.now });
  const session = engine.openText({ asset: ASSET, baseline: { text: '', recorded: false }, keepText: true });
  const put = (pos: number, inserted: string, source: Partial<Parameters<typeof session.change>[0]> = {}) => {
    session.change({ pos, deleted: 0, inserted, class: 'human', evidence: 'typed', ...source });
    text = text.slice(0, pos) + inserted + text.slice(pos);
  };
  for (const ch of '# Title\n\n') put(text.length, ch); // 1-2 human
  put(text.length, 'The sea was calm.\nWaves rolled in.\n', { class: 'ai', evidence: 'command', agent: WRITER }); // 3-4 ai
  put(text.indexOf(' calm'), ' very'); // 3 mixed
  put(text.length, '- item\n', { class: 'tool', agent: PRETTIER }); // 5 tool
  put(text.length, '> quote\n', { class: 'paste' }); // 6 pasted
  put(text.length, 'Ada wrote this.\n'); // 7 human
  await session.close();
  await writer.flush();
  await writeFile(join(studio, 'docs/story.md'), text);
  git(studio, 'add', 'docs/story.md');
  git(studio, 'commit', '-q', '-m', 'story');
  head = git(studio, 'rev-parse', 'HEAD');
  const result = await colophonInProcess(studio, 'export', 'agent-trace', '--out', '../trace.json');
  expect(result.code, result.err).toBe(0);
  exported = JSON.parse(await readFile(join(base, 'trace.json'), 'utf8')) as AgentTraceRecord;
});

afterAll(() => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
  if (previousIdentity === undefined) delete process.env.COLOPHON_IDENTITY;
  else process.env.COLOPHON_IDENTITY = previousIdentity;
});

describe('colophon export agent-trace', () => {
  it('writes a record that validates against the spec, with the git revision and the file relative to the repository root', () => {
    expect(validate(exported), JSON.stringify(validate.errors)).toBe(true);
    expect(exported.vcs).toEqual({ type: 'git', revision: head });
    expect(exported.tool?.name).toBe('colophon');
    expect(exported.files.map((f) => f.path)).toEqual(['docs/story.md']);
  });

  it('gives the captured lines their contributors: models.dev ids, the version in metadata, mixed where two wrote', () => {
    const ranges = exported.files[0]!.conversations.flatMap((c) => c.ranges.map((r) => `${r.start_line}-${r.end_line} ${r.contributor!.type}${r.contributor!.model_id ? ` ${r.contributor!.model_id}` : ''}`));
    expect(ranges).toEqual(['1-2 human', '3-3 mixed acme/writer', '7-7 human', '3-3 mixed acme/writer', '4-4 ai acme/writer', '5-6 unknown']);
    const dev = exported.metadata!['dev.colophon'] as { models: object; files: { runs: { class: string; evidence?: string }[] }[] };
    expect(dev.models).toEqual({ 'acme/writer': ['2025-05-14'] });
    expect(dev.files[0]!.runs.map((r) => `${r.class}/${r.evidence}`)).toEqual(['human/typed', 'ai/command', 'human/typed', 'ai/command', 'tool/typed', 'pasted/typed', 'human/typed']);
  });

  it('prints to standard output without --out, and refuses a non-file asset', async () => {
    const printed = await colophonInProcess(studio, 'export', 'agent-trace', '--asset', ASSET);
    expect(printed.code).toBe(0);
    expect(validate(JSON.parse(printed.out))).toBe(true);
    const bad = await colophonInProcess(studio, 'export', 'agent-trace', '--asset', 'figma:1:2');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^colophon: --asset figma:1:2: Agent Trace describes files/);
  });
});

describe('colophon import agent-trace', () => {
  it('round trip: imported into a fresh project, the same file has the same line-level classes (per character, from dev.colophon)', async () => {
    const fresh = await project('fresh');
    await writeFile(join(fresh, 'docs/story.md'), text);
    const result = await colophonInProcess(fresh, 'import', 'agent-trace', '../trace.json');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^file:docs\/story\.md: \d+ characters attributed as the trace says .*per character/);
    expect(await lineClasses(fresh, text)).toEqual(await lineClasses(studio, text));
    expect(await lineClasses(fresh, text)).toEqual(['human', 'human', 'ai:acme/writer@2025-05-14+human', 'ai:acme/writer@2025-05-14', 'tool', 'pasted', 'human']);
    // Again: nothing new to say, nothing recorded.
    const before = await recordCount(fresh);
    const again = await colophonInProcess(fresh, 'import', 'agent-trace', '../trace.json', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).files[0]).toMatchObject({ filled: 0, agreed: text.length, disputed: 0 });
    expect(await recordCount(fresh)).toBe(before);
  });

  it('from the line ranges alone (another tool\'s trace): single-author lines keep their class, mixed lines become unknown', async () => {
    const lines = await project('lines');
    await writeFile(join(lines, 'docs/story.md'), text);
    const plain = { ...exported, metadata: {} };
    await writeFile(join(base, 'plain.json'), JSON.stringify(plain));
    const result = await colophonInProcess(lines, 'import', 'agent-trace', '../plain.json');
    expect(result.code, result.err).toBe(0);
    expect(await lineClasses(lines, text)).toEqual(['human', 'human', 'unknown', 'ai:acme/writer@unspecified', 'unknown', 'unknown', 'human']);
  });

  it('never overrides what Colophon observed: a trace that says otherwise is reported and the text keeps its author', async () => {
    const cursor = {
      version: '0.1.0',
      id: '0b5e2f0c-8f43-4c5a-9d55-2f2a7b6c1e11',
      timestamp: '2026-12-06T10:00:00Z',
      tool: { name: 'cursor', version: '2.4.0' },
      files: [{ path: 'docs/story.md', conversations: [{ contributor: { type: 'ai', model_id: 'openai/gpt-4o' }, ranges: [{ start_line: 1, end_line: 1 }, { start_line: 7, end_line: 7 }] }] }],
    };
    await writeFile(join(base, 'cursor.json'), JSON.stringify(cursor));
    const before = await lineClasses(studio, text);
    const count = await recordCount(studio);
    const result = await colophonInProcess(studio, 'import', 'agent-trace', '../cursor.json');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('disagreement, line 1: the trace says openai/gpt-4o@unspecified, Colophon holds human (typed); kept');
    expect(result.out).toContain('disagreement, line 7: the trace says openai/gpt-4o@unspecified, Colophon holds human (typed); kept');
    expect(await lineClasses(studio, text)).toEqual(before);
    expect(await recordCount(studio)).toBe(count);
  });

  it('fills text changed while nothing watched with the trace\'s claim, evidence reported, and names the trace and its tool', async () => {
    const before = await lineClasses(studio, text);
    const edited = `${text}A line the agent added.\n`;
    await writeFile(join(studio, 'docs/story.md'), edited);
    const cursor = {
      version: '0.1.0',
      id: '6f1c1d8e-0d8a-4c3e-b2a5-0f6f7f3c2a10',
      timestamp: '2026-12-06T10:05:00Z',
      tool: { name: 'cursor', version: '2.4.0' },
      files: [{ path: 'docs/story.md', conversations: [{ contributor: { type: 'ai', model_id: 'openai/gpt-4o' }, ranges: [{ start_line: 8, end_line: 8 }] }] }],
    };
    await writeFile(join(base, 'cursor2.json'), JSON.stringify(cursor));
    const result = await colophonInProcess(studio, 'import', 'agent-trace', '../cursor2.json', '--json');
    expect(result.code, result.err).toBe(0);
    const classes = await lineClasses(studio, edited);
    expect(classes[7]).toBe('ai:openai/gpt-4o@unspecified');
    expect(classes.slice(0, 7)).toEqual(before);
    const ws = await openWorkspace(studio);
    const records = (await loadAssetHistory(ws.feeds, ASSET)).filter((e) => e.record.ext?.['colophon.agent-trace']);
    expect(records.map((e) => [e.record.kind, e.record.ext?.['colophon.evidence'], e.record.ext?.['colophon.agent-trace']])).toEqual([
      ['ai.generate', 'reported', { id: cursor.id, tool: 'cursor@2.4.0' }],
    ]);
    await writeFile(join(studio, 'docs/story.md'), text);
  });

  it('refuses a trace that breaks the format before recording anything, naming the field; skips paths outside the project', async () => {
    const count = await recordCount(studio);
    await writeFile(join(base, 'bad.json'), JSON.stringify({ ...exported, files: [{ path: 'docs/story.md', conversations: [{ ranges: [{ start_line: 0, end_line: 1 }] }] }] }));
    const bad = await colophonInProcess(studio, 'import', 'agent-trace', '../bad.json');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('colophon: ../bad.json: files[0].conversations[0].ranges[0].start_line: must be an integer of at least 1');
    await writeFile(join(base, 'escape.json'), JSON.stringify({ ...exported, metadata: {}, files: [{ path: '../trace.json', conversations: [{ contributor: { type: 'ai' }, ranges: [{ start_line: 1, end_line: 1 }] }] }] }));
    const escape = await colophonInProcess(studio, 'import', 'agent-trace', '../escape.json');
    expect(escape.code).toBe(0);
    expect(escape.err).toMatch(/\.\.\/trace\.json: skipped, the path is outside the project/);
    expect(await recordCount(studio)).toBe(count);
  });
});
