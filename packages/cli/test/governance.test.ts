// The governance commands, run in-process through a fresh commander program.
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '@colophon/core';
import { formatAmount } from '../src/commands/governance.js';
import { idNew } from '../src/commands/id.js';
import { init } from '../src/commands/init.js';
import { member } from '../src/commands/member.js';
import { record } from '../src/commands/record.js';
import { verifyWorkspace } from '../src/commands/verify.js';
import { type InProcessResult, capture, colophonInProcess, quiet } from './helpers.js';

const ASSET = 'file:post.md';

let base: string;
let dir: string;
let previousKeys: string | undefined;

type Result = InProcessResult;

/** Runs `colophon <argv>` in the studio, in-process. */
async function colophon(...argv: string[]): Promise<Result> {
  return colophonInProcess(dir, ...argv);
}


const received: { key: string; did: string; valid: boolean; body: { lines: { payee: string; amount: number }[] } }[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-governance-'));
  dir = join(base, 'studio');
  await mkdir(dir, { recursive: true });
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  await init(dir, { name: 'Governance', as: 'olivia' }, quiet);
  for (const name of ['dana', 'rafael', 'checker']) await idNew(dir, name, {}, quiet);
  await member(dir, 'grant', 'rafael', { role: 'director', as: 'olivia' }, quiet);
  await member(dir, 'grant', 'dana', { role: 'editor', as: 'olivia' }, quiet);
  await member(dir, 'grant', 'checker', { role: 'agent', as: 'olivia' }, quiet);

  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const did = String(req.headers['colophon-signer']);
      const valid = verifySignature(did, new Uint8Array(body), new Uint8Array(Buffer.from(String(req.headers['colophon-signature']), 'base64')));
      received.push({ key: String(req.headers['idempotency-key']), did, valid, body: JSON.parse(body.toString('utf8')) });
      res.writeHead(valid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('colophon governance commands', () => {
  it('contract add refuses bad CEL with its position, and non-owners', async () => {
    const bad = join(base, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'Bad', asset: ASSET, gates: { approved: "approvals.exists(a, a.final &&\n 'director' in a.roles" } }));
    const refused = await colophon('contract', 'add', bad, '--as', 'olivia');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/contract.gates\[0\] \(approved\): invalid CEL at line 1, column 17: "\(" is never closed/);
    await writeFile(bad, JSON.stringify({ name: 'Bad', gates: { g: 'true' }, payout: { budget: 12.5, currency: 'EUR', weights: { humanText: 1 } } }));
    expect((await colophon('contract', 'add', bad, '--as', 'olivia')).err).toMatch(/payout.budget must be an integer/);
    await writeFile(bad, '{ not json');
    expect((await colophon('contract', 'add', bad)).err).toMatch(/is not valid JSON/);
    const good = join(base, 'contract.json');
    await writeFile(
      good,
      JSON.stringify({
        name: 'Post',
        asset: ASSET,
        gates: [
          { name: 'directorApproved', expr: "approvals.exists(a, a.final && 'director' in a.roles)", description: 'a director approved the final version' },
          { name: 'brandScore', expr: 'has(check.brand) && check.brand.score >= 0.8' },
          { name: 'noPii', expr: "!('pii' in flags)" },
          { name: 'humanShare', expr: 'attribution.humanShare >= 0.3' },
        ],
        payout: { budget: 50_000, currency: 'EUR', weights: { humanText: 70, prompts: 30, ai: 0 } },
      }),
    );
    const notOwner = await colophon('contract', 'add', good, '--as', 'dana');
    expect(notOwner.code).toBe(2);
    expect(notOwner.err).toMatch(/only the owner may record a contract; did:key:\S+ is not the owner/);
    const added = await colophon('contract', 'add', good, '--as', 'olivia', '--json');
    expect(added.code, added.err).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ asset: ASSET, name: 'Post', gates: ['directorApproved', 'brandScore', 'noPii', 'humanShare'] });
    const shown = await colophon('contract', 'show', '--asset', ASSET);
    expect(shown.out).toMatch(/brandScore: has\(check.brand\)/);
  });

  it('check, gate (exit 1 while a gate fails), and refusals for non-directors', async () => {
    const brief = await capture((io) => record(dir, 'intent', { asset: ASSET, prompt: 'A short launch post', as: 'rafael' }, io));
    await writeFile(join(dir, 'post.md'), 'AI draft of the post\n');
    const draft = await capture((io) => record(dir, 'ai.generate', { asset: ASSET, file: join(dir, 'post.md'), model: 'acme/writer@2', link: [brief], as: 'dana' }, io));
    await writeFile(join(dir, 'post.md'), 'The post, rewritten by hand\n');
    await record(dir, 'asset.edit', { asset: ASSET, file: join(dir, 'post.md'), link: [draft], as: 'dana' }, quiet);

    const badScore = await colophon('check', '--asset', ASSET, '--name', 'brand', '--score', 'high');
    expect(badScore.code).toBe(2);
    const checked = await colophon('check', '--asset', ASSET, '--name', 'brand', '--score', '0.86', '--threshold', '0.8', '--tool', 'brand-checker@1.0', '--as', 'checker');
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toMatch(/Check brand on file:post.md: score 0.86 \(threshold 0.8\) — pass/);

    const gate = await colophon('gate', '--asset', ASSET, '--as', 'checker', '--json');
    expect(gate.code).toBe(1);
    const verdict = JSON.parse(gate.out);
    expect(verdict.gates.map((g: { name: string; pass: boolean }) => [g.name, g.pass])).toEqual([
      ['directorApproved', false],
      ['brandScore', true],
      ['noPii', true],
      ['humanShare', true],
    ]);
    const human = await colophon('gate', '--asset', ASSET, '--as', 'checker');
    expect(human.out).toMatch(/✗ directorApproved\s+a director approved the final version/);
    expect(human.out).toMatch(/1 of 4 gates fail\./);

    const refused = await colophon('approve', '--asset', ASSET, '--as', 'dana');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/only a director may approve; did:key:\S+ holds editor/);
    expect((await colophon('reject', '--asset', ASSET, '--as', 'checker')).err).toMatch(/only a director may reject/);
    expect((await colophon('approve', '--asset', 'file:nothing.md', '--as', 'rafael')).err).toMatch(/has no content records/);
  });

  it('approve evaluates the gates and settles once; settle again finds it; replay agrees', async () => {
    const approved = await colophon('approve', '--asset', ASSET, '--as', 'rafael');
    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toMatch(/rafael approved file:post.md/);
    expect(approved.out).toMatch(/All 4 gates pass\./);
    expect(approved.out).toMatch(/Settled: EUR 500\.00 in settle record/);
    // humanText 70% (all of it dana's by hand), prompts 30% (rafael's brief is the only prompt), ai weighs 0.
    expect(approved.out).toMatch(/dana \(did:key:\w+\)\s+EUR 350\.00\s+\(humanText\)/);
    expect(approved.out).toMatch(/rafael \(did:key:\w+\)\s+EUR 150\.00\s+\(prompts\)/);

    const again = await colophon('settle', '--asset', ASSET, '--as', 'rafael', '--json');
    expect(again.code).toBe(0);
    const settlement = JSON.parse(again.out);
    expect(settlement.existing).toBe(true);
    expect(settlement.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0)).toBe(50_000);

    const replayedSettle = await colophon('gate', '--replay', settlement.settle['/']);
    expect(replayedSettle.code, replayedSettle.out).toBe(0);
    expect(replayedSettle.out).toMatch(/same result/);
    const replayedGate = await colophon('gate', '--replay', settlement.gate['/'], '--json');
    expect(JSON.parse(replayedGate.out)).toMatchObject({ kind: 'gate', ok: true, differences: [] });

    const rejected = await colophon('reject', '--asset', ASSET, '--reason', 'changed my mind', '--as', 'rafael');
    expect(rejected.code).toBe(0);
    expect(rejected.out).toMatch(/rafael rejected file:post.md .*: changed my mind/);

    const report = await verifyWorkspace(dir);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('payouts: statements and a signed webhook, each paid once; targets are remembered', async () => {
    const statements = join(base, 'statements');
    const first = await colophon('payouts', '--statement', statements, '--webhook', url, '--json');
    expect(first.code, first.err).toBe(0);
    const report = JSON.parse(first.out);
    expect(report.deliveries.map((d: { state: string }) => d.state)).toEqual(['delivered', 'delivered']);
    expect(received.length).toBe(1);
    expect(received[0]!.valid).toBe(true);
    expect(received[0]!.body.lines.reduce((s, l) => s + l.amount, 0)).toBe(50_000);
    const files = (await readdir(statements)).sort();
    expect(files).toEqual([`settlement-${received[0]!.key}.csv`, `settlement-${received[0]!.key}.json`]);
    expect(await readFile(join(statements, files[0]!), 'utf8')).toMatch(/^settlement,asset,currency,payee,payee_name,amount_minor,via\n.*,(dana|rafael),/);

    const again = await colophon('payouts');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/✓ .* → webhook:http:\/\/127\.0\.0\.1:\d+\/hook: already delivered/);
    // Remembered in the user's configuration (beside the keys), not in the project.
    expect(await readFile(join(base, 'payout-targets.json'), 'utf8')).toContain(url);
    expect(received.length).toBe(1);
    expect((await stat(join(dir, '.colophon', 'outbox', 'log.jsonl'))).size).toBeGreaterThan(0);
    expect((await colophon('payouts', '--webhook', 'ftp://example')).code).toBe(2);
  });

  it('formats minor units by the currency', () => {
    expect(formatAmount(67_500, 'EUR')).toBe('EUR 675.00');
    expect(formatAmount(1234, 'JPY')).toBe('JPY 1234');
    expect(formatAmount(1234, 'BHD')).toBe('BHD 1.234');
    expect(formatAmount(5, 'XXY')).toBe('XXY 0.05');
  });
});
