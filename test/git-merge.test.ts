// A project folder kept in git merges cleanly (issue 3, "Interop and sync"): feeds are one file
// per signer, so two people's offline work never conflicts. Proven with real git: a bare remote,
// two clones, two people with their own keys (separate COLOPHON_KEYS_DIR), the owner granting the
// other a role, both recording offline, then pull/merge both ways, `colophon verify` in both
// clones and the union of records in `colophon log --json`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

let base: string;

interface Person {
  name: string;
  repo: string;
  keys: string;
}

/** git with no user or system configuration leaking in; fails the test on a non-zero exit. */
function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: base, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C' },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) failed with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** The built `colophon` binary as this person runs it: their own key directory and identity name. */
function colophon(person: Person, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: person.repo,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: base, COLOPHON_KEYS_DIR: person.keys, COLOPHON_IDENTITY: person.name, COLOPHON_DEBUG: '' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function ok(person: Person, ...args: string[]): string {
  const result = colophon(person, ...args);
  expect(result.code, `colophon ${args.join(' ')} as ${person.name}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const record = (person: Person, ...args: string[]): string => JSON.parse(ok(person, 'record', ...args, '--json')).cid['/'] as string;
const logCids = (person: Person): string[] => (JSON.parse(ok(person, 'log', '--json')) as { cid: { '/': string } }[]).map((r) => r.cid['/']).sort();

function verifies(person: Person): { ok: boolean; records: number; feeds: number } {
  const result = colophon(person, 'verify', '--json');
  expect(result.code, `colophon verify in ${person.name}'s clone:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout);
}

function configure(repo: string, name: string): void {
  git(repo, 'config', 'user.name', name);
  git(repo, 'config', 'user.email', `${name.toLowerCase()}@example.com`);
  git(repo, 'config', 'pull.rebase', 'false');
  git(repo, 'config', 'commit.gpgsign', 'false');
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm -r run build)`);
  base = await mkdtemp(join(tmpdir(), 'colophon-git-'));
});

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('a project kept in git', () => {
  it('two people record offline in two clones; pulls merge without conflict, both verify, and both hold the union', async () => {
    const remote = join(base, 'remote.git');
    await mkdir(remote);
    git(remote, 'init', '--bare', '-b', 'main');

    // Alice creates the project and publishes it.
    const alice: Person = { name: 'alice', repo: join(base, 'alice'), keys: join(base, 'keys-alice') };
    await mkdir(alice.repo);
    git(alice.repo, 'init', '-b', 'main');
    configure(alice.repo, 'Alice');
    await writeFile(join(alice.repo, 'chapter-1.md'), 'It was a dark and stormy night.\n');
    const created = JSON.parse(ok(alice, 'init', '--name', 'Storm book', '--json'));
    const aliceDid = created.owner.did as string;
    git(alice.repo, 'add', '-A');
    const staged = git(alice.repo, 'diff', '--cached', '--name-only').split('\n').filter(Boolean).sort();
    // .colophon/.gitignore keeps the lock and this machine's identity choice out of git.
    expect(staged).toContain('.colophon/project.json');
    expect(staged).toContain('.colophon/.gitignore');
    expect(staged.some((f) => f.startsWith('.colophon/feeds/') && f.endsWith('.car'))).toBe(true);
    expect(staged.filter((f) => /ledger\.lock|local\.json|blobs\//.test(f))).toEqual([]);
    git(alice.repo, 'commit', '-m', 'Start the Storm book project');
    git(alice.repo, 'remote', 'add', 'origin', remote);
    git(alice.repo, 'push', '-u', 'origin', 'main');

    // Bob clones it and makes his own identity, with keys on his machine only.
    const bob: Person = { name: 'bob', repo: join(base, 'bob'), keys: join(base, 'keys-bob') };
    git(base, 'clone', remote, bob.repo);
    configure(bob.repo, 'Bob');
    const bobDid = JSON.parse(ok(bob, 'id', 'new', 'bob', '--json')).did as string;
    expect(bobDid).not.toBe(aliceDid);
    expect(verifies(bob)).toMatchObject({ ok: true, records: 1 });

    // Alice grants Bob the director role and writes the brief; Bob pulls both.
    ok(alice, 'member', 'add', bobDid, '--role', 'director');
    const brief = record(alice, 'intent', '--prompt', 'A storm, then calm: two chapters');
    git(alice.repo, 'add', '-A');
    git(alice.repo, 'commit', '-m', 'Bob directs; the brief');
    git(alice.repo, 'push');
    git(bob.repo, 'pull');
    const shared = logCids(bob);
    expect(shared).toEqual(logCids(alice));
    expect(shared).toHaveLength(3);
    expect(shared).toContain(brief);

    // Offline, each records several contributions and commits. Bob's approval links Alice's
    // brief (and needs the role Alice granted him).
    const aliceOwn = [
      record(alice, 'intent', '--asset', 'file:chapter-1.md', '--prompt', 'Open on the storm'),
      record(alice, 'asset.edit', '--asset', 'file:chapter-1.md', '--file', 'chapter-1.md'),
      record(alice, 'review', '--asset', 'file:chapter-1.md', '--link', brief),
    ];
    await writeFile(join(alice.repo, 'chapter-1.md'), 'It was a dark and stormy night; the rain fell in torrents.\n');
    aliceOwn.push(record(alice, 'asset.edit', '--asset', 'file:chapter-1.md', '--file', 'chapter-1.md', '--link', aliceOwn[1]!));
    git(alice.repo, 'add', '-A');
    git(alice.repo, 'commit', '-m', 'Alice: chapter 1 draft');

    await writeFile(join(bob.repo, 'chapter-2.md'), 'Morning came grey and quiet.\n');
    const bobOwn = [
      record(bob, 'intent', '--asset', 'file:chapter-2.md', '--prompt', 'The calm after'),
      record(bob, 'ai.generate', '--asset', 'file:chapter-2.md', '--file', 'chapter-2.md', '--model', 'acme/writer@2'),
    ];
    bobOwn.push(record(bob, 'approve', '--asset', 'file:chapter-2.md', '--link', bobOwn[1]!, '--link', brief));
    git(bob.repo, 'add', '-A');
    git(bob.repo, 'commit', '-m', 'Bob: chapter 2 draft');
    expect(verifies(alice).ok).toBe(true);
    expect(verifies(bob).ok).toBe(true);

    // Alice publishes first; Bob's pull is a real merge of diverged histories, with no conflict.
    git(alice.repo, 'push');
    const merge = spawnSync('git', ['pull', '--no-rebase', '--no-edit'], {
      cwd: bob.repo,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: base, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LANG: 'C', LC_ALL: 'C' },
    });
    expect(merge.status, `${merge.stdout}\n${merge.stderr}`).toBe(0);
    expect(`${merge.stdout}${merge.stderr}`).not.toMatch(/CONFLICT/);
    expect(git(bob.repo, 'diff', '--name-only', '--diff-filter=U').trim()).toBe('');
    expect(git(bob.repo, 'status', '--porcelain').trim()).toBe('');
    expect(git(bob.repo, 'rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ')).toHaveLength(3); // a merge commit
    git(bob.repo, 'push');
    git(alice.repo, 'pull');

    // Both clones hold the union, and it verifies in both.
    const union = [...shared, ...aliceOwn, ...bobOwn].sort();
    expect(new Set(union).size).toBe(3 + 4 + 3);
    for (const person of [alice, bob]) {
      expect(logCids(person), `${person.name}'s log`).toEqual(union);
      expect(verifies(person), `${person.name}'s clone`).toMatchObject({ ok: true, records: union.length, feeds: 2 });
    }
    expect(git(alice.repo, 'rev-parse', 'HEAD')).toBe(git(bob.repo, 'rev-parse', 'HEAD'));
  }, 120_000);
});
