import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as dagCbor from '@ipld/dag-cbor';
import { CarReader } from '@ipld/car';
import { colophon, sandbox } from './helpers.js';

let dir: string;
let keys: string;
const run = (...args: string[]) => colophon(dir, keys, ...args);

beforeAll(async () => {
  ({ dir, keys } = await sandbox());
  await mkdir(dir, { recursive: true });
});

describe('colophon CLI', () => {
  it('refuses commands outside a project with exit 2 and no stack trace', () => {
    const result = run('log');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no Colophon project/);
    expect(result.stderr).not.toMatch(/\s+at .*\.js:\d+/);
  });

  it('init creates the project, an owner identity outside the workspace, and a genesis record', async () => {
    const result = run('init', '--name', 'Test studio', '--json');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.name).toBe('Test studio');
    expect(out.owner.name).toBe('tester');
    expect(out.owner.created).toBe(true);
    const keyFile = join(keys, 'tester.key.json');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    // No private key material anywhere in the workspace.
    const seed = JSON.parse(await readFile(keyFile, 'utf8')).seed as string;
    const files = await readdir(join(dir, '.colophon'), { recursive: true });
    for (const file of files) {
      const path = join(dir, '.colophon', file);
      if ((await stat(path)).isFile()) expect((await readFile(path)).toString('latin1')).not.toContain(seed);
    }
    expect(run('init').code).toBe(2);
  });

  it('counts one record and one feed in the singular (verify, export car, import car)', async () => {
    // Right after init: the genesis record, in the owner's feed.
    expect(run('verify').stdout).toMatch(/^Verified 1 record in 1 feed: /);
    const car = join(dir, '..', 'one.car');
    expect(run('export', 'car', '--out', car).stdout).toMatch(/^Wrote 1 record from 1 feed to /);
    expect(run('import', 'car', car).stdout).toMatch(/^Imported 0 new records \(1 already present\)/);
  });

  it('a missing input file is named with the reason, in words, by every verb that reads one', () => {
    for (const args of [['import', 'figma', 'gone.json'], ['verify-proof', 'gone.json'], ['record', 'asset.edit', '--file', 'gone.md'], ['import', 'agent-trace', 'gone.json']]) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim(), args.join(' ')).toMatch(/^colophon: cannot read (--file )?gone\.(json|md): no such file$/);
    }
  });

  it('id new / id list', () => {
    expect(run('id', 'new', 'dana').code).toBe(0);
    expect(run('id', 'new', 'dana').code).toBe(2);
    expect(run('id', 'new', '../evil').code).not.toBe(0);
    const list = JSON.parse(run('id', 'list', '--json').stdout);
    expect(list.map((i: { name: string }) => i.name)).toEqual(['dana', 'tester']);
    expect(list[0].did).toMatch(/^did:key:z6Mk/);
  });

  it('records a human/AI session, shows and logs it, and the ledger verifies', async () => {
    const intent = run('record', 'intent', '--asset', 'file:a.md', '--prompt-private', 'secret brief');
    expect(intent.code, intent.stderr).toBe(0);
    const intentCid = intent.stdout.trim();
    expect(intentCid).toMatch(/^bafyrei/);
    await writeFile(join(dir, 'a.md'), 'AI draft\n');
    const gen = run('record', 'ai.generate', '--asset', 'file:a.md', '--file', 'a.md', '--model', 'acme/writer@2', '--link', intentCid, '--json');
    expect(gen.code, gen.stderr).toBe(0);
    const genCid = JSON.parse(gen.stdout).cid['/'];
    await writeFile(join(dir, 'a.md'), 'Human rewrite\n');
    const edit = run('record', 'asset.edit', '--asset', 'file:a.md', '--file', 'a.md', '--link', genCid, '--as', 'dana');
    expect(edit.code, edit.stderr).toBe(0);

    const shown = JSON.parse(run('show', genCid, '--json').stdout);
    expect(shown.record.kind).toBe('ai.generate');
    expect(shown.record.agent).toEqual({ type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } });
    expect(shown.record.links).toEqual([{ '/': intentCid }]);
    const intentShown = JSON.parse(run('show', intentCid, '--json').stdout);
    expect(intentShown.record.intent.commit['/']).toMatch(/^bafkrei/);
    expect(JSON.stringify(intentShown)).not.toContain('secret brief');

    const log = JSON.parse(run('log', '--asset', 'file:a.md', '--json').stdout);
    expect(log.map((r: { kind: string }) => r.kind)).toEqual(['intent', 'ai.generate', 'asset.edit']);
    expect(run('log').stdout).toMatch(/dana edited file:a\.md by hand/);

    const verified = run('verify', '--json');
    expect(verified.code, verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, records: 4, feeds: 2 });
  });

  it('feed files are CARs that @ipld/car reads, with blocks that @ipld/dag-cbor decodes', async () => {
    const feeds = join(dir, '.colophon', 'feeds');
    for (const name of await readdir(feeds)) {
      const reader = await CarReader.fromBytes(await readFile(join(feeds, name)));
      let count = 0;
      for await (const block of reader.blocks()) {
        expect(dagCbor.decode(block.bytes)).toHaveProperty('sig');
        count++;
      }
      expect(count).toBeGreaterThan(0);
    }
  });

  it('gives usage errors (exit 2) for bad input, naming what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['record', 'nonsense', '--asset', 'x'], /unknown record kind "nonsense"/],
      [['record', 'ai.generate', '--asset', 'x', '--model', 'gpt4'], /--model "gpt4" must look like provider\/name@version/],
      [['record', 'ai.generate', '--asset', 'x', '--model', 'a/b@1'], /out/],
      [['record', 'asset.edit', '--asset', 'file:x', '--file', 'missing.txt'], /cannot read --file missing\.txt/],
      [['record', 'asset.edit', '--asset', 'chapter1.md'], /--asset "chapter1\.md" names no scheme.*use --asset file:chapter1\.md/],
      [['record', 'asset.edit', '--asset', 'ch', '--file', 'a.md'], /use --asset file:a\.md \(or leave --asset out/],
      [['record', 'asset.edit', '--file', 'a.md', '--pasted', '--model', 'a/b@1'], /--pasted text was pasted by the signer/],
      [['record', 'review', '--asset', 'x', '--link', 'not-a-cid'], /--link value "not-a-cid" is not a valid CID/],
      [['record', 'intent', '--prompt', 'a', '--prompt-private', 'b'], /give one of --prompt, --prompt-private/],
      [['record', 'intent', '--prompt', 'a', '--as', 'nobody'], /no identity named "nobody"/],
      [['show', 'bafy-nope'], /not a valid CID/],
      [['frobnicate'], /unknown command/],
      [['record', 'intent', '--bogus'], /unknown option/],
    ];
    for (const [args, pattern] of cases) {
      const result = run(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(pattern);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('only the owner may grant roles; approving needs the director role', async () => {
    expect(run('member', 'add', 'dana', '--role', 'editor', '--as', 'dana').stderr).toMatch(/only the project owner can change roles/);
    const edit = JSON.parse(run('log', '--json').stdout).find((r: { kind: string }) => r.kind === 'asset.edit').cid['/'];
    const refused = run('record', 'approve', '--asset', 'file:a.md', '--link', edit, '--as', 'dana');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/an approve record must be signed by a director, which dana is not/);
    expect(run('member', 'add', 'dana', '--role', 'director').code).toBe(0);
    expect(run('record', 'approve', '--asset', 'file:a.md', '--link', edit, '--as', 'dana').code).toBe(0);
    expect(run('member', 'remove', 'dana', '--role', 'director').code).toBe(0);
    expect(run('record', 'approve', '--asset', 'file:a.md', '--link', edit, '--as', 'dana').code).toBe(2);
    expect(run('verify').code).toBe(0);
  });

  it('--help works for every verb and exits 0', () => {
    for (const verb of [[], ['init'], ['id', 'new'], ['record'], ['show'], ['log'], ['member', 'add'], ['verify'], ['demo']]) {
      const result = run(...verb, '--help');
      expect(result.code, verb.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: colophon/);
    }
  });

  it('a flipped byte in a feed is found by verify, which names the file and record', async () => {
    const feeds = join(dir, '.colophon', 'feeds');
    const [first] = await readdir(feeds);
    const path = join(feeds, first!);
    const bytes = await readFile(path);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(path, bytes);
    const result = run('verify', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    expect(report.findings[0].message).toContain(first);
  });
});

describe('colophon demo', () => {
  it('plays the whole studio session and leaves the files it names', async () => {
    const { dir: demoDir, keys: demoKeys } = await sandbox();
    await mkdir(demoDir, { recursive: true });
    const result = colophon(demoDir, demoKeys, 'demo', '--dir', demoDir);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/colophon\/local-generator@1, a built-in local generator standing in for a model/);
    expect(out).toMatch(/first failed after|failed after/i);
    expect(out).toMatch(/params\.temperature\s+1\.3\s+→\s+0\.4/);
    expect(out).toMatch(/All 6 gates pass/);
    expect(out).toMatch(/Settled: EUR 1500\.00/);
    expect(out.match(/: Trusted/g)).toHaveLength(2);
    expect(out).toMatch(/Verified \d+ records in 6 feeds: every signature, chain, link and role checks out/);
    const studio = join(demoDir, 'studio');
    const report = await readFile(join(studio, 'out', 'report.html'), 'utf8');
    expect(report).toMatch(/<svg/);
    expect(report).toContain('<title>launch.md — Colophon report');
    expect((await readdir(join(demoDir, 'statements'))).some((f) => f.endsWith('.csv'))).toBe(true);
    await stat(join(studio, 'out', 'launch.md.c2pa'));
    // No private key material anywhere in the studio.
    for (const file of await readdir(join(demoDir, 'keys'))) {
      const seed = JSON.parse(await readFile(join(demoDir, 'keys', file), 'utf8')).seed as string;
      for (const entry of await readdir(studio, { recursive: true })) {
        const path = join(studio, entry);
        if ((await stat(path)).isFile()) expect((await readFile(path)).toString('latin1')).not.toContain(seed);
      }
    }
  });
});
