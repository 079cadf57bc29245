// The studio story, end to end (issue 5): brief -> AI draft -> human edits -> brand check ->
// director approval -> gates -> settlement -> webhook received exactly once.
//
// Capture goes through the core API as an editor plugin would (text records with authorship ops,
// each naming the content id of the file as saved); governance goes through the `colophon`
// commands; the payee's bank is a real HTTP server on 127.0.0.1 that fails, then stalls past the
// timeout, then pays (once per idempotency key).
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_GATES, contentCid, loadAssetAttribution, utf8Encode, verifySignature, type CID, type Contribution, type SigningIdentity } from '../packages/core/src/index.js';
import { idNew } from '../packages/cli/src/commands/id.js';
import { init } from '../packages/cli/src/commands/init.js';
import { member } from '../packages/cli/src/commands/member.js';
import { verifyWorkspace } from '../packages/cli/src/commands/verify.js';
import { openWorkspace } from '../packages/cli/src/workspace.js';
import { colophonInProcess, quiet } from '../packages/cli/test/helpers.js';


const POST = 'file:launch-post.md';
const TAGLINE = 'file:tagline.md';
const PHOTO = 'file:porto.jpg';

let base: string;
let studio: string;
let previousKeys: string | undefined;

async function colophon(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return colophonInProcess(studio, ...argv);
}

/** An editor plugin's view of the studio: saves files and records each step with its authorship ops. */
class Editor {
  private readonly texts = new Map<string, string>();
  constructor(private readonly dir: string) {}

  async record(name: string, contribution: Contribution): Promise<{ cid: CID; out?: CID }> {
    const ws = await openWorkspace(this.dir);
    const identity = (await ws.keys.get(name)) as SigningIdentity;
    const stored = await ws.project.record(identity, contribution);
    return { cid: stored.cid, ...(stored.record.out ? { out: stored.record.out } : {}) };
  }

  /** Applies [pos, del, inserted text, class] ops to the file, saves it, and records the step. */
  async edit(name: string, asset: string, ops: [number, number, string, string][], extra: Partial<Contribution> = {}) {
    let text = this.texts.get(asset) ?? '';
    for (const [pos, del, ins] of ops) text = text.slice(0, pos) + ins + text.slice(pos + del);
    this.texts.set(asset, text);
    await writeFile(join(this.dir, asset.slice('file:'.length)), text);
    return this.record(name, {
      kind: extra.agent?.type === 'ai' ? 'ai.generate' : extra.kind ?? 'asset.edit',
      asset,
      out: contentCid(utf8Encode(text)),
      delta: { text: ops.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
      ...extra,
    });
  }

  text(asset: string): string {
    return this.texts.get(asset) ?? '';
  }
}

/** The payee's bank: fails, then stalls, then pays; pays once per idempotency key. */
const bank = {
  server: undefined as unknown as Server,
  url: '',
  script: ['fail', 'stall'] as string[],
  requests: [] as { key: string; outcome: string }[],
  paid: new Map<string, { did: string; body: { settlement: string; currency: string; budget: number; lines: { payee: string; amount: number; via: string[] }[] } }>(),
  stalled: [] as ServerResponse[],
};

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-story-'));
  studio = join(base, 'studio');
  await mkdir(studio, { recursive: true });
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  bank.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = String(req.headers['idempotency-key']);
      const did = String(req.headers['colophon-signer']);
      const signed = verifySignature(did, new Uint8Array(body), new Uint8Array(Buffer.from(String(req.headers['colophon-signature']), 'base64')));
      const outcome = !signed ? 'bad-signature' : (bank.script.shift() ?? 'pay');
      bank.requests.push({ key, outcome });
      if (outcome === 'bad-signature') return void res.writeHead(401).end();
      if (outcome === 'fail') return void res.writeHead(503).end('try later');
      if (outcome === 'stall') return void bank.stalled.push(res);
      if (!bank.paid.has(key)) bank.paid.set(key, { did, body: JSON.parse(body.toString('utf8')) });
      res.writeHead(200).end('{"status":"paid"}');
    });
  });
  await new Promise<void>((resolve) => bank.server.listen(0, '127.0.0.1', resolve));
  bank.url = `http://127.0.0.1:${(bank.server.address() as AddressInfo).port}/colophon/settlements`;
});

afterAll(async () => {
  if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
  else process.env.COLOPHON_KEYS_DIR = previousKeys;
  for (const res of bank.stalled) res.destroy();
  bank.server.closeAllConnections();
  await new Promise((resolve) => bank.server.close(resolve));
});

describe('the studio story', () => {
  it('brief, AI draft, human edits, brand check, approval, gates, settlement, one webhook payment', async () => {
    // The studio: Olivia owns it, Dana writes, Rafael directs, Mia reviews and wrote the tagline.
    await init(studio, { name: 'Autumn launch', as: 'olivia' }, quiet);
    for (const name of ['dana', 'rafael', 'mia']) await idNew(studio, name, {}, quiet);
    await member(studio, 'grant', 'rafael', { role: 'director', as: 'olivia' }, quiet);
    await member(studio, 'grant', 'dana', { role: 'editor', as: 'olivia' }, quiet);
    await member(studio, 'grant', 'mia', { role: 'reviewer', as: 'olivia' }, quiet);

    // The contract: the six example gates, and 1000.01 EUR split 60/20/10/10, 10% to ingredients.
    const contractFile = join(base, 'launch-contract.json');
    await writeFile(
      contractFile,
      JSON.stringify({
        name: 'Autumn launch post',
        asset: POST,
        gates: EXAMPLE_GATES,
        payout: { budget: 100_001, currency: 'EUR', weights: { humanText: 60, prompts: 20, reviews: 10, ai: 10 }, upstreamBasisPoints: 1000 },
      }),
    );
    const contract = await colophon('contract', 'add', contractFile, '--as', 'olivia');
    expect(contract.code, contract.err).toBe(0);

    const editor = new Editor(studio);
    // Ingredients: Mia's tagline, and a CC-BY photo whose Content Credentials were valid on import.
    const tagline = await editor.edit('mia', TAGLINE, [[0, 0, 'Made to last', 'human']], { kind: 'asset.create' });
    const photo = await editor.record('dana', {
      kind: 'ingest',
      asset: PHOTO,
      out: contentCid(utf8Encode('porto.jpg bytes')),
      rights: { license: 'CC-BY-4.0' },
      ext: { 'colophon.c2pa': { v: 1, file: 'porto.jpg', format: 'image/jpeg', state: 'Valid' } },
    });

    // 1. Rafael's brief.
    const brief = await editor.record('rafael', { kind: 'intent', asset: POST, intent: { text: 'A short, warm launch post for the hand-knitted autumn range.' } });
    // 2. Dana asks a model for a draft.
    const draft = await editor.edit('dana', POST, [[0, 0, 'Autumn is here. Our new knitwear keeps you warm.', 'ai']], {
      agent: { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } },
      intent: { text: 'Write the launch post from the brief' },
      links: [brief.cid],
    });
    // 3. Dana rewrites the second sentence by hand, then pastes Mia's tagline above it (using the photo too).
    const second = editor.text(POST).indexOf('Our new');
    await editor.edit('dana', POST, [[second, editor.text(POST).length - second, 'Knitted by hand in Porto, made to last.', 'human']], { links: [draft.cid] });
    await editor.edit('dana', POST, [[0, 0, 'Made to last. ', 'paste']], { in: [tagline.out!, photo.out!] });
    expect(editor.text(POST)).toBe('Made to last. Autumn is here. Knitted by hand in Porto, made to last.');
    const ws = await openWorkspace(studio);
    const attribution = await loadAssetAttribution(ws.feeds, { asset: POST, text: await readFile(join(studio, 'launch-post.md'), 'utf8') });
    expect(attribution.verification?.ok).toBe(true);
    expect(attribution.shares.unitsByClass).toMatchObject({ human: 39, ai: 16, pasted: 14 });
    // 4. Mia reviews; the brand checker scores the final text.
    const finalCid = (await ws.feeds.query({ asset: POST })).at(-1)!;
    await editor.record('mia', { kind: 'review', asset: POST, links: [finalCid] });
    const check = await colophon('check', '--asset', POST, '--name', 'brand', '--score', '0.91', '--threshold', '0.8', '--tool', 'brand-checker@2.1', '--as', 'dana');
    expect(check.code, check.err).toBe(0);

    // 5. Gates before approval: only the director's approval is missing.
    const before = await colophon('gate', '--asset', POST, '--as', 'mia', '--json');
    expect(before.code).toBe(1);
    expect(JSON.parse(before.out).gates.filter((g: { pass: boolean }) => !g.pass).map((g: { name: string }) => g.name)).toEqual(['directorApproved']);
    // Dana cannot approve her own work; only a director may.
    const refused = await colophon('approve', '--asset', POST, '--as', 'dana');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/only a director may approve/);

    // 6. Rafael approves: every gate passes and the budget is settled, once.
    const approved = await colophon('approve', '--asset', POST, '--as', 'rafael', '--json');
    expect(approved.code, approved.err).toBe(0);
    const result = JSON.parse(approved.out);
    expect(result.gate.pass).toBe(true);
    expect(result.gate.gates.map((g: { name: string }) => g.name)).toEqual(EXAMPLE_GATES.map((g) => g.name));
    const settlement = result.settlement;
    const did = async (name: string) => (await ws.keys.get(name))!.did;
    // Exact shares: own 90% (Dana 60% text + 10% of prompts, Rafael 10% prompts, Mia 10% reviews,
    // acme 10% AI), ingredients 10% (the tagline is all Mia's; the photo has no payable author).
    // 100001 x (.63, .09, .19, .09) = 63000.63, 9000.09, 19000.19, 9000.09: floors sum to 100000,
    // and the one cent left goes to the largest remainder, Dana's.
    expect(Object.fromEntries(settlement.lines.map((l: { payee: string; amount: number }) => [l.payee, l.amount]))).toEqual({
      [await did('dana')]: 63_001,
      [await did('rafael')]: 9_000,
      [await did('mia')]: 19_000,
      'ai:acme': 9_000,
    });
    expect(settlement.lines.find((l: { payee: string }) => l.payee === 'ai:acme').via).toEqual(['ai']);
    expect(settlement.lines.filter((l: { via: string[] }) => l.via.includes('upstream')).map((l: { payee: string }) => l.payee)).toEqual([await did('mia')]);
    const again = await colophon('settle', '--asset', POST, '--as', 'rafael', '--json');
    expect(JSON.parse(again.out)).toMatchObject({ existing: true, settle: settlement.settle });

    // 7. Anyone re-running the gate and the settlement from the records they list gets the same.
    expect((await colophon('gate', '--replay', result.gate.gate['/'])).out).toMatch(/same result/);
    expect((await colophon('gate', '--replay', settlement.settle['/'])).out).toMatch(/same result/);

    // 8. Payout: the bank fails, then stalls past the timeout; the outbox retries with the same
    //    idempotency key until it pays. A second run sends nothing.
    const payout = await colophon('payouts', '--webhook', bank.url, '--timeout', '300', '--attempts', '4', '--json');
    expect(payout.code, payout.err + payout.out).toBe(0);
    const delivery = JSON.parse(payout.out).deliveries[0];
    expect(delivery).toMatchObject({ key: settlement.settle['/'], state: 'delivered', attempts: 3, asset: POST });
    expect(bank.requests.map((r) => r.outcome)).toEqual(['fail', 'stall', 'pay']);
    expect((await colophon('payouts')).code).toBe(0);
    expect(bank.requests.length).toBe(3);
    expect([...bank.paid.keys()]).toEqual([settlement.settle['/']]);
    const paid = bank.paid.get(settlement.settle['/'])!;
    expect(paid.did).toBe(await did('rafael'));
    expect(paid.body.lines.reduce((s, l) => s + l.amount, 0)).toBe(100_001);
    expect(paid.body).toMatchObject({ settlement: settlement.settle['/'], currency: 'EUR', budget: 100_001 });

    // The ledger, governance records included, verifies.
    const report = await verifyWorkspace(studio);
    expect(report.findings).toEqual([]);
  });
});
