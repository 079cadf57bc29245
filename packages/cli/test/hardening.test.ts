// Issue 11: the CLI as a new user and an attacker try it. Runs the built binary in real processes.
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, rm, stat, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Project, identityFromSeed, type DecodedRecord } from '@colophon/core';
import { CarFeedStore, feedFileName, useNodeCrypto, WorkspaceError } from '@colophon/core/node';
import { cannotRead, errorLines, exitCodeOf, EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_USAGE } from '../src/errors.js';
import { BIN, colophon, sandbox } from './helpers.js';

useNodeCrypto();

let base: string;
let dir: string;
let keys: string;
const run = (...args: string[]) => colophon(dir, keys, ...args);
const noStack = /\n\s+at .*:\d+/;

/** The signer's feed file, from its did. */
async function feedOf(name: string): Promise<string> {
  const did = JSON.parse(run('id', 'list', '--json').stdout).find((i: { name: string }) => i.name === name).did as string;
  return join(dir, '.colophon', 'feeds', feedFileName(did));
}

// Each case runs several real CLI processes; a loaded machine needs time for them.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

beforeAll(async () => {
  ({ dir, keys } = await sandbox());
  base = join(dir, '..');
  await mkdir(dir, { recursive: true });
  expect(run('init', '--name', 'Hardening').code).toBe(0);
  expect(run('record', 'intent', '--prompt', 'a poster').code).toBe(0);
  expect(run('record', 'intent', '--prompt', 'a second poster').code).toBe(0);
});

describe('small things', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('member list shows who holds which role', () => {
    expect(run('id', 'new', 'dana').code).toBe(0);
    expect(run('member', 'add', 'dana', '--role', 'director').code).toBe(0);
    const list = JSON.parse(run('member', 'list', '--json').stdout) as { name?: string; roles: string[] }[];
    expect(list).toEqual([expect.objectContaining({ name: 'tester', roles: ['owner'] }), expect.objectContaining({ name: 'dana', roles: ['director'] })]);
    expect(run('member', 'list').stdout).toMatch(/dana\s+director\s+did:key:/);
    expect(run('member', 'remove', 'dana', '--role', 'director').code).toBe(0);
    expect(JSON.parse(run('member', 'list', '--json').stdout)).toHaveLength(1);
  });

  it('record --help lists the kinds a person writes', () => {
    const help = run('record', '--help').stdout;
    for (const kind of ['asset.create', 'asset.edit', 'ai.generate', 'intent', 'review', 'approve', 'reject']) expect(help).toMatch(new RegExp(`^\\s+${kind.replace('.', '\\.')}\\s+\\S`, 'm'));
  });
});

describe('exit codes', () => {
  it('usage errors exit 2: a bad identity name, a folder given as a CAR', async () => {
    const evil = run('id', 'new', '../evil');
    expect(evil.code).toBe(2);
    expect(evil.stderr).toMatch(/identity name "\.\.\/evil" must be/);
    expect(run('record', 'intent', '--prompt', 'x', '--as', '../evil').code).toBe(2);
    await mkdir(join(base, 'a-folder'), { recursive: true });
    const folder = run('import', 'car', join(base, 'a-folder'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder, not a CAR file/);
    for (const result of [evil, folder]) expect(result.stderr).not.toMatch(noStack);
  });

  it('a damaged CAR names the file once', async () => {
    const car = join(base, 'damaged.car');
    expect(run('export', 'car', '--out', car).code).toBe(0);
    const bytes = await readFile(car);
    await writeFile(car, bytes.subarray(0, bytes.length - 7));
    const result = run('import', 'car', car);
    expect(result.code).toBe(1);
    // Each line names the file at most once (it used to say "f.car: f.car: corrupt at byte 59").
    for (const line of result.stdout.split('\n')) expect(line.split(car).length - 1, line).toBeLessThanOrEqual(1);
    expect(result.stdout).toMatch(/incomplete block at byte \d+/);
  });

  it('environment problems exit 3: a key file others can read, a lock another process holds', async () => {
    const keyFile = join(keys, 'tester.key.json');
    await chmod(keyFile, 0o644);
    const loose = run('record', 'intent', '--prompt', 'x');
    await chmod(keyFile, 0o600);
    expect(loose.code).toBe(3);
    expect(loose.stderr).toMatch(/is readable by others/);
    expect(loose.stderr).not.toMatch(noStack);

    // A live process holds the ledger lock (its claim names a running pid: this test's).
    const lock = join(dir, '.colophon', 'ledger.lock');
    await mkdir(join(lock, 'held'), { recursive: true });
    const claim = join(lock, `${process.pid}-1-${encodeURIComponent((await import('node:os')).hostname())}.claim`);
    await writeFile(claim, '');
    const held = spawnSync(process.execPath, [BIN, 'record', 'intent', '--prompt', 'x'], { cwd: dir, encoding: 'utf8', env: { ...process.env, COLOPHON_KEYS_DIR: keys, COLOPHON_IDENTITY: 'tester', COLOPHON_LOCK_WAIT_MS: '1500' } });
    await rm(join(lock, 'held'), { recursive: true });
    await unlink(claim);
    expect(held.status).toBe(3);
    expect(held.stderr).toMatch(/is locked by another Colophon process/);
  });

  it('an internal error says "please report" with its one-line cause; the stack only with COLOPHON_DEBUG=1', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'seq')");
    expect(exitCodeOf(bug)).toBe(EXIT_INTERNAL);
    const lines = errorLines(bug, EXIT_INTERNAL, false);
    expect(lines[0]).toBe("colophon: internal error, please report it: Cannot read properties of undefined (reading 'seq')");
    expect(lines.join('\n')).not.toMatch(noStack);
    expect(errorLines(bug, EXIT_INTERNAL, true).join('\n')).toMatch(noStack);
    expect(exitCodeOf(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))).toBe(EXIT_ENVIRONMENT);
    expect(exitCodeOf(new WorkspaceError('environment', 'x'))).toBe(EXIT_ENVIRONMENT);
  });

  it('a named file that cannot be read: missing is a usage error, permissions are the environment (root reads through modes, so the errors are made here)', () => {
    const failure = (code: string) => Object.assign(new Error(`${code}: x`), { code });
    const missing = cannotRead('ch1.md', '--file', failure('ENOENT'));
    expect([missing.message, exitCodeOf(missing)]).toEqual(['cannot read --file ch1.md: no such file', EXIT_USAGE]);
    const denied = cannotRead('ch1.md', '--file', failure('EACCES'));
    expect([denied.message, exitCodeOf(denied)]).toEqual(['cannot read --file ch1.md: permission denied', EXIT_ENVIRONMENT]);
    expect(exitCodeOf(cannotRead('ch1.md', '', failure('EIO')))).toBe(EXIT_ENVIRONMENT);
  });

  it('output cut short by the reader (colophon log | head -1) ends quietly', async () => {
    // Enough records that the log overflows a pipe buffer.
    const feeds = await CarFeedStore.open(join(dir, '.colophon'));
    const genesisCid = JSON.parse(await readFile(join(dir, '.colophon', 'project.json'), 'utf8')).genesis as string;
    const project = Project.open((await feeds.get((await import('@colophon/core')).CID.parse(genesisCid)))!, feeds);
    const bulk = identityFromSeed(new Uint8Array(32).fill(9));
    for (let i = 0; i < 1200; i++) await project.record(bulk, { kind: 'intent', intent: { text: `a rather long prompt number ${i} to fill the pipe quickly` } });
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" log | head -1`], { cwd: dir, encoding: 'utf8', env: { ...process.env, COLOPHON_KEYS_DIR: keys, COLOPHON_IDENTITY: 'tester' } });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toBe('');
  });
});

describe('writes', () => {
  it('--out never replaces a file without --force, and never writes inside .colophon/', async () => {
    const mine = join(base, 'a.md');
    await writeFile(mine, 'my own notes\n');
    const refused = run('export', 'car', '--out', mine);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists; pass --force/);
    expect(await readFile(mine, 'utf8')).toBe('my own notes\n');

    const feed = await feedOf('tester');
    const before = await readFile(feed);
    for (const args of [
      ['export', 'car', '--out', feed, '--force'],
      ['export', 'car', '--out', join('.colophon', 'new.car')],
      ['report', '--asset', 'file:x.md', '--out', join('.colophon', 'project.json'), '--force'],
    ]) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/only Colophon writes/);
    }
    // Through a link to .colophon too.
    await symlink(join(dir, '.colophon'), join(base, 'sneaky'));
    expect(run('export', 'car', '--out', join(base, 'sneaky', 'feeds', 'y.car')).code).toBe(2);
    expect(await readFile(feed)).toEqual(before);
    expect((await readdir(join(dir, '.colophon', 'feeds'))).every((name) => !name.startsWith('y') && !name.startsWith('x'))).toBe(true);
  });

  it('reading verbs never cut a torn tail: they report it; repair (or the next append) cuts it, saying so', async () => {
    const feed = await feedOf('tester');
    const clean = await readFile(feed);
    await appendFile(feed, Uint8Array.from([0xa1, 0x03, 0x01, 0x71]));
    const torn = await readFile(feed);
    for (const args of [['log'], ['show', JSON.parse(run('log', '--json').stdout)[0].cid['/']], ['verify'], ['export', 'car', '--out', join(base, 'torn.car')], ['member', 'list']]) {
      const result = run(...args);
      expect(await readFile(feed), args.join(' ')).toEqual(torn);
      if (args[0] !== 'verify') expect(result.stderr, args.join(' ')).toMatch(/incomplete block .*"colophon repair" cuts it/);
    }
    expect(run('verify').code).toBe(1);
    const repaired = run('repair');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/Cut an incomplete final block \(4 bytes at byte \d+/);
    expect(await readFile(feed)).toEqual(clean);
    expect(run('verify').code).toBe(0);

    await appendFile(feed, Uint8Array.from([0xa1, 0x03]));
    const appended = run('record', 'intent', '--prompt', 'after a crash');
    expect(appended.code).toBe(0);
    expect(appended.stderr).toMatch(/cut an incomplete final block \(2 bytes/);
    expect(run('verify').code).toBe(0);
  });

  it('a feed that is a symbolic link is refused with a finding, never followed; a dangling one is no raw ENOENT', async () => {
    const feed = await feedOf('dana');
    await stat(feed).catch(async () => expect(run('record', 'intent', '--prompt', 'dana was here', '--as', 'dana').code).toBe(0));
    const outside = join(base, 'outside.car');
    await writeFile(outside, await readFile(feed));
    const outsideBefore = await readFile(outside);
    await unlink(feed);
    await symlink(outside, feed);
    for (const args of [['log'], ['record', 'intent', '--prompt', 'into the link', '--as', 'dana']]) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/is a symbolic link; Colophon never follows links inside \.colophon\//);
      expect(result.stderr).not.toMatch(noStack);
    }
    expect(await readFile(outside)).toEqual(outsideBefore);
    const verified = JSON.parse(run('verify', '--json').stdout) as { ok: boolean; findings: { code: string; source: string }[] };
    expect(verified.ok).toBe(false);
    expect(verified.findings).toContainEqual(expect.objectContaining({ code: 'unsafe-path', source: feed }));

    await unlink(feed);
    await symlink(join(base, 'nowhere.car'), feed);
    const dangling = run('log');
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toMatch(/is a symbolic link/);
    expect(dangling.stderr).not.toMatch(/ENOENT/);
    await unlink(feed);
    await writeFile(feed, outsideBefore);
    expect(run('verify').code).toBe(0);
  });
});

describe('Content Credentials export', () => {
  it('refuses a file above the documented size limit of its way of signing, by its size, before reading it', async () => {
    // Sparse files: nothing is really written. A PDF is signed whole by the SDK (64 MiB at most); a
    // PNG is hashed and copied in pieces (2 GiB at most).
    const cases = [
      { name: 'big.pdf', head: '%PDF-1.7\n', size: 64 * 1024 * 1024 + 1, message: /big\.pdf is 64\.0 MiB; Content Credentials export signs this file whole \(the C2PA SDK holds it in memory\) and handles up to 64 MiB; PNG and JPEG files without credentials go up to 2048 MiB/ },
      { name: 'big.png', head: '', size: 2 * 1024 * 1024 * 1024 + 1, message: /big\.png is 2048\.0 MiB; Content Credentials export handles files up to 2048 MiB/ },
    ];
    for (const { name, head, size, message } of cases) {
      const big = join(dir, name);
      await writeFile(big, head);
      await truncate(big, size);
      const result = run('export', 'c2pa', '--asset', `file:${name}`, '--in', name, '--out', join(base, `signed-${name}`));
      await unlink(big);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(noStack);
    }
  });
});

describe('import', () => {
  it('two simultaneous imports of one CAR both succeed and store each record once', async () => {
    const car = join(base, 'whole.car');
    expect(run('export', 'car', '--out', car).code).toBe(0);
    const target = join(base, 'twin');
    await mkdir(target, { recursive: true });
    const importOnce = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(process.execPath, [BIN, 'import', 'car', car, '--json'], { cwd: target, env: { ...process.env, COLOPHON_KEYS_DIR: keys, COLOPHON_IDENTITY: 'tester' } });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (c) => (stdout += c));
        proc.stderr.on('data', (c) => (stderr += c));
        proc.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const [a, b] = await Promise.all([importOnce(), importOnce()]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const total = JSON.parse(a.stdout).imported + JSON.parse(b.stdout).imported;
    const records = JSON.parse(run('log', '--json').stdout).length as number;
    expect(total).toBe(records);
    const verified = colophon(target, keys, 'verify', '--json');
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, records });
  });

  it('a CAR whose roots are not its feed heads is refused, nothing stored', async () => {
    const car = join(base, 'roots.car');
    expect(run('export', 'car', '--out', car).code).toBe(0);
    const { CarReader, CarWriter } = await import('@ipld/car');
    const reader = await CarReader.fromBytes(await readFile(car));
    const blocks: { cid: DecodedRecord['cid']; bytes: Uint8Array }[] = [];
    for await (const block of reader.blocks()) blocks.push(block as unknown as { cid: DecodedRecord['cid']; bytes: Uint8Array });
    // Roots: the first block (a genesis, not a head) instead of the heads.
    const { writer, out } = CarWriter.create([blocks[0]!.cid as never]);
    const chunks: Uint8Array[] = [];
    const collecting = (async () => {
      for await (const chunk of out) chunks.push(chunk);
    })();
    for (const block of blocks) await writer.put(block as never);
    await writer.close();
    await collecting;
    const wrong = join(base, 'wrong-roots.car');
    await writeFile(wrong, Buffer.concat(chunks));
    const target = join(base, 'roots-target');
    await mkdir(target, { recursive: true });
    const result = colophon(target, keys, 'import', 'car', wrong, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toContainEqual(expect.objectContaining({ code: 'wrong-roots' }));
    expect(await stat(join(target, '.colophon', 'project.json')).then(() => true, () => false)).toBe(false);
    await truncate(wrong, 0);
  });
});
