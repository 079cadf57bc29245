// What the end-to-end tests need besides the host: the built extension, the fixture extension
// that stands for another extension's AI, the colophon CLI, and a project to record into.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The .vsix `npm test`'s setup step builds (packages/vscode-extension/dist). */
export function builtVsix(): string {
  const vsix = here('../../dist/colophon-vscode.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run node scripts/setup.mjs (it builds the extension)`);
  return vsix;
}

/** Packages test/e2e/reporter (another extension that reports its AI text through our API). */
export async function reporterVsix(outDir: string): Promise<string> {
  const out = join(outDir, 'colophon-e2e-reporter.vsix');
  await run(here('../../node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: here('./reporter') });
  return out;
}

const CLI = here('../../../cli/dist/bin.js');

/** Runs the colophon CLI; resolves with stdout, rejects with its stderr. */
export async function colophon(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/setup.mjs`);
  const { stdout } = await run(process.execPath, [CLI, ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Runs `colophon agent-hook` as an agent's hook would: the event as JSON on stdin. Resolves with stderr (what it recorded). */
export async function agentHook(p: Project, event: object, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'agent-hook', ...args], { cwd: p.root, env: p.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(event));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 || JSON.parse(stdout).continue !== true) throw new Error(`agent-hook exited ${code}: ${stdout} ${stderr}`);
  return stderr;
}

export interface Project {
  root: string;
  /** Environment for the CLI and code-server: the key store outside the workspace, the identity. */
  env: NodeJS.ProcessEnv;
}

/** A workspace folder with a Colophon project whose owner is `writer`, keys outside it. */
export async function project(): Promise<Project> {
  const base = await mkdtemp(join(tmpdir(), 'colophon-vscode-e2e-'));
  const root = join(base, 'workspace');
  await mkdir(root);
  const env = { ...process.env, COLOPHON_KEYS_DIR: join(base, 'keys'), COLOPHON_IDENTITY: 'writer' };
  await colophon(root, env, 'id', 'new', 'writer');
  await colophon(root, env, 'init', '--name', 'e2e', '--as', 'writer');
  return { root, env };
}

export interface Run {
  start: number;
  length: number;
  class: string;
  who: string;
  evidence: string | null;
}

/** `colophon attribute --json` of an asset: its per-character runs. */
export async function attributeRuns(p: Project, asset: string): Promise<Run[]> {
  const out = JSON.parse(await colophon(p.root, p.env, 'attribute', '--asset', asset, '--json')) as { runs?: Run[] };
  if (!out.runs) throw new Error(`colophon attribute gave no runs for ${asset}: ${JSON.stringify(out).slice(0, 500)}`);
  return out.runs;
}

/** The runs as [text, class] pairs over the file's text, for assertions that read like the story. */
export function spans(text: string, runs: readonly Run[]): [string, string][] {
  return runs.map((r) => [text.slice(r.start, r.start + r.length), r.class]);
}
