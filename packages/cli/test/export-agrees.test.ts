// One set of rules for who made what: the Content Credentials `export c2pa` signs say exactly what
// `attribute --json` says (shares per class, unit, total, digital source type, the steps in causal
// order) for mixed text, images (steps and layers) and pasted material. The credentials are read
// back with the official C2PA SDK, not from our own plan.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentCid, utf8Encode, type CID, type Contribution } from '@colophon/core';
import { posterPng } from '../src/demo/poster-png.js';
import { openWorkspace } from '../src/workspace.js';
import { colophonInProcess, sandbox, withKeys } from './helpers.js';

let dir: string;
let keys: string;

async function colophon(...argv: string[]): Promise<string> {
  const result = await withKeys(keys, () => colophonInProcess(dir, ...argv));
  expect(result.code, `colophon ${argv.join(' ')}: ${result.err}`).toBe(0);
  return result.out;
}

async function recordAs(name: string, contribution: Contribution): Promise<CID> {
  return withKeys(keys, async () => {
    const ws = await openWorkspace(dir);
    return (await ws.project.record((await ws.keys.get(name))!, contribution)).cid;
  });
}

const MODEL = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '3' } } as const;
const T0 = Date.parse('2026-03-01T10:00:00Z');

interface Attribute {
  kind: string;
  unit: string;
  total: number;
  digitalSourceType: string | null;
  shares: { byClass: Record<string, number> };
  records: string[];
}

interface Inspected {
  digitalSourceType?: string;
  actions: { action: string; digitalSourceType?: string }[];
  ledger: { steps: { record: string; classes: string[] }[]; share?: Record<string, number | string> };
}

/** Exports the asset's final file, reads its credentials back, and compares them with `attribute --json`. */
async function agree(asset: string, file: string): Promise<{ attribution: Attribute; credentials: Inspected }> {
  const attribution = JSON.parse(await colophon('attribute', '--asset', asset, '--json')) as Attribute;
  await colophon('export', 'c2pa', '--asset', asset, '--in', file, '--out', `out/${file}`, '--as', 'wes', '--force');
  const credentials = JSON.parse(await colophon('verify-asset', `out/${file}`, '--json')) as Inspected;
  const share = credentials.ledger.share!;
  for (const [cls, fraction] of Object.entries(attribution.shares.byClass)) expect(share[cls], `${asset} ${cls}`).toBe(Math.round(fraction * 10_000) / 10_000);
  expect(share.unit).toBe(attribution.unit);
  expect(share.total).toBe(attribution.total);
  // The asset as a whole, and the last action (the state exported), carry attribute's source type.
  const last = credentials.actions.filter((a) => a.action !== 'c2pa.placed').pop()!;
  expect(last.digitalSourceType ?? null).toBe(attribution.digitalSourceType);
  expect(credentials.digitalSourceType ?? null).toBe(attribution.digitalSourceType);
  return { attribution, credentials };
}

beforeAll(async () => {
  ({ dir, keys } = await sandbox());
  await mkdir(join(dir, 'out'), { recursive: true });
  await colophon('init', '--name', 'Agreement', '--as', 'olivia');
  await colophon('id', 'new', 'wes');
  await colophon('member', 'add', 'wes', '--role', 'editor', '--as', 'olivia');
  await colophon('ca', 'init');
  await colophon('ca', 'issue', 'wes');
}, 120_000);

describe('export c2pa says what attribute says', () => {
  it('mixed text: 72% accepted AI text is AI media combined with people, not "made by people"; steps in causal order, not claimed time', async () => {
    const draft = 'A'.repeat(72);
    const generated = await recordAs('wes', { kind: 'ai.generate', asset: 'file:essay.md', agent: MODEL, out: contentCid(utf8Encode(draft)), delta: { text: [[0, 0, 72, 'ai']] }, at: T0 + 60_000 });
    // Wes's edit claims an earlier time than the draft it builds on: order comes from its link.
    const final = `${draft}${'h'.repeat(20)}${'p'.repeat(8)}`;
    const edited = await recordAs('wes', { kind: 'asset.edit', asset: 'file:essay.md', links: [generated], out: contentCid(utf8Encode(final)), delta: { text: [[72, 0, 20, 'human'], [92, 0, 8, 'paste']] }, at: T0 });
    await writeFile(join(dir, 'essay.md'), final);
    const { attribution, credentials } = await agree('file:essay.md', 'essay.md');
    expect(attribution.kind).toBe('text');
    expect(attribution.shares.byClass).toMatchObject({ ai: 0.72, human: 0.2, pasted: 0.08 });
    expect(attribution.digitalSourceType).toMatch(/compositeWithTrainedAlgorithmicMedia$/);
    expect(credentials.ledger.steps.map((s) => s.record)).toEqual([generated.toString(), edited.toString()]);
    expect(credentials.ledger.steps.map((s) => s.classes)).toEqual([['ai'], ['human', 'pasted']]);
    expect(credentials.actions.map((a) => a.digitalSourceType?.replace(/^.*\//, ''))).toEqual(['trainedAlgorithmicMedia', 'compositeWithTrainedAlgorithmicMedia']);
  });

  it('an image with layers: a model\'s background that a person left alone still counts; a repainted one does not', async () => {
    const background = posterPng(40, 60, [232, 163, 61], [120, 50, 30]);
    const final = posterPng(40, 60, [200, 100, 42], [90, 40, 25]);
    const made = await recordAs('wes', { kind: 'ai.generate', asset: 'file:poster.png', agent: MODEL, out: contentCid(background), delta: { nodes: { background: ['fill'] } } });
    await recordAs('wes', { kind: 'asset.edit', asset: 'file:poster.png', links: [made], out: contentCid(final), delta: { nodes: { title: ['text', 'font'], logo: ['position'] } } });
    await writeFile(join(dir, 'poster.png'), final);
    const kept = await agree('file:poster.png', 'poster.png');
    expect(kept.attribution).toMatchObject({ kind: 'nodes', unit: 'properties', total: 4 });
    expect(kept.attribution.shares.byClass).toMatchObject({ human: 0.75, ai: 0.25 });
    expect(kept.attribution.digitalSourceType).toMatch(/compositeWithTrainedAlgorithmicMedia$/);

    const repainted = posterPng(40, 60, [10, 10, 10], [0, 0, 0]);
    await recordAs('wes', { kind: 'asset.edit', asset: 'file:poster.png', out: contentCid(repainted), delta: { nodes: { background: ['fill'] } } });
    await writeFile(join(dir, 'poster.png'), repainted);
    const redone = await agree('file:poster.png', 'poster.png');
    expect(redone.attribution.shares.byClass.human).toBe(1);
    expect(redone.attribution.digitalSourceType).toMatch(/digitalCreation$/);
  });

  it('an image with steps only: each step counts one unit, for export and attribute alike', async () => {
    const first = posterPng(20, 20, [1, 2, 3], [4, 5, 6]);
    const second = posterPng(20, 20, [7, 8, 9], [10, 11, 12]);
    await recordAs('wes', { kind: 'ai.generate', asset: 'file:photo.png', agent: MODEL, out: contentCid(first) });
    await recordAs('wes', { kind: 'asset.edit', asset: 'file:photo.png', out: contentCid(second) });
    await writeFile(join(dir, 'photo.png'), second);
    const { attribution } = await agree('file:photo.png', 'photo.png');
    expect(attribution).toMatchObject({ kind: 'steps', unit: 'steps', total: 2 });
  });

  it('pasted material: its origin was never observed, so no source type is claimed', async () => {
    const bytes = posterPng(16, 16, [50, 60, 70], [80, 90, 100]);
    await writeFile(join(dir, 'found.png'), bytes);
    await colophon('ingest', 'found.png', '--as', 'wes');
    const { attribution, credentials } = await agree('file:found.png', 'found.png');
    expect(attribution.shares.byClass.pasted).toBe(1);
    expect(attribution.digitalSourceType).toBeNull();
    expect(credentials.digitalSourceType).toBeUndefined();
  });
});
