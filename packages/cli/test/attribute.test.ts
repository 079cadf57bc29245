import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentCid, Project, utf8Encode, type AgentRef, type Contribution, type SigningIdentity } from '@colophon/core';
import { CarFeedStore, FileKeyStore } from '@colophon/core/node';
import { attribute } from '../src/commands/attribute.js';
import { CheckFailedError, UsageError } from '../src/errors.js';
import type { Io } from '../src/output.js';
import { COLOPHON_DIR, writeProjectFiles } from '../src/workspace.js';

const ASSET = 'file:story.md';
const MODEL: AgentRef = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };

function capture(): Io & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(`[err] ${l}`), isTty: false, text: () => lines.join('\n') };
}

let dir: string;
let previousKeys: string | undefined;
let alice: SigningIdentity;
let bob: SigningIdentity;
let finalText = '';

/** A project made through the core API: an AI draft, Alice's and Bob's edits, an image without deltas, a Figma frame. */
beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'colophon-attribute-'));
  dir = join(base, 'work');
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  const keys = new FileKeyStore(process.env.COLOPHON_KEYS_DIR, dir);
  alice = await keys.create('alice');
  bob = await keys.create('bob');
  const colophonDir = join(dir, COLOPHON_DIR);
  await mkdir(colophonDir, { recursive: true });
  const store = await CarFeedStore.open(colophonDir);
  const project = await Project.create('attribution test', alice, store);
  await writeProjectFiles(colophonDir, project.id.toString(), 'alice');

  let text = '';
  const edit = async (by: SigningIdentity, ops: [number, number, string, string][], extra: Partial<Contribution> = {}) => {
    for (const [pos, del, ins] of ops) text = text.slice(0, pos) + ins + text.slice(pos + del);
    return project.record(by, {
      kind: extra.agent ? 'ai.generate' : 'asset.edit',
      asset: ASSET,
      out: contentCid(utf8Encode(text)),
      delta: { text: ops.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
      ...extra,
    });
  };
  await edit(alice, [[0, 0, 'The lighthouse keeper counted ships every night.\nThe sea was calm.\n', 'ai']], { agent: MODEL });
  const alices = await edit(alice, [[4, 10, 'old tower', 'human']]);
  // Bob saw Alice's edit: he links it, so the history is one line and positions mean what they say.
  await edit(bob, [[text.length, 0, 'Nobody knew why.\n', 'human']], { links: [alices.cid] });
  finalText = text;
  await writeFile(join(dir, 'story.md'), text);
  await writeFile(join(dir, 'tampered.md'), text.replace('calm', 'wild'));

  await project.record(alice, { kind: 'ai.generate', asset: 'file:cover.png', agent: MODEL, out: contentCid(utf8Encode('png')) });
  await project.record(bob, { kind: 'asset.edit', asset: 'figma:1:2', out: contentCid(utf8Encode('v1')), delta: { created: ['1:3'], nodes: { '1:3': ['fills', 'characters'] } } });
});

afterAll(() => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
});

describe('colophon attribute', () => {
  it('prints a readable breakdown with names, the source type and a strip of the map', async () => {
    const io = capture();
    await attribute(dir, { asset: ASSET }, io);
    const out = io.text();
    expect(out).toMatch(/^file:story\.md — text, 83 characters in 4 runs, from 3 records/);
    expect(out).toMatch(/AI\s+█+░*\s+68\.7%\s+57 characters/);
    expect(out).toMatch(/human\s+█+░*\s+31\.3%\s+26 characters/);
    expect(out).toMatch(/acme\/writer@2 \(AI\)\s+68\.7%/);
    expect(out).toMatch(/alice\s+10\.8%/);
    expect(out).toMatch(/bob\s+20\.5%/);
    expect(out).toContain('digital source type: compositeWithTrainedAlgorithmicMedia');
    expect(out).toMatch(/▕[ha]{64}▏/);
    expect(out).not.toContain('did:key:');
    expect(out).not.toContain('note:');
  });

  it('with --file, verifies the map and marks the text line by line', async () => {
    const io = capture();
    await attribute(dir, { asset: ASSET, file: 'story.md' }, io);
    const out = io.text();
    expect(out).toContain('✓ story.md matches the map');
    expect(io.lines).toContain('    The old tower keeper counted ships every night.');
    expect(io.lines).toContain(`    aaaa${'h'.repeat(9)}${'a'.repeat(34)}`);
    expect(io.lines).toContain(`    ${'h'.repeat('Nobody knew why.'.length)}`);
  });

  it('--json gives shares, runs with record CIDs, and the file check', async () => {
    const io = capture();
    await attribute(dir, { asset: ASSET, json: true, file: 'story.md' }, io);
    const json = JSON.parse(io.text());
    expect(json.kind).toBe('text');
    expect(json.total).toBe(finalText.length);
    expect(json.shares.byClass.human + json.shares.byClass.ai).toBeCloseTo(1, 12);
    expect(json.shares.byContributor.map((c: { name?: string; who: string }) => c.name ?? c.who)).toEqual(['acme/writer@2', 'bob', 'alice']);
    expect(json.runs.map((r: { length: number; class: string }) => [r.length, r.class])).toEqual([
      [4, 'ai'],
      [9, 'human'],
      [53, 'ai'],
      [17, 'human'],
    ]);
    expect(json.runs[1].name).toBe('alice');
    expect(json.runs[0].record['/']).toMatch(/^bafyrei/);
    expect(json.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia');
    expect(json.file).toMatchObject({ ok: true, against: 'map', problems: [] });
  });

  it('fails with a changed file (exit 1), after showing what it found', async () => {
    const io = capture();
    await expect(attribute(dir, { asset: ASSET, file: 'tampered.md' }, io)).rejects.toThrow(CheckFailedError);
    expect(io.text()).toMatch(/✗ tampered\.md does not match: the text's content id \S+ is not the last record's out/);
    const json = capture();
    await expect(attribute(dir, { asset: ASSET, file: 'tampered.md', json: true }, json)).rejects.toThrow(/tampered\.md does not match the records of file:story\.md/);
    expect(JSON.parse(json.text()).file.ok).toBe(false);
  });

  it('falls back to steps for an asset without deltas, and shows Figma nodes', async () => {
    const image = capture();
    await attribute(dir, { asset: 'file:cover.png' }, image);
    expect(image.text()).toMatch(/file:cover\.png — 1 recorded step, from 1 record/);
    expect(image.text()).toMatch(/AI\s+█{20}\s+100\.0%\s+1 step$/m);
    expect(image.text()).toContain('note: no record of this asset carries a delta: shares count recorded steps, not content');
    expect(image.text()).toContain('digital source type: trainedAlgorithmicMedia');
    const frame = capture();
    await attribute(dir, { asset: 'figma:1:2', json: true }, frame);
    const json = JSON.parse(frame.text());
    expect(json.kind).toBe('nodes');
    expect(json.nodes).toEqual([
      expect.objectContaining({ id: '1:3', properties: [expect.objectContaining({ property: 'characters', class: 'human', name: 'bob' }), expect.objectContaining({ property: 'fills' })] }),
    ]);
    const text = capture();
    await attribute(dir, { asset: 'figma:1:2' }, text);
    expect(text.text()).toMatch(/1:3\s+characters: bob · fills: bob/);
  });

  it('refuses an unknown asset or unreadable file as usage errors, listing the assets it knows', async () => {
    await expect(attribute(dir, { asset: 'file:nope.md' }, capture())).rejects.toThrow(UsageError);
    await expect(attribute(dir, { asset: 'file:nope.md' }, capture())).rejects.toThrow(/assets with records: figma:1:2, file:cover\.png, file:story\.md/);
    await expect(attribute(dir, { asset: ASSET, file: 'missing.md' }, capture())).rejects.toThrow(/cannot read --file missing\.md/);
  });
});
