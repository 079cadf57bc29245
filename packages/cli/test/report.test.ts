// colophon report: one self-contained HTML page, rendered in real headless Chromium (Debian's
// chromium, driven by playwright-core) with every network request blocked and counted. The story
// behind it is real too: a recorded pipeline, people's edits, a contract's gates, an approval and
// its settlement, and Content Credentials exported with the C2PA SDK.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineRecorder, contentCid, parseCid, utf8Encode, type AiAgent } from '@colophon/core';
import { registerC2paCommands } from '../src/commands/c2pa.js';
import { registerGovernanceCommands } from '../src/commands/governance.js';
import { idNew } from '../src/commands/id.js';
import { init } from '../src/commands/init.js';
import { member } from '../src/commands/member.js';
import { record } from '../src/commands/record.js';
import { registerReportCommand, report } from '../src/commands/report.js';
import { UsageError } from '../src/errors.js';
import type { Io } from '../src/output.js';
import { openWorkspace } from '../src/workspace.js';
import { quiet } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const ASSET = 'file:post.md';
const DRAFT = 'Spring shoes are here. Light, bright, made for walking.';
const FINAL = 'Spring shoes are here. Light, soft, made for long walks in the park.';
const DRAFTER: AiAgent = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1.0' }, params: { temperature: 0.7 } };

let base: string;
let dir: string;
let previousKeys: string | undefined;
let browser: Browser | undefined;
let html = '';

async function cli(register: (program: Command, io: Io) => void, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false };
  const program = new Command('colophon').exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  register(program, io);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 2;
    else {
      err.push(`colophon: ${(error as Error).message}`);
      code = error instanceof UsageError ? 2 : 1;
    }
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const governance = (...argv: string[]) => cli((p, io) => registerGovernanceCommands(p, dir, io), ...argv);
const c2pa = (...argv: string[]) => cli((p, io) => registerC2paCommands(p, dir, io), ...argv);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-report-'));
  dir = join(base, 'studio');
  await mkdir(dir, { recursive: true });
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  await init(dir, { name: 'Spring campaign', as: 'olivia' }, quiet);
  for (const name of ['dana', 'wes', 'drafting-agent', 'brand-agent']) await idNew(dir, name, {}, quiet);
  await member(dir, 'grant', 'dana', { role: 'director', as: 'olivia' }, quiet);
  await member(dir, 'grant', 'wes', { role: 'editor', as: 'olivia' }, quiet);
  // The agents are members too: only members' checks count in gates.
  for (const agent of ['drafting-agent', 'brand-agent']) await member(dir, 'grant', agent, { role: 'agent', as: 'olivia' }, quiet);
  const contract = join(base, 'contract.json');
  await writeFile(
    contract,
    JSON.stringify({
      name: 'Launch post',
      asset: ASSET,
      gates: [
        { name: 'directorApproved', expr: "approvals.exists(a, a.final && 'director' in a.roles)", description: 'a director approved the final version' },
        { name: 'brandScore', expr: 'has(check.brand) && check.brand.score >= 0.8' },
        { name: 'humanShare', expr: 'attribution.humanShare >= 0.2' },
      ],
      payout: { budget: 50_000, currency: 'EUR', weights: { humanText: 70, prompts: 30, ai: 0 } },
    }),
  );
  expect((await governance('contract', 'add', contract, '--as', 'olivia')).code).toBe(0);

  // The director's brief, then the pipeline: a draft that passes the brand check, a rewrite that fails it.
  const brief = await (async () => {
    const lines: string[] = [];
    await record(dir, 'intent', { asset: ASSET, prompt: 'A warm launch post for the spring shoes', as: 'dana' }, { out: (l) => lines.push(l), err: () => {}, isTty: false });
    return parseCid(lines[0]!.trim());
  })();
  const ws = await openWorkspace(dir);
  const drafting = new PipelineRecorder({ project: ws.project, signer: (await ws.keys.get('drafting-agent'))!, blobs: ws.blobs, run: 'run-1' });
  const checking = new PipelineRecorder({ project: ws.project, signer: (await ws.keys.get('brand-agent'))!, blobs: ws.blobs, run: 'run-1' });
  drafting.intentServed = brief;
  checking.intentServed = brief;
  const brandTool = { type: 'tool', name: 'brand-checker', version: '2.3' } as const;
  const draft = await drafting.step({ name: 'draft', agent: DRAFTER, prompt: 'Write a launch post about spring shoes.' }, async () => DRAFT);
  checking.check({ name: 'brand', score: 0.91, threshold: 0.8, of: draft.step, asset: ASSET, agent: brandTool });
  const rewrite = await drafting.step({ name: 'rewrite', agent: DRAFTER, prompt: 'Make it punchier.', inputs: [draft.step] }, async () => 'SHOES!!! BUY NOW!!!');
  checking.check({ name: 'brand', score: 0.42, threshold: 0.8, of: rewrite.step, asset: ASSET, agent: brandTool });
  await drafting.close();
  await checking.close();

  // The writer takes the draft (not the rewrite) and edits it by hand.
  const wes = (await ws.keys.get('wes'))!;
  const created = await ws.project.record(wes, { kind: 'asset.create', asset: ASSET, out: contentCid(utf8Encode(DRAFT)), in: [draft.step.output!], links: [await draft.step.cid()], delta: { text: [[0, 0, DRAFT.length, 'ai']] } });
  await ws.project.record(wes, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode(FINAL)), links: [created.cid], delta: { text: [[30, 25, 38, 'human']] } });
  expect(DRAFT.slice(0, 30) + FINAL.slice(30, 68)).toBe(FINAL);
  await writeFile(join(dir, 'post.md'), FINAL);
  expect((await governance('check', '--asset', ASSET, '--name', 'brand', '--score', '0.86', '--threshold', '0.8', '--tool', 'brand-checker@2.3', '--as', 'brand-agent')).code).toBe(0);
  const approved = await governance('approve', '--asset', ASSET, '--as', 'dana');
  expect(approved.code, approved.err).toBe(0);
  // Content Credentials for the text (a sidecar), signed with a certificate from the project CA.
  expect((await c2pa('ca', 'init')).code).toBe(0);
  expect((await c2pa('ca', 'issue', 'wes')).code).toBe(0);
  const exported = await c2pa('export-c2pa', '--asset', ASSET, '--in', 'post.md', '--out', 'post.md', '--force', '--as', 'wes');
  expect(exported.code, exported.err).toBe(0);

  const lines: string[] = [];
  const path = await report(dir, { asset: ASSET, out: join(base, 'report.html') }, { out: (l) => lines.push(l), err: () => {}, isTty: false });
  expect(lines.join('\n')).toMatch(/Wrote the report on file:post\.md \(\d+ records, ledger verified\)/);
  html = await readFile(path, 'utf8');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the report test`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
});

describe('colophon report', () => {
  it('is one self-contained file: no scripts, no external references, a policy that forbids loading', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain('<svg');
  });

  it('renders in headless Chromium with every network request blocked, and none attempted', async () => {
    const context = await browser!.newContext({ viewport: { width: 1200, height: 900 }, offline: true });
    const attempted: string[] = [];
    await context.route('**/*', (route) => {
      attempted.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    page.on('request', (request) => attempted.push(request.url()));
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.setContent(html, { waitUntil: 'load' });

    expect(await page.title()).toBe('post.md — Colophon report');
    expect(await page.locator('h1').textContent()).toBe('post.md');
    const cards = await page.locator('.card').allInnerTexts();
    expect(cards.join(' | ')).toMatch(/LEDGER\s+Verified/i);
    expect(cards.join(' | ')).toMatch(/BY PEOPLE\s+55\.9%/i);
    expect(cards.join(' | ')).toMatch(/BY AI\s+44\.1%/i);
    expect(cards.join(' | ')).toMatch(/GATES\s+Passed/i);
    expect(cards.join(' | ')).toMatch(/CHECKS\s+All pass\s+latest result of brand/i);
    expect(cards.join(' | ')).toMatch(/C2PA\s+Trusted/i);

    // The lineage, drawn by Graphviz: one box per record, checks beside the steps they judged.
    const graph = page.locator('#lineage svg');
    expect(await graph.count()).toBe(1);
    // intent, draft, created, edited; the rewrite (tried, not used); three checks; the approval hung off the version.
    expect(await page.locator('#lineage svg g.node').count()).toBe(4 + 1 + 3 + 1);
    expect(await page.locator('#lineage svg g.node.style-verdict').count()).toBe(1);
    expect(await page.locator('#lineage svg g.node.style-unused').count()).toBe(1);
    expect(await page.locator('#lineage svg g.node.target').count()).toBe(1);
    expect(await page.locator('#lineage svg g.node.check.fail').count()).toBe(1);
    const drawn = await graph.textContent();
    expect(drawn).toContain('AI step "draft"');
    expect(drawn).toContain('local/drafter@1.0');
    expect(drawn).toContain('✗ brand 0.42 (< 0.8)');
    expect(drawn).toContain('THIS VERSION');
    const box = await graph.boundingBox();
    expect(box!.width).toBeGreaterThan(400);

    const shares = await page.locator('#shares').innerText();
    expect(shares).toMatch(/wes\s+People\s+38\s+55\.9%/);
    expect(shares).toMatch(/local\/drafter@1\.0\s+AI models\s+30\s+44\.1%/);
    expect(shares).toContain("people's work combined with AI output");
    const checks = await page.locator('#checks tbody tr').allInnerTexts();
    expect(checks).toHaveLength(3);
    expect(checks[1]).toMatch(/brand\s+AI step “rewrite”\s+0\.42\s+0\.8\s+failed/);
    const governanceText = await page.locator('#governance').innerText();
    expect(governanceText).toMatch(/approved by dana/);
    expect(governanceText).toMatch(/Contract Launch post/);
    expect(governanceText).toMatch(/EUR 500\.00 settled/);
    expect(await page.locator('#governance table').first().locator('tbody tr').count()).toBe(3);
    const credentials = await page.locator('#c2pa').innerText();
    expect(credentials).toMatch(/Trusted/);
    expect(credentials).toMatch(/matches the ledger/);
    expect(await page.locator('#verification').innerText()).toMatch(/Every signature, chain, link and role in the ledger checks out/);
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(10);
    // The page's own DOM (typed loosely: the test files are checked without the DOM library).
    expect(await page.evaluate(() => (globalThis as unknown as { document: { scripts: { length: number } } }).document.scripts.length)).toBe(0);

    await page.screenshot({ path: join(base, 'report.png'), fullPage: true });
    process.stdout.write(`report screenshot: ${join(base, 'report.png')}\n`);
    expect(attempted).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is wired as a command with clear refusals', async () => {
    const program = (...argv: string[]) => cli((p, io) => registerReportCommand(p, dir, io), ...argv);
    const json = await program('report', '--asset', ASSET, '--out', join(base, 'again.html'), '--json');
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ asset: ASSET, verified: true });
    expect((await program('report', '--asset', 'file:nope.md')).err).toMatch(/asset "file:nope.md" has no content records/);
    expect((await program('report')).code).toBe(2);
    expect((await program('report', '--asset', ASSET, '--record', 'xyz')).err).toMatch(/--record "xyz" is not a valid CID/);
  });
});
