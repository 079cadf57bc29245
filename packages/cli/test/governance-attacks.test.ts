// Governance under attack: records signed by people without authority, or with claims that do not
// hold, delivered with `import car` (or typed at the command line). Each is refused, reported by
// `verify`, or made harmless, and the honest settlement is still paid exactly once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { appendFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentCid, identityFromSeed, signRecord, utf8Encode, type CID, type DecodedRecord, type RecordFields, type SigningIdentity } from '@colophon/core';
import { carBlock, carHeader } from '@colophon/core/node';
import { openWorkspace } from '../src/workspace.js';
import { colophonInProcess, type InProcessResult } from './helpers.js';

const ASSET = 'file:post.md';
const YEAR_2100 = Date.UTC(2100, 0, 1);

/** eve: an outsider with her own key and no role. */
const eve = identityFromSeed(new Uint8Array(32).fill(66));

let previousKeys: string | undefined;
let previousConfig: string | undefined;
beforeAll(() => {
  previousKeys = process.env.COLOPHON_KEYS_DIR;
  previousConfig = process.env.COLOPHON_CONFIG_DIR;
});
afterAll(() => {
  for (const [name, value] of [['COLOPHON_KEYS_DIR', previousKeys], ['COLOPHON_CONFIG_DIR', previousConfig]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A studio: olivia owns it, rafael directs, dana edits; a contract pays 70/30 for text and prompts. */
class Studio {
  private text = '';
  private constructor(
    readonly base: string,
    readonly dir: string,
  ) {}

  static async open(contract: Record<string, unknown> = {}): Promise<Studio> {
    const base = await mkdtemp(join(tmpdir(), 'colophon-attacks-'));
    const dir = join(base, 'studio');
    await mkdir(dir, { recursive: true });
    process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
    process.env.COLOPHON_CONFIG_DIR = join(base, 'config');
    const s = new Studio(base, dir);
    await s.ok('init', '--name', 'Attacked', '--as', 'olivia');
    for (const name of ['rafael', 'dana', 'carl']) await s.ok('id', 'new', name);
    await s.ok('member', 'add', 'rafael', '--role', 'director', '--as', 'olivia');
    await s.ok('member', 'add', 'dana', '--role', 'editor', '--as', 'olivia');
    // The text first: record --file takes any earlier record of the asset (a contract, an intent)
    // as a version whose text it does not have, and would record the first text as unknown.
    await s.edit('dana', 'The launch post, written by hand.\n');
    const file = join(base, 'contract.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'Post',
        asset: ASSET,
        gates: { directorApproved: "approvals.exists(a, a.final && 'director' in a.roles)" },
        payout: { budget: 100_000, currency: 'EUR', weights: { humanText: 70, prompts: 30 } },
        ...contract,
      }),
    );
    await s.ok('contract', 'add', file, '--as', 'olivia');
    await s.ok('record', 'intent', '--asset', ASSET, '--prompt', 'A short launch post', '--as', 'rafael');
    return s;
  }

  async colophon(...argv: string[]): Promise<InProcessResult> {
    return colophonInProcess(this.dir, ...argv);
  }

  async ok(...argv: string[]): Promise<string> {
    const result = await this.colophon(...argv);
    expect(result.code, `colophon ${argv.join(' ')}: ${result.err}`).toBe(0);
    return result.out;
  }

  /** An honest edit through the CLI: the file changes, the record links what its writer saw. */
  async edit(who: string, text: string, asset = ASSET): Promise<string> {
    const kind = this.text === '' ? 'asset.create' : 'asset.edit';
    this.text = text;
    await writeFile(join(this.dir, asset.slice('file:'.length)), text);
    return (await this.ok('record', kind, '--asset', asset, '--file', asset.slice('file:'.length), '--as', who)).trim();
  }

  async key(name: string): Promise<SigningIdentity> {
    return (await (await openWorkspace(this.dir)).keys.get(name))!;
  }

  async did(name: string): Promise<string> {
    return (await this.key(name)).did;
  }

  async get(cid: string | CID): Promise<DecodedRecord> {
    const ws = await openWorkspace(this.dir);
    return (await ws.feeds.get(typeof cid === 'string' ? (await import('@colophon/core')).parseCid(cid) : cid))!;
  }

  /** Signs records as `signer`, continuing its feed (seq, prev) in this ledger, from the record format alone. */
  async forge(signer: SigningIdentity, fields: Omit<RecordFields, 'proj' | 'by' | 'seq' | 'prev'>[]): Promise<DecodedRecord[]> {
    const ws = await openWorkspace(this.dir);
    const head = await ws.feeds.head(signer.did);
    let seq = head ? head.seq + 1 : 0;
    let prev = head?.cid;
    const out: DecodedRecord[] = [];
    for (const f of fields) {
      const record = signRecord({ ...f, proj: ws.project.id, by: signer.did, seq, ...(prev ? { prev } : {}) } as RecordFields, signer);
      out.push(record);
      prev = record.cid;
      seq++;
    }
    return out;
  }

  /** Delivers records the way anyone can: a CAR file and `colophon import car`. */
  async deliver(records: DecodedRecord[]): Promise<InProcessResult> {
    const file = join(this.base, `forged-${Date.now()}-${Math.random().toString(36).slice(2)}.car`);
    // The roots are the feeds' heads: the last record of each signer.
    const heads = new Map(records.map((r) => [r.record.by, r.cid]));
    await writeFile(file, Buffer.concat([carHeader([...heads.values()]), ...records.map((r) => carBlock(r.cid, r.bytes))]));
    return this.colophon('import', 'car', file);
  }

  /** Pays out to a statement folder; returns the report. */
  async payouts(...extra: string[]): Promise<{ code: number; report: PayoutJson; out: string }> {
    const result = await this.colophon('payouts', '--statement', join(this.base, 'statements'), '--json', ...extra);
    return { code: result.code, report: JSON.parse(result.out) as PayoutJson, out: result.out };
  }

  async verify(): Promise<{ code: number; findings: { code: string; message: string; cid?: string }[] }> {
    const result = await this.colophon('verify', '--json');
    return { code: result.code, findings: (JSON.parse(result.out) as { findings: { code: string; message: string; cid?: string }[] }).findings };
  }

  async approve(): Promise<{ approval: string; version: string; settle: string; lines: { payee: string; amount: number }[] }> {
    const result = await this.colophon('approve', '--asset', ASSET, '--as', 'rafael', '--json');
    expect(result.code, result.err + result.out).toBe(0);
    const json = JSON.parse(result.out) as { approval: { '/': string }; version: { '/': string }; settlement: { settle: { '/': string }; lines: { payee: string; amount: number }[] } };
    return { approval: json.approval['/'], version: json.version['/'], settle: json.settlement.settle['/'], lines: json.settlement.lines };
  }
}

interface PayoutJson {
  deliveries: { key: string; state: string; already: boolean }[];
  duplicates: string[];
  invalid: { settle: string; reasons: string[] }[];
}

/** Asserts the honest settlement, and only it, was paid, once. */
async function paidOnly(s: Studio, settle: string): Promise<PayoutJson> {
  const first = await s.payouts();
  expect(first.code, first.out).toBe(0);
  expect(first.report.deliveries.length, first.out).toBe(1);
  expect(first.report.deliveries.map((d) => [d.key, d.state])).toEqual([[settle, 'delivered']]);
  const again = await s.payouts();
  expect(again.report.deliveries.map((d) => [d.key, d.already])).toEqual([[settle, true]]);
  const files = await readdir(join(s.base, 'statements'));
  expect(files.sort()).toEqual([`settlement-${settle}.csv`, `settlement-${settle}.json`]);
  return first.report;
}

describe('governance attacks', () => {
  it('forged settlement: a copy of the real one, signed by eve, back-dated to 1970, is never paid and verify reports it', async () => {
    const s = await Studio.open();
    const honest = await s.approve();
    const real = await s.get(honest.settle);
    const ext = structuredClone(real.record.ext!) as { 'colophon.settle': { lines: { payee: string; amount: number; via: string[] }[] } };
    ext['colophon.settle'].lines = [{ payee: eve.did, amount: 100_000, via: ['humanText'] }];
    const [forged] = await s.forge(eve, [{ kind: 'settle', asset: ASSET, at: 0, links: real.record.links!, ext: ext as never }]);
    expect((await s.deliver([forged!])).code).toBe(0);

    const report = await paidOnly(s, honest.settle);
    expect(report.invalid.map((i) => i.settle)).toEqual([forged!.cid.toString()]);
    expect(report.invalid[0]!.reasons.join(' ')).toMatch(/not the owner and did not hold director/);
    const verified = await s.verify();
    expect(verified.code).toBe(1);
    expect(verified.findings.filter((f) => f.code === 'invalid-settlement').map((f) => f.cid)).toEqual([forged!.cid.toString()]);
    // Even with the real amounts, eve's copy does not stand: she may not sign a settlement.
    const [copy] = await s.forge(eve, [{ kind: 'settle', asset: ASSET, at: 0, links: real.record.links!, ext: real.record.ext! }]);
    await s.deliver([copy!]);
    expect((await s.payouts()).report.deliveries.map((d) => d.key)).toEqual([honest.settle]);
  });

  it('junk settlement: refused at record time; imported, it is skipped and blocks nothing', async () => {
    const s = await Studio.open();
    await s.colophon('id', 'new', 'eve');
    const typed = await s.colophon('record', 'settle', '--asset', 'file:junk', '--as', 'eve');
    expect(typed.code).toBe(2);
    expect(typed.err).toMatch(/a settle record is written by "colophon settle --asset ASSET"/);
    const [junk, junkHere] = await s.forge(eve, [
      { kind: 'settle', asset: 'file:junk', at: 0 },
      { kind: 'settle', asset: ASSET, at: 1, ext: { 'colophon.settle': { v: 1 } } },
    ]);
    expect((await s.deliver([junk!, junkHere!])).code).toBe(0);
    const honest = await s.approve();
    const report = await paidOnly(s, honest.settle);
    expect(report.invalid.map((i) => i.settle).sort()).toEqual([junk!.cid.toString(), junkHere!.cid.toString()].sort());
    expect((await s.colophon('attribute', '--asset', ASSET)).code).toBe(0);
    expect((await s.colophon('gate', '--asset', ASSET, '--as', 'olivia')).code).toBe(0);
    const verified = await s.verify();
    expect(verified.findings.map((f) => f.code).sort()).toEqual(['invalid-settlement', 'invalid-settlement']);
  });

  it('back-dated approval: a revoked director cannot approve a version made after the revocation, whatever `at` says', async () => {
    const s = await Studio.open();
    const rafael = await s.key('rafael');
    const ws = await openWorkspace(s.dir);
    const grant = (await ws.feeds.query({ kind: 'member' }))[0]!;
    const grantedAt = (await s.get(grant)).record.at;
    await s.ok('member', 'remove', 'rafael', '--role', 'director', '--as', 'olivia');
    const version = await s.edit('dana', 'The launch post, rewritten after the change of director.\n');
    // Dated between the grant and the revocation, linking the grant and the new version.
    const [approval] = await s.forge(rafael, [{ kind: 'approve', asset: ASSET, at: grantedAt + 1, links: [(await s.get(version)).cid, grant] }]);
    expect((await s.deliver([approval!])).code).toBe(0);

    const settle = await s.colophon('settle', '--asset', ASSET, '--as', 'olivia');
    expect(settle.code).toBe(1);
    expect(settle.err).toMatch(/directorApproved|no director has approved/);
    const payouts = await s.payouts();
    expect(payouts.report.deliveries).toEqual([]);
    const verified = await s.verify();
    expect(verified.findings.map((f) => [f.code, f.cid])).toContainEqual(['role-not-held', approval!.cid.toString()]);
  });

  it('future-dated edit: an outsider\'s edit dated 2100 is never the final version; honest later edits are; verify flags its time', async () => {
    const s = await Studio.open();
    const before = await s.edit('dana', 'The launch post, second draft.\n');
    const text = 'eve was here\n';
    const [edit] = await s.forge(eve, [{ kind: 'asset.edit', asset: ASSET, at: YEAR_2100, out: contentCid(utf8Encode(text)), links: [(await s.get(before)).cid], delta: { text: [[0, 30, text.length, 'human']] } }]);
    expect((await s.deliver([edit!])).code).toBe(0);
    const after = await s.edit('dana', 'The launch post, final draft.\n');
    const honest = await s.approve();
    expect(honest.version).toBe(after);
    expect(honest.lines.map((l) => l.payee)).not.toContain(eve.did);
    await paidOnly(s, honest.settle);
    const verified = await s.verify();
    expect(verified.findings.map((f) => [f.code, f.cid])).toEqual([['future-time', edit!.cid.toString()]]);
  });

  it('spam shares: a stranger\'s nine intents earn nothing, and the members\' split is unchanged', async () => {
    const clean = await Studio.open();
    const byName = async (st: Studio, lines: { payee: string; amount: number }[]) => {
      const names = new Map([[await st.did('rafael'), 'rafael'], [await st.did('dana'), 'dana']]);
      return Object.fromEntries(lines.map((l) => [names.get(l.payee) ?? l.payee, l.amount]));
    };
    const expected = await byName(clean, (await clean.approve()).lines);
    expect(expected).toEqual({ dana: 70_000, rafael: 30_000 });
    const s = await Studio.open();
    const spam = await s.forge(eve, Array.from({ length: 9 }, (_, i) => ({ kind: 'intent' as const, asset: ASSET, at: Date.now() - 1000 + i, intent: { text: `pay me ${i}` } })));
    expect((await s.deliver(spam)).code).toBe(0);
    const honest = await s.approve();
    expect(honest.lines.map((l) => l.payee)).not.toContain(eve.did);
    expect(await byName(s, honest.lines)).toEqual(expected);
    await paidOnly(s, honest.settle);
  });

  it('one owner: making a co-owner is refused, and nothing prints "Granted" without effect', async () => {
    const s = await Studio.open();
    const coOwner = await s.colophon('member', 'add', 'carl', '--role', 'owner', '--as', 'olivia');
    expect(coOwner.code).toBe(2);
    expect(coOwner.err).toMatch(/one owner/);
    const carlGrants = await s.colophon('member', 'add', 'dana', '--role', 'director', '--as', 'carl');
    expect(carlGrants.code).toBe(2);
    expect(carlGrants.out).not.toMatch(/Granted/);
    // Forged anyway: the owner's "owner" grant to carl, carl's director grant to eve, carl's contract.
    const olivia = await s.key('olivia');
    const carl = await s.key('carl');
    const [ownerGrant] = await s.forge(olivia, [{ kind: 'member', at: Date.now(), delta: { op: 'grant', role: 'owner', subject: carl.did } }]);
    const carlRecords = await s.forge(carl, [
      { kind: 'member', at: Date.now(), delta: { op: 'grant', role: 'director', subject: eve.did } },
      { kind: 'contract', asset: ASSET, at: YEAR_2100 - 1, ext: { 'colophon.contract': { v: 1, name: 'carl pays eve', gates: [{ name: 'always', expr: 'true' }], payout: { budget: 1, currency: 'EUR', fixed: { [eve.did]: 10_000 }, weights: {} } } } },
    ]);
    expect((await s.deliver([ownerGrant!, ...carlRecords])).code).toBe(0);
    const shown = await s.colophon('contract', 'show', '--asset', ASSET);
    expect(shown.out).toMatch(/Contract "Post"/);
    const honest = await s.approve();
    expect(honest.lines.map((l) => l.payee)).not.toContain(eve.did);
    await paidOnly(s, honest.settle);
    const codes = (await s.verify()).findings.map((f) => [f.code, f.cid]);
    expect(codes).toContainEqual(['no-effect', ownerGrant!.cid.toString()]);
    expect(codes).toContainEqual(['role-not-held', carlRecords[0]!.cid.toString()]);
    expect(codes).toContainEqual(['role-not-held', carlRecords[1]!.cid.toString()]);
  });

  it('fixed shares: a named member takes its basis points, the classes share the rest, exactly', async () => {
    const s = await Studio.open({ payout: { budget: 100_001, currency: 'EUR', weights: { humanText: 70, prompts: 30 }, fixed: { rafael: 1000, carl: 500 } } });
    const honest = await s.approve();
    const by = Object.fromEntries(honest.lines.map((l) => [l.payee, l.amount]));
    // rafael (a member) takes 10%; carl is named but no member, so his 5% stays with the rest.
    // Exact shares: rafael 1/10 + 9/10 x 3/10 = 37%, dana 9/10 x 7/10 = 63%; of 100001: 37000.37 and
    // 63000.63, so the one unit left over goes to the larger remainder (dana).
    expect(by[await s.did('rafael')]).toBe(37_000);
    expect(by[await s.did('dana')]).toBe(63_001);
    expect(by[await s.did('carl')]).toBeUndefined();
    expect(honest.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(100_001);
  });
});

describe('a contract a person can write', () => {
  it('contract init writes a commented starter that contract add accepts; --help documents the format', async () => {
    const s = await Studio.open();
    await s.ok('contract', 'init', 'starter.jsonc', '--asset', ASSET);
    const text = await readFile(join(s.dir, 'starter.jsonc'), 'utf8');
    expect(text).toMatch(/^\/\/ A Colophon contract/);
    expect(text).toMatch(/"directorApproved": "approvals\.exists/);
    expect((await s.colophon('contract', 'init', 'starter.jsonc')).code).toBe(2);
    const added = await s.colophon('contract', 'add', 'starter.jsonc', '--as', 'olivia', '--json');
    expect(added.code, added.err).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ asset: ASSET, name: 'My contract', payout: { budget: 100_000, weights: { humanText: 60 } } });
    const help = await s.colophon('contract', 'add', '--help');
    for (const word of ['"gates"', '"weights"', '"fixed"', 'upstreamBasisPoints', 'approvals', 'attribution', 'Only the project owner']) expect(help.out).toContain(word);
  });
});

describe('payout targets under attack', () => {
  const hits: { port: number; method: string; headers: IncomingMessage['headers'] }[] = [];
  const servers: Server[] = [];
  const serve = async (answer: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> => {
    const server = createServer((req, res) => {
      hits.push({ port: (server.address() as AddressInfo).port, method: req.method ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => answer(req, res));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterEach(() => {
    hits.length = 0;
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('webhook redirects (302, 307) are failures, never followed, and say so', async () => {
    const elsewhere = await serve((_req, res) => res.writeHead(200).end('paid'));
    const s = await Studio.open();
    const honest = await s.approve();
    for (const status of [302, 307]) {
      const hook = await serve((_req, res) => res.writeHead(status, { location: `${elsewhere}/steal` }).end());
      const result = await s.colophon('payouts', '--webhook', `${hook}/pay`, '--attempts', '2');
      expect(result.code).toBe(1);
      expect(result.out).toMatch(new RegExp(`✗ .* rejected after 1 attempt \\(HTTP ${status} redirect to ${elsewhere}/steal: redirects are never followed`));
    }
    const elsewherePort = Number(new URL(elsewhere).port);
    expect(hits.filter((h) => h.port === elsewherePort)).toEqual([]);
    expect(hits.every((h) => h.method === 'POST')).toBe(true);
    expect(honest.settle).toBeTruthy();
  });

  it('a target planted in .colophon/outbox is never paid', async () => {
    const planted = await serve((_req, res) => res.writeHead(200).end());
    const s = await Studio.open();
    const honest = await s.approve();
    const log = join(s.dir, '.colophon', 'outbox', 'log.jsonl');
    await mkdir(join(s.dir, '.colophon', 'outbox'), { recursive: true });
    await appendFile(log, `${JSON.stringify({ e: 'target', target: `webhook:${planted}/x`, at: 1 })}\n${JSON.stringify({ e: 'enqueue', key: honest.settle, target: `webhook:${planted}/x`, at: 1 })}\n`);
    const plain = await s.colophon('payouts', '--json');
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.out)).toMatchObject({ targets: [], deliveries: [] });
    await paidOnly(s, honest.settle);
    expect(hits).toEqual([]);
  });

  it('statement CSVs neutralise formulas in asset names', async () => {
    const s = await Studio.open({ asset: undefined });
    // The CLI refuses asset ids without a scheme; a record made elsewhere can still carry one.
    const asset = '=HYPERLINK("http://evil.example","click")';
    const text = 'text\n';
    const [brief] = await s.forge(await s.key('rafael'), [{ kind: 'intent', asset, at: Date.now(), intent: { text: 'brief' } }]);
    const [made] = await s.forge(await s.key('dana'), [{ kind: 'asset.create', asset, at: Date.now(), out: contentCid(utf8Encode(text)), delta: { text: [[0, 0, text.length, 'human']] } }]);
    expect((await s.deliver([brief!, made!])).code).toBe(0);
    const approved = await s.colophon('approve', '--asset', asset, '--as', 'rafael', '--json');
    expect(approved.code, approved.err).toBe(0);
    const settle = (JSON.parse(approved.out) as { settlement: { settle: { '/': string } } }).settlement.settle['/'];
    await s.payouts();
    const csv = await readFile(join(s.base, 'statements', `settlement-${settle}.csv`), 'utf8');
    const rows = csv.trim().split('\n').slice(1);
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.split(',')[1]).toBe(`"'=HYPERLINK(""http://evil.example""`);
    const { csvField } = await import('@colophon/core/node');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvField(formula).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvField(-5)).toBe('-5');
  });
});
