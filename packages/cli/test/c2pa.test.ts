// The Content Credentials commands, run in-process on a fresh commander program (program.ts wires
// them into the `colophon` binary), against the real C2PA SDK and a real workspace on disk.
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeCrypto } from '@colophon/core/node';
import { addExportC2paCommand, registerC2paCommands } from '../src/commands/c2pa.js';
import { CheckFailedError, UsageError } from '../src/errors.js';
import { run as runProgram } from '../src/program.js';
import type { Io } from '../src/output.js';
import { sandbox } from './helpers.js';

useNodeCrypto();

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'c2pa');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false }, out, err };
}

/** Runs c2pa commands as `colophon` would: exit 0 ok, 1 a check failed, 2 usage. */
async function c2pa(cwd: string, ...args: string[]): Promise<Result> {
  const { io, out, err } = capture();
  const program = new Command('colophon').exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerC2paCommands(program, cwd, io);
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 2;
    else {
      if ((error as Error).message) io.err(`colophon: ${(error as Error).message}`);
      code = error instanceof UsageError ? 2 : error instanceof CheckFailedError ? 1 : 1;
      if (!(error instanceof UsageError) && !(error instanceof CheckFailedError) && !/^(SdkError|Error)$/.test((error as Error).name)) throw error;
    }
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The existing commands (init, id, record) through program.ts's run. */
async function colophon(cwd: string, ...args: string[]): Promise<Result> {
  const { io, out, err } = capture();
  const code = await runProgram(args, cwd, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

let dir: string;
let keys: string;
let outside: string;

beforeAll(async () => {
  ({ dir, keys } = await sandbox());
  outside = join(dir, '..', 'elsewhere');
  await mkdir(dir, { recursive: true });
  await mkdir(outside, { recursive: true });
  process.env.COLOPHON_KEYS_DIR = keys;
  process.env.COLOPHON_IDENTITY = 'tester';
  expect((await colophon(dir, 'init', '--name', 'Poster studio')).code).toBe(0);
  expect((await colophon(dir, 'id', 'new', 'dana')).code).toBe(0);
  // A session: private brief, AI draft, Dana's hand edit that produces the final poster.
  await copyFile(join(FIXTURES, 'libpng-test.png'), join(dir, 'poster.png'));
  // The draft is binary, as an image is: a text first version would make the asset text, which
  // a binary version may not follow.
  await writeFile(join(dir, 'draft.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
  const brief = await colophon(dir, 'record', 'intent', '--asset', 'file:poster.png', '--prompt-private', 'autumn leaves, warm light');
  expect(brief.code, brief.stderr).toBe(0);
  const draft = await colophon(dir, 'record', 'ai.generate', '--asset', 'file:poster.png', '--file', join(dir, 'draft.png'), '--model', 'acme/painter@2.1', '--link', brief.stdout.trim(), '--as', 'dana');
  expect(draft.code, draft.stderr).toBe(0);
  const edit = await colophon(dir, 'record', 'asset.edit', '--asset', 'file:poster.png', '--file', join(dir, 'poster.png'), '--link', draft.stdout.trim(), '--as', 'dana');
  expect(edit.code, edit.stderr).toBe(0);
  await writeFile(join(dir, 'notes.md'), '# Notes\n\nWritten by hand.\n');
  expect((await colophon(dir, 'record', 'asset.create', '--asset', 'file:notes.md', '--file', join(dir, 'notes.md'), '--as', 'dana')).code).toBe(0);
});

describe('colophon ca', () => {
  it('ca init creates the CA: certificate in .colophon/ca, key only in the key store', async () => {
    const result = await c2pa(dir, 'ca', 'init', '--json');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ version: 1, createdKey: true, subject: 'CN=Poster studio CA, O=Poster studio' });
    expect((await readFile(join(dir, '.colophon', 'ca', 'ca.pem'), 'utf8')).startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    const keyFile = JSON.parse(await readFile(join(keys, `${out.key}.key.json`), 'utf8'));
    expect((await stat(join(keys, `${out.key}.key.json`))).mode & 0o777).toBe(0o600);
    for (const file of await readdir(join(dir, '.colophon'), { recursive: true })) {
      const path = join(dir, '.colophon', file);
      if (!(await stat(path)).isFile()) continue;
      const text = (await readFile(path)).toString('latin1');
      expect(text).not.toContain(keyFile.seed);
      expect(text).not.toMatch(/PRIVATE KEY/);
    }
    const again = await c2pa(dir, 'ca', 'init');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has a CA/);
  });

  it('ca issue gives an identity a certificate from the project CA', async () => {
    const result = await c2pa(dir, 'ca', 'issue', 'dana');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Issued a signing certificate for dana \(did:key:z6Mk/);
    expect(result.stdout).toMatch(/issued by CN=Poster studio CA/);
    const unknown = await c2pa(dir, 'ca', 'issue', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"nobody" is neither a did:key nor an identity on this machine/);
  });
});

describe('colophon export-c2pa and verify-asset', () => {
  it('exports an image with embedded credentials that verify Trusted against the project CA', async () => {
    const checkpoint = await colophon(dir, 'checkpoint', '--as', 'dana');
    expect(checkpoint.code, checkpoint.stderr).toBe(0);
    const result = await c2pa(dir, 'export-c2pa', '--asset', 'file:poster.png', '--in', 'poster.png', '--out', 'out/poster.png', '--as', 'dana');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Exported out\/poster.png with Content Credentials from the ledger \(PNG image, embedded\)/);
    expect(result.stdout).toMatch(/2 recorded step\(s\); 1 prompt\(s\) as commitments only/);
    expect(result.stdout).toMatch(/certificate from the project CA/);

    const verified = await c2pa(dir, 'verify-asset', 'out/poster.png');
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^out\/poster.png: Trusted/);
    expect(verified.stdout).toMatch(/trust anchors: this project's CA/);
    // The draft is the asset's first version (the brief before it is no version), so all of its
    // content is the model's.
    expect(verified.stdout).toMatch(/created \(made by an AI model, with acme\/painter 2.1\)/);
    expect(verified.stdout).toMatch(/people's work combined with AI output/);
    expect(verified.stdout).toMatch(/Prompt \(private\) \[inputTo\]/);
    expect(verified.stdout).toMatch(/human share 50%, AI 50% of 2 steps/);
    expect(verified.stdout).not.toContain('autumn leaves');
    const json = JSON.parse((await c2pa(dir, 'verify-asset', 'out/poster.png', '--json')).stdout);
    expect(json.ledger.checkpoints).toEqual([{ signer: expect.stringMatching(/^did:key:/), size: 3, root: expect.any(String) }]); // Dana's feed: draft, edit, notes
  });

  it('explains "untrusted" in plain words when the signer is not anchored', async () => {
    const poster = join(dir, 'out', 'poster.png');
    const elsewhere = await c2pa(outside, 'verify-asset', poster);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toMatch(/Valid, signer untrusted/);
    expect(elsewhere.stdout).toMatch(/nothing in the file or its history was changed since it was signed/);
    expect(elsewhere.stdout).toMatch(/does not come from an authority you told us to trust/);
    expect(elsewhere.stdout).toMatch(/trust anchors: none/);
    const json = JSON.parse((await c2pa(outside, 'verify-asset', poster, '--json')).stdout);
    expect(json).toMatchObject({ state: 'Valid', untrusted: true, anchors: 'none' });
    const otherAnchor = await c2pa(dir, 'verify-asset', 'out/poster.png', '--anchors', join(FIXTURES, 'trust_anchor-correct.pem'), '--json');
    expect(JSON.parse(otherAnchor.stdout)).toMatchObject({ state: 'Valid', untrusted: true });
    const trusted = await c2pa(outside, 'verify-asset', poster, '--anchors', join(dir, '.colophon', 'ca', 'ca.pem'), '--json');
    expect(JSON.parse(trusted.stdout).state).toBe('Trusted');
  });

  it('text gets a sidecar; changing the text afterwards is detected', async () => {
    const result = await c2pa(dir, 'export-c2pa', '--asset', 'file:notes.md', '--in', 'notes.md', '--out', 'out/notes.md', '--as', 'dana', '--json');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ carriage: 'sidecar', sidecar: join(dir, 'out', 'notes.md.c2pa') });
    expect(await readFile(join(dir, 'out', 'notes.md'), 'utf8')).toBe('# Notes\n\nWritten by hand.\n');
    const verified = await c2pa(dir, 'verify-asset', 'out/notes.md');
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/Trusted/);
    expect(verified.stdout).toMatch(/the text matches the hash signed in it/);
    await writeFile(join(dir, 'out', 'notes.md'), '# Notes\n\nWritten by a model.\n');
    const tampered = await c2pa(dir, 'verify-asset', 'out/notes.md', '--sidecar', 'out/notes.md.c2pa');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/INVALID/);
    expect(tampered.stdout).toMatch(/does NOT match the hash signed in it/);
  });

  it('tampered image bytes fail verification with exit 1', async () => {
    const bytes = await readFile(join(dir, 'out', 'poster.png'));
    const idat = bytes.indexOf(Buffer.from('IDAT'));
    bytes[idat + 20] = bytes[idat + 20]! ^ 0x01;
    await writeFile(join(dir, 'out', 'tampered.png'), bytes);
    const result = await c2pa(dir, 'verify-asset', 'out/tampered.png');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/INVALID/);
    expect(result.stdout).toMatch(/assertion\.dataHash\.mismatch/);
  });

  it('clear errors: unsupported format, corrupt image, no credentials, unrecorded content', async () => {
    await writeFile(join(dir, 'clip.gif'), 'GIF89a');
    const gif = await c2pa(dir, 'verify-asset', 'clip.gif');
    expect(gif.code).toBe(2);
    expect(gif.stderr).toMatch(/"\.gif" files are not supported; Content Credentials work with \.png, \.jpg/);
    await writeFile(join(dir, 'broken.png'), 'definitely not a png');
    const broken = await c2pa(dir, 'verify-asset', 'broken.png');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.png is not a PNG image: its content does not match its name \(corrupt or misnamed file\)/);
    const plain = await c2pa(dir, 'verify-asset', join(FIXTURES, 'earth_apollo17.jpg'));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/earth_apollo17\.jpg carries no Content Credentials/);
    const missing = await c2pa(dir, 'verify-asset', 'nope.png');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read file .*nope\.png: no such file/);
    await copyFile(join(FIXTURES, 'earth_apollo17.jpg'), join(dir, 'other.jpg'));
    const unrecorded = await c2pa(dir, 'export-c2pa', '--asset', 'file:poster.png', '--in', 'other.jpg', '--out', 'out/other.jpg', '--as', 'dana');
    expect(unrecorded.code).toBe(2);
    expect(unrecorded.stderr).toMatch(/is not a recorded state of asset "file:poster.png"/);
    const noAsset = await c2pa(dir, 'export-c2pa', '--asset', 'file:ghost.jpg', '--in', 'other.jpg', '--out', 'out/other.jpg');
    expect(noAsset.code).toBe(2);
    expect(noAsset.stderr).toMatch(/asset "file:ghost.jpg" has no recorded content/);
    const usage = await c2pa(dir, 'export-c2pa', '--asset', 'file:poster.png');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '--in <file>' not specified/);
  });

  it('a self-signed individual: exports work, verifiers see "untrusted"', async () => {
    expect((await colophon(dir, 'id', 'new', 'sam')).code).toBe(0);
    await writeFile(join(dir, 'sam.txt'), 'by sam\n');
    expect((await colophon(dir, 'record', 'asset.create', '--asset', 'file:sam.txt', '--file', join(dir, 'sam.txt'), '--as', 'sam')).code).toBe(0);
    const result = await c2pa(dir, 'export-c2pa', '--asset', 'file:sam.txt', '--in', 'sam.txt', '--out', 'out/sam.txt', '--as', 'sam');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/self-signed certificate: verifiers will see "Valid, signer untrusted".*colophon ca issue sam/);
    const verified = JSON.parse((await c2pa(dir, 'verify-asset', 'out/sam.txt', '--json')).stdout);
    expect(verified).toMatchObject({ state: 'Valid', untrusted: true });
  });
});

describe('colophon ingest and inspect', () => {
  it('ingests each shared fixture with the right state', async () => {
    const expected: Record<string, string> = {
      'C.jpg': 'Valid',
      'CA.jpg': 'Valid',
      'C_with_CAWG_data.jpg': 'Valid',
      'earth_apollo17.jpg': 'none',
      'libpng-test.png': 'none',
      'mars.webp': 'none',
      'sample1.svg': 'none',
      'basic.pdf': 'none',
    };
    await mkdir(join(dir, 'incoming'), { recursive: true });
    for (const [name, state] of Object.entries(expected)) {
      await copyFile(join(FIXTURES, name), join(dir, 'incoming', name));
      const result = await c2pa(dir, 'ingest', `incoming/${name}`, '--json');
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      const out = JSON.parse(result.stdout);
      expect(out.asset).toBe(`file:incoming/${name}`);
      expect(out.facts.state, name).toBe(state);
      if (state === 'Valid') expect(out.facts.codes).toContain('signingCredential.untrusted');
    }
    const human = await c2pa(dir, 'ingest', 'incoming/CA.jpg');
    expect(human.stdout).toMatch(/Already ingested as file:incoming\/CA.jpg/);
    await copyFile(join(FIXTURES, 'no_alg.jpg'), join(dir, 'incoming', 'no_alg.jpg'));
    const noAlg = await c2pa(dir, 'ingest', 'incoming/no_alg.jpg');
    expect(noAlg.code).toBe(1);
    expect(noAlg.stderr).toMatch(/no_alg\.jpg: its credentials are signed with an algorithm the C2PA SDK does not know/);
  });

  it('inspect: credentials in plain words plus what the ledger knows', async () => {
    const result = await c2pa(dir, 'inspect', 'incoming/CA.jpg');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/incoming\/CA.jpg: Valid, signer untrusted/);
    expect(result.stdout).toMatch(/made with: make_test_images/);
    expect(result.stdout).toMatch(/A\.jpg \[parentOf\]/);
    expect(result.stdout).toMatch(/ledger: this exact content is/);
    expect(result.stdout).toMatch(/recorded ingest file:incoming\/CA.jpg/);
    const json = JSON.parse((await c2pa(dir, 'inspect', 'incoming/CA.jpg', '--json')).stdout);
    expect(json.state).toBe('Valid');
    expect(json.ledger).toHaveLength(1);
    expect(json.ledger[0].ingested.state).toBe('Valid');
    const plain = await c2pa(outside, 'inspect', join(FIXTURES, 'mars.webp'));
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/no Content Credentials/);
    expect(plain.stdout).toMatch(/not inside a Colophon project/);
  });
});

describe('wiring', () => {
  it('export c2pa mounts under an `export` command, and the top-level alias can be left out', () => {
    const program = new Command('colophon');
    const exportCommand = program.command('export');
    addExportC2paCommand(exportCommand, 'c2pa', dir, capture().io);
    registerC2paCommands(program, dir, capture().io, { topLevelExport: false });
    expect(exportCommand.commands.map((c) => c.name())).toEqual(['c2pa']);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['ca', 'export', 'ingest', 'inspect', 'verify-asset']);
  });
});
