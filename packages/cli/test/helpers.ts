import type { Io } from '../src/output.js';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = new URL('../dist/bin.js', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `colophon` binary as a user would, in its own process. */
export function colophon(cwd: string, keys: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, COLOPHON_KEYS_DIR: keys, COLOPHON_IDENTITY: 'tester', COLOPHON_DEBUG: '' },
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export async function sandbox(): Promise<{ dir: string; keys: string }> {
  const base = await mkdtemp(join(tmpdir(), 'colophon-cli-'));
  return { dir: join(base, 'work'), keys: join(base, 'keys') };
}

export interface InProcessResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `colophon <argv>` in this process through the real program (every verb, real exit codes). */
export async function colophonInProcess(cwd: string, ...argv: string[]): Promise<InProcessResult> {
  const { run } = await import('../src/program.js');
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, cwd, { out: (line) => out.push(line), err: (line) => err.push(line), isTty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Output nobody reads: for set-up steps run through the command functions. */
export const quiet: Io = { out: () => {}, err: () => {}, isTty: false };

/** Runs a command function and returns what it printed. */
export async function capture(run: (io: Io) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  await run({ out: (l) => lines.push(l), err: () => {}, isTty: false });
  return lines.join('\n').trim();
}

/** Runs `work` with COLOPHON_KEYS_DIR pointing at `keys` (keys live outside the project), then restores it. */
export async function withKeys<T>(keys: string, work: () => Promise<T>): Promise<T> {
  const previous = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = keys;
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env.COLOPHON_KEYS_DIR;
    else process.env.COLOPHON_KEYS_DIR = previous;
  }
}
